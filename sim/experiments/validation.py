"""Pattern-oriented validation: the reported cases the model must reproduce.

Every pattern, its source label in ``facts.md``, its target and its tolerance stand here, in
:data:`PATTERNS`. Each runs the shipped seed-place scenarios over many seeds through the general
mechanisms and defaults: no rule looks at a scenario's name.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.experiments.analysis import mean_ci

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
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


def _fmt(arms: dict[str, tuple], *names: str, digits: int = 2) -> str:
    parts = []
    for n in names:
        mean, _, lo, hi, _ = arms[n]
        ci = f" [{lo:.{digits}f}, {hi:.{digits}f}]" if np.isfinite(lo) else ""
        parts.append(f"{n}: {mean:.{digits}f}{ci}")
    return "; ".join(parts)


def _same_order(key: str, what: str, metric: str, reported: int) -> Pattern:
    """A [Changgou] count the model must reproduce within a factor of two in a year."""
    lo, hi = reported // 2 + reported % 2, 2 * reported
    return Pattern(
        key,
        "[Changgou]",
        f"{what} in a year, of the reported order ({reported})",
        f"{metric} in [{lo}, {hi}]",
        {"default": Arm(CHANGGOU)},
        _summary(metric),
        lambda a: lo <= a["default"][0] <= hi,
        lambda a: _fmt(a, "default", digits=0),
    )


KENING = "kening_tianyuancheng_gas.yaml"
YONGYUAN = "yongyuan41_elevator.yaml"
CHANGGOU = "changgou_xincun.yaml"
NO_CANVASSING = ("party.canvass_per_week=0", "party.sign_first=false")
CHANGGOU_ARMS = {
    "default": Arm(CHANGGOU),
    "no councils, no party": Arm(CHANGGOU, (*NO_MEETINGS, "party.density=0")),
}

PATTERNS: list[Pattern] = [
    Pattern(
        "P1",
        "[Kening]",
        "gas-pipe renewal: stalls for a year without councils; passes within ~3 months "
        "with weekly councils attended by the firm and officials",
        "no councils: pass within 365 d in <= 40% of seeds; weekly: within 100 d in >= 60%",
        {
            "no councils": Arm(KENING, tuple(NO_MEETINGS)),
            "weekly": Arm(KENING),
        },
        _passed_within(365),
        lambda a: a["no councils"][0] <= 0.4 and a["weekly"][0] >= 0.6,
        lambda a: _fmt(a, "no councils", "weekly"),
    ),
    Pattern(
        "P2",
        "[Yongyuan-41]",
        "all 13 elevator units pass within 2 years; without party canvassing and signing "
        "first it takes clearly more meetings or fewer units pass",
        "with party: share of units passed within 730 d >= 0.9; without: share at least 0.1 "
        "lower, or median meetings to pass at least 1.3x",
        {
            "party": Arm(YONGYUAN),
            "no canvassing": Arm(YONGYUAN, NO_CANVASSING),
            "meetings, party": Arm(YONGYUAN, (), _median_meetings),
            "meetings, no canvassing": Arm(YONGYUAN, NO_CANVASSING, _median_meetings),
        },
        _passed_within(730),
        lambda a: (
            a["party"][0] >= 0.9
            and (
                a["no canvassing"][0] <= a["party"][0] - 0.1
                or a["meetings, no canvassing"][0] >= 1.3 * a["meetings, party"][0]
            )
        ),
        lambda a: (
            _fmt(a, "party", "no canvassing")
            + "; "
            + _fmt(a, "meetings, party", "meetings, no canvassing", digits=1)
        ),
    ),
    Pattern(
        "P2m",
        "[Yongyuan-41]",
        "median meetings before a unit passes",
        "median over seeds of the per-run median in [5, 20]",
        {"party": Arm(YONGYUAN)},
        _median_meetings,
        lambda a: 5 <= a["party"][0] <= 20,
        lambda a: _fmt(a, "party", digits=1),
    ),
    Pattern(
        "P3",
        "facts.md §5",
        "elevator retrofits with no councils and no ground-floor compensation rarely pass",
        "share of units passed within 2 years < 0.2",
        {
            "no councils, no compensation": Arm(
                YONGYUAN,
                (
                    *NO_MEETINGS,
                    "projects.0.ground_compensation=0",
                    "projects.0.retry.compensation_step=0",
                ),
            )
        },
        _passed_within(730),
        lambda a: a["no councils, no compensation"][0] < 0.2,
        lambda a: _fmt(a, "no councils, no compensation"),
    ),
    Pattern(
        "P4",
        "facts.md §6",
        "mediation resolves most cases that reach it",
        "share of cases reaching L1-L3 that are resolved >= 0.85 (default)",
        CHANGGOU_ARMS,
        _summary("disputes.mediation_success_rate"),
        lambda a: a["default"][0] >= 0.85,
        lambda a: _fmt(a, "default", "no councils, no party"),
    ),
    Pattern(
        "P4b",
        "facts.md §6",
        "without councils and party members the share of closed cases resolved within the "
        "community falls clearly",
        "default minus no-councils-no-party >= 0.05",
        CHANGGOU_ARMS,
        _summary("disputes.resolved_in_community_share"),
        lambda a: a["default"][0] - a["no councils, no party"][0] >= 0.05,
        lambda a: _fmt(a, "default", "no councils, no party"),
    ),
    _same_order("P5", "micro-wishes collected", "grid.wishes_collected", 126),
    _same_order("P5b", "person-visits", "grid.visits_made", 760),
    _same_order("P5c", "suggestions dispatched from the wishes", "grid.suggestions", 60),
    _same_order("P5d", "suggestions carried out", "grid.suggestions_resolved", 23),
]


def run_patterns(
    seeds: int = 20, workers: int = 2, keys: list[str] | None = None, on_done=None
) -> list[dict]:
    """Run the patterns over ``seeds`` seeds each; returns one result row per pattern."""
    chosen = [p for p in PATTERNS if keys is None or p.key in keys]
    tasks = sorted(
        {
            (arm.scenario, arm.sets, s)
            for p in chosen
            for arm in p.arms.values()
            for s in range(seeds)
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
            values = [stat(results[(arm.scenario, arm.sets, s)]) for s in range(seeds)]
            arms[name] = mean_ci(np.array(values))
        rows.append(
            {
                "pattern": p.key,
                "source": p.source,
                "description": p.description,
                "target": p.target,
                "model": p.show(arms),
                "passed": bool(p.check(arms)),
            }
        )
    return rows


def task_count(seeds: int, keys: list[str] | None = None) -> int:
    """Number of distinct runs :func:`run_patterns` makes."""
    chosen = [p for p in PATTERNS if keys is None or p.key in keys]
    return len({(a.scenario, a.sets) for p in chosen for a in p.arms.values()}) * seeds
