import datetime as dt

import numpy as np

from sim.model.calendar import meeting_days

MONDAY = dt.date(2024, 1, 1)


def test_weekly_on_thursday():
    days = meeting_days(4, 3, MONDAY, 60)
    assert days[0] == 3
    assert (np.diff(days) == 7).all()
    assert all((MONDAY + dt.timedelta(int(d))).weekday() == 3 for d in days)


def test_frequencies():
    assert len(meeting_days(0, 3, MONDAY, 365)) == 0
    assert len(meeting_days(1, 3, MONDAY, 364)) == 13
    assert len(meeting_days(2, 3, MONDAY, 364)) == 26
    assert len(meeting_days(8, 3, MONDAY, 364)) == 104


def test_offset_weeks():
    assert meeting_days(1, 3, MONDAY, 100, offset_weeks=1)[0] == 10
