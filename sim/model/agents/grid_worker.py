"""Grid worker (网格员): plans and makes rounds of a grid and runs the closed loop [Changgou]."""

from __future__ import annotations

import mesa
import numpy as np


class GridWorker(mesa.Agent):
    """The worker of one grid: collect -> dispatch -> supervise -> revisit (收集、分办、督办、回访).

    Each worker plans its round (:meth:`plan_round`: the daily chance of visiting each household
    of its grid); the rounds of every grid are then drawn at once by :class:`GridRounds`, which
    keeps the per-grid closed-loop counters this agent reads.
    """

    def __init__(self, model: mesa.Model, grid: int, visits_per_week: int) -> None:
        super().__init__(model)
        self.grid = grid
        self.visits_per_week = visits_per_week

    def plan_round(self) -> None:
        """Spread the week's visits over the grid: a daily visit chance per household."""
        rounds = self.model.rounds
        per_day = self.visits_per_week / 7.0 / max(int(rounds.grid_size[self.grid]), 1)
        rounds.visit_chance[self.grid] = min(1.0, per_day)
        rounds.plan = None  # the rounds' daily expectation is recomputed from the new chances

    @property
    def households(self) -> int:
        """Households in the grid."""
        return int(self.model.rounds.grid_size[self.grid])

    @property
    def visits_made(self) -> int:
        """Household visits so far."""
        return int(self.model.rounds.visits[self.grid])

    @property
    def cases_found(self) -> int:
        """Unreported disputes discovered on visits (collected and dispatched)."""
        return int(self.model.rounds.cases_found[self.grid])

    @property
    def wishes_collected(self) -> int:
        """Micro-wishes collected on visits."""
        return int(self.model.rounds.wishes[self.grid])

    @property
    def revisits(self) -> int:
        """Revisits after a dispatched case was resolved (the loop's last step)."""
        return int(self.model.rounds.revisits[self.grid])


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
        self.plan = None  # (expected hits a day by grid, grid ids, grids visited whole)
        zeros = np.zeros(w.n_grids, dtype=np.int64)
        self.visits, self.cases_found = zeros.copy(), zeros.copy()
        self.wishes, self.revisits = zeros.copy(), zeros.copy()
        self.pending_wishes = np.zeros(w.n_households, dtype=np.int32)
        self.compound_wishes = np.zeros(w.n_compounds, dtype=np.int64)
        self.suggestions_waiting = np.zeros(w.n_compounds, dtype=np.int64)
        self.suggestions_made = 0
        self.suggestions_resolved = 0

    def patrol(self) -> np.ndarray:
        """Make today's rounds: which households are visited; collects micro-wishes.

        Returns:
            Boolean mask over households visited today.
        """
        m = self.model
        w, g, rng = m.world, m.scenario.grid, m.patrol_rng
        n = w.n_households
        new = rng.poisson(g.wish_rate * n / 365.0)
        if new:
            np.add.at(self.pending_wishes, rng.integers(0, n, new), 1)
        visited = self.draw_visits(rng)
        vis_idx = visited.nonzero()[0]
        grids = w.hh_grid[vis_idx]
        self.visits += np.bincount(grids, minlength=w.n_grids)
        collected = self.pending_wishes[vis_idx]
        self.wishes += np.bincount(grids, collected, minlength=w.n_grids).astype(np.int64)
        self.pending_wishes[vis_idx] = 0
        m.today["visits"] = len(vis_idx)
        m.today["wishes_collected"] = int(collected.sum())
        # Dispatch: some wishes are actionable suggestions for the joint meeting [Changgou].
        per_comp = np.bincount(w.hh_compound[vis_idx], collected, minlength=w.n_compounds)
        self.compound_wishes += per_comp.astype(np.int64)
        new_sugg = rng.binomial(per_comp.astype(np.int64), g.suggestion_share)
        self.suggestions_waiting += new_sugg
        self.suggestions_made += int(new_sugg.sum())
        return visited

    def draw_visits(self, rng: np.random.Generator) -> np.ndarray:
        """Households visited today: each with its grid's daily chance ``p``, independently.

        Drawn as Poisson hits: a grid gets Poisson(size x h) hits on households picked
        uniformly, with ``h = -log(1 - p)``, so each household is hit at least once with chance
        ``1 - exp(-h) = p``, independently of the others: the law of one Bernoulli draw per
        household, at the cost of the visits, not the households.

        Returns:
            Boolean mask over households, true where visited.
        """
        if self.plan is None:
            p = self.visit_chance
            hazard = -np.log1p(-np.where(p < 1.0, p, 0.0))  # grids with p >= 1 are visited whole
            whole = [
                self.grid_order[self.grid_start[f] :][: self.grid_size[f]]
                for f in np.flatnonzero(p >= 1.0)
            ]
            self.plan = (self.grid_size * hazard, np.arange(len(p)), whole)
        expected_hits, grids, whole = self.plan
        size = self.grid_size
        g = np.repeat(grids, rng.poisson(expected_hits))
        local = (rng.random(len(g)) * size[g]).astype(np.int64)
        visited = np.zeros(len(self.grid_order), dtype=bool)
        visited[self.grid_order[self.grid_start[g] + local]] = True
        for households in whole:
            visited[households] = True
        return visited

    def found(self, grids: np.ndarray) -> None:
        """Count unreported cases the workers found on their rounds, by grid."""
        self.cases_found += np.bincount(grids, minlength=len(self.cases_found))

    def revisit(self, grids: np.ndarray) -> None:
        """Count revisits after dispatched cases were resolved, by grid."""
        self.revisits += np.bincount(grids, minlength=len(self.revisits))

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
