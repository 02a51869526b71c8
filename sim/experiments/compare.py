"""Paired comparison of two scenarios on common random numbers: baseline vs variant.

Both scenarios run with the same seeds, so every run pair sees the same households, the same
arriving cases and the same intrinsic draws; the difference of a metric is estimated from the
paired differences, whose spread is smaller than that of two independent samples. Every run is an
ordinary run folder (``baseline/seed-S``, ``variant/seed-S``) that ``sim run`` reproduces alone;
``comparison.json`` holds the intervals. An interrupted comparison resumes: finished run folders
are kept and only the missing ones run.
"""

from __future__ import annotations

import json
import multiprocessing
import shlex
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from sim.experiments.spec import run_seeds

COMPARISON_FILE = "comparison.json"
PLAN_FILE = "plan.json"
ARMS = ("baseline", "variant")


class ComparisonFolderError(ValueError):
    """The output folder holds something other than this comparison."""


def check_folder(out: Path, plan: dict[str, Any]) -> None:
    """Refuse a folder that is not empty and not a comparison of the same plan.

    Raises:
        ComparisonFolderError: naming the folder and what to do.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise ComparisonFolderError(f"{out}: exists and is not a folder; choose another --out")
    existing = out / PLAN_FILE
    if existing.exists():
        try:
            same = json.loads(existing.read_text()) == json.loads(json.dumps(plan, default=str))
        except (OSError, ValueError):
            same = False
        if not same:
            raise ComparisonFolderError(
                f"{out}: holds a comparison of other scenarios or seeds; choose another --out"
            )
    elif any(out.iterdir()):
        raise ComparisonFolderError(
            f"{out}: exists and is not a comparison folder of sim; choose another --out"
        )


def run_and_write(task: dict[str, Any]) -> dict[str, Any]:
    """Run one scenario at one seed and write its run folder (top-level, for process pools).

    Args:
        task: ``scenario`` (resolved mapping), ``seed`` and ``out`` (the run folder).

    Returns:
        The run's flat summary.
    """
    from sim.model import NeighbourhoodModel
    from sim.results import summarize, write_run
    from sim.scenario import Scenario

    scenario = Scenario.model_validate(task["scenario"])
    model = NeighbourhoodModel(scenario, seed=task["seed"])
    model.run()
    write_run(model, task["out"], task["seed"])
    return summarize(model)


def bootstrap_mean(
    values: np.ndarray, rng: np.random.Generator, level: float = 0.95, n_boot: int = 2000
) -> tuple[float, float, float]:
    """Mean and percentile-bootstrap interval of the mean of finite values.

    Resampled means of values inside a range stay inside it, so a share's interval never leaves
    [0, 1] and a count's never goes below 0.

    Returns:
        (mean, low, high); NaN where no value is finite; for one value its mean with no interval
        (NaN bounds: one run says nothing of the spread over seeds).
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return (np.nan, np.nan, np.nan)
    if len(v) == 1:
        return (float(v[0]), np.nan, np.nan)
    means = v[rng.integers(0, len(v), (n_boot, len(v)))].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return (float(v.mean()), float(lo), float(hi))


def numeric_metrics(summary: dict[str, Any]) -> dict[str, float]:
    """The numeric headline metrics of a summary (nested mappings flattened with dots)."""
    out: dict[str, float] = {}
    for key, value in summary.items():
        if isinstance(value, dict):
            out.update(
                {
                    f"{key}.{k}": float(v)
                    for k, v in value.items()
                    if isinstance(v, int | float) and not isinstance(v, bool)
                }
            )
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = float(value)
        elif value is None:
            out[key] = np.nan
    return out


def paired_table(
    baseline: Sequence[dict[str, Any]],
    variant: Sequence[dict[str, Any]],
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, dict[str, Any]]:
    """Per metric: each arm's mean with its interval and the paired difference with its interval.

    Args:
        baseline: the baseline runs' summaries, in seed order.
        variant: the variant runs' summaries, same seeds in the same order.
        seed: seed of the bootstrap (the table is reproducible).
        level: interval coverage.

    Returns:
        ``{metric: {"baseline": [mean, lo, hi], "variant": [...], "difference": [...], "n": n}}``
        for every metric present in both arms; the difference is variant minus baseline over
        the seeds where both are finite.
    """
    rng = np.random.default_rng(seed)
    a = [numeric_metrics(s) for s in baseline]
    b = [numeric_metrics(s) for s in variant]
    keys = sorted(set().union(*a) & set().union(*b)) if a and b else []
    table: dict[str, dict[str, Any]] = {}
    for key in keys:
        xa = np.array([r.get(key, np.nan) for r in a], dtype=float)
        xb = np.array([r.get(key, np.nan) for r in b], dtype=float)
        both = np.isfinite(xa) & np.isfinite(xb)
        table[key] = {
            "baseline": list(bootstrap_mean(xa, rng, level)),
            "variant": list(bootstrap_mean(xb, rng, level)),
            "difference": list(bootstrap_mean(xb[both] - xa[both], rng, level)),
            "n": int(both.sum()),
        }
    return table


def _reproduce(scenario_source: str, sets: Sequence[str], seed: int) -> str:
    parts = ["sim", "run", scenario_source, "--seed", str(seed)]
    for s in sets:
        parts += ["--set", s]
    return shlex.join(parts)


def compare(
    baseline: dict[str, Any],
    variant: dict[str, Any],
    out: str | Path,
    replicates: int = 10,
    base_seed: int = 0,
    workers: int = 2,
    commands: dict[str, tuple[str, Sequence[str]]] | None = None,
    on_done: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Run baseline and variant on the same seeds, write the runs and ``comparison.json``.

    Args:
        baseline: resolved baseline scenario (``scenario_dict``).
        variant: resolved variant scenario.
        out: the comparison folder (created; finished run folders inside are kept on resume).
        replicates: seeds per arm.
        base_seed: the seeds are ``SeedSequence(base_seed).spawn(replicates)``.
        workers: processes.
        commands: per arm, (scenario source, --set list) to print a reproducing ``sim run``.
        on_done: called after each finished run.

    Returns:
        The comparison record (also written to ``out/comparison.json``).
    """
    out = Path(out)
    seeds = [int(s) for s in run_seeds(base_seed, 1, replicates)[0]]
    plan = {"baseline": baseline, "variant": variant, "seeds": seeds}
    check_folder(out, plan)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / PLAN_FILE).exists():
        _atomic_json(out / PLAN_FILE, plan)
    tasks, summaries = [], {arm: {} for arm in ARMS}
    for arm, scenario in zip(ARMS, (baseline, variant), strict=True):
        for s in seeds:
            folder = out / arm / f"seed-{s}"
            done = folder / "summary.json"
            if done.exists():
                summaries[arm][s] = json.loads(done.read_text())
                continue
            tasks.append(({"scenario": scenario, "seed": s, "out": str(folder)}, arm))
    (out / "baseline").mkdir(parents=True, exist_ok=True)
    (out / "variant").mkdir(parents=True, exist_ok=True)
    if tasks:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx) as ex:
            futures = [(ex.submit(run_and_write, t), arm, t["seed"]) for t, arm in tasks]
            for fut, arm, s in futures:
                summaries[arm][s] = fut.result()
                if on_done is not None:
                    on_done()
    record = {
        "kind": "comparison",
        "base_seed": base_seed,
        "seeds": seeds,
        "scenarios": {"baseline": baseline, "variant": variant},
        "reproduce": {
            arm: [_reproduce(src, sets, s) for s in seeds]
            for arm, (src, sets) in (commands or {}).items()
        },
        "metrics": paired_table(
            [summaries["baseline"][s] for s in seeds],
            [summaries["variant"][s] for s in seeds],
            seed=base_seed,
        ),
    }
    _atomic_json(out / COMPARISON_FILE, record)
    return record


def _atomic_json(path: Path, data: Any) -> None:
    from sim.results.paths import write_text_atomic

    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def is_comparison(path: str | Path) -> bool:
    """Whether a folder holds a comparison written by :func:`compare`."""
    return (Path(path) / COMPARISON_FILE).exists()
