"""A pyabc sampler whose result does not depend on the number of worker processes.

pyabc's own multicore samplers reseed every worker from the operating system and keep the
particles that happen to finish first, so a calibration with several workers never repeats.
:class:`SeededSampler` numbers the evaluations of a generation ``0, 1, 2, ...``; evaluation
``i`` of generation ``t`` draws its proposal from numpy's global stream seeded by
``SeedSequence([base_seed, STREAM, t + 2, i])`` (pyabc draws proposals from that stream) and
the model run takes its seed from the particle's parameter values. Evaluations run in batches
on a process pool and are read back in index order; the generation keeps the first ``n``
accepted particles by index and counts the evaluations up to the last of them. Any number of
workers (one included) therefore gives the same particles, weights and evaluation counts.
"""

from __future__ import annotations

import multiprocessing
import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

STREAM = 7  # SeedSequence word that separates proposal draws from other uses of base_seed
AFTER = 2**40  # evaluation index whose seed the parent's stream gets after each generation

_SIMULATE: Callable[[], Any] | None = None  # the generation's simulate_one, inherited by fork
_CALL: tuple[Callable, tuple] | None = None  # a plain function mapped by map_ordered


def seed_evaluation(base_seed: int, t: int, i: int) -> None:
    """Seed numpy's global stream (and ``random``) for evaluation ``i`` of generation ``t``."""
    state = np.random.SeedSequence([base_seed, STREAM, t + 2, i]).generate_state(4)
    np.random.seed(state)
    random.seed(int(state[0]))


def _evaluate(task: tuple[int, int, int]) -> Any:
    base_seed, t, i = task
    seed_evaluation(base_seed, t, i)
    return _SIMULATE()


def _call(item: Any) -> Any:
    fn, args = _CALL
    return fn(item, *args)


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def map_ordered(fn: Callable, items: list, workers: int, args: tuple = ()) -> list:
    """``[fn(x, *args) for x in items]`` on a forked pool of ``workers`` (in order).

    ``fn`` and ``args`` reach the workers by fork, so they need not be picklable; results do.
    """
    global _CALL
    if workers <= 1 or len(items) <= 1:
        return [fn(x, *args) for x in items]
    _CALL = (fn, args)
    try:
        with _context().Pool(min(workers, len(items))) as pool:
            return pool.map(_call, items, chunksize=1)
    finally:
        _CALL = None


def _batches(batch: int) -> Iterator[range]:
    start = 0
    while True:
        yield range(start, start + batch)
        start += batch


def make_sampler(base_seed: int, workers: int, batch: int | None = None):
    """A :class:`SeededSampler` (built lazily: pyabc is imported only when calibrating)."""
    from pyabc.sampler.base import Sampler

    class SeededSampler(Sampler):
        """Evaluations numbered and seeded per generation; results independent of workers.

        Args:
            base_seed: root of every proposal's seed.
            workers: processes (1: in this process).
            batch: evaluations handed out at once (default 4 per worker); the evaluations of
                the last batch after the n-th acceptance are wasted, not counted.
        """

        def __init__(self) -> None:
            super().__init__()
            self.base_seed, self.workers = base_seed, workers
            self.batch = batch or 4 * workers

        def sample_until_n_accepted(
            self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None
        ):
            global _SIMULATE
            sample = self._create_empty_sample()
            evaluated = accepted = 0
            _SIMULATE = simulate_one
            pool = _context().Pool(self.workers) if self.workers > 1 else None
            try:
                for idx in _batches(self.batch):
                    tasks = [(self.base_seed, t, i) for i in idx]
                    results = pool.map(_evaluate, tasks) if pool else map(_evaluate, tasks)
                    for particle in results:
                        sample.append(particle)
                        evaluated += 1
                        accepted += bool(particle.accepted)
                        if accepted >= n or evaluated >= max_eval:
                            break
                    if accepted >= n or evaluated >= max_eval:
                        break
            finally:
                _SIMULATE = None
                if pool is not None:
                    pool.terminate()
                    pool.join()
                # the parent's stream after a generation is the same whatever ran where
                seed_evaluation(self.base_seed, t, AFTER)
            self.nr_evaluations_ = evaluated
            if sample.n_accepted < n:
                sample.ok = False
            return sample

    return SeededSampler()
