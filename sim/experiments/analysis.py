"""Sweep results as a database (DuckDB over parquet), reports with CIs, sensitivity indices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiments.spec import SweepSpec, design_matrix, problem
from sim.results.sweeps import runs_frame, sweep_meta


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float, int]:
    """Mean, standard deviation and Student-t confidence interval of finite values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = len(v)
    if n == 0:
        return (np.nan, np.nan, np.nan, np.nan, 0)
    mean = float(v.mean())
    if n == 1:
        return (mean, np.nan, np.nan, np.nan, 1)
    sd = float(v.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n))
    return (mean, sd, mean - half, mean + half, n)


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
    """Tidy table: one row per point and metric with mean, sd, 95% CI and n.

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
    for point, g in df.groupby("point", sort=True):
        base = {"point": int(point), **{c.removeprefix("param:"): g[c].iloc[0] for c in params}}
        for m in metrics:
            mean, sd, lo, hi, n = mean_ci(g[m].to_numpy(dtype=float))
            rows.append(
                {**base, "metric": m, "mean": mean, "sd": sd, "ci_low": lo, "ci_high": hi, "n": n}
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
