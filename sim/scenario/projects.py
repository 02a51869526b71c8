"""Scenario schema of upgrade projects (elevator retrofit, gas-pipe renewal, ...).

Kept apart from ``scenario.py`` so the project rules (``projects.py``) and the schema can be read
on their own. Defaults follow ``facts.md`` section 5 and [Kening].
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.base import Spec

ProjectType = Literal["elevator", "gas_pipe", "parking", "greening", "lighting"]
Scope = Literal["unit", "building", "compound"]
RuleName = Literal[
    "civil_code",
    "civil_code_in_unit",
    "unit_two_thirds_no_objection",
    "two_thirds_owners",
    "regulations_2018",
]

# Guangzhou 2018 coefficients by floor, x area (facts.md section 5); floors 1-2 pay nothing.
GUANGZHOU_FLOOR_COEFFICIENTS = {1: 0.0, 2: 0.0, 3: 0.7, 4: 0.8, 5: 0.9, 6: 1.0, 7: 1.1}

_DEFAULT_SCOPE = {
    "elevator": "unit",
    "gas_pipe": "compound",
    "parking": "compound",
    "greening": "compound",
    "lighting": "compound",
}
# Art. 278 item: elevators and gas pipes use the maintenance fund / rebuild facilities (items
# 5-7); an elevator is a reconstruction (item 7, 3/4 rule); lighting and greening item 5 (use of
# the fund, simple majority); parking changes the use of common parts (item 8).
_DEFAULT_MATTER = {"elevator": 7, "gas_pipe": 7, "parking": 8, "greening": 5, "lighting": 5}


class Retry(Spec):
    """What happens after a failed vote."""

    cooling_days: int = Field(90, ge=1, le=3650, description="Days before a failed vote retries.")
    max_attempts: int = Field(3, ge=1, le=50, description="Votes at most.")
    compensation_step: float = Field(
        0.0, ge=0, description="Ground-floor compensation added after each failed vote (CNY)."
    )


class Project(Spec):
    """An upgrade project; one instance per unit, building or compound of its scope."""

    name: str = Field("project", description="Name used in outputs.")
    type: ProjectType = Field("elevator", description="Kind of upgrade.")
    scope: Scope | None = Field(None, description="unit / building / compound (type default).")
    compounds: list[int] | None = Field(
        None, description="Compound indices it applies to (default: all)."
    )
    start_day: int = Field(0, ge=0, description="Day it is proposed (earliest, with wishes).")
    trigger: Literal["day", "wishes"] = Field(
        "day",
        description="day: proposed on start_day; wishes: in a compound once grid workers have "
        "collected wishes_needed micro-wishes there [Changgou].",
    )
    wishes_needed: int = Field(50, ge=1, description="Wishes that trigger a 'wishes' project.")
    cost: float = Field(
        600_000.0, ge=0, description="Cost per instance, CNY (elevator 450-700k (facts.md §5))."
    )
    subsidy: float = Field(
        200_000.0, ge=0, description="Subsidy per instance, CNY (100-240k (facts.md §5))."
    )
    cost_sharing: Literal["floor", "area", "equal"] = Field(
        "floor", description="floor: coefficient x area; area: by area; equal: per household."
    )
    floor_coefficients: dict[int, float] = Field(
        default_factory=lambda: dict(GUANGZHOU_FLOOR_COEFFICIENTS),
        description="Cost coefficient by floor (Guangzhou 2018); floors above the last use it.",
    )
    crowdfund_share: float = Field(
        0.0, ge=0, le=1, description="Share of the owners' cost raised by voluntary crowdfunding."
    )
    benefit: float = Field(
        40_000.0,
        ge=0,
        description="Value to a household, CNY (elevator: per floor climbed above the 2nd; "
        "calibrated so floor 3 about breaks even, facts.md §5 hedonic study).",
    )
    ground_floor_loss: float = Field(
        25_000.0, ge=0, description="Elevator: loss of light and quiet to floors 1-2, CNY."
    )
    ground_compensation: float = Field(
        0.0, ge=0, description="Compensation paid to each floor 1-2 household, CNY."
    )
    concern: float = Field(
        0.3, ge=0, le=1, description="Initial uncertainty that lowers support until answered."
    )
    utility_scale: float = Field(
        20_000.0, gt=0, description="CNY of net value that lifts support from 0.5 to 0.73."
    )
    turnout_base: float = Field(
        0.5, ge=0, le=1, description="Vote turnout = turnout_base + participation (capped at 1)."
    )
    rule: RuleName | None = Field(
        None, description="Decision rule (default: civil_code_in_unit for elevators)."
    )
    matter: int | None = Field(None, ge=1, le=9, description="Civil Code art. 278 item 1-9.")
    deadline_days: int = Field(
        365, ge=1, description="Days after proposal when a vote is called regardless."
    )
    vote_margin: float = Field(
        0.05, ge=0, le=0.5, description="Projected support must clear the rule by this margin."
    )
    build_days: int = Field(
        42, ge=0, le=3650, description="Days the works take after the vote (with a firm)."
    )
    retry: Retry = Field(default_factory=Retry)

    @model_validator(mode="after")
    def _defaults(self) -> Project:
        if self.scope is None:
            self.scope = _DEFAULT_SCOPE[self.type]
        if self.matter is None:
            self.matter = _DEFAULT_MATTER[self.type]
        if self.rule is None:
            self.rule = "civil_code_in_unit" if self.type == "elevator" else "civil_code"
        if self.subsidy > self.cost:
            raise ValueError(f"subsidy {self.subsidy} exceeds cost {self.cost}; lower subsidy")
        if any(k < 1 for k in self.floor_coefficients):
            raise ValueError("floor_coefficients keys are floors numbered from 1")
        return self
