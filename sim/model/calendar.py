"""The meeting calendar, attendance and the meeting log.

Councils (议事会, "逢四说事" every Thursday [Kening]) meet per compound; joint meetings (联席会议)
with the property firm and owners' committee monthly [Xuanwu], on the second week's meeting day
like Aoyuan's patrol-and-study day [Aoyuan]; ad-hoc one-issue meetings (一事一议) [Xuanwu] are
called when a case has waited at community level too long, or for a project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from sim.scenario.schema import Meetings

COUNCIL, JOINT, ADHOC = "council", "joint", "adhoc"


def meeting_days(per_month: float, weekday: int, start: dt.date, days: int, offset_weeks: int = 0):
    """Days (0-based) of a recurring meeting.

    A "month" is four weeks, so 4 a month is weekly on ``weekday``, 2 fortnightly, 1 every four
    weeks and 8 twice a week; meetings are evenly spaced from the first ``weekday``.

    Args:
        per_month: meetings per four-week month (0: none).
        weekday: 0 Monday ... 6 Sunday.
        start: date of day 0.
        days: simulated days.
        offset_weeks: weeks to wait before the first meeting.

    Returns:
        Sorted unique int array of meeting days.
    """
    if per_month <= 0:
        return np.zeros(0, dtype=np.int64)
    first = (weekday - start.weekday()) % 7 + 7 * offset_weeks
    spacing = 28.0 / per_month
    count = int(np.ceil((days - first) / spacing)) + 1
    out = first + np.round(np.arange(max(count, 0)) * spacing).astype(np.int64)
    return np.unique(out[(out >= 0) & (out < days)])


@dataclass
class Calendar:
    """Which days have councils and joint meetings (the same for every compound)."""

    council: np.ndarray
    joint: np.ndarray
    is_council: np.ndarray = field(init=False)
    is_joint: np.ndarray = field(init=False)
    days: int = 0

    def __post_init__(self) -> None:
        self.is_council = np.zeros(self.days, dtype=bool)
        self.is_council[self.council] = True
        self.is_joint = np.zeros(self.days, dtype=bool)
        self.is_joint[self.joint] = True

    @classmethod
    def from_spec(cls, spec: Meetings, start: dt.date, days: int) -> Calendar:
        """Build the calendar of a scenario's meetings section."""
        council = meeting_days(spec.council_per_month, spec.weekday, start, days)
        joint = meeting_days(spec.joint_per_month, spec.weekday, start, days, offset_weeks=1)
        return cls(council=council, joint=joint, days=days)


def draw_attendance(
    rng: np.random.Generator | np.ndarray,
    participation: np.ndarray,
    trust: np.ndarray,
    members: np.ndarray,
    scale: float,
    trust_base: float,
) -> np.ndarray:
    """Draw who attends: chance = participation x (trust_base + trust) x scale, capped at 1.

    Args:
        rng: a generator, or one uniform number per member (keyed draws).
        participation: per-household propensity.
        trust: per-household trust.
        members: indices of the households invited.
        scale: lowers attendance at representative meetings (joint, ad hoc).
        trust_base: attendance factor without trust (``meetings.attendance_trust_base``).

    Returns:
        Indices of the attending households.
    """
    p = np.minimum(participation[members] * (trust_base + trust[members]) * scale, 1.0)
    u = rng if isinstance(rng, np.ndarray) else rng.random(len(members))
    return members[u < p]


@dataclass
class MeetingLog:
    """Append-only record of every meeting held."""

    rows: list[dict] = field(default_factory=list)

    def record(self, day: int, kind: str, compound: int, scope: str, **counts: int) -> None:
        """Record one meeting (day, kind, compound, scope and counters such as attendance)."""
        self.rows.append({"day": day, "kind": kind, "compound": compound, "scope": scope, **counts})

    def record_bodies(
        self, day: int, kind: str, bodies: np.ndarray, community: np.ndarray, **counts
    ) -> None:
        """Record a dispute meeting of each body that met (a council, a joint or ad-hoc meeting).

        Councils are a compound's (``COUNCIL``); joint and ad-hoc meetings a community's.

        Args:
            day: the day.
            kind: ``COUNCIL``, ``JOINT`` or ``ADHOC``.
            bodies: the compounds (council) or communities that met.
            community: each body's community.
            counts: arrays indexed by body (attendance, party attendance, items, resolved).
        """
        council = kind == COUNCIL
        for c, comm in zip(bodies.tolist(), community.tolist(), strict=True):
            self.record(
                day,
                kind,
                c if council else -1,
                "compound" if council else "community",
                community=comm,
                **{name: int(values[c]) for name, values in counts.items()},
            )
