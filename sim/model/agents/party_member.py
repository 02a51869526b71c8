"""Party member (党员): a resident with a role, influence and mediation skill."""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.agents.resident import Resident
from sim.model.world import ROLE_NAMES


class PartyMember(Resident):
    """A household with a party member: big V, building leader, branch secretary or volunteer.

    Building leaders sign agreements first and go door to door [Yongyuan-41]; one big-V member
    "leads a crowd" [Kening]. The branch's choice of doors is :meth:`choose_doors`; the visits
    themselves run vectorised in ``sim.model.projects.canvass``.
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

    @staticmethod
    def choose_doors(
        world, members: np.ndarray, canvassers: np.ndarray, pool: np.ndarray, rng
    ) -> tuple[np.ndarray, np.ndarray]:
        """The party branch's choice of whom each canvasser visits this week.

        Each canvassing visit (a canvasser position, repeated once per visit) goes to a random
        household of ``pool`` in the canvasser's own building, else in its compound; visits
        with no such household are dropped [Yongyuan-41].

        Args:
            world: the model's world arrays.
            members: household index of each project member.
            canvassers: member positions of the canvassers, one entry per visit.
            pool: member positions that may be visited, sorted ascending (so by building).
            rng: random generator.

        Returns:
            ``(canvassers, targets)``: the visits that take place, as member positions.
        """
        cb = world.hh_building[members[canvassers]]
        pool_b = world.hh_building[members[pool]]
        lo = np.searchsorted(pool_b, cb, side="left")
        hi = np.searchsorted(pool_b, cb, side="right")
        cc = world.hh_compound[members[canvassers]]
        pool_c = world.hh_compound[members[pool]]
        none = hi == lo
        lo[none] = np.searchsorted(pool_c, cc[none], side="left")
        hi[none] = np.searchsorted(pool_c, cc[none], side="right")
        ok = hi > lo
        canvassers, lo, hi = canvassers[ok], lo[ok], hi[ok]
        targets = pool[lo + (rng.random(len(lo)) * (hi - lo)).astype(np.int64)]
        return canvassers, targets
