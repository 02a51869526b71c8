"""Sweep results as a database (DuckDB over parquet), reports with CIs, sensitivity indices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiments.compare import bootstrap_mean
from sim.experiments.spec import SweepSpec, design_matrix, problem
from sim.results.sweeps import runs_frame, sweep_meta

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240101  # fixed: the same runs always give the same interval


def interval(
    values: np.ndarray, fmt: str, level: float = 0.95
) -> tuple[float, float, float, float, int, str]:
    """Mean, sd and an interval that stays inside the possible range, with ``n`` and its method.

    Shares whose runs are events (every value 0 or 1, e.g. a vote passed) get a Wilson interval
    of the proportion of runs, never leaving [0, 1]. Shares that are fractions of many cases
    per run (e.g. the share of disputes resolved) get the seeded percentile bootstrap of the mean
    below, which stays within the runs' own range and so inside [0, 1]; a Wilson interval with
    one trial per run would be valid but many times too wide for them. Counts, days and scores
    get the same bootstrap (never below 0 for counts); counts that do not vary over seeds get
    an exact Poisson interval for the mean.

    Args:
        values: one value per run (NaN and inf are dropped).
        fmt: the metric's catalogue format (share, count, days, score...).
        level: confidence level.

    Returns:
        ``(mean, sd, low, high, n, method)``; low and high are NaN when ``n < 2`` (``n = 1``
        share: Wilson with one trial).
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = len(v)
    if n == 0:
        return (np.nan, np.nan, np.nan, np.nan, 0, "")
    mean = float(v.mean())
    sd = float(v.std(ddof=1)) if n > 1 else np.nan
    alpha = 1 - level
    if fmt == "share" and np.isin(v, (0.0, 1.0)).all():
        # Each run's value is an event that happened or not: a proportion of runs.
        from statsmodels.stats.proportion import proportion_confint

        p = min(max(mean, 0.0), 1.0)
        lo, hi = proportion_confint(p * n, n, alpha=alpha, method="wilson")
        return (mean, sd, float(lo), float(hi), n, "wilson")
    if n == 1:
        return (mean, sd, np.nan, np.nan, 1, "")
    if fmt == "count" and sd == 0 and mean >= 0:
        total = mean * n
        lo = stats.chi2.ppf(alpha / 2, 2 * total) / 2 / n if total > 0 else 0.0
        hi = stats.chi2.ppf(1 - alpha / 2, 2 * (total + 1)) / 2 / n
        return (mean, sd, float(lo), float(hi), n, "poisson")
    rng = np.random.Generator(np.random.Philox(BOOTSTRAP_SEED))
    _, lo, hi = bootstrap_mean(v, rng, level, BOOTSTRAP_RESAMPLES)
    # A mean of resampled runs lies within their range; summing can overshoot it by an ulp
    # (three runs of 0.76 average to 0.7600000000000001).
    return (mean, sd, max(lo, float(v.min())), min(hi, float(v.max())), n, "bootstrap")


def metric_columns(df: pd.DataFrame) -> list[str]:
    """The numeric summary metrics among a runs frame's columns."""
    skip = {"run_id", "point", "replicate", "seed"}
    return [
        c
        for c in df.columns
        if c not in skip and not c.startswith("param:") and pd.api.types.is_numeric_dtype(df[c])
    ]


def report(
    path: str | Path, metrics: list[str] | None = None, df: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Tidy table: one row per point and metric with mean, sd, 95% interval, n and method.

    Intervals come from :func:`interval` by the metric's catalogue format, so shares stay in
    [0, 1] and counts and days never go below 0.

    Args:
        path: sweep folder.
        metrics: metric columns (default: the spec's metrics that exist).
        df: the sweep's runs, if already read (see :func:`runs_frame`).
    """
    if df is None:
        df = runs_frame(path)
    params = [c for c in df.columns if c.startswith("param:")]
    if metrics is None:
        metrics = sweep_meta(path)["spec"]["metrics"]
    metrics = [m for m in metrics if m in df.columns]
    rows = []
    from sim.results import catalog

    formats = {m: catalog.kind(m) for m in metrics}
    for point, g in df.groupby("point", sort=True):
        base = {"point": int(point), **{c.removeprefix("param:"): g[c].iloc[0] for c in params}}
        for m in metrics:
            mean, sd, lo, hi, n, how = interval(g[m].to_numpy(dtype=float), formats[m])
            rows.append(
                {
                    **base,
                    "metric": m,
                    "mean": mean,
                    "sd": sd,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": n,
                    "method": how,
                }
            )
    return pd.DataFrame(rows)


def sensitivity(path: str | Path, spec: SweepSpec) -> pd.DataFrame:
    """SALib indices for each metric: Morris mu*, sigma (with mu* CI) or Sobol S1, ST (with CIs).

    The model output of a design point is the mean of the metric over its replicates.
    """
    df = runs_frame(path)
    prob = problem(spec)
    X = design_matrix(spec)
    rows = []
    for m in spec.metrics:
        if m not in df.columns:
            continue
        y = df.groupby("point")[m].mean().reindex(range(len(X))).to_numpy(dtype=float)
        if np.isnan(y).all():
            continue
        y = np.where(np.isnan(y), np.nanmean(y), y)
        if spec.design == "morris":
            from SALib.analyze import morris

            res = morris.analyze(prob, X, y, num_levels=spec.levels, seed=spec.base_seed)
            keys = ("mu_star", "mu_star_conf", "sigma", "mu")
        else:
            from SALib.analyze import sobol

            res = sobol.analyze(prob, y, calc_second_order=False, seed=spec.base_seed)
            keys = ("S1", "S1_conf", "ST", "ST_conf")
        for i, name in enumerate(prob["names"]):
            rows.append({"metric": m, "parameter": name, **{k: float(res[k][i]) for k in keys}})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    key = "mu_star" if spec.design == "morris" else "ST"
    out["rank"] = out.groupby("metric")[key].rank(ascending=False, method="first").astype(int)
    return out.sort_values(["metric", "rank"]).reset_index(drop=True)


def report_parameters(rep: pd.DataFrame) -> list[str]:
    """The parameter columns of a :func:`report` table (the sweep's levers, in spec order)."""
    fixed = {"point", "metric", "mean", "sd", "ci_low", "ci_high", "n", "method"}
    return [c for c in rep.columns if c not in fixed]


def varying_metrics(rep: pd.DataFrame) -> list[str]:
    """Metrics whose mean differs between points (constant ones, such as ``days``, say nothing)."""
    out = []
    for m, g in rep.groupby("metric", sort=False):
        means = g["mean"].to_numpy(dtype=float)
        finite = means[np.isfinite(means)]
        if len(finite) and np.ptp(finite) > 1e-12:
            out.append(m)
    return out


def grid_matrix(rep: pd.DataFrame, metric: str, x: str, y: str) -> pd.DataFrame:
    """Mean, interval and n of ``metric`` for each (y, x) pair of a grid sweep.

    Other parameters, if any, are averaged over (means and interval ends averaged, n summed).

    Returns:
        A frame indexed by the ``y`` levels with one column per ``x`` level; each cell holds a
        ``(mean, low, high, n)`` tuple.
    """
    r = rep[rep.metric == metric]
    g = r.groupby([y, x], sort=True).agg(
        mean=("mean", "mean"), lo=("ci_low", "mean"), hi=("ci_high", "mean"), n=("n", "sum")
    )
    xs, ys = sorted(r[x].unique()), sorted(r[y].unique())
    cells = {
        xv: [
            tuple(g.loc[(yv, xv)]) if (yv, xv) in g.index else (np.nan, np.nan, np.nan, 0)
            for yv in ys
        ]
        for xv in xs
    }
    return pd.DataFrame(cells, index=pd.Index(ys, name=y))
