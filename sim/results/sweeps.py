"""Sweep folders on disk: their layout, metadata and DuckDB views over their parquet files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.messages import Msg
from sim.results.paths import DamagedFile

if TYPE_CHECKING:
    import duckdb  # imported where a sweep is opened: the sweep runner and its workers need not

SUMMARY_DIR, SERIES_DIR = "runs/summary", "runs/series"
EVENTS_DIR = "runs/events"  # per-run event tables, only with ``sim sweep --keep-events``


def is_sweep(path: str | Path) -> bool:
    """Whether a folder is a sweep folder."""
    return (Path(path) / "sweep.json").exists()


def sweep_meta(path: str | Path) -> dict:
    """The sweep's metadata (spec, scenario, sizes)."""
    p = Path(path) / "sweep.json"
    if not p.exists():
        raise FileNotFoundError(f"{path}: not a sweep folder (no sweep.json)")
    try:
        meta = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DamagedFile(Msg("damaged_json", path=p, error=exc)) from None
    spec = meta.get("spec") if isinstance(meta, dict) else None
    if not isinstance(spec, dict) or not isinstance(spec.get("metrics", []), list):
        raise DamagedFile(Msg("sweep_no_spec", path=p))
    return meta


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
    import duckdb

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
