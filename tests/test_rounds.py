"""The grid rounds and dispute arrivals drawn in blocks of days give each day's law."""

import numpy as np
import pytest
from conftest import make_model

from sim.model.agents import GridWorker
from sim.model.disputes.book import DisputeBook
from sim.model.streams import DRAW_BLOCK_DAYS


def _replay(block, n_households, hh_grid, hh_compound, n_grids, n_comp):
    """Day-by-day collection of the block's wishes by its visits (the plain formula)."""
    pending = np.zeros(n_households, dtype=np.int64)
    arrivals = [block.wish_hh[block.wish_day == t] for t in range(block.days)]
    per_day, grids, comps = [], np.zeros(n_grids, int), np.zeros(n_comp, int)
    for t in range(block.days):
        np.add.at(pending, arrivals[t], 1)
        today = block.visited[block.day_start[t] : block.day_start[t + 1]]
        got = pending[today]
        per_day.append(int(got.sum()))
        grids += np.bincount(hh_grid[today], got, minlength=n_grids).astype(int)
        comps += np.bincount(hh_compound[today], got, minlength=n_comp).astype(int)
        pending[today] = 0
    return per_day, grids, comps, pending


def test_block_collection_matches_day_by_day():
    m = make_model("grid.wish_rate=6", "grid.visits_per_week=40")
    w, rounds = m.world, m.rounds
    m.today = {}
    for first in range(0, 3 * DRAW_BLOCK_DAYS, DRAW_BLOCK_DAYS):
        for day in range(first, first + DRAW_BLOCK_DAYS):
            rounds.patrol(day)
        block = rounds.block
        assert block.first_day == first
        per_day, grids, comps, pending = _replay(
            block, w.n_households, w.hh_grid, w.hh_compound, w.n_grids, w.n_compounds
        )
        assert per_day == block.wishes_a_day
        assert sum(per_day) > 0 and pending.sum() > 0  # both paths exercised
        np.testing.assert_array_equal(grids, block.grid_wishes.sum(axis=0))
        np.testing.assert_array_equal(comps, block.compound_wishes.sum(axis=0))
        np.testing.assert_array_equal(pending, block.pending(block.days, w.n_households))


def test_visits_follow_the_daily_chance():
    m = make_model("grid.visits_per_week=30")
    rounds, w = m.rounds, m.world
    m.today = {}
    days = 4 * DRAW_BLOCK_DAYS
    hits = np.zeros(w.n_households)
    for day in range(days):
        hits += rounds.patrol(day)
    p = rounds.visit_chance[w.hh_grid]
    expected = p * days
    # Each household's visits are binomial(days, p): totals within 5 standard errors.
    se = np.sqrt((p * (1 - p) * days).sum())
    assert abs(hits.sum() - expected.sum()) < 5 * se
    assert rounds.visits.sum() == hits.sum()


def test_replanned_rounds_redraw_without_losing_wishes():
    m = make_model("grid.wish_rate=6")
    rounds = m.rounds
    m.today = {}
    collected = 0
    for day in range(10):
        rounds.patrol(day)
        collected += m.today["wishes_collected"]
    block, chance = rounds.block, rounds.visit_chance.copy()
    for g in m.agents_by_type[GridWorker]:
        g.visits_per_week *= 3
        g.plan_round()
    rounds.patrol(10)
    assert rounds.block is not block and rounds.block.first_day == 10
    arrived_before = int((block.wish_day < 10).sum())
    # Every wish that arrived before day 10 was collected or is carried into the new block.
    assert collected + int(rounds.pending_wishes.sum()) == arrived_before
    np.testing.assert_allclose(rounds.visit_chance, np.minimum(3 * chance, 1.0))


def test_staged_cases_open_on_reveal():
    book = DisputeBook(capacity=4)
    cols = {"category": np.array([1, 2, 3]), "building": np.array([0, 1, 2])}
    book.stage(np.array([5, 5, 6]), **cols)
    assert book.n == 0 and len(book.open_cases()) == 0
    book.reveal(2)
    np.testing.assert_array_equal(book.open_cases(), [0, 1])
    book.stage(np.array([7, 7, 7]), category=np.array([4, 4, 4]), building=np.array([3, 3, 3]))
    assert len(book.category) >= 6 and book.staged == 4  # grown, staged rows kept
    np.testing.assert_array_equal(book.category[:6], [1, 2, 3, 4, 4, 4])
    np.testing.assert_array_equal(book.opened[:6], [5, 5, 6, 7, 7, 7])
    book.close(np.array([0]), 1, 6)
    book.reveal(1)
    np.testing.assert_array_equal(book.open_cases(), [1, 2])
    with pytest.raises(ValueError):
        book.reveal(4)
    with pytest.raises(ValueError):
        book.add(7, category=np.array([1]), building=np.array([0]))


def test_revisits_follow_the_book(monkeypatch):
    """Revisits read from the book equal a count kept case by case as cases are settled (one
    per resolved case an official knew of, in its first party's grid), as the run goes on."""
    from sim.model.disputes import ladder as ladder_module

    m = make_model()
    counted = np.zeros(m.world.n_grids, dtype=np.int64)
    original = ladder_module.Ladder._resolve

    def resolve_and_count(self, won, level, day):
        known = won[self.book.reported_day[won] >= 0]
        np.add.at(counted, m.world.hh_grid[self.book.hh_a[known]], 1)
        return original(self, won, level, day)

    monkeypatch.setattr(ladder_module.Ladder, "_resolve", resolve_and_count)
    m.run(60)
    first = m.rounds.revisits.copy()
    np.testing.assert_array_equal(first, counted)
    assert sum(g.revisits for g in m.agents_by_type[GridWorker]) == first.sum() > 0
    m.run(60)
    np.testing.assert_array_equal(m.rounds.revisits, counted)
    assert m.rounds.revisits.sum() > first.sum()
