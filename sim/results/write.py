"""Writing and reading run outputs: parquet tables, a manifest and a flat summary.

A run folder is written into a temporary sibling and renamed into place at the end, so a folder
that exists is always complete and an interrupted or rejected run leaves nothing behind. An
earlier run folder (replaced only with ``--force``) has its own files swapped one by one;
files sim did not write there are left alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.model.model import NeighbourhoodModel
from sim.results.git_head import git_commit
from sim.results.paths import RUN_FILE_RE, clean_stale_temps, is_replaceable_run
from sim.results.summary import summarize
from sim.scenario import scenario_dict

TABLES = (
    "timeseries",
    "disputes",
    "meetings",
    "projects",
    "votes",
    "buildings",
    "network",
    "building_support",
)
PACKAGES = ("sim", "mesa", "numpy", "scipy", "networkx", "pandas", "pyarrow", "pydantic")


def tables(model: NeighbourhoodModel) -> dict[str, pd.DataFrame]:
    """The run's tables as DataFrames, keyed as in :data:`TABLES`."""
    ts = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    start = np.datetime64(model.scenario.start_date)
    ts.insert(1, "date", start + ts["day"].to_numpy().astype("timedelta64[D]"))
    meetings = model.meeting_log.frame().rename(columns={"items": "cases_heard"})
    w = model.world
    buildings = pd.DataFrame(
        {
            "building": np.arange(w.n_buildings),
            "name": w.b_names,
            "compound": w.b_compound,
            "compound_name": np.array(w.compound_names)[w.b_compound],
            "x": w.b_pos[:, 0],
            "y": w.b_pos[:, 1],
            "households": w.b_size,
            "units": w.b_units,
            "floors": w.b_floors,
        }
    )
    edges = list(w.building_graph.edges(data="kind", default=""))
    network = pd.DataFrame(edges, columns=["source", "target", "kind"])
    out = {
        "timeseries": ts,
        "disputes": model.ladder.book.frame(model.ladder.category_names),
        "meetings": meetings,
        "buildings": buildings,
        "network": network,
    }
    out.update(model.project_tables())
    return {name: _for_file(name, df) for name, df in out.items()}


# Day and count columns where the model writes -1 for "none yet": nullable integers on file.
NULLABLE = {
    "disputes": ("day_reported", "day_outcome"),
    "projects": (
        "day_proposed",
        "day_passed",
        "day_delivered",
        "days_to_pass",
        "meetings_to_pass",
    ),
}
_DTYPES = {"count": "Int32", "share": "float64", "score": "float64", "cny": "float64"}


def _for_file(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """A table as written: -1 sentinels as nulls (``Int32``); an empty table keeps its columns."""
    from sim.results import catalog

    if df.empty and len(df.columns) == 0:
        cols = catalog.table_columns(name)
        return pd.DataFrame(
            {
                c: pd.Series([], dtype=_DTYPES.get(catalog.kind(f"{name}/{c}"), "string"))
                for c in cols
            }
        )
    df = df.copy()
    for c in NULLABLE.get(name, ()):
        if c in df.columns:
            df[c] = df[c].astype("Int32").mask(df[c] < 0)
    return df


def manifest(model: NeighbourhoodModel, seed: int) -> dict[str, Any]:
    """Provenance of a run: resolved scenario, seed, package versions, git commit."""
    versions = {}
    for pkg in PACKAGES:
        # An imported package's own __version__ is its installed version; reading it spares
        # parsing 8 METADATA files (~25 ms of a run's writing).
        version = getattr(sys.modules.get(pkg), "__version__", None)
        if version is None:
            try:
                version = metadata.version(pkg)
            except metadata.PackageNotFoundError:
                version = None
        versions[pkg] = version
    return {
        "seed": seed,
        "scenario": scenario_dict(model.scenario),
        "python": platform.python_version(),
        "packages": versions,
        "git_commit": git_commit(),
    }


def arrow_table(df: pd.DataFrame) -> pa.Table:
    """A table as written to parquet: its columns and dtypes, no index (nulls stay nulls)."""
    return pa.Table.from_pandas(df, preserve_index=False)


def write_frame(df: pd.DataFrame, path: str | Path) -> None:
    """Write a table to a parquet file with pyarrow.

    The same bytes as ``df.to_parquet(path, index=False)`` (pyarrow engine, snappy); the
    first ``to_parquet`` call of a process costs ~20 ms more.
    """
    pq.write_table(arrow_table(df), path)


def write_run(
    model: NeighbourhoodModel, out: str | Path, seed: int, summary: dict | None = None
) -> Path:
    """Write a finished run's outputs into ``out`` atomically (temp folder, then rename).

    Args:
        model: the finished model.
        out: the run folder.
        seed: the run's seed (for the manifest).
        summary: ``summarize(model)`` when the caller has it already (it is not recomputed).

    Returns:
        The run folder.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temps(out.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    written: list[str] = []
    try:
        for name, df in tables(model).items():
            write_frame(df, tmp / f"{name}.parquet")
            written.append(f"{name}.parquet")
        _write_json(tmp / "summary.json", summarize(model) if summary is None else summary)
        _write_json(tmp / "manifest.json", manifest(model, seed))
        written += ["manifest.json", "summary.json"]
        if out.exists() and any(out.iterdir()):
            _swap_into(tmp, out, written)
        else:
            if out.exists():
                out.rmdir()  # an empty folder
            os.replace(tmp, out)
    except BaseException:
        for name in written:
            (tmp / name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            tmp.rmdir()
        raise
    return out


def _swap_into(tmp: Path, out: Path, written: list[str]) -> None:
    """Replace an earlier run's files in ``out`` by the new ones, one atomic rename each.

    summary.json goes first (an incomplete folder is not a run) and comes back last; earlier
    sim tables the new run does not have are removed; any other file is left alone.
    """
    if not is_replaceable_run(out):
        raise FileExistsError(f"{out}: not a sim run folder; refusing to write into it")
    (out / "summary.json").unlink(missing_ok=True)
    for f in out.iterdir():
        if f.is_file() and RUN_FILE_RE.match(f.name) and f.name not in written:
            f.unlink()
    for name in written:
        os.replace(tmp / name, out / name)
    tmp.rmdir()


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
