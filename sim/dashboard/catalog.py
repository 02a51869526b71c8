"""Finding and reading runs and sweeps under a results folder, read-only and path-safe.

The dashboard never takes a path from the browser: it lists what it found under its root and
looks entries up by their key (the folder's path relative to the root) in that list only.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sim.messages import Msg

MAX_DEPTH = 4
MAX_FOLDERS = 5000  # folders looked into: `sim dashboard /` must not walk the whole disk


@dataclass(frozen=True)
class Entry:
    """A run or sweep folder found under the root."""

    key: str
    kind: str  # "run" or "sweep"
    path: Path
    label: str


@dataclass
class Catalog:
    """Everything found under a results folder, with the folders that could not be read."""

    root: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # Msg: English str, renders in Chinese

    def runs(self) -> list[Entry]:
        """Run entries, sorted by key."""
        return [e for e in self.entries.values() if e.kind == "run"]

    def sweeps(self) -> list[Entry]:
        """Sweep entries, sorted by key."""
        return [e for e in self.entries.values() if e.kind == "sweep"]

    def get(self, key: str | None, kind: str) -> Entry | None:
        """The entry with this key and kind, or None (never a path outside the catalogue)."""
        e = self.entries.get(key or "")
        return e if e is not None and e.kind == kind else None

    def message(self, lang: str = "en") -> str | None:
        """A clear message when there is nothing to show (in ``lang``)."""
        from sim.results.catalog import ui

        if not self.root.is_dir():
            return ui("no_folder", lang, path=self.root)
        if not self.entries:
            return ui("nothing_found", lang, path=self.root)
        return None


def discover(root: str | Path) -> Catalog:
    """Find run folders (``summary.json``) and sweep folders (``sweep.json``) under ``root``."""
    root = Path(root).resolve()
    cat = Catalog(root)
    if not root.is_dir():
        return cat
    for seen, (dirpath, dirnames, filenames) in enumerate(os.walk(root, onerror=lambda e: None)):
        if seen >= MAX_FOLDERS:
            cat.problems.append(Msg("dash_stopped_looking", limit=MAX_FOLDERS, root=root))
            break
        here = Path(dirpath)
        depth = len(here.relative_to(root).parts)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        key = here.relative_to(root).as_posix() or "."
        if "sweep.json" in filenames:
            _add(cat, key, "sweep", here, "sweep.json")
            dirnames[:] = []
        elif "summary.json" in filenames:
            _add(cat, key, "run", here, "summary.json")
            dirnames[:] = []
        elif depth >= MAX_DEPTH:
            dirnames[:] = []
    return cat


def _add(cat: Catalog, key: str, kind: str, path: Path, marker: str) -> None:
    try:
        data = json.loads((path / marker).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(Msg("dash_not_object"))
        if kind == "run" and not (path / "timeseries.parquet").exists():
            raise ValueError(Msg("dash_no_timeseries"))
        if kind == "sweep" and not isinstance(data.get("spec"), dict):
            raise ValueError(Msg("dash_no_spec"))
    except (OSError, ValueError, RecursionError) as exc:
        reason = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], Msg) else str(exc)
        kind_zh = "运行结果" if kind == "run" else "参数扫描"
        cat.problems.append(
            Msg("dash_unreadable", key=key, kind=kind, kind_zh=kind_zh, reason=reason)
        )
        return
    name = data.get("spec", {}).get("name", "") if kind == "sweep" else ""
    label = f"{key} ({name})" if name else key
    cat.entries[key] = Entry(key, kind, path, label)


@lru_cache(maxsize=32)
def load_run(path: Path) -> dict:
    """All tables of a run folder, plus summary and manifest (cached)."""
    from sim.results import read_run

    return read_run(path)


def _finished(path: Path) -> int:
    """Number of finished runs of a sweep (so cached reports follow a sweep in progress)."""
    summary = path / "runs" / "summary"
    return sum(1 for _ in summary.glob("*.parquet")) if summary.is_dir() else 0


def load_report(path: Path) -> pd.DataFrame:
    """The tidy per-point report of a sweep (computed in memory; nothing is written)."""
    return _load_report(path, _finished(path))


@lru_cache(maxsize=16)
def _load_report(path: Path, finished: int) -> pd.DataFrame:
    from sim.experiments.analysis import metric_columns, report
    from sim.results.sweeps import runs_frame, sweep_meta

    df = runs_frame(path)
    metrics = sweep_meta(path)["spec"]["metrics"]
    extra = [c for c in metric_columns(df) if c not in metrics]
    return report(path, metrics + extra, df)


def load_sensitivity(path: Path) -> pd.DataFrame:
    """Sensitivity indices of a Morris/Sobol sweep (from sensitivity.csv, or computed)."""
    return _load_sensitivity(path, _finished(path))


@lru_cache(maxsize=16)
def _load_sensitivity(path: Path, finished: int) -> pd.DataFrame:
    from sim.experiments.analysis import sensitivity
    from sim.experiments.spec import SweepSpec
    from sim.results.sweeps import sweep_meta

    csv = path / "sensitivity.csv"
    if csv.exists():
        return pd.read_csv(csv)
    spec = SweepSpec.model_validate(sweep_meta(path)["spec"])
    if spec.design not in ("morris", "sobol"):
        return pd.DataFrame()
    return sensitivity(path, spec)


def sweep_design(path: Path) -> str:
    """The design of a sweep (grid, lhs, morris, sobol)."""
    from sim.results.sweeps import sweep_meta

    return sweep_meta(path)["spec"]["design"]


class LiveCatalog:
    """The catalogue of a results folder that looks again when it is more than ``ttl`` old.

    Runs and sweeps written while the dashboard is up (by ``sim run``, a sweep or the
    workbench) appear on the next page load, without a restart. It answers like a
    :class:`Catalog` (``runs()``, ``get()``, ``problems``...).
    """

    def __init__(self, root: str | Path, ttl: float = 2.0) -> None:
        self._root = root
        self.ttl = ttl
        self._cat = discover(root)
        self._at = time.monotonic()

    def current(self) -> Catalog:
        """The catalogue, discovered again if the last look is older than ``ttl`` seconds."""
        if time.monotonic() - self._at >= self.ttl:
            self._cat = discover(self._root)
            self._at = time.monotonic()
        return self._cat

    def __getattr__(self, name: str):
        return getattr(self.current(), name)
