"""Resident: one agent per household, its voice in meetings and votes."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
from mesa.agent import AgentSet

from sim.model.agents.bulk import agent_set, create_many


class Resident(mesa.Agent):
    """A household. Its state lives in ``model.world`` arrays at index ``household``.

    The attributes below are views into those arrays, so the agent and array views can never
    disagree.
    """

    def __init__(self, model: mesa.Model, household: int) -> None:
        super().__init__(model)
        self.household = household

    @classmethod
    def create_households(
        cls, model: mesa.Model, households: np.ndarray, as_set: bool = True, **attributes: Any
    ) -> AgentSet | None:
        """Create one agent per household in bulk, as ``cls(model, h, **attributes)`` would.

        Registration is done in one pass (:mod:`sim.model.agents.bulk`): the agents, their
        unique ids and their order in ``model.agents`` and ``model.agents_by_type[cls]`` are
        those of one-by-one creation, at a fraction of the cost.

        Args:
            model: the model.
            households: household indices, one agent each.
            as_set: return the new agents as an ``AgentSet`` (a third weak-reference table
                of every household; the model, which reads ``agents_by_type``, skips it).
            **attributes: the other constructor arguments, shared by all (e.g. a party
                member's ``mediation_skill``).

        Returns:
            The new agents as an ``AgentSet`` (``None`` when ``as_set`` is false).
        """
        agents = create_many(cls, model, households.tolist(), "household", **attributes)
        return agent_set(model, agents) if as_set else None

    @property
    def _w(self):
        return self.model.world

    @property
    def building(self) -> int:
        """Building index."""
        return int(self._w.hh_building[self.household])

    @property
    def unit(self) -> int:
        """Unit (stairwell) index."""
        return int(self._w.hh_unit[self.household])

    @property
    def floor(self) -> int:
        """Floor, from 1."""
        return int(self._w.hh_floor[self.household])

    @property
    def area(self) -> float:
        """Exclusive area, m2."""
        return float(self._w.hh_area[self.household])

    @property
    def owner(self) -> bool:
        """Owner (votes) or renter (does not)."""
        return bool(self._w.hh_owner[self.household])

    @property
    def elderly(self) -> bool:
        """Elderly household."""
        return bool(self._w.hh_elderly[self.household])

    @property
    def trust(self) -> float:
        """Trust in community organisations, 0-1."""
        return float(self._w.trust[self.household])

    @trust.setter
    def trust(self, value: float) -> None:
        self._w.trust[self.household] = min(max(value, 0.0), 1.0)

    @property
    def participation(self) -> float:
        """Propensity to attend meetings and votes."""
        return float(self._w.participation[self.household])

    @property
    def openness(self) -> float:
        """Confidence bound of opinion updates."""
        return float(self._w.openness[self.household])
