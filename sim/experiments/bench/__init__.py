"""Performance benchmark (``sim bench``): every printed target is measured, in fresh processes.

Each case runs in its own subprocess (``python -m sim.experiments.bench CASE ARGS``, or the
``sim`` command itself for start-up and end-to-end runs), so the peak memory of a case is that
process's resident set (``ru_maxrss`` from ``os.wait4``), and start-up is paid as a user pays
it. Cases are interleaved repetition by repetition, so a change in machine load hits them alike;
the targets are stated as ratios to figures measured in the same run: ``python -c pass``,
``import mesa``, Mesa's ``BoltzmannWealth`` and the floor of a year (365 mat-vecs over the tie
matrix plus the year's dispute arrivals drawn as one Poisson total and placed by
``searchsorted``). A target that was not run is reported "not measured", never "met".

Modules: :mod:`.cases` (what one child process measures), :mod:`.measure` (running the cases
and commands, the record), :mod:`.report` (targets, records, comparisons).
"""

from __future__ import annotations

from sim.experiments.bench.measure import MODES, measure, measure_sweep, run_case, run_process
from sim.experiments.bench.report import (
    COMPARED,
    MET,
    MISSED,
    NOT_MEASURED,
    RECORDS,
    compare,
    fit_line,
    records,
    save_record,
    sweep_ideal,
    sweep_least,
    targets,
)

__all__ = [
    "COMPARED",
    "MET",
    "MISSED",
    "MODES",
    "NOT_MEASURED",
    "RECORDS",
    "compare",
    "fit_line",
    "measure",
    "measure_sweep",
    "records",
    "run_case",
    "run_process",
    "save_record",
    "sweep_ideal",
    "sweep_least",
    "targets",
]
