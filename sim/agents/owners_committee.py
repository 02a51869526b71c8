"""Owners' committee (业委会): exists or not; calls owners' votes."""

from __future__ import annotations

import mesa


class OwnersCommittee(mesa.Agent):
    """The owners' committee of one compound.

    Where none exists, the party branch calls votes in its place.
    """

    def __init__(self, model: mesa.Model, compound: int, exists: bool, legitimacy: float) -> None:
        super().__init__(model)
        self.compound = compound
        self.exists = exists
        self.legitimacy = legitimacy if exists else 0.0
        self.votes_called = 0
