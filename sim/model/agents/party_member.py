"""Party member (党员): a resident with a role, influence and mediation skill."""

from __future__ import annotations

import mesa

from sim.model.agents.resident import Resident
from sim.model.world import ROLE_NAMES


class PartyMember(Resident):
    """A household with a party member: big V, building leader, branch secretary or volunteer.

    Building leaders sign agreements first and go door to door [Yongyuan-41]; one big-V member
    "leads a crowd" [Kening]. Canvassing itself runs vectorised in ``deliberation``.
    """

    def __init__(
        self,
        model: mesa.Model,
        household: int,
        mediation_skill: float,
        canvass_per_week: int,
    ) -> None:
        super().__init__(model, household)
        self.mediation_skill = mediation_skill
        self.canvass_per_week = canvass_per_week

    @property
    def role(self) -> str:
        """Role name."""
        return ROLE_NAMES[int(self._w.role[self.household])]

    @property
    def influence(self) -> float:
        """Influence weight in meetings and canvassing."""
        return float(self._w.influence[self.household])
