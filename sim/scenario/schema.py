"""Scenario schema (pydantic v2) and YAML loading with clear errors.

A scenario is plain data: the community's structure, its institutions, the meeting calendar,
dispute and trust parameters and the upgrade projects. Every field has a default, so a minimal
scenario is a few lines. Sources of defaults are labelled as in ``docs/sources.md``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from sim.messages import Msg
from sim.scenario.base import Spec, param
from sim.scenario.deliberation import Deliberation
from sim.scenario.dispute_params import Categories, Category, Disputes
from sim.scenario.institutions import (
    Grid,
    Meetings,
    OwnersCommittee,
    Party,
    PropertyFirm,
    Trust,
)
from sim.scenario.loading import apply_overrides, read_yaml, validate
from sim.scenario.projects import Project
from sim.scenario.structure import (
    MAX_BUILDINGS,
    MAX_HOUSEHOLDS,
    NAME_MAX,
    BuildingSpec,
    CompoundSpec,
    Population,
    Ties,
    plain_name,
)

__all__ = [
    "DEFAULT_SCENARIO",
    "MAX_BUILDINGS",
    "MAX_HOUSEHOLDS",
    "NAME_MAX",
    "BuildingSpec",
    "Categories",
    "Category",
    "CompoundSpec",
    "Deliberation",
    "Disputes",
    "Grid",
    "Meetings",
    "OwnersCommittee",
    "Party",
    "Population",
    "Ties",
    "Project",
    "PropertyFirm",
    "Scenario",
    "Trust",
    "load_scenario",
    "plain_name",
    "scenario_dict",
]


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
    ties: Ties = Field(default_factory=Ties)
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
                Msg("too_many_households", n=f"{households:,}", limit=f"{MAX_HOUSEHOLDS:,}")
            )
        if sum(c.count for c in compounds) > 10000:
            raise ValueError(Msg("too_many_compounds"))
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
                Msg(
                    "big_v_exceeds_party",
                    big_v=self.party.big_v,
                    n_party=n_party,
                    density=self.party.density,
                    households=self.total_households(),
                )
            )
        for i, p in enumerate(self.projects):
            bad = [c for c in p.compounds or [] if not 0 <= c < self.n_compounds()]
            if bad:
                raise ValueError(
                    Msg("project_compounds_range", i=i, bad=bad, last=self.n_compounds() - 1)
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
