"""A sweep folder's housekeeping: run names, its lock, half-made set-ups and temporary files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from sim.results.sweeps import EVENTS_DIR, SERIES_DIR, SUMMARY_DIR
from sim.scenario.loading import InputError

SETUP_NAMES = {"runs", "points.parquet", "seeds.parquet", ".lock"}
TEMP_FILE = re.compile(r"^\..+\.(\d+\.)?tmp$")
_LOCKS: dict[Path, FileLock] = {}


def run_id(point: int, replicate: int) -> str:
    """File stem of a run."""
    return f"p{point:05d}-r{replicate:04d}"


def flatten(summary: dict[str, Any]) -> dict[str, Any]:
    """Flatten nested summary values (``disputes.resolved_by_level.L0`` ...): a run's columns."""
    out: dict[str, Any] = {}
    for k, v in summary.items():
        if isinstance(v, dict):
            out.update({f"{k}.{kk}": vv for kk, vv in v.items()})
        else:
            out[k] = v
    return out


def half_made(out: Path) -> bool:
    """Whether ``out`` is empty or a sweep folder whose set-up was killed before sweep.json.

    Such a folder holds only set-up files (points, seeds, an empty ``runs`` tree, the lock,
    temporary files), so completing it loses nothing.
    """
    for p in out.iterdir():
        if p.name == "runs":
            inner = [q for d in p.iterdir() for q in (d.iterdir() if d.is_dir() else [d])]
            if any(not TEMP_FILE.match(q.name) for q in inner):
                return False
        elif p.name not in SETUP_NAMES and not TEMP_FILE.match(p.name):
            return False
    return True


def lock_sweep(out: Path) -> FileLock:
    """Take the sweep folder's lock for the rest of this process (re-entrant within it).

    Raises:
        InputError: another process is writing this sweep.
    """
    key = out.resolve()
    if key in _LOCKS:
        return _LOCKS[key]
    lock = FileLock(out / ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise InputError(
            f"--out {out}: another sim sweep is writing this folder right now (it holds "
            f"{out / '.lock'}); wait for it to finish, or choose another --out"
        ) from None
    _LOCKS[key] = lock
    return lock


def remove_stale_temps(out: Path) -> list[Path]:
    """Remove temporary files a killed sweep left (safe: this process holds the lock)."""
    removed = []
    for folder in (out, out / SUMMARY_DIR, out / SERIES_DIR, out / EVENTS_DIR):
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            if TEMP_FILE.match(p.name) and p.is_file():
                p.unlink(missing_ok=True)
                removed.append(p)
    return removed
