"""Counter-based random numbers keyed by what they belong to (common random numbers).

A case's draws depend only on (seed, case id, day, purpose) and a meeting's on (seed, meeting
kind, day, who), never on how many numbers other parts of the model drew before. Two scenarios
that differ in one lever (the meeting calendar, say) therefore see every case with the same
intrinsic draws, and paired comparisons are as precise as they can be.

The generator is a counter-based hash (the SplitMix64 finaliser applied to the key and each
counter in turn), the same idea as Random123's Philox/Threefry: vectorised in numpy, no state.
"""

from __future__ import annotations

import functools

import numpy as np

# Events that depend on nothing the model does (dispute arrivals, grid rounds, micro-wishes)
# are drawn this many days at a time: fewer, larger draws with the same law for each day. The
# numbers drawn depend on it, so it is fixed (changing it changes every run's draws).
DRAW_BLOCK_DAYS = 28

_MASK = (1 << 64) - 1
_GOLDEN_INT = 0x9E3779B97F4A7C15
_GOLDEN = np.uint64(_GOLDEN_INT)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TWO_M53 = 1.0 / 9007199254740992.0


def _mix_int(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def stream_key(seed: int, name: str) -> int:
    """A 64-bit key for a named family of streams (``"cases"``, ``"meetings"``...) of a seed."""
    tag = int.from_bytes(name.encode()[:8].ljust(8, b"\0"), "little")
    return int(np.random.SeedSequence([int(seed), tag]).generate_state(1, np.uint64)[0])


def keyed_uniform(key: int, ids, *tags: int) -> np.ndarray:
    """Uniform numbers in [0, 1), one per id, for the event named by ``tags``.

    The tags (day, purpose, meeting kind...) are folded into the key, and each id (case,
    household) is a counter of SplitMix64 from there: the same key, ids and tags always give
    the same numbers, whatever else was drawn.

    Args:
        key: from :func:`stream_key`.
        ids: integer array (or scalar) of the things drawn for.
        tags: integers naming the event.

    Returns:
        Float array shaped like ``ids``.
    """
    x = np.asarray(ids).astype(np.uint64)  # a fresh array: mixed in place
    x *= _GOLDEN
    x += np.uint64((_event_key(key, tags) + _GOLDEN_INT) & _MASK)
    return _finish(x)


class KeyedIds:
    """A fixed set of ids (every household, say) prepared for many keyed draws.

    ``uniform(key, *tags)`` equals ``keyed_uniform(key, ids, *tags)``: the ids' share of the
    counters (``id x golden``) is computed once, not at every draw.
    """

    def __init__(self, ids) -> None:
        self.ids = np.asarray(ids)
        self._mixed = self.ids.astype(np.uint64) * _GOLDEN

    def uniform(self, key: int, *tags: int) -> np.ndarray:
        """One uniform number per id for the event named by ``tags``."""
        return _finish(self._mixed + np.uint64((_event_key(key, tags) + _GOLDEN_INT) & _MASK))


def keyed_uniform_streams(key: int, ids, day: int, streams: tuple[int, ...]) -> np.ndarray:
    """Several purposes' numbers for the same ids in one pass (a case's settle, report, notice).

    Row ``i`` is ``keyed_uniform(key, ids, day, streams[i])``.

    Returns:
        Float array of shape ``(len(streams), len(ids))``.
    """
    offsets = [(_event_key(key, (day, s)) + _GOLDEN_INT) & _MASK for s in streams]
    x = np.asarray(ids).astype(np.uint64)
    x *= _GOLDEN
    return _finish(np.array(offsets, dtype=np.uint64)[:, None] + x)


def _finish(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on counters ``x`` (a fresh uint64 array, mixed in place).

    The counter of id ``i`` is ``(i + 1) x golden + event key`` (wrapping at 2**64), computed
    by the callers as ``i x golden + (event key + golden)``: one multiply and one add.
    """
    if x.size == 0:
        return np.zeros(x.shape)
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    x >>= _S11
    return x * _TWO_M53  # uint64 times float64 is float64: exact for 53-bit integers


def _event_key(key: int, tags: tuple) -> int:
    """The key folded with each tag in turn (SplitMix64 steps)."""
    z = int(key)
    for t in tags:
        z = _fold(z, int(t))
    return z


@functools.lru_cache(maxsize=256)
def _fold(z: int, tag: int) -> int:
    """One SplitMix64 step folding ``tag`` into ``z`` (cached: a day's key serves many events)."""
    return _mix_int((z + (tag + 1) * _GOLDEN_INT) & _MASK)


class KeyedGenerator:
    """A numpy generator for one keyed event (a block of repair capacity, one meeting), reused.

    Its numbers are those of ``Generator(Philox(key=event key))``: Philox keyed directly with
    the event's 64-bit key (no ``SeedSequence`` hashing, which cost more than a small event's
    draws). Building a Philox generator costs ~20 us, re-keying an existing one ~3 us; a model
    asks for one on meeting days and once per 28-day block of the firm. Each call of
    :meth:`for_event` re-keys the same generator, so a caller must finish its draws before the
    next call (the day's steps use them at once).

    Args:
        key: from :func:`stream_key`.
    """

    def __init__(self, key: int) -> None:
        self.key = key
        self._bits = np.random.Philox(key=0)
        self._generator = np.random.Generator(self._bits)
        self._fresh = self._bits.state  # counter 0, empty buffer: Philox's state when built

    def for_event(self, *tags: int) -> np.random.Generator:
        """The generator keyed by ``(key, *tags)``, as a new ``Philox`` keyed so would give."""
        state = dict(self._fresh)
        state["state"] = {
            "counter": np.zeros(4, dtype=np.uint64),
            "key": np.array([_event_key(self.key, tags), 0], dtype=np.uint64),
        }
        self._bits.state = state
        return self._generator
