"""What a sweep worker process runs: one run after another, each written atomically.

This module imports everything a run needs (the model, the summary, pyarrow) at the top, so a
process pool's fork server imports it once (``set_forkserver_preload``) and every worker forked
from it starts ready; the parent (:mod:`sim.experiments.runner`) never imports it.

A run writes its daily series first and its one-row summary last, each under a temporary name
then renamed, so a run counts as done exactly when its summary exists.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.experiments.sweep_folder import flatten, run_id
from sim.model import NeighbourhoodModel
from sim.results.paths import write_atomic
from sim.results.summary import summarize
from sim.results.sweeps import EVENTS_DIR, SERIES_DIR, SUMMARY_DIR
from sim.scenario import Scenario
from sim.scenario.loading import apply_overrides

EVENT_TABLES = ("disputes", "meetings", "projects", "votes")  # kept with --keep-events
PARENT_POLL_S = 1.0

# The last resolved scenario of this worker process, keyed by (scenario, sets): a point's
# replicates validate it once.
_RESOLVED: dict[str, Any] = {}


def resolved_scenario(scenario: dict, sets: list[str]) -> Scenario:
    """The validated scenario of a point, built once per point in this process."""
    key = json.dumps([scenario, sets], sort_keys=True, default=str)
    found = _RESOLVED.get(key)
    if found is None:
        found = Scenario.model_validate(apply_overrides(copy.deepcopy(scenario), sets))
        _RESOLVED.clear()  # one point at a time: batches hold runs of the same point together
        _RESOLVED[key] = found
    return found


def run_one(task: dict[str, Any]) -> dict[str, Any]:
    """Run one sweep run and write its files (top-level and picklable for process pools).

    Args:
        task: plain data: scenario (raw mapping), sets, seed, out, point, replicate, params;
            with ``keep_events`` true the run's event tables (disputes, meetings, project
            instances and votes) are written too, to ``runs/events/RUN.TABLE.parquet``.

    Returns:
        ``{"run_id": ..., "seconds": ...}``.
    """
    t0 = time.perf_counter()
    model = NeighbourhoodModel(resolved_scenario(task["scenario"], task["sets"]), seed=task["seed"])
    model.run()
    rid = run_id(task["point"], task["replicate"])
    row: dict[str, Any] = {
        "run_id": rid,
        "point": task["point"],
        "replicate": task["replicate"],
        "seed": task["seed"],
    }
    row.update({f"param:{k}": v for k, v in task["params"].items()})
    row.update({k: (np.nan if v is None else v) for k, v in flatten(summarize(model)).items()})
    days = model.datacollector.model_vars
    n = len(next(iter(days.values()), []))
    series = {"run_id": [rid] * n, "point": [task["point"]] * n}
    series["replicate"] = [task["replicate"]] * n
    series.update(days)
    out = Path(task["out"])
    if task.get("keep_events"):
        from sim.results.write import arrow_table, tables

        (out / EVENTS_DIR).mkdir(parents=True, exist_ok=True)
        for name, df in tables(model).items():
            if name in EVENT_TABLES:
                write_table(arrow_table(df), out / EVENTS_DIR, rid, name)
    write_table(pa.table(series), out / SERIES_DIR, rid)
    write_table(pa.table({k: [v] for k, v in row.items()}), out / SUMMARY_DIR, rid)
    return {"run_id": rid, "seconds": time.perf_counter() - t0}


def write_table(table: pa.Table, folder: Path, rid: str, name: str | None = None) -> None:
    """Write ``folder/RID[.NAME].parquet`` atomically (a hidden temporary, then a rename)."""
    final = folder / (f"{rid}.parquet" if name is None else f"{rid}.{name}.parquet")
    write_atomic(final, lambda tmp: pq.write_table(table, tmp))


def run_batch(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run several sweep runs in one worker call (each still written on its own, atomically).

    Batching cuts the per-run cost of handing work to a process (pickling, scheduling, Dask's
    task overhead); a killed batch loses only its unfinished runs, which a rerun completes.
    A pure function of its tasks: the same tasks write the same bytes.
    """
    return [run_one(task) for task in tasks]


def init_worker(parent: int) -> None:
    """Workers leave Ctrl-C to the parent and exit when the parent dies (even by kill -9).

    Ctrl-C: the parent stops handing out runs and keeps the finished ones. A daemon thread
    watches this process's own parent: the sweep itself (spawned workers) or the pool's fork
    server, which exits when the sweep dies; either way the worker is re-parented and exits. A
    finished run is already on disk, an unfinished one is lost only as a temporary file that
    the next run removes.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent(os.getppid(), parent)


def watch_parent(ppid: int, sweep: int | None = None) -> None:
    """Exit this process once its parent is no longer ``ppid`` or ``sweep`` has died."""

    def alive(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                return f.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
        except FileNotFoundError:
            return False
        except OSError:  # no /proc: ask the kernel
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return True

    def watch() -> None:
        while os.getppid() == ppid and (sweep is None or alive(sweep)):
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()
