"""Grid worker (网格员): patrols a grid and runs the closed loop [Changgou]."""

from __future__ import annotations

import mesa


class GridWorker(mesa.Agent):
    """The worker of one grid: collect -> dispatch -> supervise -> revisit (收集、分办、督办、回访).

    Visits are drawn for every grid at once by the model (``NeighbourhoodModel.patrol``); the
    worker is the grid's identity, and its closed-loop counters are views into the model's
    per-grid arrays.
    """

    def __init__(self, model: mesa.Model, grid: int, visits_per_week: int) -> None:
        super().__init__(model)
        self.grid = grid
        self.visits_per_week = visits_per_week

    @property
    def households(self) -> int:
        """Households in the grid."""
        return int(self.model.grid_size[self.grid])

    @property
    def visits_made(self) -> int:
        """Household visits so far."""
        return int(self.model.grid_visits[self.grid])

    @property
    def cases_found(self) -> int:
        """Unreported disputes discovered on visits (collected and dispatched)."""
        return int(self.model.grid_cases_found[self.grid])

    @property
    def wishes_collected(self) -> int:
        """Micro-wishes collected on visits."""
        return int(self.model.grid_wishes[self.grid])

    @property
    def revisits(self) -> int:
        """Revisits after a dispatched case was resolved (the loop's last step)."""
        return int(self.model.grid_revisits[self.grid])
