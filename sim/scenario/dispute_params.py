"""Neighbour disputes in a scenario: categories and the mediation ladder's parameters."""

from __future__ import annotations

from sim.scenario.base import Spec, param


class Category(Spec):
    """One dispute category."""

    rate: float = param(
        ge=0, le=1000, unit="1 / 100 households / year", description="New disputes a year."
    )
    difficulty: float = param(
        ge=0, le=1, unit="0-1", description="Mean difficulty 0 (easy) - 1 (hard)."
    )
    property_type: bool = param(False, description="The property firm can fix it.")


def _cat(rate: float, difficulty: float, prop: bool = False) -> Category:
    return Category(rate=rate, difficulty=difficulty, property_type=prop)


class Categories(Spec):
    """Dispute categories with their rates and difficulties (rates: assumption)."""

    noise: Category = param(default_factory=lambda: _cat(6.0, 0.35), description="Noise.")
    parking: Category = param(
        default_factory=lambda: _cat(4.0, 0.4, True), description="Parking (property case)."
    )
    pets: Category = param(default_factory=lambda: _cat(3.0, 0.3), description="Pets.")
    hygiene: Category = param(
        default_factory=lambda: _cat(3.0, 0.25, True), description="Hygiene (property case)."
    )
    water_leak: Category = param(
        default_factory=lambda: _cat(3.0, 0.45, True), description="Water leak (property case)."
    )
    renovation: Category = param(
        default_factory=lambda: _cat(2.0, 0.4), description="Renovation nuisance."
    )
    encroachment: Category = param(
        default_factory=lambda: _cat(2.0, 0.55), description="Common-area encroachment."
    )


class Disputes(Spec):
    """Neighbour disputes and the mediation ladder."""

    categories: Categories = param(default_factory=Categories, description="Dispute categories.")
    difficulty_sd: float = param(
        0.15, ge=0, le=1, unit="0-1", description="Spread of case difficulty around its category."
    )
    intractable_share: float = param(
        0.15,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Share of cases from the intractable tail of the difficulty mixture "
        "(entrenched grudges, claims that need a court or a department).",
    )
    intractable_difficulty: float = param(
        0.85,
        ge=0,
        le=1,
        unit="0-1",
        description="Mean difficulty of an intractable case (spread: difficulty_sd).",
    )
    max_difficulty: float = param(
        0.98, ge=0, le=1, unit="0-1", description="Upper bound of a case's difficulty."
    )
    self_settle: float = param(
        0.03,
        ge=0,
        le=1,
        unit="1 / day",
        description="Daily chance neighbours settle a case themselves (L0).",
    )
    self_settle_days: float = param(
        30.0,
        gt=0,
        unit="days",
        description="Neighbours' chance fades as exp(-age / self_settle_days).",
    )
    report_rate: float = param(
        0.12,
        ge=0,
        le=1,
        unit="1 / day",
        source="[Read-Michelson 2008]",
        description="Daily chance a party reports, times its trust.",
    )
    leader_discovery: float = param(
        0.05,
        ge=0,
        le=1,
        unit="1 / day",
        description="Daily chance a building leader notices a case.",
    )
    building_success: float = param(
        0.06,
        ge=0,
        le=1,
        unit="1 / day",
        description="Daily L1 success scale of a building mediator.",
    )
    council_success: float = param(
        0.8,
        ge=0,
        le=1,
        unit="share 0-1",
        source="assumption",
        description="L2 success scale of a case on a council's agenda. Set by hand for the "
        "lever rows P4b-P4e; the ABC calibration (docs/validation.md) leaves it weakly "
        "constrained: posterior 0.60 [0.45, 0.99], 85% of the prior's width.",
    )
    joint_success: float = param(
        0.7,
        ge=0,
        le=1,
        unit="share 0-1",
        description="L3 success scale of a case at a joint/ad-hoc meeting.",
    )
    max_success: float = param(
        0.98, ge=0, le=1, unit="share 0-1", description="Upper bound of one attempt's success."
    )
    trust_base: float = param(
        0.5,
        ge=0,
        le=2,
        unit="factor",
        description="Success is x (trust_base + parties' mean trust).",
    )
    refer_building: float = param(
        0.002,
        ge=0,
        le=1,
        unit="share 0-1",
        source="assumption",
        description="After a failed daily L1 attempt, chance x difficulty that the mediator ends "
        "it and the parties are pointed to court, arbitration or administration (referred). "
        "Set by hand so that row P4 holds (docs/validation.md); not calibrated.",
    )
    refer_meeting: float = param(
        0.05,
        ge=0,
        le=1,
        unit="share 0-1",
        source="assumption",
        description="After a failed hearing at a council, joint or ad-hoc meeting, chance x "
        "difficulty that the case is ended and referred outside. Set by hand so that row P4 "
        "holds; the ABC calibration gives 0.11 [0.03, 0.18] (70% of the prior's width).",
    )
    drop_rate: float = param(
        0.001,
        ge=0,
        le=1,
        unit="1 / day",
        description="Daily chance the parties drop an open case (give up, move away).",
    )
    lower_levels_while_waiting: bool = param(
        True,
        description="A case escalated to a meeting can still be settled by the neighbours (L0) "
        "and the building mediator (L1) while it waits; off: escalation ends those chances.",
    )
    patience_building: int = param(
        21, ge=1, unit="days", description="Days at L1 before escalating."
    )
    patience_council: int = param(
        35, ge=1, unit="days", description="Days at L2 before escalating."
    )
    max_age: int = param(
        150,
        ge=1,
        unit="days",
        description="Days after which an open case expires (petition or court) [facts §6].",
    )
    entrenchment_days: float = param(
        120.0,
        gt=0,
        unit="days",
        description="Success falls as exp(-age / entrenchment_days).",
    )
    renter_effect: float = param(
        1.0,
        ge=0,
        le=10,
        unit="factor",
        description="Extra noise/hygiene/renovation rate per renter share.",
    )
