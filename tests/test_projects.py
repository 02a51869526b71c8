import json
import subprocess
import sys

import numpy as np
import pytest

from sim.model import NeighbourhoodModel
from sim.model.projects.deliberation import anchor, diffuse
from sim.model.projects.utility import net_utility
from sim.scenario import Scenario, load_scenario
from sim.scenario.projects import Project

ELEVATOR_SCENARIO = {
    "name": "elevators",
    "days": 365,
    "compounds": [{"buildings": 4, "units_per_building": 2, "floors": 6}],
    "population": {"elderly_share": 0.5},
    "projects": [{"name": "lift", "type": "elevator"}],
}


def scenario(**changes):
    data = json.loads(json.dumps(ELEVATOR_SCENARIO))
    for path, value in changes.items():
        node = data
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node.setdefault(k, {})
        node[keys[-1]] = value
    return Scenario.model_validate(data)


def run(sc, seed):
    m = NeighbourhoodModel(sc, seed=seed)
    m.run()
    return m


def pass_rate(sc, seeds):
    return np.mean([run(sc, s).projects.tables()["projects"].passed.mean() for s in seeds])


def test_elevator_utility_by_floor():
    spec = Project(type="elevator", ground_compensation=0.0)
    floors = np.array([1, 2, 3, 4, 5, 6])
    area = np.full(6, 70.0)
    args = (floors, area, np.zeros(6, bool), np.ones(6, bool), np.zeros(6, int))
    u = net_utility(spec, *args, np.array([0.0]))
    assert u[0] < 0 and u[1] < 0  # floors 1-2 gain nothing and lose light and quiet
    assert np.all(np.diff(u[2:]) > 0)  # benefit grows with floor faster than cost share
    shares = (spec.benefit * np.clip(floors - 2, 0, None)) - u
    assert shares[0] == spec.ground_floor_loss  # floor 1 pays nothing
    with_comp = net_utility(spec, *args, np.array([30_000.0]))
    assert with_comp[0] == u[0] + 30_000
    assert with_comp[5] < u[5]  # upper floors pay the compensation
    # owners pay cost - subsidy in total
    total = np.sum((spec.benefit * np.clip(floors - 2, 0, None)) - u) - spec.ground_floor_loss * 1.5
    assert total == pytest.approx(spec.cost - spec.subsidy)


def test_instances_one_per_unit():
    m = NeighbourhoodModel(scenario(), seed=1)
    st = m.projects.states[0]
    assert len(st.scope_ids) == 8
    assert np.array_equal(np.bincount(st.inst), np.full(8, 24 // 2))


def test_ground_floor_compensation_raises_pass_rate():
    seeds = range(20)
    base = pass_rate(scenario(), seeds)
    comp = pass_rate(scenario(projects__0__ground_compensation=20_000), seeds)
    assert comp > base + 0.1, (base, comp)


@pytest.mark.parametrize("rate", [None, 0.0])
def test_without_meetings_or_canvassing_support_moves_only_by_diffusion(rate):
    # rate None: the scenario's default; 0.0: no word of mouth, where the weekly step skips
    # the sparse products and must still give exactly the numbers of the general formula.
    sc = scenario(
        meetings={"council_per_month": 0, "joint_per_month": 0, "adhoc": False},
        party={"canvass_per_week": 0, "density": 0.0},
        days=30,
        **({} if rate is None else {"deliberation__diffusion_rate": rate}),
    )
    sc.projects[0].deadline_days = 10_000  # no vote
    m = NeighbourhoodModel(sc, seed=4)
    m.step()  # day 0: opinions formed
    st = m.projects.states[0]
    # As if a meeting had moved support halfway to 1/2 and answered half of every concern:
    # the anchor pulls support back towards interest, the answered half relapses.
    st.x = 0.5 * (st.x + 0.5)
    st.c = st.c * 0.5
    st.touch()
    x, c, interest = st.x.copy(), st.c.copy(), st.interest.copy()
    first_x, c0 = x.copy(), st.c0.copy()
    eps = m.world.openness[st.members]
    d = sc.deliberation
    for _ in range(29):
        m.step()
    den = np.asarray(st.ties.sum(axis=1)).ravel()[:, None]
    for _ in range(4):  # weeks ending on days 6, 13, 20, 27
        x = anchor(diffuse(x, st.ties, eps, d.diffusion_rate), interest, d.interest_anchor)
        target = np.where(den > 0, (st.ties @ c) / np.maximum(den, 1e-300), c)
        c = c + d.diffusion_rate * (target - c)
        c += d.concern_relapse * np.maximum(c0 - c, 0.0)  # rumours: answered concern returns
    assert np.allclose(st.x, x) and np.allclose(st.c, c)
    if rate == 0.0:
        assert np.array_equal(st.x, x) and np.array_equal(st.c, c)
        off = first_x != interest
        assert off.any() and np.all(np.abs(st.x - interest)[off] < np.abs(first_x - interest)[off])
    assert not np.allclose(st.x, interest)  # it did move


def test_party_canvassing_speeds_consensus():
    monthly = {"council_per_month": 1, "joint_per_month": 0, "adhoc": False}

    def mean_support(k):
        sc = scenario(meetings=monthly, party={"canvass_per_week": k, "density": 0.15}, days=90)
        sc.projects[0].deadline_days = 10_000
        sc.projects[0].vote_margin = 0.5  # never call a vote: watch support only
        return np.mean([run(sc, s).projects.mean_support(0) for s in range(6)])

    assert mean_support(10) > mean_support(0) + 0.03


def test_projects_outputs_and_determinism():
    sc = load_scenario("scenarios/elevator_and_gas.yaml", ["days=200"])
    a, b = run(sc, 3), run(sc, 3)
    ta, tb = a.projects.tables(), b.projects.tables()
    assert ta["projects"].equals(tb["projects"]) and ta["votes"].equals(tb["votes"])
    p = ta["projects"]
    assert set(p.type) == {"elevator", "gas_pipe"}
    assert (p[p.type == "gas_pipe"].scope == "compound").all()
    assert len(p[p.type == "elevator"]) == 12
    s = a.project_summary()
    for key in (
        "projects.total",
        "projects.pass_rate",
        "projects.median_days_to_pass",
        "projects.median_meetings_attended_to_pass",
        "projects.no_vote_before_end",
        "projects.mean_final_support",
    ):
        assert key in s


def test_failed_vote_retries_after_cooling_with_more_compensation():
    sc = scenario(projects__0__deadline_days=30, projects__0__vote_margin=0.5)
    sc.projects[0].retry.cooling_days = 40
    sc.projects[0].retry.compensation_step = 10_000
    sc.projects[0].retry.max_attempts = 3
    m = run(sc, 2)
    votes = m.projects.tables()["votes"]
    again = votes[votes.attempt == 2]
    assert len(again)
    first = votes[votes.attempt == 1].set_index("instance").day
    for _, row in again.iterrows():
        assert row.day >= first[row.instance] + 40
        assert row.compensation == 10_000
    assert votes.groupby("instance").attempt.max().max() <= 3


def test_wish_triggered_project_waits_for_wishes():
    sc = scenario(
        projects=[
            {
                "name": "lights",
                "type": "lighting",
                "trigger": "wishes",
                "wishes_needed": 30,
                "cost": 20000,
                "subsidy": 0,
                "cost_sharing": "equal",
                "benefit": 300,
                "utility_scale": 200,
            }
        ]
    )
    m = run(sc, 1)
    p = m.projects.tables()["projects"]
    assert p.day_proposed.iloc[0] > 0
    ts = m.datacollector.get_model_vars_dataframe()
    day = p.day_proposed.iloc[0]
    assert ts.wishes_collected.iloc[: day + 1].sum() >= 30


def test_cli_runs_elevator_and_gas_scenario(tmp_path):
    out = tmp_path / "eg"
    r = subprocess.run(
        [sys.executable, "-m", "sim", "run", "scenarios/elevator_and_gas.yaml", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    for f in ("projects.parquet", "votes.parquet"):
        assert (out / f).exists()
    import pandas as pd

    ts = pd.read_parquet(out / "timeseries.parquet")
    assert "support:elevators" in ts.columns and "support:gas" in ts.columns
    summary = json.loads((out / "summary.json").read_text())
    assert summary["projects.total"] == 13


def test_passed_projects_are_delivered_and_then_raise_trust():
    def run_kind(kind):
        sc = scenario(property_firm={"kind": kind}, trust={"gain_project": 0.5}, days=200)
        p = sc.projects[0]  # an easy project with no withdrawals or lawsuits
        p.ground_compensation, p.withdraw_rate, p.lawsuit_rate = 60_000, 0.0, 0.0
        p.concerns.light = p.concerns.noise = 0.05
        m = NeighbourhoodModel(sc, seed=5)
        trust_at = {}
        st = None
        for day in range(200):
            m.step()
            st = m.projects.states[0]
            trust_at[day] = m.world.trust.copy()
        return m, st, trust_at

    for kind, build in (("private", 42), ("none", 63)):
        m, st, trust_at = run_kind(kind)
        p = m.projects.tables()["projects"]
        done = p[p.day_delivered >= 0]
        assert len(done)
        window = m.scenario.projects[0].withdraw_window_days  # works start after it closes
        assert ((done.day_delivered - done.day_passed) == window + build).all()
        i = int(done.instance.iloc[0])
        hh = st.members[st.by_inst[i]]
        d = int(done.day_delivered.iloc[0])
        jump = trust_at[d][hh] - trust_at[d - 1][hh]
        assert (jump > 0.1).all()  # the delivery, not the vote, lifts trust
