from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.projects.voting import RULES, civil_code_decision, decide


def ballot(n, n_voted, n_yes, area=None):
    area = np.full(n, 100.0) if area is None else np.asarray(area, dtype=float)
    voted = np.arange(n) < n_voted
    yes = np.arange(n) < n_yes
    return area, voted, yes


# (matter, owners, voted, yes, quorum_met, passed)
BOUNDARIES = [
    (7, 12, 8, 6, True, True),  # turnout exactly 2/3; yes exactly 3/4 of participants
    (7, 12, 7, 6, False, False),  # turnout 7/12 < 2/3: no quorum
    (7, 12, 8, 5, True, False),  # 5/8 < 3/4
    (6, 12, 12, 9, True, True),  # exactly 3/4 of everyone
    (8, 12, 12, 8, True, False),  # 2/3 < 3/4
    (5, 12, 8, 4, True, False),  # exactly 1/2 is not "more than half"
    (5, 12, 8, 5, True, True),
    (1, 3, 2, 2, True, True),
    (9, 3, 2, 1, True, False),
    (4, 9, 6, 4, True, True),
]


@pytest.mark.parametrize(("matter", "n", "nv", "ny", "quorum", "passed"), BOUNDARIES)
def test_civil_code_boundaries(matter, n, nv, ny, quorum, passed):
    d = civil_code_decision(matter, *ballot(n, nv, ny))
    assert d.quorum_met is quorum
    assert d.passed is passed
    assert d.owner_turnout == Fraction(nv, n)
    assert d.owner_yes == Fraction(ny, nv)


def test_area_and_owner_thresholds_both_needed():
    # 3 of 4 owners approve but they hold less than 3/4 of the participating area.
    area = [10.0, 10.0, 10.0, 90.0]
    d = civil_code_decision(7, area, [True] * 4, [True, True, True, False])
    assert d.owner_yes == Fraction(3, 4)
    assert d.area_yes == Fraction(30, 120) and not d.passed


def test_exact_area_arithmetic_no_float_drift():
    # 0.1 + 0.2 style areas: exactly 2/3 of area turns out.
    area = [33.33, 33.33, 33.34, 33.33, 33.33, 33.34]
    voted = [True, True, True, True, False, False]
    d = civil_code_decision(1, area, voted, voted)
    assert d.area_turnout == Fraction(13333, 20000)
    assert d.quorum_met is False  # 133.33 / 200 < 2/3
    voted = [True, True, True, False, True, False]
    d = civil_code_decision(1, [10.1, 10.2, 10.3, 10.1, 10.3, 20.6], voted, voted)
    assert d.area_turnout == Fraction(4090, 7160)


def test_one_owner_of_several_units_counts_once():
    area = [50.0] * 4
    voted = [True, True, False, False]
    d = civil_code_decision(1, area, voted, voted, owner=[1, 1, 2, 3])
    assert d.owner_turnout == Fraction(1, 3)


def test_other_rules():
    area, voted, yes = ballot(12, 12, 8)
    assert decide("two_thirds_owners", 7, area, voted, yes).passed
    # Beijing: any objection among participants blocks
    assert not decide("unit_two_thirds_no_objection", 7, area, voted, yes).passed
    area, voted, yes = ballot(12, 8, 8)
    assert decide("unit_two_thirds_no_objection", 7, area, voted, yes).passed
    # Regulations 2018: 2/3 of TOTAL for rebuild matters
    area, voted, yes = ballot(12, 12, 7)
    assert not decide("regulations_2018", 7, area, voted, yes).passed
    area, voted, yes = ballot(12, 7, 7)
    assert not decide("regulations_2018", 7, area, voted, yes).passed
    area, voted, yes = ballot(12, 8, 8)
    assert decide("regulations_2018", 7, area, voted, yes).passed
    assert decide("civil_code_in_unit", 1, *ballot(12, 8, 6)).passed
    assert not decide("civil_code_in_unit", 1, *ballot(12, 8, 5)).passed
    with pytest.raises(ValueError):
        decide("majority", 1, *ballot(3, 3, 3))
    with pytest.raises(ValueError):
        civil_code_decision(10, *ballot(3, 3, 3))


ballots = st.integers(1, 30).flatmap(
    lambda n: st.tuples(
        st.integers(1, 9),
        st.lists(st.integers(1, 20000), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
        st.integers(0, n - 1),
        st.sampled_from(RULES),
    )
)


@settings(max_examples=300, deadline=None)
@given(ballots)
def test_a_no_turned_yes_never_turns_a_pass_into_a_fail(b):
    matter, centi, voted, yes, k, rule = b
    area = np.array(centi) / 100
    voted, yes = np.array(voted), np.array(yes) & np.array(voted)
    before = decide(rule, matter, area, voted, yes)
    if voted[k] and not yes[k]:
        yes2 = yes.copy()
        yes2[k] = True
        after = decide(rule, matter, area, voted, yes2)
        assert not (before.passed and not after.passed)


@settings(max_examples=300, deadline=None)
@given(ballots)
def test_adding_a_non_voter_never_helps_the_quorum(b):
    matter, centi, voted, yes, _, _ = b
    area = np.array(centi) / 100
    voted = np.array(voted)
    before = civil_code_decision(matter, area, voted, yes)
    after = civil_code_decision(
        matter, np.append(area, 80.0), np.append(voted, False), np.append(yes, False)
    )
    assert not (after.quorum_met and not before.quorum_met)
    assert after.owner_turnout <= before.owner_turnout
