"""The benchmark's cases, each run in a fresh process (``python -m sim.experiments.bench``).

A case prints one JSON line: our models in-process (build, year, the floor of the year), Mesa's
``BoltzmannWealth``, and a sweep through the local process pool and through Dask.
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
    rng = np.random.default_rng(0)
    cum = np.cumsum(model.ladder.rates.ravel())
    total = float(cum[-1]) if len(cum) else 0.0
    x = w.trust.copy()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(days):
        x = w.ties @ x
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


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children reaped so far (pool workers)."""
    import resource

    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed_sweep(spec: Path, out: Path, workers: int, dask: str | None = None):
    """Wall and CPU seconds of preparing and executing a sweep (as ``sim sweep`` does).

    CPU counts this process and the workers it reaped (a process pool's at its shutdown, a
    local Dask cluster's nannies and workers at its close), so on a loaded machine it shows the
    sweep's own work where wall time shows the queue for cores.

    Returns:
        ``(wall seconds, CPU seconds, the runs)``.
    """
    from sim.experiments.runner import execute, prepare

    t0, c0 = time.perf_counter(), _cpu_seconds()
    _, tasks, _ = prepare(spec, out)
    execute(tasks, workers, dask)
    return time.perf_counter() - t0, _cpu_seconds() - c0, tasks


def case_sweep(args: dict) -> dict:
    """A Changgou sweep on ``workers`` processes (pool, then Dask), and in-process times.

    The ideal of a sweep is the runs' in-process time split over the workers: model time (build
    and year) as the issue states it, and model + summary (what every run must also compute).
    """
    import copy

    from sim.model import NeighbourhoodModel
    from sim.results import summarize
    from sim.scenario import Scenario
    from sim.scenario.loading import apply_overrides

    runs, workers, days = args["runs"], args["workers"], args["days"]
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.yaml"
        spec.write_text(
            f"name: bench\nscenario: {SCENARIOS / 'changgou_xincun.yaml'}\ndays: {days}\n"
            f"parameters:\n  party.density: {{values: [0.05, 0.1]}}\n"
            f"replicates: {runs // 2}\n"
        )
        wall, cpu, tasks = _timed_sweep(spec, Path(tmp) / "pool", workers)
        dask_wall = dask_cpu = None
        if args.get("dask"):
            dask_wall, dask_cpu, _ = _timed_sweep(spec, Path(tmp) / "dask", workers, "local")
    model_s = summary_s = 0.0
    for task in tasks:
        sc = Scenario.model_validate(apply_overrides(copy.deepcopy(task["scenario"]), task["sets"]))
        t0 = time.perf_counter()
        model = NeighbourhoodModel(sc, seed=task["seed"])
        model.run()
        t1 = time.perf_counter()
        summarize(model)
        model_s += t1 - t0
        summary_s += time.perf_counter() - t1
    return {
        "runs": len(tasks),
        "workers": workers,
        "wall_s": wall,
        "pool_cpu_s": cpu,
        "dask_wall_s": dask_wall,
        "dask_cpu_s": dask_cpu,
        "model_s_sum": model_s,
        "summary_s_sum": summary_s,
    }


CASES = {"model": case_model, "boltzmann": case_boltzmann, "sweep": case_sweep}


def main(argv: list[str]) -> None:
    """Child entry point: ``python -m sim.experiments.bench CASE JSON``; prints one JSON line."""
    case, args = argv[0], json.loads(argv[1])
    sys.stdout.write(json.dumps(CASES[case](args)) + "\n")
