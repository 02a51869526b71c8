import subprocess
import sys

from sim.validation import PATTERNS


def test_patterns_are_stated_with_sources():
    keys = {p.key for p in PATTERNS}
    assert {"P1", "P2", "P3", "P4", "P5"} <= keys
    for p in PATTERNS:
        assert p.source.startswith("[") or p.source.startswith("facts.md")
        assert p.target and p.arms


def test_fast_validate_passes_every_pattern():
    r = subprocess.run(
        [sys.executable, "-m", "sim", "validate", "--fast", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    for key in ("P1", "P2", "P3", "P4", "P5"):
        assert key in r.stdout
    assert "FAIL" not in r.stdout
