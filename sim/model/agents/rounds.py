"""The grid workers' rounds: who is visited each day, and the closed loop's counters [Changgou].

Visits and micro-wishes depend on nothing else the model does, so they are drawn
``DRAW_BLOCK_DAYS`` days at a time (:func:`draw_rounds`) and handed out day by day
(:meth:`GridRounds.patrol`): fewer, larger draws, the same law for each day.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim.model.disputes.book import RESOLVED
from sim.model.streams import DRAW_BLOCK_DAYS


@dataclass
class RoundsBlock:
    """The rounds of a block of days (row ``t``: the block's day ``t``).

    Attributes:
        first_day: the block's first model day.
        visited: households visited, day by day (ascending within a day).
        day_start: ``visited[day_start[t]:day_start[t + 1]]`` are day ``t``'s visits.
        grid_visits: visits by day and grid.
        grid_wishes: wishes collected by day and grid.
        compound_wishes: wishes collected by day and compound.
        suggestions: actionable suggestions dispatched by day and compound.
        wishes_a_day, suggestions_a_day: their totals a day.
        wish_hh, wish_day, collected_day: each wish of the block (carried ones on day 0), and
            the day it was collected (``days`` if it was not).
    """

    first_day: int
    visited: np.ndarray
    day_start: np.ndarray
    grid_visits: np.ndarray
    grid_wishes: np.ndarray
    compound_wishes: np.ndarray
    suggestions: np.ndarray
    wishes_a_day: list[int]
    suggestions_a_day: list[int]
    wish_hh: np.ndarray
    wish_day: np.ndarray
    collected_day: np.ndarray

    @property
    def days(self) -> int:
        """The block's length in days."""
        return len(self.day_start) - 1

    def pending(self, t: int, n_households: int) -> np.ndarray:
        """Wishes waiting per household before day ``t``'s rounds (arrived, not collected).

        Args:
            t: the day within the block (0 to ``days``; ``days`` is the day after its end).
            n_households: households of the world.

        Returns:
            Wishes waiting, by household.
        """
        waiting = (self.wish_day < t) & (self.collected_day >= t)
        return np.bincount(self.wish_hh[waiting], minlength=n_households).astype(np.int32)


def draw_rounds(
    rng: np.random.Generator,
    expected_hits: np.ndarray,
    whole: np.ndarray,
    rounds: GridRounds,
    wish_rate: float,
    suggestion_share: float,
    first_day: int,
    days: int,
) -> RoundsBlock:
    """Draw ``days`` days of rounds and micro-wishes from ``first_day``.

    Visits: grid ``g`` gets Poisson(size x h) hits a day on households picked uniformly, with
    ``h = -log(1 - p)``, so each household is hit at least once with chance ``1 - exp(-h) = p``,
    independently of the others (one Bernoulli draw per household, at the cost of the visits);
    grids with ``p >= 1`` are visited whole. Wishes: Poisson(``wish_rate`` x households / 365)
    a day on households picked uniformly; a wish is collected by the first visit to its
    household on or after its day, and ``suggestion_share`` of the collected ones (binomial, by
    compound and day) are actionable suggestions for the joint meeting.

    Args:
        rng: the patrol stream.
        expected_hits: expected hits a day by grid (0 for grids visited whole).
        whole: households of the grids visited whole every day.
        rounds: the rounds (grids' households, pending wishes, the world).
        wish_rate: ``grid.wish_rate`` (wishes a household a year).
        suggestion_share: ``grid.suggestion_share``.
        first_day: the block's first model day.
        days: the block's length.
    """
    w = rounds.model.world
    n, n_grids, n_comp = w.n_households, len(rounds.grid_size), w.n_compounds
    new = rng.poisson(wish_rate * n / 365.0, days)
    hits = rng.poisson(expected_hits, (days, n_grids))
    g = np.repeat(np.tile(np.arange(n_grids), days), hits.ravel())
    day = np.repeat(np.arange(days), hits.sum(axis=1))
    local = (rng.random(len(g)) * rounds.grid_size[g]).astype(np.int64)
    hh = rounds.grid_order[rounds.grid_start[g] + local]
    seen = np.zeros(days * n, dtype=bool)  # (day, household): each household once a day
    seen[day * n + hh] = True
    if len(whole):
        seen.reshape(days, n)[:, whole] = True
    day, visited = np.divmod(seen.nonzero()[0], n)
    day_start = np.searchsorted(day, np.arange(days + 1))
    # Wishes: those still pending from before the block count as arriving on its first day.
    carried = np.repeat(np.arange(n), rounds.pending_wishes)
    fresh = rng.integers(0, n, int(new.sum()))
    wish_hh = np.concatenate([carried, fresh])
    wish_day = np.concatenate([np.zeros(len(carried), np.int64), np.repeat(np.arange(days), new)])
    by_household = np.sort(visited * days + day)
    pos = np.searchsorted(by_household, wish_hh * days + wish_day)
    hit = by_household[np.minimum(pos, len(by_household) - 1)] if len(by_household) else pos
    found = (pos < len(by_household)) & (hit // days == wish_hh)
    collected_day = np.where(found, hit % days, days)
    got_hh, got_day = wish_hh[found], collected_day[found]

    def by_day(index: np.ndarray, of: np.ndarray, size: int) -> np.ndarray:
        return np.bincount(of * size + index, minlength=days * size).reshape(days, size)

    compound_wishes = by_day(w.hh_compound[got_hh], got_day, n_comp)
    suggestions = rng.binomial(compound_wishes, suggestion_share)
    return RoundsBlock(
        first_day=first_day,
        visited=visited,
        day_start=day_start,
        grid_visits=by_day(w.hh_grid[visited], day, n_grids),
        grid_wishes=by_day(w.hh_grid[got_hh], got_day, n_grids),
        compound_wishes=compound_wishes,
        suggestions=suggestions,
        wishes_a_day=compound_wishes.sum(axis=1).tolist(),
        suggestions_a_day=suggestions.sum(axis=1).tolist(),
        wish_hh=wish_hh,
        wish_day=wish_day,
        collected_day=collected_day,
    )


class GridRounds:
    """The rounds of every grid worker, drawn at once (numpy), and the closed-loop counters.

    Args:
        model: the model (world, grid parameters, the patrol stream, the day's counters).
    """

    def __init__(self, model: mesa.Model) -> None:
        self.model = model
        w = model.world
        self.grid_size = np.bincount(w.hh_grid, minlength=w.n_grids)
        # Households of grid g are grid_order[grid_start[g] : grid_start[g] + grid_size[g]].
        self.grid_order = np.argsort(w.hh_grid, kind="stable")
        self.grid_start = np.cumsum(self.grid_size) - self.grid_size
        self.visit_chance = np.zeros(w.n_grids)
        self.plan = None  # (expected hits a day by grid, households of grids visited whole)
        self.block: RoundsBlock | None = None
        zeros = np.zeros(w.n_grids, dtype=np.int64)
        self.visits, self.cases_found = zeros.copy(), zeros.copy()
        self.wishes = zeros.copy()
        self._revisits: tuple[int, np.ndarray] | None = None  # (book version, counts)
        self.pending_wishes = np.zeros(w.n_households, dtype=np.int32)  # at the block's start
        self.compound_wishes = np.zeros(w.n_compounds, dtype=np.int64)
        self.suggestions_waiting = np.zeros(w.n_compounds, dtype=np.int64)
        self.suggestions_made = 0
        self.suggestions_resolved = 0

    def patrol(self, day: int) -> np.ndarray:
        """Make day ``day``'s rounds: which households are visited; collects micro-wishes.

        Returns:
            Boolean mask over households visited today.
        """
        m = self.model
        block = self.block
        if block is not None and self.plan is None:  # the workers re-planned: redraw from today
            t = min(day - block.first_day, block.days)  # never past the block's end
            self.pending_wishes = block.pending(t, m.world.n_households)
            block = None
        if block is None or not 0 <= day - block.first_day < block.days:
            if block is not None:
                self.pending_wishes = block.pending(block.days, m.world.n_households)
            block = self.block = self._draw(day)
        t = day - block.first_day
        today = block.visited[block.day_start[t] : block.day_start[t + 1]]
        visited = np.zeros(m.world.n_households, dtype=bool)
        visited[today] = True
        self.visits += block.grid_visits[t]
        self.wishes += block.grid_wishes[t]
        self.compound_wishes += block.compound_wishes[t]
        self.suggestions_waiting += block.suggestions[t]
        self.suggestions_made += block.suggestions_a_day[t]
        m.today["visits"] = len(today)
        m.today["wishes_collected"] = block.wishes_a_day[t]
        return visited

    def _draw(self, day: int) -> RoundsBlock:
        if self.plan is None:
            p = self.visit_chance
            hazard = -np.log1p(-np.where(p < 1.0, p, 0.0))  # grids with p >= 1 are visited whole
            whole = [
                self.grid_order[self.grid_start[f] :][: self.grid_size[f]]
                for f in np.flatnonzero(p >= 1.0)
            ]
            whole = np.sort(np.concatenate(whole)) if whole else np.zeros(0, np.int64)
            self.plan = (self.grid_size * hazard, whole)
        g = self.model.scenario.grid
        expected_hits, whole = self.plan
        return draw_rounds(
            self.model.patrol_rng,
            expected_hits,
            whole,
            self,
            g.wish_rate,
            g.suggestion_share,
            day,
            DRAW_BLOCK_DAYS,
        )

    def found(self, grids: np.ndarray) -> None:
        """Count unreported cases the workers found on their rounds, by grid."""
        self.cases_found += np.bincount(grids, minlength=len(self.cases_found))

    @property
    def revisits(self) -> np.ndarray:
        """Revisits after dispatched cases were resolved, by grid (the loop's last step).

        One for each resolved case an official knew of (reported or found), in the grid of its
        first party: read from the case book when asked (and kept until a case opens or
        closes), not counted case by case.
        """
        b = self.model.ladder.book
        if self._revisits is None or self._revisits[0] != b.version:
            n = b.n
            done = (b.status[:n] == RESOLVED) & (b.reported_day[:n] >= 0)
            grids = self.model.world.hh_grid[b.hh_a[:n][done]]
            counts = np.bincount(grids, minlength=len(self.grid_size)).astype(np.int64)
            counts.flags.writeable = False  # shared by every reader until the book changes
            self._revisits = (b.version, counts)
        return self._revisits[1]

    def take_up_suggestions(self, room: np.ndarray, firm_quality: float, rng) -> None:
        """Each community's joint agenda takes up waiting suggestions in the room cases left.

        Args:
            room: free agenda places per community; filled compound by compound in order.
            firm_quality: the firm's service quality (raises the chance a suggestion is done).
            rng: the meeting's generator (keyed by the meeting, so patrols stay unchanged).
        """
        g, w = self.model.scenario.grid, self.model.world
        waiting = self.suggestions_waiting
        order = np.argsort(w.c_community, kind="stable")
        comm = w.c_community[order]
        before = np.cumsum(waiting[order]) - waiting[order]
        starts = np.flatnonzero(np.r_[True, comm[1:] != comm[:-1]])
        first = np.repeat(before[starts], np.diff(np.r_[starts, len(comm)]))
        taken = np.zeros_like(waiting)
        taken[order] = np.clip(room[comm] - (before - first), 0, waiting[order])
        self.suggestions_waiting -= taken
        p = min(g.suggestion_success * (g.suggestion_quality_base + firm_quality), 1.0)
        self.suggestions_resolved += int(rng.binomial(taken, p).sum())
