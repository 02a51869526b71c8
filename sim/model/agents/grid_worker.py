"""Grid worker (网格员): plans and makes rounds of a grid and runs the closed loop [Changgou]."""

from __future__ import annotations

import mesa


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
