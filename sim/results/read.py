"""Reading run folders back as DataFrames and dicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.messages import Msg
from sim.results.paths import DamagedFile
from sim.results.write import TABLES


def read_run(path: str | Path) -> dict[str, Any]:
    """Read a run folder: each table as a DataFrame, plus ``summary`` and ``manifest`` dicts."""
    p = Path(path)
    if not (p / "summary.json").exists():
        raise FileNotFoundError(f"{p}: not a run folder (no summary.json)")
    out: dict[str, Any] = {
        name: read_parquet(p / f"{name}.parquet")
        for name in TABLES
        if (p / f"{name}.parquet").exists()
    }
    out["summary"] = read_json(p / "summary.json")
    out["manifest"] = read_json(p / "manifest.json")
    return out


def read_table(path: str | Path, name: str) -> pd.DataFrame:
    """Read one table (``timeseries``, ``disputes``, ...) of a run folder."""
    return read_parquet(Path(path) / f"{name}.parquet")


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a parquet file; a damaged one raises a ValueError naming it."""
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise DamagedFile(Msg("damaged_parquet", path=path, error=exc)) from None


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON object; a damaged file raises a ValueError naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DamagedFile(Msg("damaged_json", path=path, error=exc)) from None
    if not isinstance(data, dict):
        raise DamagedFile(Msg("json_not_object", path=path, kind=type(data).__name__))
    return data
