"""Property firm (物业): none, private or state-owned [Xi'an], [Xuanwu]."""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.streams import DRAW_BLOCK_DAYS, KeyedGenerator


class PropertyFirm(mesa.Agent):
    """The community's property firm; resolves property cases and carries out works.

    ``kind == "none"`` models a "three-no" compound with no firm [Xi'an]: it repairs nothing and
    attends no meeting. A state-owned firm with cross-appointment [Xuanwu] strengthens joint
    meetings.
    """

    def __init__(
        self,
        model: mesa.Model,
        kind: str,
        service_quality: float,
        repair_capacity: float,
        cross_appointment: bool,
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.service_quality = service_quality if kind != "none" else 0.0
        self.repair_capacity = repair_capacity if kind != "none" else 0.0
        self.cross_appointment = cross_appointment and kind != "none"
        self.repairs = 0
        self._capacity: tuple[int, np.ndarray] = (0, np.zeros((0, 0), dtype=np.int64))

    @property
    def present(self) -> bool:
        """Whether there is a firm at all."""
        return self.kind != "none"

    def daily_capacity(self, day: int, n_compounds: int, keyed: KeyedGenerator) -> np.ndarray:
        """How many property cases the firm can take up on ``day`` in each compound.

        Poisson with mean ``repair_capacity / 7`` a compound and day. The firm's days depend on
        nothing else, so the ``DRAW_BLOCK_DAYS`` days of a block (days ``k x DRAW_BLOCK_DAYS``
        on) are drawn at once, from the generator keyed by the block's first day (common random
        numbers across scenarios).

        Args:
            day: the day asked for.
            n_compounds: compounds of the world.
            keyed: the firm's generator, re-keyed by the block's first day.

        Returns:
            Cases the firm can take up today, by compound.
        """
        first, block = self._capacity
        if not 0 <= day - first < len(block):
            first = day - day % DRAW_BLOCK_DAYS
            rng = keyed.for_event(first)
            block = rng.poisson(self.repair_capacity / 7.0, (DRAW_BLOCK_DAYS, n_compounds))
            self._capacity = (first, block)
        return block[day - first]

    def schedule_repairs(self, book, cases, capacity: np.ndarray) -> np.ndarray:
        """Choose today's repairs: the oldest property cases, up to the day's capacity a compound.

        Args:
            book: the dispute book.
            cases: open property cases the firm could take up.
            capacity: today's capacity by compound (:meth:`daily_capacity`).

        Returns:
            Indices of the cases repaired (attempted) today.
        """
        from sim.model.disputes.outcomes import agenda

        if (np.bincount(book.compound[cases], minlength=len(capacity)) <= capacity).all():
            return cases  # room for every case: none has to wait for an older one
        return agenda(book, cases, capacity)
