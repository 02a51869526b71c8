import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from reference import CASES, collect  # noqa: E402

REFERENCE = json.loads((ROOT / "tests" / "data" / "reference_metrics.json").read_text())


@pytest.mark.parametrize("case", list(CASES))
def test_model_distributions_match_the_recorded_reference(case):
    """After optimisation the random stream may change, but not the model's distributions."""
    now = collect(case, seeds=range(2000, 2032))  # other seeds than the reference's
    for metric, ref in REFERENCE[case].items():
        cur = now[metric]
        assert len(cur) >= 30 and len(ref) >= 30
        ks = stats.ks_2samp(ref, cur)
        assert ks.pvalue > 0.001, (metric, "KS", np.mean(ref), np.mean(cur))
        if np.std(ref) > 0 or np.std(cur) > 0:
            welch = stats.ttest_ind(ref, cur, equal_var=False)
            assert welch.pvalue > 0.001, (metric, "Welch", np.mean(ref), np.mean(cur))


def test_bench_quick_measures_in_processes_and_reports_what_it_skipped(tmp_path):
    record = tmp_path / "record.json"
    r = subprocess.run(
        [sys.executable, "-m", "sim", "bench", "--quick", "--record", str(record)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    for text in ("BoltzmannWealth", "Scaling", "linear fit", "sweep: not measured", "Targets"):
        assert text in r.stdout
    rec = json.loads(record.read_text())
    by_name = {t["name"]: t for t in rec["targets"]}
    skipped = [t for name, t in by_name.items() if "sweep" in name or "city" in name]
    assert skipped and all(t["status"] == "not measured" for t in skipped)
    assert all(t["status"] in ("met", "MISSED") for t in rec["targets"] if t not in skipped)
    assert len(rec["scaling"]) >= 4 and rec["scaling_fit"]["r2"] is not None
    # Peak memory is each process's resident set: at least the interpreter plus numpy.
    assert rec["python_pass"]["rss_mb"] > 5
    assert rec["xuanwu"]["rss_mb"] > rec["python_pass"]["rss_mb"]
    assert rec["aoyuan"]["floor_s"] > 0
