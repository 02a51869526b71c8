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


def test_every_command_is_found_in_its_module():
    """main() imports only the invoked command's module: the table must name every command."""
    from sim.cli import COMMAND_MODULES, MODULE_OF, app, command_name

    found = {}
    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        found[name] = info.callback.__module__.rsplit(".", 1)[1]
    for group in app.registered_groups:
        commands = group.typer_instance.registered_commands
        modules = {c.callback.__module__.rsplit(".", 1)[1] for c in commands}
        assert len(modules) == 1, f"sim {group.name}: commands in {sorted(modules)}"
        found[group.name] = modules.pop()
    assert found == MODULE_OF
    assert set(found.values()) == set(COMMAND_MODULES)
    assert command_name(["--lang", "zh", "run", "--days", "3"]) == "run"
    assert command_name(["--version"]) is None
    assert command_name(["--help", "sweep"]) == "sweep"


def test_a_command_imports_only_its_own_module():
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, sim.cli\n"
            "try:\n    sim.cli.main(['run', '--help'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('sim.cli.')))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = proc.stdout.strip().splitlines()[-1]
    assert "sim.cli.run_cmd" in loaded
    assert "sim.cli.sweep_cmds" not in loaded and "sim.cli.research" not in loaded
