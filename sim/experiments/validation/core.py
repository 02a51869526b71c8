"""Stylised-facts validation: the machinery (arms, facts, running them over seeds).

Each fact states a reported pattern, its source label, the statistic, the target and whether it
was used to set parameters (``fitted``), is kept for checking (``held_out``), or only restates an
input (``sanity``). The rows themselves live in :mod:`.disputes` and :mod:`.projects`.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from sim.experiments.analysis import interval

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"
NO_MEETINGS = ["meetings.council_per_month=0", "meetings.joint_per_month=0", "meetings.adhoc=false"]


def simulate(task: tuple[str, tuple[str, ...], int]) -> dict:
    """Run one scenario variant (top-level for process pools); return summary and projects."""
    from sim.model import NeighbourhoodModel
    from sim.results import summarize
    from sim.scenario import load_scenario

    path, sets, seed = task
    model = NeighbourhoodModel(load_scenario(SCENARIOS / path, list(sets)), seed=seed)
    model.run()
    projects = model.projects.tables()["projects"]
    return {"summary": summarize(model), "projects": projects.to_dict("list")}


@dataclass
class Arm:
    """One scenario variant of a pattern."""

    scenario: str
    sets: tuple[str, ...] = ()
    statistic: Callable[[dict], float] | None = None  # overrides the pattern's statistic


@dataclass
class Pattern:
    """A reported pattern: a statistic over seeds per arm, and a check of the arms."""

    key: str
    source: str
    description: str
    target: str
    arms: dict[str, Arm]
    statistic: Callable[[dict], float]
    check: Callable[[dict[str, tuple]], bool]
    show: Callable[[dict[str, tuple]], str]
    role: Literal["fitted", "held_out", "sanity"] = "held_out"
    description_zh: str = ""
    target_zh: str = ""
    # Seeds of this row = the run's seeds x this: for rows whose effect is within a few standard
    # errors of their threshold at the usual seeds (a row's precision, not its threshold).
    seed_factor: int = 1


# Chinese names of the arms (scenario variants) that the patterns compare.
ARMS_ZH = {
    "default": "默认情景",
    "no councils, no party": "无议事会、无党员",
    "typical": "典型小区",
    "effort": "实际投入",
    "no canvassing": "不上门动员",
    "weekly": "每周议事",
    "no councils": "无议事会",
}
LEVERS_ZH = {"council_per_month": "每月议事会 {v} 次", "density": "党员住户比例 {v}"}


def arm_zh(name: str) -> str:
    """The Chinese name of an arm (``density=0.05`` -> 党员住户比例 0.05)."""
    if name in ARMS_ZH:
        return ARMS_ZH[name]
    if name.endswith("/month"):
        return f"每月 {name.removesuffix('/month')} 次"
    lever, _, value = name.partition("=")
    return LEVERS_ZH[lever].format(v=value) if lever in LEVERS_ZH else name


def table_row(p: Pattern, arms: dict) -> dict:
    """A row of the stylised-facts table for the arms' results, in both languages (no verdict)."""
    model = p.show(arms)
    return {
        "pattern": p.key,
        "source": p.source,
        "description": p.description,
        "target": p.target,
        "role": p.role,
        "description_zh": p.description_zh,
        "target_zh": p.target_zh,
        "model": model,
        "model_zh": model_zh(model, list(arms)),
    }


def model_zh(text: str, arms: list[str]) -> str:
    """A row's model value with the arm names in Chinese."""
    for name in sorted(arms, key=len, reverse=True):
        text = text.replace(f"{name}: ", f"{arm_zh(name)}：")
    return text


def _passed_within(days: int) -> Callable[[dict], float]:
    def stat(run: dict) -> float:
        p = run["projects"]
        ok = [d >= 0 and d <= days for d in p["days_to_pass"]]
        return float(np.mean(ok))

    return stat


def _median_meetings(run: dict) -> float:
    m = [x for x in run["projects"]["meetings_to_pass"] if x >= 0]
    return float(np.median(m)) if m else np.nan


def _summary(key: str) -> Callable[[dict], float]:
    return lambda run: float(run["summary"].get(key) or np.nan)


def _fmt(arms: dict[str, tuple], *names: str, digits: int = 2, bounds: tuple | None = None) -> str:
    """Means with 95% CIs; ``bounds`` clips the CI to the statistic's possible range."""
    parts = []
    for n in names:
        mean, _, lo, hi, _ = arms[n]
        if bounds is not None:
            lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
        ci = f" [{lo:.{digits}f}, {hi:.{digits}f}]" if np.isfinite(lo) else ""
        parts.append(f"{n}: {mean:.{digits}f}{ci}")
    return "; ".join(parts)


def run_patterns(
    patterns: list[Pattern],
    seeds: int = 20,
    workers: int = 2,
    keys: list[str] | None = None,
    on_done=None,
) -> list[dict]:
    """Run the patterns over ``seeds`` seeds each; returns one result row per pattern."""
    chosen = [p for p in patterns if keys is None or p.key in keys]
    tasks = sorted(
        {
            (arm.scenario, arm.sets, s)
            for p in chosen
            for arm in p.arms.values()
            for s in range(seeds * p.seed_factor)
        }
    )
    ctx = multiprocessing.get_context("spawn")
    results = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
        for task, res in zip(tasks, ex.map(simulate, tasks), strict=True):
            results[task] = res
            if on_done is not None:
                on_done()
    rows = []
    for p in chosen:
        arms = {}
        for name, arm in p.arms.items():
            stat = arm.statistic or p.statistic
            runs = range(seeds * p.seed_factor)
            values = [stat(results[(arm.scenario, arm.sets, s)]) for s in runs]
            # Seeded bootstrap of the mean over seeds: stays inside the values' own range.
            arms[name] = interval(np.array(values), "score")[:5]
        rows.append({**table_row(p, arms), "passed": bool(p.check(arms))})
    return rows


def task_count(patterns: list[Pattern], seeds: int, keys: list[str] | None = None) -> int:
    """Number of distinct runs :func:`run_patterns` makes."""
    chosen = [p for p in patterns if keys is None or p.key in keys]
    runs: dict[tuple, int] = {}
    for p in chosen:
        for a in p.arms.values():
            runs[(a.scenario, a.sets)] = max(runs.get((a.scenario, a.sets), 0), p.seed_factor)
    return sum(runs.values()) * seeds
