"""Owners' vote rules: PRC Civil Code art. 278 and the unit-level elevator rules.

Arithmetic is exact: areas are counted in integer hundredths of a square metre and every
threshold is compared by cross-multiplying integers, so "exactly 2/3" and "exactly 3/4" land on
the right side. Art. 1259: "以上" includes the number itself (>=); "过半数" is strictly more than
half (>) ([facts §4]).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

# Art. 278 items (6) raise the fund, (7) rebuild, (8) change use of common parts need 3/4.
SUPERMAJORITY_MATTERS = frozenset({6, 7, 8})
RULES = (
    "civil_code",
    "civil_code_in_unit",
    "unit_two_thirds_no_objection",
    "two_thirds_owners",
    "regulations_2018",
)


@dataclass(frozen=True)
class Decision:
    """Outcome of an owners' vote with its four shares as exact fractions.

    ``area_turnout`` and ``owner_turnout`` are shares of all area and owners that took part;
    ``area_yes`` and ``owner_yes`` are shares of the participating area and owners that approved
    (for rules that count approval against the total, the total is the base; see ``base``).
    """

    rule: str
    matter: int
    quorum_met: bool
    passed: bool
    area_turnout: Fraction
    owner_turnout: Fraction
    area_yes: Fraction
    owner_yes: Fraction
    base: str = "participating"


def _counts(area, voted, yes, owner=None) -> Tally:
    area = np.asarray(area, dtype=float)
    voted = np.asarray(voted, dtype=bool)
    yes = np.asarray(yes, dtype=bool) & voted
    if not (area.shape == voted.shape == yes.shape) or area.ndim != 1:
        raise ValueError("area, voted and yes must be 1-d arrays of one length")
    if (area < 0).any():
        raise ValueError("areas must be non-negative")
    centi = np.rint(area * 100).astype(np.int64)
    if owner is None:
        # One exclusive unit counts as one owner (SPC interpretation, art. 9).
        n_owners, n_voted, n_yes = len(area), int(voted.sum()), int(yes.sum())
    else:
        # A buyer of several units counts once; they vote as one.
        owner = np.asarray(owner)
        n_owners = len(np.unique(owner))
        n_voted = len(np.unique(owner[voted]))
        n_yes = len(np.unique(owner[yes]))
    return Tally(
        int(centi.sum()), int(centi[voted].sum()), int(centi[yes].sum()), n_owners, n_voted, n_yes
    )


@dataclass(frozen=True)
class Tally:
    """Counted area (hundredths of m2) and owners: in all, taking part, approving."""

    a_tot: int
    a_vot: int
    a_yes: int
    n_tot: int
    n_vot: int
    n_yes: int

    def decision(
        self, rule: str, matter: int, quorum: bool, approve: bool, base: str = "participating"
    ) -> Decision:
        """The decision with its four shares; approval shares are of ``base``."""
        a_base, n_base = (
            (self.a_vot, self.n_vot) if base == "participating" else (self.a_tot, self.n_tot)
        )
        return Decision(
            rule,
            int(matter),
            quorum,
            quorum and approve,
            _frac(self.a_vot, self.a_tot),
            _frac(self.n_vot, self.n_tot),
            _frac(self.a_yes, a_base),
            _frac(self.n_yes, n_base),
            base,
        )


def _frac(a: int, b: int) -> Fraction:
    return Fraction(a, b) if b else Fraction(0)


def _at_least(part: int, whole: int, num: int, den: int) -> bool:
    """Part / whole >= num / den, exactly (an empty whole never qualifies)."""
    return whole > 0 and part * den >= num * whole


def _more_than(part: int, whole: int, num: int, den: int) -> bool:
    """Part / whole > num / den, exactly."""
    return whole > 0 and part * den > num * whole


def civil_code_decision(matter: int, area, voted, yes, owner=None) -> Decision:
    """Decide an owners' vote under PRC Civil Code art. 278 ([facts §4]).

    Quorum (all matters): owners holding >= 2/3 of the exclusive area AND >= 2/3 of the owners
    take part. Items 6-8 pass with >= 3/4 of the participating area AND owners; all other items
    with more than half of the participating area AND owners.

    Args:
        matter: art. 278 item number 1-9.
        area: exclusive area (m2) of each unit, from the property register.
        voted: whether each unit's owner took part.
        yes: whether each unit's owner approved (ignored where ``voted`` is false).
        owner: optional owner id per unit; a buyer of several units counts once.

    Returns:
        The decision with ``quorum_met``, ``passed`` and the four shares.
    """
    if not 1 <= int(matter) <= 9:
        raise ValueError(f"matter must be an art. 278 item 1-9, got {matter}")
    t = _counts(area, voted, yes, owner)
    quorum = _at_least(t.a_vot, t.a_tot, 2, 3) and _at_least(t.n_vot, t.n_tot, 2, 3)
    if int(matter) in SUPERMAJORITY_MATTERS:
        approve = _at_least(t.a_yes, t.a_vot, 3, 4) and _at_least(t.n_yes, t.n_vot, 3, 4)
    else:
        approve = _more_than(t.a_yes, t.a_vot, 1, 2) and _more_than(t.n_yes, t.n_vot, 1, 2)
    return t.decision("civil_code", matter, quorum, approve)


def regulations_2018_decision(matter: int, area, voted, yes, owner=None) -> Decision:
    """Pre-Civil-Code counterfactual (Property Management Regulations 2018) ([facts §4]).

    Quorum: more than half of the area and of the owners. Fund and rebuilding matters (items
    5-7) need >= 2/3 of the TOTAL area and owners; other matters more than half of the TOTAL.
    """
    t = _counts(area, voted, yes, owner)
    quorum = _more_than(t.a_vot, t.a_tot, 1, 2) and _more_than(t.n_vot, t.n_tot, 1, 2)
    if int(matter) in (5, 6, 7):
        approve = _at_least(t.a_yes, t.a_tot, 2, 3) and _at_least(t.n_yes, t.n_tot, 2, 3)
    else:
        approve = _more_than(t.a_yes, t.a_tot, 1, 2) and _more_than(t.n_yes, t.n_tot, 1, 2)
    return t.decision("regulations_2018", matter, quorum, approve, base="total")


def unit_two_thirds_no_objection(area, voted, yes, owner=None) -> Decision:
    """Beijing 2020 elevator rule ([facts §5]).

    At least 2/3 of the unit's area and owners approve, and no owner who took part objects.
    """
    t = _counts(area, voted, yes, owner)
    objection = t.n_vot > t.n_yes
    approve = _at_least(t.a_yes, t.a_tot, 2, 3) and _at_least(t.n_yes, t.n_tot, 2, 3)
    return t.decision("unit_two_thirds_no_objection", 7, True, approve and not objection, "total")


def two_thirds_owners(area, voted, yes, owner=None) -> Decision:
    """Guangzhou / Shenzhen 2018 elevator rule: >= 2/3 of the unit's owners ([facts §5])."""
    t = _counts(area, voted, yes, owner)
    return t.decision("two_thirds_owners", 7, True, _at_least(t.n_yes, t.n_tot, 2, 3), "total")


def decide(rule: str, matter: int, area, voted, yes, owner=None) -> Decision:
    """Apply a decision rule by name (see :data:`RULES`).

    ``civil_code_in_unit`` (Shanghai 2021, Wuhan 2024) applies the Civil Code double-2/3
    turnout and double-3/4 approval inside the unit ([facts §5]).
    """
    if rule == "civil_code":
        return civil_code_decision(matter, area, voted, yes, owner)
    if rule == "civil_code_in_unit":
        return replace(civil_code_decision(7, area, voted, yes, owner), rule=rule)
    if rule == "regulations_2018":
        return regulations_2018_decision(matter, area, voted, yes, owner)
    if rule == "unit_two_thirds_no_objection":
        return unit_two_thirds_no_objection(area, voted, yes, owner)
    if rule == "two_thirds_owners":
        return two_thirds_owners(area, voted, yes, owner)
    raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")


def required_share(rule: str, matter: int) -> float:
    """Approval share a rule needs (of participants or of the total), for projecting support."""
    if rule in ("civil_code", "civil_code_in_unit"):
        return 0.75 if (rule == "civil_code_in_unit" or matter in SUPERMAJORITY_MATTERS) else 0.5
    if rule == "regulations_2018":
        return 2 / 3 if matter in (5, 6, 7) else 0.5
    if rule == "unit_two_thirds_no_objection":
        return 1.0
    return 2 / 3


@dataclass(frozen=True)
class Decisions:
    """Outcomes of many owners' votes at once, one entry per vote (see :class:`Decision`).

    The shares are floats: each equals ``float()`` of the exact fraction :func:`decide` gives.
    """

    quorum_met: np.ndarray
    passed: np.ndarray
    area_turnout: np.ndarray
    owner_turnout: np.ndarray
    area_yes: np.ndarray
    owner_yes: np.ndarray


def _at_least_v(part, whole, num: int, den: int) -> np.ndarray:
    """:func:`_at_least` element-wise on int64 arrays."""
    return (whole > 0) & (part * den >= num * whole)


def _more_than_v(part, whole, num: int, den: int) -> np.ndarray:
    """:func:`_more_than` element-wise on int64 arrays."""
    return (whole > 0) & (part * den > num * whole)


def _share_v(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """``part / whole`` as floats, 0 where ``whole`` is 0 (as :func:`_frac`)."""
    return np.divide(part, whole, out=np.zeros(len(whole)), where=whole > 0)


def decide_many(rule: str, matter: int, area, voted, yes, vote: np.ndarray, n_votes: int):
    """:func:`decide` for many votes at once, one owner per unit (``owner=None``).

    Every unit belongs to one vote (``vote``: index 0..``n_votes``-1); each vote is decided
    by the rule exactly as :func:`decide` would decide it alone (integer hundredths of m2,
    cross-multiplied integer thresholds).

    Args:
        rule: a rule of :data:`RULES`.
        matter: art. 278 item number 1-9.
        area: exclusive area (m2) of each unit.
        voted: whether each unit's owner took part.
        yes: whether each unit's owner approved (ignored where ``voted`` is false).
        vote: the vote each unit belongs to.
        n_votes: number of votes.

    Returns:
        The :class:`Decisions`, one entry per vote.
    """
    if not 1 <= int(matter) <= 9:
        raise ValueError(f"matter must be an art. 278 item 1-9, got {matter}")
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    area = np.asarray(area, dtype=float)
    voted = np.asarray(voted, dtype=bool)
    yes = np.asarray(yes, dtype=bool) & voted
    if (area < 0).any():
        raise ValueError("areas must be non-negative")
    centi = np.rint(area * 100).astype(np.int64)

    def total(weights):
        return np.bincount(vote, weights, minlength=n_votes).astype(np.int64)

    # Sums of integers below 2**53 are exact in float64, so these are the exact tallies.
    a_tot, a_vot, a_yes = total(centi), total(centi * voted), total(centi * yes)
    n_tot = np.bincount(vote, minlength=n_votes).astype(np.int64)
    n_vot, n_yes = total(voted), total(yes)
    base_total = rule not in ("civil_code", "civil_code_in_unit")
    if rule in ("civil_code", "civil_code_in_unit"):
        quorum = _at_least_v(a_vot, a_tot, 2, 3) & _at_least_v(n_vot, n_tot, 2, 3)
        if rule == "civil_code_in_unit" or int(matter) in SUPERMAJORITY_MATTERS:
            approve = _at_least_v(a_yes, a_vot, 3, 4) & _at_least_v(n_yes, n_vot, 3, 4)
        else:
            approve = _more_than_v(a_yes, a_vot, 1, 2) & _more_than_v(n_yes, n_vot, 1, 2)
    elif rule == "regulations_2018":
        quorum = _more_than_v(a_vot, a_tot, 1, 2) & _more_than_v(n_vot, n_tot, 1, 2)
        if int(matter) in (5, 6, 7):
            approve = _at_least_v(a_yes, a_tot, 2, 3) & _at_least_v(n_yes, n_tot, 2, 3)
        else:
            approve = _more_than_v(a_yes, a_tot, 1, 2) & _more_than_v(n_yes, n_tot, 1, 2)
    elif rule == "unit_two_thirds_no_objection":
        quorum = np.ones(n_votes, dtype=bool)
        approve = _at_least_v(a_yes, a_tot, 2, 3) & _at_least_v(n_yes, n_tot, 2, 3)
        approve &= ~(n_vot > n_yes)
    else:  # two_thirds_owners
        quorum = np.ones(n_votes, dtype=bool)
        approve = _at_least_v(n_yes, n_tot, 2, 3)
    a_base, n_base = (a_tot, n_tot) if base_total else (a_vot, n_vot)
    return Decisions(
        quorum,
        quorum & approve,
        _share_v(a_vot, a_tot),
        _share_v(n_vot, n_tot),
        _share_v(a_yes, a_base),
        _share_v(n_yes, n_base),
    )
