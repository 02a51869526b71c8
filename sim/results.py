"""Writing and reading run outputs: parquet tables, a manifest and a flat summary.

A run folder is written into a temporary sibling and renamed into place at the end, so a folder
that exists is always complete and an interrupted or rejected run leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.agents import GridWorker
from sim.model import NeighbourhoodModel
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
GRID_COUNTERS = ("visits_made", "cases_found", "wishes_collected", "revisits")
PACKAGES = ("sim", "mesa", "numpy", "scipy", "networkx", "pandas", "pyarrow", "pydantic")


def summarize(model: NeighbourhoodModel) -> dict[str, Any]:
    """Headline metrics of a finished run as a flat ``{"group.metric": value}`` mapping.

    Definitions (documented in docs/ODD.md): ``resolution_rate`` = resolved / opened;
    ``resolved_in_building_share`` = resolved at L0-L1 / opened; ``resolved_in_community_share``
    = resolved at any level / closed (resolved + failed): of the cases that ended, the share that
    ended inside the community rather than in petition or court; ``mediation_success_rate`` =
    resolved at L1-L3 / cases that reached L1-L3 and closed.
    """
    df = model.book.frame(model.category_names)
    resolved = df[df.status == "resolved"]
    failed = int((df.status == "failed").sum())
    total = len(df)
    by_level = {f"L{k}": int((resolved.level == k).sum()) for k in range(4)}
    closed = len(resolved) + failed
    mediated = df[(df.highest_level >= 1) & (df.status != "open")]
    mediated_ok = int((mediated.status == "resolved").sum())
    days = resolved.day_outcome - resolved.day_opened
    workers = model.agents_by_type[GridWorker]
    out: dict[str, Any] = {
        "days": int(model.scenario.days),
        "households": int(model.world.n_households),
        "disputes.total": total,
        "disputes.resolved": len(resolved),
        "disputes.failed": failed,
        "disputes.open_at_end": int((df.status == "open").sum()),
        "disputes.resolution_rate": _ratio(len(resolved), total),
        "disputes.resolved_in_building_share": _ratio(by_level["L0"] + by_level["L1"], total),
        "disputes.resolved_in_community_share": _ratio(len(resolved), closed),
        "disputes.reached_mediation": int((df.highest_level >= 1).sum()),
        "disputes.mediation_success_rate": _ratio(mediated_ok, len(mediated)),
        "disputes.median_days_to_resolve": float(days.median()) if len(days) else None,
        "disputes.resolved_by_level": by_level,
        "meetings.held": len(model.meeting_log.rows),
        "trust.mean_final": float(model.world.trust.mean()),
        **{f"grid.{k}": int(workers.agg(k, sum)) for k in GRID_COUNTERS},
        "grid.suggestions": int(model.suggestions_made),
        "grid.suggestions_resolved": int(model.suggestions_resolved),
    }
    out.update(model.project_summary())
    return out


def _ratio(a: float, b: float) -> float | None:
    return float(a) / float(b) if b else None


def tables(model: NeighbourhoodModel) -> dict[str, pd.DataFrame]:
    """The run's tables as DataFrames, keyed as in :data:`TABLES`."""
    ts = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    start = np.datetime64(model.scenario.start_date)
    ts.insert(1, "date", start + ts["day"].to_numpy().astype("timedelta64[D]"))
    meet_cols = ["day", "kind", "compound", "scope", "attendance", "party_attendance"]
    meetings = pd.DataFrame(model.meeting_log.rows, columns=[*meet_cols, "items", "resolved"])
    w = model.world
    buildings = pd.DataFrame(
        {
            "building": np.arange(w.n_buildings),
            "compound": w.b_compound,
            "compound_name": np.array(w.compound_names)[w.b_compound],
            "x": w.b_pos[:, 0],
            "y": w.b_pos[:, 1],
            "households": w.b_size,
            "units": w.b_units,
            "floors": w.b_floors,
        }
    )
    edges = [(a, b, d.get("kind", "")) for a, b, d in w.building_graph.edges(data=True)]
    network = pd.DataFrame(edges, columns=["source", "target", "kind"])
    out = {
        "timeseries": ts,
        "disputes": model.book.frame(model.category_names),
        "meetings": meetings,
        "buildings": buildings,
        "network": network,
    }
    out.update(model.project_tables())
    return out


def manifest(model: NeighbourhoodModel, seed: int) -> dict[str, Any]:
    """Provenance of a run: resolved scenario, seed, package versions, git commit."""
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "seed": seed,
        "scenario": scenario_dict(model.scenario),
        "python": platform.python_version(),
        "packages": versions,
        "git_commit": git_commit(),
    }


def git_commit() -> str | None:
    """The source tree's git commit, if it is a checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def write_run(model: NeighbourhoodModel, out: str | Path, seed: int) -> Path:
    """Write a finished run's outputs into ``out`` atomically (temp folder, then rename).

    Returns:
        The run folder.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, df in tables(model).items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        _write_json(tmp / "summary.json", summarize(model))
        _write_json(tmp / "manifest.json", manifest(model, seed))
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


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


def open_sweep(path: str | Path):
    """DuckDB access over a sweep folder's parquet files (see :func:`sim.analysis.open_sweep`).

    Returns:
        A DuckDB connection with the views ``runs``, ``points`` and ``series``.
    """
    from sim.analysis import open_sweep as _open

    return _open(path)
