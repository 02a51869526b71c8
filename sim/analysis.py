"""Sweep results as a database (DuckDB over parquet), reports with CIs, sensitivity indices."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from sim.sweep import SERIES_DIR, SUMMARY_DIR
from sim.sweep_spec import SweepSpec, design_matrix, problem


def is_sweep(path: str | Path) -> bool:
    """Whether a folder is a sweep folder."""
    return (Path(path) / "sweep.json").exists()


def sweep_meta(path: str | Path) -> dict:
    """The sweep's metadata (spec, scenario, sizes)."""
    p = Path(path) / "sweep.json"
    if not p.exists():
        raise FileNotFoundError(f"{path}: not a sweep folder (no sweep.json)")
    return json.loads(p.read_text())


def open_sweep(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open a sweep folder as an in-memory DuckDB database with three views.

    ``runs`` (one row a finished run: point, replicate, seed, ``param:*`` and metric columns),
    ``points`` (one row a design point) and ``series`` (one row a run and day).

    Raises:
        FileNotFoundError: not a sweep folder, or no finished run yet.
    """
    p = Path(path)
    sweep_meta(p)
    if not any((p / SUMMARY_DIR).glob("*.parquet")):
        raise FileNotFoundError(f"{p}: no finished runs yet")
    con = duckdb.connect()
    pattern = lambda d: str(p / d / "*.parquet").replace("'", "''")  # noqa: E731
    con.execute(
        f"CREATE VIEW runs AS SELECT * FROM read_parquet('{pattern(SUMMARY_DIR)}', "
        "union_by_name=true)"
    )
    con.execute(
        f"CREATE VIEW series AS SELECT * FROM read_parquet('{pattern(SERIES_DIR)}', "
        "union_by_name=true)"
    )
    points_file = str(p / "points.parquet").replace("'", "''")
    con.execute(f"CREATE VIEW points AS SELECT * FROM read_parquet('{points_file}')")
    return con


def runs_frame(path: str | Path) -> pd.DataFrame:
    """All finished runs, ordered by point and replicate."""
    return open_sweep(path).execute("SELECT * FROM runs ORDER BY point, replicate").df()


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
