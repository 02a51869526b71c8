"""A small sweep and a small calibration for the research pages, made once per session."""

from pathlib import Path

import pytest

from sim.experiments.calibrate import calibrate
from sim.experiments.runner import execute, prepare

SWEEP = """name: levers
days: 60
replicates: 2
parameters:
  meetings.council_per_month: {values: [0, 2, 4, 8]}
  party.density: {values: [0.0, 0.1]}
"""
CALIBRATION = """name: small
days: 60
set: ["compounds.0.buildings=6", "compounds.0.households=120"]
parameters:
  grid.visits_per_week: {prior: uniform, min: 10, max: 80, integer: true}
  grid.wish_rate: {prior: uniform, min: 0.1, max: 1.0}
statistics:
  - {key: grid.visits_made, observed: 500, scale: 50}
  - {key: grid.wishes_collected, observed: 10, scale: 4}
held_out:
  - {key: grid.revisits, observed: 4, scale: 2}
  - {pattern: P4f}
population: 10
generations: 2
predictive: 4
base_seed: 3
workers: 2
"""


def make_research(base: Path) -> Path:
    """``base/results`` with ``sweeps/levers`` (16 runs) and ``calibrations/small``."""
    res = base / "results"
    spec = base / "levers.yaml"
    spec.write_text(SWEEP)
    _, tasks, _ = prepare(spec, res / "sweeps" / "levers")
    execute(tasks, 2)
    cal = base / "small.yaml"
    cal.write_text(CALIBRATION)
    calibrate(cal, res / "calibrations" / "small", quiet=True)
    return res


@pytest.fixture(scope="session")
def research_results(tmp_path_factory) -> Path:
    return make_research(tmp_path_factory.mktemp("research"))
