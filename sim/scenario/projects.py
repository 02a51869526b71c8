"""Scenario schema of upgrade projects (elevator retrofit, gas-pipe renewal, ...).

Kept apart from ``scenario.py`` so the project rules (``projects.py``) and the schema can be read
on their own. Defaults follow [facts §5] and [Kening].
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.messages import Msg
from sim.scenario.base import Spec, param

ProjectType = Literal["elevator", "gas_pipe", "parking", "greening", "lighting"]
Scope = Literal["unit", "building", "compound"]
RuleName = Literal[
    "civil_code",
    "civil_code_in_unit",
    "unit_two_thirds_no_objection",
    "two_thirds_owners",
    "regulations_2018",
]

# Guangzhou 2018 coefficients by floor, x area ([facts §5]); floors 1-2 pay nothing.
GUANGZHOU_FLOOR_COEFFICIENTS = {1: 0.0, 2: 0.0, 3: 0.7, 4: 0.8, 5: 0.9, 6: 1.0, 7: 1.1}

_DEFAULT_SCOPE = {
    "elevator": "unit",
    "gas_pipe": "compound",
    "parking": "compound",
    "greening": "compound",
    "lighting": "compound",
}
# Art. 278 item (facts §4): an elevator adds a structure to the building, a reconstruction of
# the building and its facilities (item 7, double-3/4 approval). Gas-pipe renewal replaces an
# existing shared facility paid (besides the gas company and subsidy) from the maintenance fund:
# item 5, use of the fund (more than half), not item 7 - nothing is rebuilt or added [Kening].
# Lighting and greening are item 5; parking changes the use of common parts (item 8).
_DEFAULT_MATTER = {"elevator": 7, "gas_pipe": 5, "parking": 8, "greening": 5, "lighting": 5}


class Retry(Spec):
    """What happens after a failed vote."""

    cooling_days: int = param(
        90, ge=1, le=3650, unit="days", description="Days before a failed vote retries."
    )
    max_attempts: int = param(3, ge=1, le=50, unit="votes", description="Votes at most.")
    compensation_step: float = param(
        0.0, ge=0, unit="CNY", description="Ground-floor compensation added after each failed vote."
    )


class Concerns(Spec):
    """Initial concerns of a project's households, each a share 0-1 drawn from a Beta law.

    A concern is held by the households it concerns: ``light`` by floors 1-2 of an elevator's
    unit, ``noise`` by floors 1-3, ``cost`` by those who pay, ``disruption`` by everyone and
    ``distrust`` (of the firm and organisers) scaled by 2 (1 - trust), capped at 1.
    """

    cost: float = param(
        0.4,
        ge=0,
        le=1,
        unit="share 0-1",
        source="[facts §5]",
        description="Mean initial worry about the cost share (who pays how much).",
    )
    light: float = param(
        0.6,
        ge=0,
        le=1,
        unit="share 0-1",
        source="[Yongyuan-41]",
        description="Mean initial worry of floors 1-2 that the shaft blocks light (elevators).",
    )
    noise: float = param(
        0.4,
        ge=0,
        le=1,
        unit="share 0-1",
        source="[facts §5]",
        description="Mean initial worry of floors 1-3 about lift noise (elevators).",
    )
    disruption: float = param(
        0.3,
        ge=0,
        le=1,
        unit="share 0-1",
        source="assumption",
        description="Mean initial worry about the works (dust, access, outages).",
    )
    distrust: float = param(
        0.3,
        ge=0,
        le=1,
        unit="share 0-1",
        source="assumption",
        description="Mean initial distrust of the firm and organisers, at trust 0.5.",
    )
    instance_cv: float = param(
        0.3,
        ge=0,
        le=3,
        unit="",
        source="assumption",
        description="Coefficient of variation of a common factor scaling all concerns of one "
        "instance (gamma, mean 1): some compounds or units are more worried than others.",
    )
    concentration: float = param(
        6.0,
        gt=0,
        le=1000,
        unit="",
        source="assumption",
        description="Beta concentration a+b of every concern (larger: less spread).",
    )


class Project(Spec):
    """An upgrade project; one instance per unit, building or compound of its scope."""

    name: str = param("project", description="Name used in outputs.")
    type: ProjectType = param("elevator", description="Kind of upgrade.")
    scope: Scope | None = param(None, description="unit / building / compound (type default).")
    compounds: list[int] | None = param(
        None, description="Compound indices it applies to (default: all)."
    )
    start_day: int = param(
        0, ge=0, unit="day", description="Day it is proposed (earliest, with wishes)."
    )
    trigger: Literal["day", "wishes"] = param(
        "day",
        source="[Changgou]",
        description="day: proposed on start_day; wishes: in a compound once grid workers have "
        "collected wishes_needed micro-wishes there.",
    )
    wishes_needed: int = param(
        50, ge=1, unit="wishes", description="Wishes that trigger a 'wishes' project."
    )
    cost: float = param(
        600_000.0,
        ge=0,
        unit="CNY",
        source="[facts §5]",
        description="Cost per instance (elevator 450-700k).",
    )
    subsidy: float = param(
        200_000.0,
        ge=0,
        unit="CNY",
        source="[facts §5]",
        description="Subsidy per instance (100-240k per elevator).",
    )
    subsidy_deadline_day: int | None = param(
        None,
        ge=0,
        unit="day",
        source="assumption",
        description="Day the subsidy window closes: instances not passed by then lose it "
        "(none: it stays open).",
    )
    cost_sharing: Literal["floor", "area", "equal"] = param(
        "floor", description="floor: coefficient x area; area: by area; equal: per household."
    )
    floor_coefficients: dict[int, float] = param(
        default_factory=lambda: dict(GUANGZHOU_FLOOR_COEFFICIENTS),
        source="[facts §5]",
        description="Cost coefficient by floor (Guangzhou 2018); floors above the last use it.",
    )
    crowdfund_share: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Share of the owners' cost raised by voluntary crowdfunding.",
    )
    benefit: float = param(
        40_000.0,
        ge=0,
        unit="CNY",
        source="[facts §5]",
        description="Value to a household (elevator: per floor climbed above the 2nd; "
        "floor 3 about breaks even, hedonic study).",
    )
    ground_floor_loss: float = param(
        25_000.0,
        ge=0,
        unit="CNY",
        source="assumption",
        description="Elevator: loss of light and quiet to floor 1 (half to floor 2).",
    )
    elderly_benefit_bonus: float = param(
        0.5,
        ge=0,
        le=10,
        unit="factor",
        source="assumption",
        description="Elevator: an elderly household values it this much more (benefit x "
        "(1 + bonus)); 60%+ of Yongyuan-41's owners are elderly [Yongyuan-41].",
    )
    ground_compensation: float = param(
        0.0, ge=0, unit="CNY", description="Compensation paid to each floor 1-2 household."
    )
    concerns: Concerns = Field(default_factory=Concerns)
    utility_scale: float = param(
        20_000.0,
        gt=0,
        unit="CNY",
        source="assumption",
        description="CNY of net value that lifts interest from 0.5 to 0.73.",
    )
    turnout_base: float = param(
        0.5,
        ge=0,
        le=1,
        unit="share 0-1",
        source="assumption",
        description="Vote turnout = turnout_base + participation (capped at 1).",
    )
    rule: RuleName | None = param(
        None, description="Decision rule (default: civil_code_in_unit for elevators)."
    )
    matter: int | None = param(
        None,
        ge=1,
        le=9,
        source="[facts §4]",
        description="Civil Code art. 278 item 1-9 (default: elevator 7, gas pipe 5).",
    )
    deadline_days: int = param(
        365,
        ge=1,
        unit="days",
        description="Days after proposal when a vote is called regardless; a deadline past the "
        "horizon leaves the instance with 'no vote before the end'.",
    )
    vote_margin: float = param(
        0.05,
        ge=0,
        le=0.5,
        unit="share 0-1",
        source="assumption",
        description="Expected approval must clear the rule by this margin to call a vote early.",
    )
    firm_early: bool = param(
        False,
        source="[Yongyuan-41]",
        description="The firm is involved early: it sits in councils and answers noise, "
        "disruption and distrust there.",
    )
    infeasible_share: float = param(
        0.0,
        ge=0,
        le=1,
        unit="share 0-1",
        source="assumption",
        description="Share of instances the survey finds technically infeasible (pipes, fire "
        "lanes); they fail at proposal.",
    )
    withdraw_window_days: int = param(
        30,
        ge=0,
        le=3650,
        unit="days",
        source="[facts §5]",
        description="Days after a passed vote during which signers may withdraw before works.",
    )
    withdraw_rate: float = param(
        0.2,
        ge=0,
        le=1,
        unit="share 0-1",
        source="[facts §5]",
        description="Chance a yes-voter withdraws, times one minus their support then.",
    )
    lawsuit_rate: float = param(
        0.02,
        ge=0,
        le=1,
        unit="share 0-1",
        source="[facts §4]",
        description="Elevator: chance each floor 1-2 owner who did not approve sues "
        "(arts. 293/296 light and ventilation).",
    )
    lawsuit_floors: int = param(
        2,
        ge=0,
        le=10,
        unit="floors",
        source="assumption",
        description="Elevator: the lowest floors whose light and ventilation the shaft blocks, "
        "whose owners may sue (arts. 293/296).",
    )
    lawsuit_days: int = param(
        180,
        ge=0,
        le=3650,
        unit="days",
        source="assumption",
        description="Days a lawsuit stalls the works.",
    )
    lawsuit_block: float = param(
        0.3,
        ge=0,
        le=1,
        unit="share 0-1",
        source="assumption",
        description="Chance a lawsuit stops the elevator for good.",
    )
    build_days: int = param(
        42,
        ge=0,
        le=3650,
        unit="days",
        description="Days the works take after the vote (with a firm).",
    )
    slower_without_firm: float = param(
        1.5,
        ge=1,
        le=10,
        unit="factor",
        source="assumption",
        description="Without a property firm the works take this many times build_days.",
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
            raise ValueError(Msg("subsidy_exceeds_cost", subsidy=self.subsidy, cost=self.cost))
        if any(k < 1 for k in self.floor_coefficients):
            raise ValueError(Msg("floor_keys"))
        return self
