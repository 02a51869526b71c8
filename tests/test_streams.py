"""Keyed random numbers: the fast paths give the reference SplitMix64 numbers exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.streams import (
    KeyedGenerator,
    _event_key,
    keyed_uniform,
    keyed_uniform_streams,
    stream_key,
)

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def _splitmix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def _reference(key: int, i: int, *tags: int) -> float:
    """SplitMix64 in plain Python integers: fold the tags, then counter ``i``."""
    z = key
    for t in tags:
        z = _splitmix((z + (t + 1) * GOLDEN) & MASK)
    return (_splitmix(((i + 1) * GOLDEN + z) & MASK) >> 11) / 2**53


@settings(max_examples=50, deadline=None)
@given(
    key=st.integers(0, MASK),
    ids=st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=20),
    day=st.integers(0, 5000),
    stream=st.integers(0, 60),
)
def test_keyed_uniform_is_splitmix64(key, ids, day, stream):
    got = keyed_uniform(key, np.array(ids), day, stream)
    assert got.tolist() == [_reference(key, i, day, stream) for i in ids]


@settings(max_examples=30, deadline=None)
@given(
    ids=st.lists(st.integers(0, 2**31 - 1), max_size=30),
    streams=st.lists(st.integers(0, 60), min_size=1, max_size=4),
)
def test_streams_in_one_pass_equal_one_by_one(ids, streams):
    key, ids = stream_key(7, "cases"), np.array(ids, dtype=np.int64)
    rows = keyed_uniform_streams(key, ids, 42, tuple(streams))
    assert rows.shape == (len(streams), len(ids))
    for row, s in zip(rows, streams, strict=True):
        assert np.array_equal(row, keyed_uniform(key, ids, 42, s))


def test_keyed_uniform_is_uniform():
    from scipy import stats

    u = keyed_uniform(stream_key(1, "cases"), np.arange(20_000), 3, 1)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-4


@pytest.mark.parametrize("tags", [(0,), (364,), (1, 200)])
def test_rekeyed_generator_equals_a_new_one(tags):
    key = stream_key(2026, "firm")
    reused = KeyedGenerator(key)
    reused.for_event(999).random(7)  # a previous event's draws leave nothing behind
    a = np.random.Generator(np.random.Philox(key=_event_key(key, tags)))  # built anew
    b = reused.for_event(*tags)
    for draw in (
        lambda g: g.poisson(0.7, 9),
        lambda g: g.random(5),
        lambda g: g.binomial(6, 0.3, 4),
        lambda g: g.integers(0, 50, 6),
    ):
        assert np.array_equal(draw(a), draw(b))


def test_keyed_ids_equal_keyed_uniform():
    from sim.model.streams import KeyedIds, keyed_uniform, stream_key

    key = stream_key(7, "meetings")
    ids = np.arange(500)
    prepared = KeyedIds(ids)
    for tags in ((0, 3), (2, 40), (1,)):
        np.testing.assert_array_equal(prepared.uniform(key, *tags), keyed_uniform(key, ids, *tags))
    assert not np.array_equal(prepared.uniform(key, 0, 3), prepared.uniform(key, 0, 4))
