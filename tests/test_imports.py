"""Start-up budget: help commands import no heavy library (listed, not timed)."""

import subprocess
import sys

import pytest

# Libraries that only the commands using them may import.
HEAVY = {
    "dash",
    "dask",
    "distributed",
    "duckdb",
    "mesa",
    "networkx",
    "numpy",
    "pandas",
    "plotly",
    "pyarrow",
    "SALib",
    "scipy",
    "statsmodels",
    "yaml",  # only a scenario, a message or a label table needs it
}


def imported_top_level(*args: str) -> set[str]:
    """Top-level packages a ``python -X importtime -m sim ARGS`` process imports."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sim", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name.split(".")[0])
    return names


@pytest.mark.parametrize(
    "args", [("--help",), ("run", "--help"), ("sweep", "--help"), ("scenario", "--help")]
)
def test_help_imports_nothing_heavy(args):
    names = imported_top_level(*args)
    assert "typer" in names  # the listing works: the CLI's own framework shows up
    assert not names & HEAVY, f"sim {' '.join(args)} imports {sorted(names & HEAVY)}"


def test_lazy_packages_resolve_their_names():
    import sim.model
    import sim.results
    import sim.scenario

    assert sim.scenario.Scenario.__name__ == "Scenario"
    assert sim.results.write_run.__module__ == "sim.results.write"
    assert sim.model.NeighbourhoodModel.__module__ == "sim.model.model"
    with pytest.raises(AttributeError):
        _ = sim.results.no_such_name
