"""Owners' committee (业委会): exists or not; calls owners' votes."""

from __future__ import annotations

import mesa
import numpy as np


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

    @staticmethod
    def decide_to_call(projected, needed: float, at_deadline) -> np.ndarray:
        """Decide, for due project instances, whether to call a vote now.

        The same rule holds in every compound, so it applies element-wise to the due
        instances of any number of compounds at once.

        Args:
            projected: share of owners (and of area) that would approve today, per instance.
            needed: the rule's approval share plus the safety margin.
            at_deadline: per instance, whether the project's deadline has come.

        Returns:
            True where a vote is called: support clears the rule with the margin, or the
            deadline has come.
        """
        return np.logical_or(at_deadline, np.asarray(projected) >= needed)
