"""Scenario schema (pydantic v2) and YAML loading with clear errors.

A scenario is plain data: the community's structure, its institutions, the meeting calendar,
dispute and trust parameters and the upgrade projects. Every field has a default, so a minimal
scenario is a few lines. Sources of defaults are labelled as in ``shared/facts.md``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.scenario.base import Spec, param
from sim.scenario.loading import apply_overrides, read_yaml, validate
from sim.scenario.projects import Project

# Bounds checked arithmetically before anything is allocated (households, buildings, names).
MAX_HOUSEHOLDS = 2_000_000
MAX_BUILDINGS = 50_000
NAME_MAX = 120


def plain_name(value: str, field: str) -> str:
    """Check a name: at most :data:`NAME_MAX` characters, no control characters (any script)."""
    if len(value) > NAME_MAX:
        raise ValueError(f"{len(value)} characters; shorten the {field} to {NAME_MAX} or fewer")
    bad = [c for c in value if ord(c) < 32 or ord(c) == 127]
    if bad:
        raise ValueError(
            f"control characters ({', '.join(repr(c) for c in bad[:3])}) in the {field}; "
            "use letters, digits, spaces and punctuation"
        )
    return value


class BuildingSpec(Spec):
    """An explicitly listed building (or ``count`` identical ones)."""

    count: int = param(
        1,
        ge=1,
        le=5000,
        unit="buildings",
        description="Number of identical buildings of this shape.",
    )
    units: int = Field(2, ge=1, le=50, description="Units (stairwells) per building.")
    floors: int = Field(6, ge=1, le=60, description="Floors per unit.")
    households_per_floor: int = Field(2, ge=1, le=20, description="Flats per floor and unit.")


class CompoundSpec(Spec):
    """A compound (小区): generated from counts, or from an explicit building layout."""

    name: str = param("compound", description="Name used in outputs.")
    count: int = param(
        1,
        ge=1,
        le=10000,
        unit="compounds",
        description="Copies of this compound (district scenarios).",
    )
    buildings: int = Field(19, ge=1, le=5000, description="Buildings, when no layout is given.")
    units_per_building: int = Field(2, ge=1, le=50, description="Units (stairwells) a building.")
    floors: int = Field(6, ge=1, le=60, description="Floors (old walk-ups: 5-7 [Yongyuan-41]).")
    households_per_floor: int = Field(2, ge=1, le=20, description="Flats per floor and unit.")
    households: int | None = param(
        None,
        ge=1,
        le=MAX_HOUSEHOLDS,
        unit="households",
        description="Occupied households; flats beyond it stay vacant (default: all occupied).",
    )
    layout: list[BuildingSpec] | None = param(
        None,
        max_length=1000,
        unit="rows",
        description="Explicit buildings; replaces buildings/units/floors counts.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return plain_name(v, "name")

    def n_buildings(self) -> int:
        """Number of buildings in one copy (counted, not listed)."""
        return self.buildings if self.layout is None else sum(b.count for b in self.layout)

    def building_shapes(self) -> list[tuple[int, int, int]]:
        """Return (units, floors, households_per_floor) of each building in order."""
        if self.layout is not None:
            return [
                (b.units, b.floors, b.households_per_floor)
                for b in self.layout
                for _ in range(b.count)
            ]
        shape = (self.units_per_building, self.floors, self.households_per_floor)
        return [shape] * self.buildings

    def capacity(self) -> int:
        """Number of flats in one copy of this compound (counted without listing buildings)."""
        if self.layout is not None:
            return sum(b.count * b.units * b.floors * b.households_per_floor for b in self.layout)
        return self.buildings * self.units_per_building * self.floors * self.households_per_floor

    def occupied(self) -> int:
        """Occupied households in one copy of this compound."""
        return self.households if self.households is not None else self.capacity()

    @model_validator(mode="after")
    def _fits(self) -> CompoundSpec:
        if self.n_buildings() > MAX_BUILDINGS:
            raise ValueError(
                f"{self.n_buildings():,} buildings in one compound; at most {MAX_BUILDINGS:,}: "
                "lower layout counts or split the scenario"
            )
        if self.households is not None and self.households > self.capacity():
            raise ValueError(
                f"households={self.households} exceeds the {self.capacity()} flats the "
                "buildings hold; raise buildings/floors/households_per_floor or lower households"
            )
        return self


class Population(Spec):
    """Who lives there."""

    renter_share: float = Field(0.2, ge=0, le=1, description="Share of renter households.")
    elderly_share: float = Field(
        0.3, ge=0, le=1, description="Share of elderly households (60%+ in [Yongyuan-41])."
    )
    area_mean: float = Field(70.0, gt=10, le=500, description="Mean flat area, m2.")
    area_sd: float = Field(15.0, ge=0, le=200, description="Standard deviation of flat area, m2.")
    participation_mean: float = Field(
        0.3, ge=0, le=1, description="Mean propensity to attend meetings and votes."
    )
    openness_mean: float = Field(
        0.3, gt=0, le=1, description="Mean confidence bound: how far an opinion may differ."
    )


class Trust(Spec):
    """Trust in community organisations (0-1) and its feedback."""

    initial_mean: float = Field(0.5, ge=0, le=1, description="Mean initial trust.")
    initial_sd: float = Field(0.15, ge=0, le=1, description="Spread of initial trust.")
    gain_resolved: float = Field(
        0.15, ge=0, le=1, description="Resolved dispute: trust += gain * (1 - trust)."
    )
    loss_failed: float = Field(
        0.25, ge=0, le=1, description="Failed dispute: trust -= loss * trust."
    )
    gain_project: float = Field(
        0.1, ge=0, le=1, description="Delivered project: trust += gain * (1 - trust) in scope."
    )
    loss_project: float = Field(
        0.05, ge=0, le=1, description="Failed vote: trust -= loss * trust in scope."
    )


class Party(Spec):
    """Party members (党员): density, roles and influence [Kening], [Aoyuan], [Yongyuan-41]."""

    density: float = Field(0.08, ge=0, le=1, description="Share of households with a party member.")
    big_v: int = Field(1, ge=0, description="Highly influential 'big V' members [Kening].")
    building_leader_share: float = Field(
        0.5, ge=0, le=1, description="Share of other party members serving as building leaders."
    )
    influence: float = Field(1.5, ge=0, le=20, description="Influence weight of a party member.")
    big_v_influence: float = Field(4.0, ge=0, le=50, description="Influence of a big-V member.")
    mediation_skill: float = Field(0.6, ge=0, le=1, description="Mediation skill of members.")
    canvass_per_week: int = Field(
        5, ge=0, le=200, description="Households a member visits a week for a project."
    )
    sign_first: bool = Field(
        True, description="Members sign project agreements first [Yongyuan-41]."
    )


class Grid(Spec):
    """Grid workers (网格员) and their closed loop [Changgou]."""

    households_per_worker: int = Field(
        300, ge=1, le=100000, description="Households a grid (and its worker) covers."
    )
    visits_per_week: int = Field(
        40, ge=0, le=1000, description="Households a worker visits a week."
    )
    wish_rate: float = Field(
        0.6,
        ge=0,
        le=20,
        description="Micro-wishes a household forms a year (collected on visits) [Changgou].",
    )
    suggestion_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of collected wishes dispatched as suggestions to joint meetings.",
    )
    suggestion_success: float = Field(
        0.45,
        ge=0,
        le=1,
        description="Chance a suggestion taken up is carried out, times (0.5 + firm quality).",
    )


class PropertyFirm(Spec):
    """Property firm (物业) [Xi'an], [Xuanwu]."""

    kind: Literal["none", "private", "state_owned"] = Field(
        "private", description="none ('three-no' compound), private or state_owned."
    )
    service_quality: float = Field(0.6, ge=0, le=1, description="Service quality.")
    repair_capacity: float = Field(
        5.0, ge=0, le=10000, description="Property cases the firm can repair a week."
    )
    cross_appointment: bool = Field(
        False, description="Community secretary and firm manager sit on each other's boards."
    )


class OwnersCommittee(Spec):
    """Owners' committee (业委会)."""

    exists: bool = Field(True, description="Whether compounds have an owners' committee.")
    legitimacy: float = Field(0.6, ge=0, le=1, description="Owners' trust in the committee.")


class Meetings(Spec):
    """Meeting calendar [Kening], [Xuanwu], [Aoyuan], [Fugu]."""

    council_per_month: float = param(
        4.0,
        ge=0,
        le=28,
        unit="meetings / 4 weeks",
        source="[Kening]",
        description="Compound councils per 4-week month: 0 none, 4 weekly ('逢四说事').",
    )
    weekday: int = param(
        3, ge=0, le=6, unit="weekday", source="[Kening]", description="Meeting weekday, 0 Monday."
    )
    agenda_size: int = param(
        5, ge=1, le=100, unit="cases / meeting", description="Cases a council can take up."
    )
    joint_per_month: float = param(
        1.0,
        ge=0,
        le=28,
        unit="meetings / 4 weeks",
        source="[Xuanwu]",
        description="Joint meetings with firm and owners' committee a month.",
    )
    joint_agenda_size: int = param(
        5, ge=1, le=100, unit="cases / meeting", description="Cases a joint meeting takes up."
    )
    adhoc: bool = param(
        True, source="[Xuanwu]", description="One-issue ad-hoc meetings (一事一议) when needed."
    )
    adhoc_after_days: int = param(
        7,
        ge=1,
        le=365,
        unit="days",
        description="Days a case waits at community level before an ad-hoc one.",
    )
    officials_attend: bool = param(
        True,
        source="[Kening]",
        description="Officials and the firm attend councils and answer concerns.",
    )


class Category(Spec):
    """One dispute category."""

    rate: float = Field(ge=0, le=1000, description="New disputes per 100 households a year.")
    difficulty: float = Field(ge=0, le=1, description="Mean difficulty 0 (easy) - 1 (hard).")
    property_type: bool = Field(False, description="The property firm can fix it.")


def _cat(rate: float, difficulty: float, prop: bool = False) -> Category:
    return Category(rate=rate, difficulty=difficulty, property_type=prop)


class Categories(Spec):
    """Dispute categories with their rates and difficulties."""

    noise: Category = Field(default_factory=lambda: _cat(6.0, 0.35))
    parking: Category = Field(default_factory=lambda: _cat(4.0, 0.4, True))
    pets: Category = Field(default_factory=lambda: _cat(3.0, 0.3))
    hygiene: Category = Field(default_factory=lambda: _cat(3.0, 0.25, True))
    water_leak: Category = Field(default_factory=lambda: _cat(3.0, 0.45, True))
    renovation: Category = Field(default_factory=lambda: _cat(2.0, 0.4))
    encroachment: Category = Field(default_factory=lambda: _cat(2.0, 0.55))


class Disputes(Spec):
    """Neighbour disputes and the mediation ladder."""

    categories: Categories = Field(default_factory=Categories)
    difficulty_sd: float = Field(0.15, ge=0, le=1, description="Spread of case difficulty.")
    self_settle: float = Field(
        0.03, ge=0, le=1, description="Daily chance neighbours settle a case themselves (L0)."
    )
    self_settle_days: float = Field(
        30.0, gt=0, description="Neighbours' chance fades as exp(-age / self_settle_days)."
    )
    report_rate: float = Field(
        0.12, ge=0, le=1, description="Daily chance a party reports, times its trust."
    )
    leader_discovery: float = Field(
        0.05, ge=0, le=1, description="Daily chance a building leader notices a case."
    )
    building_success: float = Field(
        0.06, ge=0, le=1, description="Daily L1 success scale of a building mediator."
    )
    council_success: float = Field(
        0.6, ge=0, le=1, description="L2 success scale of a case on a council's agenda."
    )
    joint_success: float = Field(
        0.7, ge=0, le=1, description="L3 success scale of a case at a joint/ad-hoc meeting."
    )
    patience_building: int = Field(21, ge=1, description="Days at L1 before escalating.")
    patience_council: int = Field(35, ge=1, description="Days at L2 before escalating.")
    max_age: int = Field(
        150, ge=1, description="Days after which an open case fails (petition or court)."
    )
    entrenchment_days: float = Field(
        120.0, gt=0, description="Success falls as exp(-age / entrenchment_days)."
    )
    renter_effect: float = Field(
        1.0, ge=0, le=10, description="Extra noise/hygiene/renovation rate per renter share."
    )


class Deliberation(Spec):
    """How opinions on projects move: meetings, diffusion over ties, canvassing."""

    meeting_mu: float = Field(0.3, gt=0, le=0.5, description="Convergence in meetings.")
    credibility: float = Field(
        2.0, ge=1, le=10, description="Bound widening towards party members (credible speakers)."
    )
    answer_rate: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Share of an attendee's concern answered when officials "
        "and the firm attend [Kening].",
    )
    diffusion_rate: float = Field(
        0.1, ge=0, le=1, description="Weekly share moved towards tie neighbours' opinions."
    )
    interest_anchor: float = Field(
        0.15,
        ge=0,
        le=1,
        description="Weekly pull back towards one's own interest (Friedkin-Johnsen stubbornness).",
    )
    canvass_mu: float = Field(
        0.3, ge=0, le=1, description="Share a canvassed household moves towards the canvasser."
    )
    canvass_answer: float = Field(
        0.3, ge=0, le=1, description="Share of concern a door-to-door visit answers."
    )
    signed_support: float = Field(
        0.9, ge=0.5, le=1, description="Support of party members who sign first [Yongyuan-41]."
    )
    project_attendance: float = Field(
        1.0, ge=0, le=5, description="Attendance scale of a project's own households."
    )


class Scenario(Spec):
    """A complete scenario: what a planner writes for a community."""

    name: str = param("default", description="Scenario name, used in output folder names.")
    description: str = param("", max_length=20000, description="Free text.")
    seed: int = param(42, ge=0, le=2**63 - 1, description="Random seed.")
    days: int = param(
        365, ge=1, le=36500, unit="days", description="Days simulated (one step a day)."
    )
    start_date: dt.date = param(
        dt.date(2024, 1, 1),
        ge=dt.date(1900, 1, 1),
        le=dt.date(2200, 12, 31),
        unit="date",
        description="Date of day 0 (YYYY-MM-DD).",
    )
    compounds: list[CompoundSpec] = param(
        default_factory=lambda: [CompoundSpec()],
        min_length=1,
        max_length=1000,
        unit="entries",
        description="The compounds.",
    )
    inter_compound_links: int = Field(
        1, ge=0, le=10, description="Building-network links between consecutive compounds."
    )
    population: Population = Field(default_factory=Population)
    trust: Trust = Field(default_factory=Trust)
    party: Party = Field(default_factory=Party)
    grid: Grid = Field(default_factory=Grid)
    property_firm: PropertyFirm = Field(default_factory=PropertyFirm)
    owners_committee: OwnersCommittee = Field(default_factory=OwnersCommittee)
    meetings: Meetings = Field(default_factory=Meetings)
    disputes: Disputes = Field(default_factory=Disputes)
    deliberation: Deliberation = Field(default_factory=Deliberation)
    projects: list[Project] = param(
        default_factory=list, max_length=1000, unit="entries", description="Upgrade projects."
    )

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return plain_name(v, "name")

    @field_validator("compounds")
    @classmethod
    def _size(cls, compounds: list[CompoundSpec]) -> list[CompoundSpec]:
        # Counted before anything uses the compounds, so a huge scenario costs nothing.
        households = sum(c.occupied() * c.count for c in compounds)
        if households > MAX_HOUSEHOLDS:
            raise ValueError(
                f"{households:,} households; at most {MAX_HOUSEHOLDS:,}: split the scenario"
            )
        if sum(c.count for c in compounds) > 10000:
            raise ValueError("more than 10,000 compounds in all; split the scenario")
        return compounds

    def total_households(self) -> int:
        """Number of occupied households over all compounds."""
        return sum(c.occupied() * c.count for c in self.compounds)

    def party_members(self) -> int:
        """Number of party members the density gives."""
        return int(round(self.party.density * self.total_households()))

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        n_party = self.party_members()
        if "big_v" not in self.party.model_fields_set:
            # The default of one big-V member only applies where there are party members.
            self.party.big_v = min(self.party.big_v, n_party)
        if self.party.big_v > n_party:
            raise ValueError(
                f"party.big_v={self.party.big_v} big-V members but only {n_party} party members "
                f"(density {self.party.density} x {self.total_households()} households); "
                "lower party.big_v or raise party.density"
            )
        for i, p in enumerate(self.projects):
            bad = [c for c in p.compounds or [] if not 0 <= c < self.n_compounds()]
            if bad:
                raise ValueError(
                    f"projects.{i}.compounds: {bad} out of range; compounds are numbered "
                    f"0-{self.n_compounds() - 1}"
                )
        return self

    def n_compounds(self) -> int:
        """Number of compounds after expanding ``count``."""
        return sum(c.count for c in self.compounds)


DEFAULT_SCENARIO = Path(__file__).parent / "data" / "default.yaml"


def load_scenario(path: str | Path | None = None, sets: list[str] | None = None) -> Scenario:
    """Load and validate a scenario YAML, applying ``--set`` overrides.

    Args:
        path: the YAML file; None loads the packaged default scenario.
        sets: ``key.path=value`` overrides, validated like the file.

    Returns:
        The validated scenario with every default filled in.

    Raises:
        InputError: with the file, field path and fix.
    """
    source = str(path) if path is not None else "default scenario"
    data = read_yaml(path if path is not None else DEFAULT_SCENARIO)
    apply_overrides(data, sets)
    return validate(Scenario, data, source)


def scenario_dict(scenario: Scenario) -> dict:
    """Return the resolved scenario as plain JSON/YAML-safe data."""
    return scenario.model_dump(mode="json")
