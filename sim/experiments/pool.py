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
