"""Stylised facts on upgrade projects (elevator retrofits, gas pipes)."""

from __future__ import annotations

from sim.experiments.validation.core import (
    NO_MEETINGS,
    Arm,
    Pattern,
    _fmt,
    _median_meetings,
    _passed_within,
)

KENING = "kening_tianyuancheng_gas.yaml"
YONGYUAN = "yongyuan41_elevator.yaml"
NO_CANVASSING = ("party.canvass_per_week=0", "party.sign_first=false")

PROJECT_FACTS: list[Pattern] = [
    Pattern(
        "P1",
        "[Kening]",
        "gas-pipe renewal: stalls for a year without councils; passes within ~3 months "
        "with weekly councils attended by the firm and officials",
        "no councils: pass within 365 d in <= 40% of seeds; weekly: within 100 d in >= 60%",
        {
            "no councils": Arm(KENING, tuple(NO_MEETINGS)),
            "weekly": Arm(KENING),
        },
        _passed_within(365),
        lambda a: a["no councils"][0] <= 0.4 and a["weekly"][0] >= 0.6,
        lambda a: _fmt(a, "no councils", "weekly"),
    ),
    Pattern(
        "P2",
        "[Yongyuan-41]",
        "all 13 elevator units pass within 2 years; without party canvassing and signing "
        "first it takes clearly more meetings or fewer units pass",
        "with party: share of units passed within 730 d >= 0.9; without: share at least 0.1 "
        "lower, or median meetings to pass at least 1.3x",
        {
            "party": Arm(YONGYUAN),
            "no canvassing": Arm(YONGYUAN, NO_CANVASSING),
            "meetings, party": Arm(YONGYUAN, (), _median_meetings),
            "meetings, no canvassing": Arm(YONGYUAN, NO_CANVASSING, _median_meetings),
        },
        _passed_within(730),
        lambda a: (
            a["party"][0] >= 0.9
            and (
                a["no canvassing"][0] <= a["party"][0] - 0.1
                or a["meetings, no canvassing"][0] >= 1.3 * a["meetings, party"][0]
            )
        ),
        lambda a: (
            _fmt(a, "party", "no canvassing")
            + "; "
            + _fmt(a, "meetings, party", "meetings, no canvassing", digits=1)
        ),
    ),
    Pattern(
        "P2m",
        "[Yongyuan-41]",
        "median meetings before a unit passes",
        "median over seeds of the per-run median in [5, 20]",
        {"party": Arm(YONGYUAN)},
        _median_meetings,
        lambda a: 5 <= a["party"][0] <= 20,
        lambda a: _fmt(a, "party", digits=1),
    ),
    Pattern(
        "P3",
        "facts.md §5",
        "elevator retrofits with no councils and no ground-floor compensation rarely pass",
        "share of units passed within 2 years < 0.2",
        {
            "no councils, no compensation": Arm(
                YONGYUAN,
                (
                    *NO_MEETINGS,
                    "projects.0.ground_compensation=0",
                    "projects.0.retry.compensation_step=0",
                ),
            )
        },
        _passed_within(730),
        lambda a: a["no councils, no compensation"][0] < 0.2,
        lambda a: _fmt(a, "no councils, no compensation"),
    ),
]
