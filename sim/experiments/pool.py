"""The sweep's local process pool: workers forked from a server that imported the model once.

Where the platform has it (Linux, macOS), the pool uses the ``forkserver`` start method with
:mod:`sim.experiments.sweep_worker` preloaded: the fork server imports the model, the summary and
pyarrow once and every worker is a fork of it, ready to run, instead of each spawned worker
importing them again. :func:`warm_up` starts that server early, so that its imports overlap the
parent's own start-up and set-up. Elsewhere the pool spawns its workers. A local Dask
cluster's workers are forked from the same server (``distributed.worker.multiprocessing-method``
set to ``forkserver``), which then preloads ``distributed`` too. This module imports only the
standard library: it is safe to call before anything heavy is loaded.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

WORKER_MODULE = "sim.experiments.sweep_worker"


def pool_context(dask: bool = False) -> BaseContext:
    """The start method of sweep workers: a fork server preloading the worker module, or spawn.

    Args:
        dask: the workers are a local Dask cluster's: the server preloads ``distributed`` too.
            The preload counts only for the server's first start in this process.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["distributed", WORKER_MODULE] if dask else [WORKER_MODULE])
        return ctx
    return multiprocessing.get_context("spawn")


def warm_up(dask: bool = False) -> bool:
    """Start the fork server now (it imports the worker module in the background).

    Args:
        dask: for a local Dask cluster's workers (see :func:`pool_context`).

    Returns:
        Whether a fork server runs (False where the pool spawns its workers).
    """
    ctx = pool_context(dask)
    if ctx.get_start_method() != "forkserver":
        return False
    from multiprocessing import forkserver

    forkserver.ensure_running()
    return True


SWEEP_COMMANDS = ("sweep", "sensitivity")  # the commands that run sweep workers


def sweep_executor(argv: list[str]) -> str | None:
    """Which workers ``sim`` will start for these arguments: "pool", "dask" (local) or None.

    Read from the raw command line, before it is parsed: ``sim sweep SPEC`` and ``sim
    sensitivity SPEC`` run a pool, or a local Dask cluster with ``--dask local``; ``sim sweep
    report``, ``--help``, a remote ``--dask ADDRESS`` and every other command start none.

    Args:
        argv: the command line after the program name (``--lang X`` may stand anywhere).
    """
    args, i = [], 0
    while i < len(argv):  # as sim.cli.common.hoist_lang reads it
        if argv[i] == "--lang":
            i += 2
            continue
        if not argv[i].startswith("--lang="):
            args.append(argv[i])
        i += 1
    if len(args) < 2 or args[0] not in SWEEP_COMMANDS or args[1] == "report":
        return None
    if "--help" in args or "-h" in args:
        return None
    dask = None
    for j, a in enumerate(args):
        if a == "--dask":
            dask = args[j + 1] if j + 1 < len(args) else ""
        elif a.startswith("--dask="):
            dask = a.split("=", 1)[1]
    return {None: "pool", "local": "dask"}.get(dask)


def warm_up_for(argv: list[str]) -> bool:
    """Start the fork server at once if ``argv`` (``sim``'s arguments) will run sweep workers.

    Called first thing by ``sim``, before the command line is even parsed, so that the server's
    imports (~1.3 s, the longest step before the first run) overlap all of the parent's own
    start-up: its imports, parsing, reading and checking the spec. A command that then fails
    leaves a server that exits with it.

    Returns:
        Whether a fork server runs for this command (see :func:`sweep_executor`).
    """
    kind = sweep_executor(argv)
    return kind is not None and warm_up(dask=kind == "dask")


class WorkerCall:
    """A picklable stand-in for a function of the worker module, imported where it is called.

    The parent hands ``WorkerCall("run_batch")`` to the executor instead of the function itself,
    so it never imports the model just to name the function (pickle names a function by its
    module, which the unpickling side imports; here only the worker does).
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args):
        """Call the worker module's function of this name."""
        import importlib

        return getattr(importlib.import_module(WORKER_MODULE), self.name)(*args)

    def __repr__(self) -> str:
        return f"{WORKER_MODULE}.{self.name}"
