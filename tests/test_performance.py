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


def test_bench_quick_prints_its_figures():
    r = subprocess.run(
        [sys.executable, "-m", "sim", "bench", "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    for text in ("BoltzmannWealth", "throughput ratio", "Scaling", "linear fit", "sweep:"):
        assert text in r.stdout
