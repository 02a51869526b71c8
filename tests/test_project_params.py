"""Project constants that were module numbers are scenario parameters that act."""

from __future__ import annotations

import numpy as np

from sim.model import NeighbourhoodModel
from sim.model.projects.utility import net_utility
from sim.model.projects.works import build_days
from sim.scenario import load_scenario
from sim.scenario.projects import Project


def _elevator(**kw) -> Project:
    return Project(name="e", type="elevator", **kw)


def test_elderly_bonus_scales_the_elevator_benefit():
    floors = np.array([5, 5])
    args = (floors, np.full(2, 80.0), np.array([True, False]), np.array([False, False]))
    args += (np.zeros(2, dtype=int), np.zeros(1))
    for bonus in (0.0, 0.5, 2.0):
        u = net_utility(_elevator(elderly_benefit_bonus=bonus), *args)
        benefit = _elevator().benefit * 3  # floor 5 climbs 3 floors above the 2nd
        assert np.isclose(u[0] - u[1], bonus * benefit)


def test_works_take_longer_without_a_firm_by_the_parameter():
    spec = _elevator(build_days=40, slower_without_firm=2.0)
    with_firm = NeighbourhoodModel(load_scenario(sets=["days=1"]))
    no_firm = NeighbourhoodModel(load_scenario(sets=["days=1", "property_firm.kind=none"]))
    assert build_days(with_firm, spec) == 40
    assert build_days(no_firm, spec) == 80
    assert build_days(no_firm, _elevator(build_days=40)) == 60  # default 1.5


def test_parameters_are_in_the_schema_with_bounds():
    sc = load_scenario(
        sets=["deliberation.joint_project_attendance=0.1", "deliberation.canvass_influence_cap=5"]
    )
    assert sc.deliberation.joint_project_attendance == 0.1
    assert sc.deliberation.canvass_influence_cap == 5
    assert _elevator(lawsuit_floors=1).lawsuit_floors == 1


def test_joint_meeting_attendance_follows_its_parameter():
    def attendance(scale: float) -> int:
        sets = ["days=120", f"deliberation.joint_project_attendance={scale}"]
        model = NeighbourhoodModel(load_scenario("scenarios/kening_tianyuancheng_gas.yaml", sets))
        model.run()
        rows = [r for r in model.meeting_log.rows if r["kind"] == "joint"]
        return sum(r["attendance"] for r in rows if str(r["scope"]).startswith("project:"))

    assert 0 < attendance(0.05) < attendance(0.3) < attendance(1.0)
