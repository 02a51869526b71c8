"""Vectorised project stages give the numbers of the simple per-instance formulas."""

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import NeighbourhoodModel
from sim.model.projects import lifecycle
from sim.model.projects.state import WAITING
from sim.model.projects.votes import ballot_draws, expected_support
from sim.model.projects.voting import RULES, decide, decide_many
from tests.test_projects import scenario

# Several votes at once: per vote a list of (centi-area, voted, yes) owners.
owner = st.tuples(st.integers(0, 30000), st.booleans(), st.booleans())
many_votes = st.tuples(
    st.sampled_from(RULES),
    st.integers(1, 9),
    st.lists(st.lists(owner, min_size=1, max_size=25), min_size=1, max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(many_votes)
def test_decide_many_equals_decide_vote_by_vote(case):
    rule, matter, votes = case
    area = np.array([a for v in votes for a, _, _ in v]) / 100
    voted = np.array([b for v in votes for _, b, _ in v])
    yes = np.array([y for v in votes for _, _, y in v])
    vote = np.repeat(np.arange(len(votes)), [len(v) for v in votes])
    got = decide_many(rule, matter, area, voted, yes, vote, len(votes))
    for k in range(len(votes)):
        one = vote == k
        d = decide(rule, matter, area[one], voted[one], yes[one])
        assert got.quorum_met[k] == d.quorum_met and got.passed[k] == d.passed
        for name in ("area_turnout", "owner_turnout", "area_yes", "owner_yes"):
            want = float(getattr(d, name))
            assert isinstance(getattr(d, name), Fraction)
            assert getattr(got, name)[k] == want, (name, k)


def test_decide_many_on_the_exact_thresholds():
    # Vote 0: exactly 2/3 turnout and 3/4 yes (passes under art. 278 item 7); vote 1: 7 of 12
    # take part (no quorum); vote 2: exactly half approve (fails "more than half", item 5).
    counts = [12, 12, 12]
    vote = np.repeat(np.arange(3), counts)
    rank = np.concatenate([np.arange(n) for n in counts])
    voted = rank < np.repeat([8, 7, 8], counts)
    yes = rank < np.repeat([6, 6, 4], counts)
    area = np.full(len(vote), 100.0)
    d7 = decide_many("civil_code", 7, area, voted, yes, vote, 3)
    assert list(d7.quorum_met) == [True, False, True] and list(d7.passed[:2]) == [True, False]
    d5 = decide_many("civil_code", 5, area, voted, yes, vote, 3)
    assert not d5.passed[2] and d5.owner_yes[2] == 0.5


def test_ballot_draws_are_the_draws_of_votes_held_one_by_one():
    counts = np.array([3, 1, 7, 2])
    one_by_one = np.random.default_rng(5)
    want_yes, want_vote = [], []
    for n in counts:
        want_yes.append(one_by_one.random(n))
        want_vote.append(one_by_one.random(n))
    u_yes, u_vote = ballot_draws(counts, np.random.default_rng(5))
    assert np.array_equal(u_yes, np.concatenate(want_yes))
    assert np.array_equal(u_vote, np.concatenate(want_vote))
    # The generator is left where the one-by-one draws leave it.
    rng = np.random.default_rng(5)
    ballot_draws(counts, rng)
    assert rng.random() == one_by_one.random()


STAGES = (
    "open_instances",
    "lapse_subsidy",
    "start_works",
    "deliver",
    "discuss",
    "canvass",
    "diffuse_week",
    "call_votes",
)


def test_kept_approval_and_projections_equal_fresh_ones_after_every_stage(monkeypatch):
    # Redesigns, a subsidy lapse, signing first, canvassing, diffusion and ad-hoc meetings all
    # change opinions: after each stage the kept values must be what a fresh computation gives
    # (a stage that changes opinions without saying so fails here).
    sc = scenario(
        days=300,
        projects__0__deadline_days=40,
        projects__0__retry__cooling_days=20,
        projects__0__retry__max_attempts=6,
        projects__0__retry__compensation_step=10_000,
        projects__0__subsidy_deadline_day=120,
        meetings__adhoc=True,
        party__density=0.2,
        party__canvass_per_week=5,
    )
    d = sc.deliberation
    checked, projections = [], []

    def check(m, st):
        kept = st.approval(d.vote_slope, d.concern_weight)
        fresh = st.fresh_approval(d.vote_slope, d.concern_weight)
        assert np.array_equal(kept, fresh, equal_nan=True)
        started = np.flatnonzero(st.status[st.inst] != WAITING)
        if len(started):
            assert st.mean_support(d.vote_slope, d.concern_weight) == float(
                np.nanmean(fresh[started])
            )
        kept_projection = st._memo.get("projection")
        if kept_projection is not None and kept_projection[0][0] == st.version:
            proj, n_own = kept_projection[1]
            want, want_n = expected_support(m.world, st, fresh)
            assert np.array_equal(proj, want) and np.array_equal(n_own, want_n)
            projections.append(st.version)
        checked.append(st.version)

    def checked_stage(stage):
        def run_and_check(m, st, *args, **kwargs):
            out = stage(m, st, *args, **kwargs)
            check(m, st)
            return out

        return run_and_check

    for name in STAGES:
        monkeypatch.setattr(lifecycle, name, checked_stage(getattr(lifecycle, name)))
    m = NeighbourhoodModel(sc, seed=3)
    m.run()
    votes = m.projects.tables()["votes"]
    assert len(set(checked)) > 20  # opinions changed many times over the run
    assert len(projections) > 20  # and kept projections were compared
    assert (votes.compensation > 0).any() and (~votes.passed).any()  # redesigns happened
