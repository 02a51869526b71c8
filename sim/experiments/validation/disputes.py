"""Stylised facts on neighbour disputes and the grid's closed loop."""

from __future__ import annotations

from sim.experiments.validation.core import (
    NO_MEETINGS,
    Arm,
    Pattern,
    _fmt,
    _summary,
)

CHANGGOU = "changgou_xincun.yaml"
CHANGGOU_ARMS = {
    "default": Arm(CHANGGOU),
    "no councils, no party": Arm(CHANGGOU, (*NO_MEETINGS, "party.density=0")),
}


def _same_order(key: str, what: str, metric: str, reported: int) -> Pattern:
    """A [Changgou] count the model must reproduce within a factor of two in a year."""
    lo, hi = reported // 2 + reported % 2, 2 * reported
    return Pattern(
        key,
        "[Changgou]",
        f"{what} in a year, of the reported order ({reported})",
        f"{metric} in [{lo}, {hi}]",
        {"default": Arm(CHANGGOU)},
        _summary(metric),
        lambda a: lo <= a["default"][0] <= hi,
        lambda a: _fmt(a, "default", digits=0),
    )


DISPUTE_FACTS: list[Pattern] = [
    Pattern(
        "P4",
        "facts.md §6",
        "mediation resolves most cases that reach it",
        "share of cases reaching L1-L3 that are resolved >= 0.85 (default)",
        CHANGGOU_ARMS,
        _summary("disputes.mediation_success_of_mediated"),
        lambda a: a["default"][0] >= 0.85,
        lambda a: _fmt(a, "default", "no councils, no party"),
    ),
    Pattern(
        "P4b",
        "facts.md §6",
        "without councils and party members the share of closed cases resolved within the "
        "community falls clearly",
        "default minus no-councils-no-party >= 0.05",
        CHANGGOU_ARMS,
        _summary("disputes.share_of_closed.resolved"),
        lambda a: a["default"][0] - a["no councils, no party"][0] >= 0.05,
        lambda a: _fmt(a, "default", "no councils, no party"),
    ),
    _same_order("P5", "micro-wishes collected", "grid.wishes_collected", 126),
    _same_order("P5b", "person-visits", "grid.visits_made", 760),
    _same_order("P5c", "suggestions dispatched from the wishes", "grid.suggestions", 60),
    _same_order("P5d", "suggestions carried out", "grid.suggestions_resolved", 23),
]
