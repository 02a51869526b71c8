"""Scenario structure: compounds, their buildings (counted or listed) and who lives there."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from sim.messages import Msg
from sim.scenario.base import Spec, param

# Bounds checked arithmetically before anything is allocated (households, buildings, names).
MAX_HOUSEHOLDS = 2_000_000
MAX_BUILDINGS = 50_000
NAME_MAX = 120


def plain_name(value: str, field: str) -> str:
    """Check a name: at most :data:`NAME_MAX` characters, no control characters (any script)."""
    if len(value) > NAME_MAX:
        raise ValueError(
            Msg("name_too_long", n=len(value), field=field, field_zh="名称", limit=NAME_MAX)
        )
    bad = [c for c in value if ord(c) < 32 or ord(c) == 127]
    if bad:
        chars = ", ".join(repr(c) for c in bad[:3])
        raise ValueError(Msg("name_control_chars", chars=chars, field=field, field_zh="名称"))
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
    name: str | None = param(
        None, max_length=80, description="Building name shown on the map (e.g. '3号楼')."
    )
    households: int | None = param(
        None,
        ge=0,
        le=50 * 60 * 20,
        unit="households",
        description="Occupied flats in each such building (default: all); the rest stay vacant.",
    )
    x: float | None = param(
        None, ge=-1e7, le=1e7, unit="m", description="East coordinate on the map (with y)."
    )
    y: float | None = param(
        None, ge=-1e7, le=1e7, unit="m", description="North coordinate on the map (with x)."
    )

    def capacity(self) -> int:
        """Flats in one such building."""
        return self.units * self.floors * self.households_per_floor

    @model_validator(mode="after")
    def _consistent(self) -> BuildingSpec:
        if self.households is not None and self.households > self.capacity():
            raise ValueError(
                Msg(
                    "building_households_exceed",
                    households=self.households,
                    capacity=self.capacity(),
                )
            )
        if (self.x is None) != (self.y is None):
            raise ValueError(Msg("give_x_and_y"))
        return self


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
    community: str | None = param(
        None,
        source="[Kening]",
        description="The community (社区) the compound belongs to (one joint meeting each); "
        "compounds naming none are grouped in order, meetings.community_size at a time.",
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

    def buildings_list(self) -> list[BuildingSpec] | None:
        """Each building of the layout in order (``count`` expanded), or None without a layout."""
        if self.layout is None:
            return None
        return [b for b in self.layout for _ in range(b.count)]

    def per_building_occupancy(self) -> bool:
        """Whether the layout gives occupied households building by building."""
        return self.layout is not None and any(b.households is not None for b in self.layout)

    def occupied(self) -> int:
        """Occupied households in one copy of this compound."""
        if self.per_building_occupancy():
            return sum(
                b.count * (b.households if b.households is not None else b.capacity())
                for b in self.layout or []
            )
        return self.households if self.households is not None else self.capacity()

    @model_validator(mode="after")
    def _fits(self) -> CompoundSpec:
        if self.n_buildings() > MAX_BUILDINGS:
            raise ValueError(
                Msg("too_many_buildings", n=f"{self.n_buildings():,}", limit=f"{MAX_BUILDINGS:,}")
            )
        if self.households is not None and self.per_building_occupancy():
            raise ValueError(Msg("households_twice"))
        if self.households is not None and self.households > self.capacity():
            raise ValueError(
                Msg(
                    "compound_households_exceed",
                    households=self.households,
                    capacity=self.capacity(),
                )
            )
        return self


class Population(Spec):
    """Who lives there."""

    renter_share: float = param(
        0.2, ge=0, le=1, unit="share 0-1", description="Share of renter households."
    )
    elderly_share: float = param(
        0.3,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Share of elderly households (60%+ in [Yongyuan-41]).",
    )
    area_mean: float = param(70.0, gt=10, le=500, unit="m2", description="Mean flat area.")
    area_sd: float = param(
        15.0, ge=0, le=200, unit="m2", description="Standard deviation of flat area."
    )
    area_min: float = param(
        15.0,
        gt=0,
        le=500,
        unit="m2",
        description="Smallest flat area drawn (the normal is cut here).",
    )
    participation_mean: float = param(
        0.3,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Mean propensity to attend meetings and votes.",
    )
    participation_shape: float = param(
        2.0,
        gt=0,
        le=100,
        unit="factor",
        description="First shape of the beta distribution participation is drawn from (its "
        "mean is participation_mean): higher, less spread between households.",
    )
    openness_mean: float = param(
        0.3,
        gt=0,
        le=1,
        unit="share 0-1",
        description="Mean confidence bound: how far an opinion may differ.",
    )
    openness_sd: float = param(
        0.1,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Spread of the confidence bound between households.",
    )
    openness_min: float = param(
        0.02,
        gt=0,
        le=1,
        unit="share 0-1",
        description="Smallest confidence bound (nobody is closed to every other opinion).",
    )


class Ties(Spec):
    """Households' social ties: the network along which opinions on a project spread.

    Complete inside a unit (one stairwell), a few random ties inside the building and a weak
    one to a household of an adjacent building; summed ties are capped at the unit weight.
    """

    unit_weight: float = param(
        1.0,
        gt=0,
        le=1,
        unit="weight",
        description="Tie between two households of one unit (shared stairwell); also the cap "
        "of a pair's summed ties.",
    )
    building_ties: int = param(
        2,
        ge=0,
        le=20,
        unit="ties / household",
        description="Random ties each household draws to others of its building.",
    )
    building_weight: float = param(
        0.5, ge=0, le=1, unit="weight", description="Weight of a random tie inside the building."
    )
    weak_ties: int = param(
        1,
        ge=0,
        le=10,
        unit="ties / household",
        description="Weak ties each household draws to a household of an adjacent building.",
    )
    weak_weight: float = param(
        0.2, ge=0, le=1, unit="weight", description="Weight of a weak tie across buildings."
    )
    nearest_buildings: int = param(
        2,
        ge=1,
        le=20,
        unit="buildings",
        description="With map coordinates, each building is linked to this many nearest "
        "buildings of its compound (the adjacency weak ties follow).",
    )
