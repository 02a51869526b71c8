"""Vectorised project stages give the numbers of the simple per-instance formulas."""

from fractions import Fraction

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import NeighbourhoodModel
from sim.model.projects import deliberation, lifecycle
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


def test_diffuse_in_blocks_of_rows_equals_one_block(monkeypatch):
    # Random symmetric ties with empty rows; blocks of a few ties vs all ties at once.
    rng = np.random.default_rng(11)
    n = 300
    a = sp.random(n, n, density=0.03, random_state=rng, format="lil")
    a[:5] = 0.0  # members without ties
    a[:, :5] = 0.0
    ties = (a + a.T).tocsr()
    assert ties[:5].nnz == 0 and ties.nnz > 1000
    x = rng.random(n)
    eps = np.where(rng.random(n) < 0.1, -1.0, rng.uniform(0.05, 0.6, n))
    monkeypatch.setattr(deliberation, "TIE_BLOCK", ties.nnz + 1)
    whole = deliberation.diffuse(x, ties, eps, 0.3)
    for block in (1, 7, 64):
        monkeypatch.setattr(deliberation, "TIE_BLOCK", block)
        assert np.array_equal(deliberation.diffuse(x, ties, eps, 0.3), whole)
    # And the simple formula: move towards the weighted mean of neighbours within the bound.
    dense = ties.toarray()
    within = (np.abs(x[None, :] - x[:, None]) <= eps[:, None]) & (dense > 0)
    wsum = (dense * within).sum(axis=1)
    mean = np.divide((dense * within) @ x, wsum, out=x.copy(), where=wsum > 0)
    assert np.allclose(whole, x + 0.3 * (mean - x), rtol=0, atol=1e-12)
    assert not np.allclose(whole, x)  # opinions did move
    # At rate 0 the products are skipped: exactly the formula's numbers, and a new array.
    still = deliberation.diffuse(x, ties, eps, 0.0)
    assert np.array_equal(still, x + 0.0 * (mean - x)) and still is not x
