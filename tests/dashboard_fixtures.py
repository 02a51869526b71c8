"""A small results folder with runs and sweeps, made once per test session."""

from pathlib import Path

from sim.experiments.runner import execute, prepare
from sim.model import NeighbourhoodModel
from sim.results import write_run
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def make_results(base: Path) -> Path:
    res = base / "results"
    for name, path, sets in [
        ("run-default", None, ["days=60"]),
        ("run-projects", ROOT / "scenarios" / "elevator_and_gas.yaml", ["days=90"]),
    ]:
        sc = load_scenario(path, sets)
        m = NeighbourhoodModel(sc)
        m.run()
        write_run(m, res / name, sc.seed)
    grid = base / "grid.yaml"
    grid.write_text(
        "name: grid\ndays: 60\nreplicates: 2\nparameters:\n"
        "  meetings.council_per_month: {values: [0, 4]}\n"
        "  party.density: {values: [0.0, 0.1]}\n"
    )
    morris = base / "morris.yaml"
    morris.write_text(
        "name: morris\ndays: 60\ndesign: morris\nsamples: 3\nreplicates: 1\n"
        "metrics: [disputes.share_of_all.resolved, disputes.resolved_by_level.L2]\n"
        "parameters:\n"
        "  meetings.council_per_month: {min: 0, max: 8}\n"
        "  party.density: {min: 0, max: 0.2}\n"
        "  trust.gain_project: {min: 0, max: 1}\n"
    )
    for spec, out in ((grid, res / "sweeps" / "grid"), (morris, res / "sweeps" / "morris")):
        _, tasks, _ = prepare(spec, out)
        execute(tasks, 2)
    return res
