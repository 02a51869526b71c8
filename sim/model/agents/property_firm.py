"""Property firm (物业): none, private or state-owned [Xi'an], [Xuanwu]."""

from __future__ import annotations

import mesa


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

    @property
    def present(self) -> bool:
        """Whether there is a firm at all."""
        return self.kind != "none"

    def daily_capacity(self, n_compounds: int, rng):
        """Draw how many property cases the firm can take up today in each compound."""
        return rng.poisson(self.repair_capacity / 7.0, n_compounds)

    def schedule_repairs(self, book, cases, n_compounds: int, rng):
        """Choose today's repairs: the oldest property cases, up to the day's capacity a compound.

        Args:
            book: the dispute book.
            cases: open property cases the firm could take up.
            n_compounds: compounds the firm serves.
            rng: the day's generator (keyed by seed and day: common random numbers).

        Returns:
            Indices of the cases repaired (attempted) today.
        """
        from sim.model.disputes.outcomes import agenda

        return agenda(book, cases, self.daily_capacity(n_compounds, rng))
