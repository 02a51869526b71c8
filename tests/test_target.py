import subprocess
import sys

import numpy as np
import pytest

from sim.experiments.target import Lever, Target, combinations, planner_cost, search


def test_combinations_run_cheapest_first():
    combos = combinations([Lever("a", (0, 1, 2)), Lever("b", (0.0, 0.5))])
    efforts = [e for e, _ in combos]
    assert efforts == sorted(efforts)
    assert combos[0] == (0, {"a": 0, "b": 0.0})
    assert combos[-1] == (3, {"a": 2, "b": 0.5})
    assert len(combos) == 6


def test_lever_parse_errors():
    assert Lever.parse("party.density=0.05, 0.1").values == (0.05, 0.1)
    for bad in ("party.density", "x=a,b", "x=", "x=inf"):
        with pytest.raises(ValueError):
            Lever.parse(bad)


def test_target_in_share_of_runs():
    rng = np.random.default_rng(0)
    t = Target("m", 0.5, share_of_runs=2 / 3)
    assert t.reached(np.array([0.6, 0.7, 0.1]), rng)[0]
    assert not t.reached(np.array([0.6, 0.1, 0.1]), rng)[0]
    low = Target("m", 10, at_least=False)
    assert low.reached(np.array([3.0, 4.0]), rng)[0]


def test_search_finds_the_cheapest_setting_on_a_known_surface():
    # Planted response: metric = 0.1 * councils + density; the target 0.5 is first reached
    # (in effort order) at councils 4, density 0.1 (0.5) - not at councils 8 (effort 3).
    def evaluate(tasks):
        out = []
        for t in tasks:
            s = dict(kv.split("=") for kv in t["sets"])
            v = 0.1 * float(s["meetings.council_per_month"]) + float(s["party.density"])
            out.append({"disputes.x": v})
        return out

    levers = [Lever("meetings.council_per_month", (0, 2, 4, 8)), Lever("party.density", (0, 0.1))]
    res = search({}, levers, Target("disputes.x", 0.5), evaluate, replicates=3)
    assert res.best.settings == {"meetings.council_per_month": 4, "party.density": 0.1}
    assert all(not t.reached for t in res.trials[:-1])
    assert res.trials[-1].effort == 3
    assert planner_cost("meetings.council_per_month", 4, 300) == "52 meetings a year"
    assert planner_cost("party.density", 0.1, 300) == "30 party members"


def test_cli_target_small(tmp_path):
    sets = ["days=60", "compounds.0.buildings=4", "compounds.0.households=90"]
    args = [a for s in sets for a in ("--set", s)]
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "target",
            *args,
            "--metric",
            "disputes.total",
            "--at-least",
            "0",
            "--lever",
            "party.density=0,0.1",
            "--replicates",
            "2",
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "0 party members" in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "sim", "target", "--metric", "x", "--at-least", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert r.returncode == 2 and "--lever" in r.stderr


def test_one_run_is_never_confidently_enough():
    """One run gives a mean but no interval, so a 'confident' target is not reached on it."""
    rng = np.random.default_rng(0)
    reached, est = Target("m", 0.5, confident=True).reached(np.array([0.9]), rng)
    assert not reached and est[0] == 0.9 and np.isnan(est[1]) and np.isnan(est[2])
    assert Target("m", 0.5).reached(np.array([0.9]), rng)[0]  # the mean alone is allowed
    assert Target("m", 0.5, confident=True).reached(np.array([0.9, 0.8, 0.85]), rng)[0]


def test_share_of_runs_interval_keeps_a_width_at_the_edges():
    """Every run reaching the threshold is a share of 1 with a Wilson interval below 1."""
    rng = np.random.default_rng(0)
    t = Target("m", 0.5, share_of_runs=0.8, confident=True)
    reached, (share, lo, hi) = t.reached(np.array([0.9, 0.7, 0.6]), rng)
    assert share == 1.0 and hi == 1.0 and 0.0 < lo < 0.8  # three runs cannot show 80% confidently
    assert not reached
    assert t.reached(np.full(30, 0.9), rng)[0]
