"""Institutions of a scenario: trust, party, grids, firm, owners' committees, meetings."""

from __future__ import annotations

from typing import Literal

from sim.scenario.base import Spec, param


class Trust(Spec):
    """Trust in community organisations (0-1) and its feedback."""

    initial_mean: float = param(
        0.5, ge=0, le=1, unit="share 0-1", description="Mean initial trust."
    )
    initial_sd: float = param(
        0.15, ge=0, le=1, unit="share 0-1", description="Spread of initial trust."
    )
    gain_resolved: float = param(
        0.15,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Resolved dispute: trust += gain * (1 - trust) for both parties.",
    )
    loss_failed: float = param(
        0.25,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Dispute expired or referred outside: trust -= loss * trust.",
    )
    gain_project: float = param(
        0.1,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Delivered project: trust += gain * (1 - trust) in scope.",
    )
    loss_project: float = param(
        0.05,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Failed vote: trust -= loss * trust in scope.",
    )


class Party(Spec):
    """Party members (党员): density, roles and influence [Kening], [Aoyuan], [Yongyuan-41]."""

    density: float = param(
        0.08,
        ge=0,
        le=1,
        unit="share of households",
        source="[Yongyuan-41]",
        description="Share of households with a party member.",
    )
    big_v: int = param(
        1,
        ge=0,
        unit="members",
        source="[Kening]",
        description="Highly influential 'big V' members.",
    )
    building_leader_share: float = param(
        0.5,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Share of other party members serving as building leaders.",
    )
    influence: float = param(
        1.5, ge=0, le=20, unit="weight", description="Influence weight of a party member."
    )
    big_v_influence: float = param(
        4.0, ge=0, le=50, unit="weight", description="Influence weight of a big-V member."
    )
    mediation_skill: float = param(
        0.6, ge=0, le=1, unit="share 0-1", description="Mediation skill of members."
    )
    member_participation: float = param(
        0.8,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Party members' participation propensity is at least this.",
    )
    canvass_per_week: int = param(
        5,
        ge=0,
        le=200,
        unit="households / week",
        description="Households a member visits a week for a project.",
    )
    sign_first: bool = param(
        True, source="[Yongyuan-41]", description="Members sign project agreements first."
    )
    branch_min_members: int = param(
        3,
        ge=1,
        le=100,
        unit="members",
        source="[Fugu]",
        description="Party members a grid needs for its own party branch (a branch needs three "
        "full members); [Aoyuan] has 8 branches for 15 grids.",
    )
    branch_strength: float = param(
        0.5,
        ge=0,
        le=10,
        unit="factor",
        source="[Aoyuan]",
        description="A grid branch mediates at L1 in buildings without their own mediator, "
        "with this share of a member's influence.",
    )
    l1_mediator: Literal["strongest", "nearest", "pooled"] = param(
        "strongest",
        description="Building mediation (L1) by the building's strongest mediator, the one in "
        "the parties' own unit (else the strongest), or all of them pooled (sum of influence).",
    )
    council_weight: float = param(
        1.0,
        ge=0,
        le=10,
        unit="strength",
        description="Council strength added per unit party share of its attendees (scale-free: "
        "large and small councils alike).",
    )
    big_v_council_weight: float = param(
        0.5,
        ge=0,
        le=10,
        unit="strength",
        source="[Kening]",
        description="Council strength added when a big-V member attends.",
    )


class Grid(Spec):
    """Grid workers (网格员) and their closed loop [Changgou]."""

    households_per_worker: int = param(
        300,
        ge=1,
        le=100000,
        unit="households",
        source="[Aoyuan]",
        description="Households a grid (and its worker) covers.",
    )
    visits_per_week: int = param(
        40,
        ge=0,
        le=1000,
        unit="households / week",
        source="[Changgou]",
        description="Households a worker visits a week.",
    )
    wish_rate: float = param(
        0.6,
        ge=0,
        le=20,
        unit="1 / household / year",
        source="[Changgou]",
        description="Micro-wishes a household forms a year (collected on visits).",
    )
    suggestion_share: float = param(
        0.5,
        ge=0,
        le=1,
        unit="share 0-1",
        source="[Changgou]",
        description="Share of collected wishes dispatched as suggestions to joint meetings.",
    )
    suggestion_success: float = param(
        0.45,
        ge=0,
        le=1,
        unit="share 0-1",
        source="[Changgou]",
        description="Chance a suggestion taken up is carried out, times "
        "(suggestion_quality_base + firm quality).",
    )
    suggestion_quality_base: float = param(
        0.5,
        ge=0,
        le=2,
        unit="factor",
        description="Suggestion success factor without any firm service quality.",
    )


class PropertyFirm(Spec):
    """Property firm (物业) [Xi'an], [Xuanwu]."""

    kind: Literal["none", "private", "state_owned"] = param(
        "private",
        source="[Xi'an]",
        description="none ('three-no' compound), private or state_owned.",
    )
    service_quality: float = param(
        0.6, ge=0, le=1, unit="share 0-1", description="Service quality."
    )
    repair_capacity: float = param(
        5.0,
        ge=0,
        le=10000,
        unit="cases / week",
        description="Property cases the firm can repair a week (per compound).",
    )
    repair_success: float = param(
        1.0,
        ge=0,
        le=1,
        unit="share 0-1",
        description="Success scale of a repair (times service quality); repairs do not entrench.",
    )
    cross_appointment: bool = param(
        False,
        source="[Xuanwu]",
        description="Community secretary and firm manager sit on each other's boards.",
    )
    no_service_rate_factor: float = param(
        1.5,
        ge=1,
        le=5,
        unit="factor",
        source="[Xi'an]",
        description="Property-case rates are multiplied by (this - service quality); no firm: "
        "quality 0.",
    )
    council_weight: float = param(
        0.5,
        ge=0,
        le=10,
        unit="strength factor",
        source="[Kening]",
        description="A council's strength on property cases is x (1 + this x quality) when "
        "officials and the firm attend.",
    )
    joint_weight: float = param(
        1.0,
        ge=0,
        le=10,
        unit="strength factor",
        source="[Xuanwu]",
        description="A community meeting's strength on property cases is x (1 + this x quality).",
    )
    cross_appointment_weight: float = param(
        0.3,
        ge=0,
        le=10,
        unit="strength",
        source="[Xuanwu]",
        description="Strength a cross-appointment adds to community meetings.",
    )


class OwnersCommittee(Spec):
    """Owners' committee (业委会)."""

    exists: bool = param(True, description="Whether compounds have an owners' committee.")
    legitimacy: float = param(
        0.6, ge=0, le=1, unit="share 0-1", description="Owners' trust in the committee."
    )
    meeting_weight: float = param(
        0.3,
        ge=0,
        le=10,
        unit="strength",
        source="[Aoyuan]",
        description="Strength a committee adds to community meetings, times its legitimacy.",
    )


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
        5,
        ge=0,
        le=1000,
        unit="cases / meeting",
        description="Cases any council can take up (base), plus agenda_per_1000 per 1,000 "
        "households of its compound.",
    )
    agenda_per_1000: float = param(
        10.0,
        ge=0,
        le=1000,
        unit="cases / meeting / 1,000 households",
        description="Council capacity that grows with the compound it serves (a larger council "
        "has more members and sub-groups to hear cases).",
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
        5,
        ge=0,
        le=1000,
        unit="cases / meeting",
        description="Cases a joint meeting takes up (base), plus joint_agenda_per_1000 per "
        "1,000 households of its community.",
    )
    joint_agenda_per_1000: float = param(
        5.0,
        ge=0,
        le=1000,
        unit="cases / meeting / 1,000 households",
        description="Joint-meeting capacity that grows with the community it serves.",
    )
    agenda_rule: Literal["oldest_first", "most_tractable_first", "random"] = param(
        "oldest_first",
        description="Which waiting cases a meeting hears first: in order of registration "
        "(default, see ODD), the least difficult, or at random.",
    )
    community_size: int = param(
        20,
        ge=1,
        le=10000,
        unit="compounds",
        source="[Kening]",
        description="Compounds per community when compounds do not name their community.",
    )
    adhoc: bool = param(
        True, source="[Xuanwu]", description="One-issue ad-hoc meetings (一事一议) when needed."
    )
    adhoc_after_days: int = param(
        7,
        ge=1,
        le=365,
        unit="days",
        description="Days a case waits at community level before an ad-hoc meeting, and days "
        "between two ad-hoc meetings of one body.",
    )
    adhoc_cases: int = param(
        1,
        ge=1,
        le=100,
        unit="cases / meeting",
        source="[Xuanwu]",
        description="Cases an ad-hoc (one-issue) meeting of a community hears.",
    )
    officials_attend: bool = param(
        True,
        source="[Kening]",
        description="Officials and the firm attend councils and answer concerns.",
    )
    attendance_trust_base: float = param(
        0.5,
        ge=0,
        le=2,
        unit="factor",
        description="Attendance chance = participation x (this + trust) x the meeting's scale.",
    )
    council_attendance: float = param(
        0.25,
        ge=0,
        le=1,
        unit="factor",
        description="Attendance scale of ordinary residents at a council (party members: 1).",
    )
    joint_attendance: float = param(
        0.05,
        ge=0,
        le=1,
        unit="factor",
        description="Attendance scale of ordinary residents at a joint meeting (representative).",
    )
    adhoc_attendance: float = param(
        0.05,
        ge=0,
        le=1,
        unit="factor",
        description="Attendance scale of ordinary residents at an ad-hoc meeting.",
    )
