"""Reading run folders back as DataFrames and dicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.results.write import TABLES


def read_run(path: str | Path) -> dict[str, Any]:
    """Read a run folder: each table as a DataFrame, plus ``summary`` and ``manifest`` dicts."""
    p = Path(path)
    if not (p / "summary.json").exists():
        raise FileNotFoundError(f"{p}: not a run folder (no summary.json)")
    out: dict[str, Any] = {
        name: pd.read_parquet(p / f"{name}.parquet")
        for name in TABLES
        if (p / f"{name}.parquet").exists()
    }
    out["summary"] = json.loads((p / "summary.json").read_text())
    out["manifest"] = json.loads((p / "manifest.json").read_text())
    return out


def read_table(path: str | Path, name: str) -> pd.DataFrame:
    """Read one table (``timeseries``, ``disputes``, ...) of a run folder."""
    return pd.read_parquet(Path(path) / f"{name}.parquet")
