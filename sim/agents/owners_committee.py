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

    @property
    def caller(self) -> str:
        """Who calls votes here: the committee, or the party branch where there is none."""
        return "owners_committee" if self.exists else "party_branch"

    def call_vote(self, projected: float, needed: float, at_deadline: bool) -> bool:
        """Decide whether to call an owners' vote now.

        Args:
            projected: share of owners (and area) that would approve today.
            needed: the rule's approval share plus the safety margin.
            at_deadline: the project's deadline has come.

        Returns:
            True if a vote is called (and counted).
        """
        call = at_deadline or projected >= needed
        if call:
            self.votes_called += 1
        return call
