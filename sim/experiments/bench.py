"""Performance benchmark: our scenarios against Mesa's BoltzmannWealth, scaling, sweep speed.

Timings are medians over repetitions in this process; peak memory is measured in a separate,
untimed pass with ``tracemalloc`` so that tracing does not slow the timed runs.
"""

from __future__ import annotations

import math
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sim.model import NeighbourhoodModel
from sim.scenario import Scenario, load_scenario, scenario_dict

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@dataclass
class Result:
    """One benchmark's figures."""

    name: str
    agents: int
    steps: int
    seconds: float
    peak_mb: float

    @property
    def agent_steps_per_s(self) -> float:
        """Agent- (household-) steps per second."""
        return self.agents * self.steps / self.seconds


def _median_time(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _ours(sc: Scenario) -> Callable[[], object]:
    def go():
        m = NeighbourhoodModel(sc)
        m.run()
        return m

    return go


def _boltzmann(n: int, steps: int) -> Callable[[], object]:
    from mesa.examples import BoltzmannWealth

    side = math.ceil(math.sqrt(n))

    def go():
        m = BoltzmannWealth(n=n, width=side, height=side, seed=1)
        for _ in range(steps):
            m.step()
        return m

    return go


def with_projects(sc: Scenario) -> Scenario:
    """The scenario plus an elevator project per unit and a gas-pipe renewal per compound."""
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


def bench_scenario(name: str, sc: Scenario, reps: int) -> Result:
    """Time one of our scenarios (build and run)."""
    fn = _ours(sc)
    seconds = _median_time(fn, reps)
    return Result(name, sc.total_households(), sc.days, seconds, _peak_mb(fn))


def bench_boltzmann(n: int, steps: int, reps: int) -> Result:
    """Time Mesa's BoltzmannWealth with ``n`` agents for ``steps`` steps."""
    fn = _boltzmann(n, steps)
    seconds = _median_time(fn, reps)
    return Result("BoltzmannWealth (mesa.examples)", n, steps, seconds, _peak_mb(fn))


def scaling(sizes: list[int], days: int, reps: int) -> list[tuple[int, float]]:
    """Seconds per simulated year against households (copies of a ~1,000-household compound)."""
    out = []
    for n in sizes:
        copies = max(1, round(n / 1008))
        sc = load_scenario(
            sets=[
                f"days={days}",
                "compounds.0.households=null",
                "compounds.0.buildings=42",
                f"compounds.0.count={copies}",
            ]
        )
        sec = _median_time(_ours(sc), reps)
        out.append((sc.total_households(), sec * 365 / days))
    return out


def sweep_speed(runs: int, workers: int, days: int) -> float:
    """Wall seconds of a ``runs``-run sweep of the Changgou scenario on ``workers`` workers."""
    from sim.experiments.runner import execute, prepare

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.yaml"
        spec.write_text(
            f"name: bench\nscenario: {SCENARIOS / 'changgou_xincun.yaml'}\ndays: {days}\n"
            f"parameters:\n  party.density: {{values: [0.05, 0.1]}}\n"
            f"replicates: {runs // 2}\n"
        )
        t0 = time.perf_counter()
        _, tasks, _ = prepare(spec, Path(tmp) / "out")
        execute(tasks, workers)
        return time.perf_counter() - t0
