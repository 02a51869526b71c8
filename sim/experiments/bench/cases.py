"""The benchmark's cases, each run in a fresh process (``python -m sim.experiments.bench``).

A case prints one JSON line: our models in-process (build, year, the floor of the year), Mesa's
``BoltzmannWealth``, and the in-process reference of the benchmark's sweep (the sweep itself runs
as ``sim sweep``, see :mod:`.measure`).
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


def _scenario(spec: dict):
    from sim.scenario import load_scenario

    path = spec.get("path")
    return load_scenario(None if path is None else Path(path), spec.get("sets", []))


def _with_projects(sc):
    """The scenario plus an elevator project per unit and a gas-pipe renewal per compound."""
    from sim.scenario import Scenario, scenario_dict

    data = scenario_dict(sc)
    data["projects"] = [
        {"name": "elevators", "type": "elevator", "ground_compensation": 20000},
        {
            "name": "gas",
            "type": "gas_pipe",
            "cost": 150000,
            "subsidy": 50000,
            "cost_sharing": "equal",
            "benefit": 2500,
            "utility_scale": 1500,
        },
    ]
    return Scenario.model_validate(data)


def floor_seconds(model, days: int) -> tuple[float, float]:
    """Wall and CPU seconds of a year's floor: ``days`` tie mat-vecs plus the arrivals.

    Arrivals are drawn as one Poisson total a day and placed on (building, category) cells by
    ``searchsorted`` over the cumulative rates: the least any model with these ties and these
    dispute rates must do.
    """
    import numpy as np

    w = model.world
    ties = w.ties  # built on first use: outside the timing
    rng = np.random.default_rng(0)
    cum = np.cumsum(model.ladder.rates.ravel())
    total = float(cum[-1]) if len(cum) else 0.0
    x = w.trust.copy()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(days):
        x = ties @ x
        x /= max(float(x.max()), 1e-12)
        cells = np.searchsorted(cum, rng.random(rng.poisson(total)) * total)
        cells.sum()
    return time.perf_counter() - t0, time.process_time() - c0


def case_model(args: dict) -> dict:
    """Build and run one of our scenarios ``reps`` times; medians of build and run seconds."""
    from sim.model import NeighbourhoodModel

    sc = _scenario(args)
    if args.get("projects"):
        sc = _with_projects(sc)
    builds, runs, build_cpu, run_cpu = [], [], [], []
    model = None
    for _ in range(args.get("reps", 1)):
        model = None  # free the previous one before building the next
        t0, c0 = time.perf_counter(), time.process_time()
        model = NeighbourhoodModel(sc)
        t1, c1 = time.perf_counter(), time.process_time()
        model.run()
        runs.append(time.perf_counter() - t1)
        run_cpu.append(time.process_time() - c1)
        builds.append(t1 - t0)
        build_cpu.append(c1 - c0)
    out = {
        "households": model.world.n_households,
        "days": sc.days,
        "build_s": statistics.median(builds),
        "run_s": statistics.median(runs),
        "build_cpu_s": statistics.median(build_cpu),
        "run_cpu_s": statistics.median(run_cpu),
    }
    if args.get("floor"):
        out["floor_s"], out["floor_cpu_s"] = floor_seconds(model, sc.days)
    return out


def case_boltzmann(args: dict) -> dict:
    """Mesa's BoltzmannWealth example with ``n`` agents for ``steps`` steps (build and run)."""
    from mesa.examples import BoltzmannWealth

    n, steps = args["n"], args["steps"]
    side = math.ceil(math.sqrt(n))
    times = []
    for _ in range(args.get("reps", 1)):
        t0 = time.perf_counter()
        m = BoltzmannWealth(n=n, width=side, height=side, seed=1)
        for _ in range(steps):
            m.step()
        times.append(time.perf_counter() - t0)
    return {"agents": n, "steps": steps, "seconds": statistics.median(times)}


def sweep_spec_text(runs: int, days: int) -> str:
    """The benchmark's sweep: ``runs`` Changgou years, two party densities, no events kept."""
    return (
        f"name: bench\nscenario: {SCENARIOS / 'changgou_xincun.yaml'}\ndays: {days}\n"
        f"parameters:\n  party.density: {{values: [0.05, 0.1]}}\n"
        f"replicates: {runs // 2}\n"
    )


def case_sweep_reference(args: dict) -> dict:
    """The runs of the benchmark's sweep one after another in this process: the ideal.

    The ideal of a sweep on ``w`` workers is these runs' in-process time split over the
    workers: model time (build and year) as the issue states it, and the summaries every run
    must also compute, reported apart. The sweep itself is timed as a user runs it (``sim
    sweep`` in its own process, see :func:`sim.experiments.bench.measure.measure_sweep`).
    """
    import copy

    from sim.experiments.runner import prepare
    from sim.model import NeighbourhoodModel
    from sim.results import summarize
    from sim.scenario import Scenario
    from sim.scenario.loading import apply_overrides

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.yaml"
        spec.write_text(sweep_spec_text(args["runs"], args["days"]))
        _, tasks, _ = prepare(spec, Path(tmp) / "out")
    model_s = model_cpu = summary_s = 0.0
    for task in tasks:
        sc = Scenario.model_validate(apply_overrides(copy.deepcopy(task["scenario"]), task["sets"]))
        t0, c0 = time.perf_counter(), time.process_time()
        model = NeighbourhoodModel(sc, seed=task["seed"])
        model.run()
        t1, c1 = time.perf_counter(), time.process_time()
        summarize(model)
        model_s += t1 - t0
        model_cpu += c1 - c0
        summary_s += time.perf_counter() - t1
    return {
        "runs": len(tasks),
        "model_s_sum": model_s,
        "model_cpu_s_sum": model_cpu,
        "summary_s_sum": summary_s,
    }


CASES = {"model": case_model, "boltzmann": case_boltzmann, "sweep_reference": case_sweep_reference}


def main(argv: list[str]) -> None:
    """Child entry point: ``python -m sim.experiments.bench CASE JSON``; prints one JSON line."""
    case, args = argv[0], json.loads(argv[1])
    sys.stdout.write(json.dumps(CASES[case](args)) + "\n")
