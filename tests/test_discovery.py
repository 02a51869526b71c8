import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.experiments.boxes import box_words, cart, leaves, prim, quasi_p_values, rule_limits
from sim.experiments.discovery import write


def planted(n=2000, seed=0, noise=0.0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 10, n), "c": rng.uniform(size=n)}
    )
    y = (X.a >= 0.6) & (X.b <= 4.0)
    flip = rng.uniform(size=n) < noise
    return X, np.where(flip, ~y, y)


def test_prim_recovers_a_planted_box():
    X, y = planted(noise=0.05)
    res = prim(X, y, min_density=0.85)
    box = res.chosen
    assert set(box.limits) == {"a", "b"}  # the irrelevant input c is not restricted
    assert abs(box.limits["a"][0] - 0.6) < 0.05
    assert abs(box.limits["b"][1] - 4.0) < 0.5
    assert box.density >= 0.85 and box.coverage >= 0.8
    qp = quasi_p_values(box, X, y)
    assert set(qp) == {"a", "b"} and max(qp.values()) < 1e-6
    # a restriction on the irrelevant input is not significant
    from sim.experiments.boxes import Box

    noise = Box({**box.limits, "c": (0.0, 0.97)}, 0, 0, 0, 0)
    assert quasi_p_values(noise, X, y)["c"] > 0.05
    # the trajectory starts with everything and trades coverage for density
    first = res.trajectory[0]
    assert first.mass == 1.0 and first.coverage == 1.0
    assert res.trajectory[-1].density > first.density
    assert res.trajectory[-1].coverage <= first.coverage


def test_prim_on_discrete_levels_and_errors():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"m": rng.integers(0, 5, 500).astype(float), "z": rng.uniform(size=500)})
    y = X.m.to_numpy() >= 3
    box = prim(X, y, min_density=0.95).chosen
    assert box.limits == {"m": (3.0, np.inf)} and box.density == 1.0 and box.coverage == 1.0
    with pytest.raises(ValueError, match="no case"):
        prim(X, np.zeros(500, dtype=bool))


def test_pasting_widens_an_overpeeled_box():
    X, y = planted()
    unpasted = prim(X, y, min_density=1.0, paste=False).chosen
    pasted = prim(X, y, min_density=1.0, paste=True).chosen
    assert pasted.density >= unpasted.density
    assert pasted.coverage >= unpasted.coverage


def test_cart_separates_a_planted_split():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"a": rng.uniform(0, 1, 400), "b": rng.uniform(size=400)})
    y = X.a.to_numpy() > 0.3
    tree = cart(X, y, max_depth=2)
    assert tree.name == "a" and abs(tree.threshold - 0.3) < 0.02
    rules = leaves(tree)
    assert len(rules) == 2  # pure leaves are not split further
    (left_path, left), (right_path, right) = rules
    assert left.density == 0.0 and right.density == 1.0
    assert rule_limits(right_path)["a"][0] == tree.threshold
    assert box_words(rule_limits(right_path)) == f"a >= {tree.threshold:.3g}"


def test_words():
    assert box_words({"x": (2.0, 5.0), "y": (0.1, np.inf)}) == "2 <= x <= 5 and y >= 0.1"
    assert box_words({}) == "for every lever setting swept"


def test_write_never_overwrites_foreign_files(tmp_path):
    (tmp_path / "r.json").write_text("{}")
    with pytest.raises(FileExistsError):
        write({"written_by": "sim discover"}, tmp_path / "r")
    assert (tmp_path / "r.json").read_text() == "{}"


SPEC = """
name: tiny
days: 60
design: lhs
samples: 24
replicates: 2
base_seed: 5
set: [compounds.0.buildings=4, compounds.0.households=80]
parameters:
  meetings.council_per_month: {min: 0, max: 8}
  trust.gain_project: {min: 0, max: 1}
"""


def test_cli_end_to_end_on_a_tiny_sweep(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    sim = [sys.executable, "-m", "sim"]
    subprocess.run(
        [*sim, "sweep", str(spec), "--out", str(tmp_path / "s"), "--workers", "2"],
        check=True,
        capture_output=True,
    )
    before = sorted(p.name for p in (tmp_path / "s").iterdir())
    cmd = [*sim, "discover", str(tmp_path / "s"), "--metric", "meetings.held", "--threshold", "12"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "PRIM:" in r.stdout and "meetings.council_per_month" in r.stdout
    # keys come with their labels: a reader need not know the programme's names
    flat = " ".join(r.stdout.split())
    assert "Compound councils per 4-week month (meetings.council_per_month)" in flat
    assert "Meetings held (meetings.held)" in flat
    after = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert sorted(set(after) - set(before)) == ["discovery"]
    res = json.loads((tmp_path / "s/discovery/meetings.held-ge-12.json").read_text())
    # meetings held grow with councils per month: the box restricts councils from below only
    lo, hi = res["prim"]["box"]["limits"]["meetings.council_per_month"]
    assert lo > 3 and hi is None
    assert res["prim"]["box"]["density"] >= 0.8
    assert (tmp_path / "s/discovery/meetings.held-ge-12.md").read_text().startswith("# Scenario")
    # run again: our own files may be replaced; with --html a report is written too
    again = subprocess.run([*cmd, "--html", str(tmp_path / "d.html")], capture_output=True)
    assert again.returncode == 0
    page = (tmp_path / "d.html").read_text()
    assert "PRIM trade-off" in page and "meetings.council_per_month &gt;=" in page
    bad = subprocess.run(
        [*cmd[:5], "--metric", "nope", "--threshold", "1"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "choose one of" in bad.stderr


def test_report_refuses_other_files(tmp_path):
    from sim.report.calibration import write_calibration_report

    (tmp_path / "x.json").write_text('{"a": 1}')
    for src in (tmp_path / "x.json", tmp_path):
        with pytest.raises(FileNotFoundError):
            write_calibration_report(src, tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


def fake_sweep(folder, frame):
    """A sweep folder holding the given runs (the layout `sim sweep` writes)."""
    (folder / "runs" / "summary").mkdir(parents=True)
    (folder / "runs" / "series").mkdir(parents=True)
    (folder / "sweep.json").write_text('{"spec": {"metrics": []}}')
    frame.assign(point=range(len(frame)), replicate=0).to_parquet(
        folder / "runs" / "summary" / "all.parquet", index=False
    )
    frame[[c for c in frame if c.startswith("param:")]].to_parquet(folder / "points.parquet")
    pd.DataFrame({"run_id": ["x"], "day": [0]}).to_parquet(folder / "runs/series/x.parquet")


def test_discover_below_with_missing_metric_and_text_levers(tmp_path):
    from sim.experiments.discovery import discover, markdown

    rng = np.random.default_rng(3)
    n = 400
    x = rng.uniform(0, 10, n)
    days = np.where(x > 6, 5.0, 30.0) + rng.normal(0, 1, n)
    days[:40] = np.nan  # e.g. no dispute resolved in that run
    frame = pd.DataFrame(
        {
            "param:meetings.council_per_month": x,
            "param:party.density": rng.uniform(0, 0.2, n),
            "param:property_firm.kind": rng.choice(["private", "state"], n),
            "param:fixed": 1.0,
            "disputes.median_days_to_resolve": days,
        }
    )
    fake_sweep(tmp_path, frame)
    res = discover(tmp_path, "disputes.median_days_to_resolve", 10, above=False)
    assert res["runs_used"] == n - 40 and res["runs_missing_metric"] == 40
    assert res["parameters"] == ["meetings.council_per_month", "party.density"]
    assert res["skipped_parameters"] == ["property_firm.kind"]
    lo, hi = res["prim"]["box"]["limits"]["meetings.council_per_month"]
    assert abs(lo - 6) < 0.3 and hi is None
    assert res["prim"]["words"].startswith("disputes.median_days_to_resolve <= 10 in")
    top = max(res["cart"]["rules"], key=lambda r: r["density"])
    assert top["density"] == 1.0 and top["words"].startswith("meetings.council_per_month >= 6")
    assert "Left out (not numeric): property_firm.kind" in markdown(res)
