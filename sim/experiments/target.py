"""What would it take? The least effort on chosen levers that reaches a target.

A planner names a target (a metric and a threshold, e.g. 90% of disputes resolved within the
community; or an event and how often it must happen, e.g. an elevator vote passing in 2 of 3
runs) and the levers allowed to move, each with candidate settings in increasing effort. Every
combination is ranked by effort (the sum of the steps each lever moves up from its first
setting; ties by the settings themselves), and combinations are tried in that order on the same
seeds (common random numbers) until one reaches the target with the required confidence. The
search is exhaustive over the grid in effort order, so the first success is the cheapest
combination on the grid: no optimiser's randomness in the answer.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.experiments.analysis import interval
from sim.experiments.compare import bootstrap_mean, numeric_metrics
from sim.experiments.spec import run_seeds
from sim.messages import Msg

# Four-week months: 13 a year (see sim/model/calendar.py).
MONTHS_A_YEAR = 13


@dataclass(frozen=True)
class Lever:
    """A scenario parameter the planner may move, with candidate settings in effort order."""

    path: str
    values: tuple[float, ...]

    @classmethod
    def parse(cls, text: str) -> Lever:
        """Parse ``PATH=v1,v2,...`` (settings listed from least to most effort).

        Raises:
            ValueError: malformed text, with the expected form.
        """
        if "=" not in text:
            raise ValueError(Msg("lever_syntax", text=repr(text)))
        path, raw = text.split("=", 1)
        try:
            values = tuple(float(v) for v in raw.split(",") if v.strip())
        except ValueError:
            raise ValueError(Msg("lever_numbers", text=repr(text))) from None
        if not values or not all(np.isfinite(values)):
            raise ValueError(Msg("lever_finite", text=repr(text)))
        return cls(path.strip(), values)


@dataclass(frozen=True)
class Target:
    """What must be reached.

    ``share_of_runs`` None: the mean of ``metric`` over seeds must reach ``threshold`` (its lower
    interval bound, when ``confident``). Otherwise the share of runs whose metric reaches the
    threshold must be at least ``share_of_runs``.
    """

    metric: str
    threshold: float
    at_least: bool = True
    share_of_runs: float | None = None
    confident: bool = False

    def reached(self, values: np.ndarray, rng: np.random.Generator) -> tuple[bool, list[float]]:
        """Whether the runs' values reach the target, and the estimate [mean, low, high]."""
        v = values[np.isfinite(values)]
        hit = v >= self.threshold if self.at_least else v <= self.threshold
        if self.share_of_runs is not None:
            # Share of runs reaching the threshold, with its Wilson interval (inside [0, 1], and
            # of some width when every run or none reaches it).
            mean, _, low, high, _, _ = interval(hit.astype(float), "share")
            est = [mean, low, high]
        else:
            # One run gives a mean without an interval (NaN bounds): never "confidently" reached.
            est = list(bootstrap_mean(v, rng))
        if not len(v):
            return False, est
        if self.share_of_runs is not None:
            level = est[1] if self.confident else est[0]
            return level >= self.share_of_runs, est
        if self.at_least:
            return (est[1] if self.confident else est[0]) >= self.threshold, est
        return (est[2] if self.confident else est[0]) <= self.threshold, est


@dataclass
class Trial:
    """One combination tried."""

    settings: dict[str, float]
    effort: int
    estimate: list[float]
    reached: bool
    runs: int


@dataclass
class SearchResult:
    """Every combination tried in effort order; ``best`` is the first that reached the target."""

    target: Target
    trials: list[Trial] = field(default_factory=list)

    @property
    def best(self) -> Trial | None:
        """The cheapest combination that reached the target, if any."""
        return next((t for t in self.trials if t.reached), None)


def combinations(levers: Sequence[Lever]) -> list[tuple[int, dict[str, float]]]:
    """All settings of the levers with their effort, cheapest first (deterministic order)."""
    ranked = []
    for steps in itertools.product(*(range(len(lv.values)) for lv in levers)):
        settings = {lv.path: lv.values[k] for lv, k in zip(levers, steps, strict=True)}
        ranked.append((sum(steps), steps, settings))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [(effort, settings) for effort, _, settings in ranked]


def planner_cost(path: str, value: float, households: int, lang: str = "en") -> str:
    """A lever setting as a planner counts it (meetings a year, party members...)."""
    from sim.results import catalog as cat

    if path.endswith("_per_month"):
        return cat.ui("cost_meetings_year", lang, n=f"{value * MONTHS_A_YEAR:.0f}")
    if path == "party.density":
        return cat.ui("cost_party_members", lang, n=round(value * households))
    if path == "party.big_v":
        return cat.ui("cost_big_v", lang, n=f"{value:.0f}")
    if path == "grid.visits_per_week":
        return cat.ui("cost_visits", lang, n=f"{value:.0f}")
    if path == "grid.households_per_worker":
        return cat.ui("cost_worker", lang, n=f"{value:.0f}")
    return f"{cat.label('param:' + path, lang)} = {value:g}"


def result_record(result: SearchResult, levers: Sequence[Lever], planned: int) -> dict[str, Any]:
    """The search as plain data (for ``sim target --json`` and the dashboard's workbench)."""
    t = result.target
    best = result.best
    return {
        "kind": "target",
        "target": {
            "metric": t.metric,
            "threshold": t.threshold,
            "at_least": t.at_least,
            "share_of_runs": t.share_of_runs,
            "confident": t.confident,
        },
        "levers": {lv.path: list(lv.values) for lv in levers},
        "planned": planned,
        "trials": [
            {
                "settings": tr.settings,
                "effort": tr.effort,
                "estimate": tr.estimate,
                "reached": tr.reached,
                "runs": tr.runs,
            }
            for tr in result.trials
        ],
        "best": None if best is None else best.settings,
    }


def search(
    scenario: dict[str, Any],
    levers: Sequence[Lever],
    target: Target,
    evaluate: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    replicates: int = 5,
    base_seed: int = 0,
    max_trials: int = 60,
    stop_at_first: bool = True,
    on_trial: Callable[[Trial], None] | None = None,
) -> SearchResult:
    """Try lever combinations in effort order until the target is reached.

    Args:
        scenario: resolved base scenario (plain data).
        levers: levers allowed to move.
        target: what must be reached.
        evaluate: runs a list of tasks ``{"scenario", "sets", "seed"}`` and returns their
            summaries in order (a process pool in the CLI; a plain loop in tests).
        replicates: seeds per combination (the same seeds for every combination).
        base_seed: seeds are ``SeedSequence(base_seed).spawn(replicates)``.
        max_trials: at most this many combinations are run.
        stop_at_first: stop at the first combination that reaches the target.
        on_trial: called after each combination.

    Returns:
        The trials in effort order.
    """
    seeds = [int(s) for s in run_seeds(base_seed, 1, replicates)[0]]
    rng = np.random.default_rng(base_seed)
    result = SearchResult(target)
    for effort, settings in combinations(levers)[:max_trials]:
        sets = [f"{k}={json.dumps(v)}" for k, v in settings.items()]
        summaries = evaluate([{"scenario": scenario, "sets": sets, "seed": s} for s in seeds])
        values = np.array(
            [numeric_metrics(s).get(target.metric, np.nan) for s in summaries], dtype=float
        )
        ok, est = target.reached(values, rng)
        trial = Trial(settings, effort, est, ok, len(summaries))
        result.trials.append(trial)
        if on_trial is not None:
            on_trial(trial)
        if ok and stop_at_first:
            break
    return result


def run_summary(task: dict[str, Any]) -> dict[str, Any]:
    """Run one task of :func:`search` (top-level, for process pools); returns its summary."""
    import copy

    from sim.model import NeighbourhoodModel
    from sim.results import summarize
    from sim.scenario import Scenario
    from sim.scenario.loading import apply_overrides

    data = apply_overrides(copy.deepcopy(task["scenario"]), task["sets"])
    model = NeighbourhoodModel(Scenario.model_validate(data), seed=task["seed"])
    model.run()
    return summarize(model)
