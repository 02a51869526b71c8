import json
import subprocess
import sys

import numpy as np
import pytest

from sim.experiments.compare import (
    ComparisonFolderError,
    bootstrap_mean,
    compare,
    paired_table,
)
from sim.scenario import load_scenario, scenario_dict

SMALL = ["days=60", "compounds.0.buildings=4", "compounds.0.households=90"]


def test_bootstrap_interval_stays_in_range():
    rng = np.random.default_rng(1)
    shares = np.array([1.0, 1.0, 0.98, 1.0, 0.95])
    mean, lo, hi = bootstrap_mean(shares, rng)
    assert 0.0 <= lo <= mean <= hi <= 1.0
    counts = np.array([0, 0, 0, 1, 0])
    _, lo, _ = bootstrap_mean(counts, rng)
    assert lo >= 0.0


def test_paired_difference_of_a_shifted_arm():
    base = [{"disputes.x": v} for v in (0.2, 0.4, 0.6, 0.8)]
    var = [{"disputes.x": v + 0.1} for v in (0.2, 0.4, 0.6, 0.8)]
    row = paired_table(base, var)["disputes.x"]
    # Paired differences are all 0.1: the interval collapses onto it; unpaired it would not.
    assert row["difference"] == pytest.approx([0.1, 0.1, 0.1])
    assert row["baseline"][2] - row["baseline"][1] > 0.1
    assert row["n"] == 4


def test_compare_writes_runs_resumes_and_refuses_other_folders(tmp_path):
    base = scenario_dict(load_scenario(None, SMALL))
    var = scenario_dict(load_scenario(None, [*SMALL, "meetings.council_per_month=0"]))
    out = tmp_path / "cmp"
    rec = compare(base, var, out, replicates=2, workers=1)
    runs = sorted(p.parent.name for p in out.glob("*/seed-*/summary.json"))
    assert len(runs) == 4
    assert rec["metrics"]["disputes.total"]["difference"][0] == 0.0  # same arrivals (CRN)
    assert json.loads((out / "comparison.json").read_text())["seeds"] == rec["seeds"]
    stamp = {p: p.stat().st_mtime_ns for p in out.glob("*/seed-*/summary.json")}
    compare(base, var, out, replicates=2, workers=1)
    assert stamp == {p: p.stat().st_mtime_ns for p in out.glob("*/seed-*/summary.json")}
    with pytest.raises(ComparisonFolderError):
        compare(base, base, out, replicates=2, workers=1)
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(ComparisonFolderError):
        compare(base, var, other, replicates=2, workers=1)
    assert (other / "notes.txt").read_text() == "keep me"


def test_cli_compare(tmp_path):
    sets = [a for s in SMALL for a in ("--set", s)]
    cmd = [sys.executable, "-m", "sim", "compare", *sets, "--replicates", "2", "--workers", "1"]
    r = subprocess.run(
        [*cmd, "--change", "party.density=0", "--out", str(tmp_path / "c")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "difference" in r.stdout
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 2
    assert "--change" in r.stderr
    assert "Traceback" not in r.stderr


def test_one_value_has_no_interval():
    mean, lo, hi = bootstrap_mean(np.array([0.7]), np.random.default_rng(0))
    assert mean == 0.7 and np.isnan(lo) and np.isnan(hi)
