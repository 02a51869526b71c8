"""The sweep runner: runs every (point, replicate) through a concurrent.futures executor.

Each worker (:mod:`sim.experiments.sweep_worker`, which this module never imports) rebuilds its
scenario from plain data once per point, runs it and writes its own files at once (temporary
name, then atomic rename): the daily series first, the one-row summary last. A run counts as
done when its summary exists, so a sweep killed at any moment (even ``kill -9``) resumes with
exactly the missing runs, and the parent's memory stays flat. Runs go to the workers in
batches that shrink towards the end, so that the workers finish together.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import shlex
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.pool import WorkerCall, pool_context, warm_up
from sim.experiments.spec import (
    DEFAULT_MAX_RUNS,
    SweepSpec,
    check_size,
    fingerprint,
    load_spec,
    points,
    run_seeds,
)
from sim.experiments.sweep_folder import (
    flatten,
    half_made,
    lock_sweep,
    remove_stale_temps,
    run_id,
)
from sim.results.paths import check_creatable, safe_name, write_atomic, write_text_atomic
from sim.results.sweeps import SERIES_DIR, SUMMARY_DIR, sweep_meta
from sim.scenario import Scenario
from sim.scenario.loading import InputError, apply_overrides, validate

DASK_TIMEOUT_S = 10
# A local cluster's background work, cut to what a batch sweep needs. By default every worker
# samples its computing thread's stack every 10 ms (the dashboard's profile), and workers,
# nannies and scheduler wake every 20-500 ms (event-loop ticks, system and memory monitors,
# work stealing): each wake-up takes the GIL from the run. Measured on the benchmark's sweep
# (2 workers): a worker's CPU for the same 50 runs 6.1-7.0 s with the defaults, 5.4-5.8 s
# without them (the pool: 5.3-5.5 s).
LOCAL_DASK_CONFIG = {
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
}
RUN_BATCH = WorkerCall("run_batch")
__all__ = ["batches", "execute", "flatten", "make_executor", "override", "prepare", "run_id"]


def override(name: str, value: Any) -> str:
    """A ``--set`` string for a parameter value."""
    return f"{name}={json.dumps(value)}"


def batches(tasks: list[dict], workers: int, most: int = 16) -> list[list[dict]]:
    """Consecutive runs grouped in batches that shrink towards the end (guided scheduling).

    Each batch is a quarter of the remaining runs' share per worker (at most ``most``, at
    least one run): early batches are large (little hand-over cost), the last ones single
    runs, so no worker is left with a long batch while the others idle.

    Args:
        tasks: runs in point order (a point's replicates are consecutive).
        workers: worker processes.
        most: largest batch.

    Returns:
        The batches, covering ``tasks`` in order.
    """
    out, i, n = [], 0, len(tasks)
    while i < n:
        size = max(1, min(most, math.ceil((n - i) / (4 * max(1, workers)))))
        out.append(tasks[i : i + size])
        i += size
    return out


@contextlib.contextmanager
def make_executor(workers: int, dask: str | None = None) -> Iterator[Executor]:
    """A local process pool, or a Dask cluster's executor.

    ``dask="local"`` starts a LocalCluster on loopback, its workers forked from the same fork
    server as the pool's where there is one (:mod:`sim.experiments.pool`); any other ``dask``
    is a scheduler address. Either way the workers exit when this process dies: the pool's by
    their watchdog, a local cluster's by Dask's own (a pipe from the parent that closes).
    """
    if dask is None:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=pool_context(),
            initializer=WorkerCall("init_worker"),
            initargs=(os.getpid(),),
        ) as ex:
            yield ex
        return
    from distributed import Client, LocalCluster

    cluster = None
    if dask == "local":
        import dask as dask_config

        config = dict(LOCAL_DASK_CONFIG)
        if not warm_up(dask=True):
            config["distributed.worker.multiprocessing-method"] = "spawn"
        with dask_config.config.set(config):
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
        client = Client(cluster)
    else:
        try:
            client = Client(dask, timeout=DASK_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise InputError(
                f"--dask {dask}: cannot reach a Dask scheduler there within {DASK_TIMEOUT_S} s "
                f"({type(exc).__name__}: {exc}); check the address (tcp://HOST:PORT) and that "
                "the scheduler runs, or use --dask local"
            ) from None
    try:
        yield client.get_executor(pure=False)  # batches write files: never deduplicate
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def prepare(
    spec_path: str | Path,
    out: str | Path | None = None,
    designs: tuple[str, ...] | None = None,
    max_runs: int = DEFAULT_MAX_RUNS,
) -> tuple[SweepSpec, list[dict], Path]:
    """Validate a spec, create or check its sweep folder, and list the runs still to do.

    Args:
        spec_path: the sweep spec YAML.
        out: the sweep folder (default: ``results/sweeps/NAME``).
        designs: designs the caller accepts (default: any).
        max_runs: the largest run count accepted (checked before the design is generated).

    Raises:
        InputError: bad spec, a design the caller does not accept, or ``out`` holds a sweep of
            a different spec. Nothing is created before these checks.
    """
    spec, data = load_spec(spec_path)
    if designs is not None and spec.design not in designs:
        raise InputError(f"{spec_path}: design: {spec.design}; this needs {' or '.join(designs)}")
    check_size(spec, str(spec_path), max_runs)
    pts = points(spec)
    seeds = run_seeds(spec.base_seed, len(pts), spec.replicates, spec.common_seeds)
    out = Path("results") / "sweeps" / safe_name(spec.name) if out is None else Path(out)
    for i, params in enumerate(pts):
        sets = [override(k, v) for k, v in params.items()]
        label = f"{spec_path}: point {i} ({', '.join(sets)})"
        validate(Scenario, apply_overrides(copy.deepcopy(data), sets), label)
    fp = fingerprint(spec, data)
    meta = out / "sweep.json"
    if meta.exists():
        old = sweep_meta(out)
        if old.get("fingerprint") != fp:
            raise InputError(
                f"{out}: holds a sweep of a different spec or scenario; use another --out "
                "folder, or delete this one to start again"
            )
    elif out.exists() and not (out.is_dir() and half_made(out)):
        raise InputError(f"--out {out}: exists and is not a sweep folder; choose another --out")
    check_creatable(out / "sweep.json", "--out", out)
    out.mkdir(parents=True, exist_ok=True)
    lock_sweep(out)
    remove_stale_temps(out)
    (out / SUMMARY_DIR).mkdir(parents=True, exist_ok=True)
    (out / SERIES_DIR).mkdir(parents=True, exist_ok=True)
    if not meta.exists():
        # A set-up killed half-way left only files of this list: it is completed here.
        _write_meta(out, spec, data, pts, seeds, fp, spec_path)
    done = {p.stem for p in (out / SUMMARY_DIR).glob("*.parquet")}
    tasks = []
    for i, params in enumerate(pts):
        sets = [override(k, v) for k, v in params.items()]
        for r in range(spec.replicates):
            if run_id(i, r) in done:
                continue
            tasks.append(
                {
                    "scenario": data,
                    "sets": sets,
                    "seed": int(seeds[i, r]),
                    "out": str(out),
                    "point": i,
                    "replicate": r,
                    "params": params,
                }
            )
    return spec, tasks, out


def rerun_command(spec: SweepSpec, spec_path: str | Path, params: dict, seed: int) -> str:
    """The ``sim run`` command that reproduces one run of a sweep alone."""
    parts = ["sim", "run"]
    if spec.scenario is not None:
        parts.append(shlex.quote(str(Path(spec_path).parent / spec.scenario)))
    parts += ["--seed", str(seed)]
    if spec.days is not None:
        parts += ["--days", str(spec.days)]
    for item in [*spec.set, *(override(k, v) for k, v in params.items())]:
        parts += ["--set", shlex.quote(item)]
    return " ".join(parts)


def _write_meta(out, spec, data, pts, seeds, fp, spec_path) -> None:
    rows = [{"point": i, **{f"param:{k}": v for k, v in p.items()}} for i, p in enumerate(pts)]
    points = pd.DataFrame(rows)
    write_atomic(out / "points.parquet", lambda tmp: points.to_parquet(tmp, index=False))
    seed_rows = [
        {
            "run_id": run_id(i, r),
            "point": i,
            "replicate": r,
            "seed": int(seeds[i, r]),
            "command": rerun_command(spec, spec_path, pts[i], int(seeds[i, r])),
        }
        for i in range(len(pts))
        for r in range(spec.replicates)
    ]
    seed_table = pd.DataFrame(seed_rows)
    write_atomic(out / "seeds.parquet", lambda tmp: seed_table.to_parquet(tmp, index=False))
    meta = {
        "fingerprint": fp,
        "spec_file": str(spec_path),
        "spec": spec.model_dump(mode="json"),
        "scenario": data,
        "points": len(pts),
        "replicates": spec.replicates,
        "runs": len(pts) * spec.replicates,
    }
    write_text_atomic(out / "sweep.json", json.dumps(meta, indent=2, default=str))


def execute(
    tasks: list[dict],
    workers: int,
    dask: str | None = None,
    on_done: Callable[[dict], None] | None = None,
) -> int:
    """Run tasks in batches with at most ``2 x workers`` batches in flight.

    Returns:
        How many runs finished.
    """
    if not tasks:
        return 0
    finished = 0
    pending = iter(batches(tasks, workers))
    with make_executor(workers, dask) as ex:
        running = set()
        for batch in pending:
            running.add(ex.submit(RUN_BATCH, batch))
            if len(running) >= 2 * workers:
                break
        while running:
            try:
                done, running = wait(running, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                for fut in running:
                    fut.cancel()  # batches already going finish and are kept
                raise
            for fut in done:
                for result in fut.result():
                    finished += 1
                    if on_done is not None:
                        on_done(result)
                nxt = next(pending, None)
                if nxt is not None:
                    running.add(ex.submit(RUN_BATCH, nxt))
    return finished
