"""Stage 5, votes: the caller decides whether to call a vote, owners vote, the rule decides.

The owners' committee (or the party branch where none exists) calls a vote when the expected
approving share clears the rule with a margin, or at the deadline
(:meth:`OwnersCommittee.decide_to_call`). Each owner who takes part approves with its
approval chance (signers for sure). A failed vote is recorded with its reason (no quorum, an
objection under a no-objection rule, approval short), lowers trust and retries after a cooling
period, possibly with raised ground-floor compensation (a redesign).
"""

from __future__ import annotations

import numpy as np

from sim.model.agents.owners_committee import OwnersCommittee
from sim.model.projects.state import (
    DELIBERATING,
    FAILED,
    PASSED,
    ProjectState,
    member_utility,
    shift_interest,
)
from sim.model.projects.voting import decide_many, required_share

NO_OBJECTION_RULES = ("unit_two_thirds_no_objection",)


def expected_support(
    world, st: ProjectState, p: np.ndarray, pos: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per instance: expected approving share (min of owners and area) and owner count.

    Args:
        world: the world (owners, areas).
        st: the project's state.
        p: approval chance of each member, or of the members at ``pos`` only.
        pos: member positions ``p`` is given for (default: every member); instances without
            any of them get no owners.
    """
    h, inst = (st.members, st.inst) if pos is None else (st.members[pos], st.inst[pos])
    k = len(st.scope_ids)

    def tally():
        owners = world.hh_owner[h]
        oi = inst[owners]
        area = world.hh_area[h][owners]
        return owners, oi, area, np.bincount(oi, minlength=k), np.bincount(oi, area, minlength=k)

    # Owners and their areas do not change during a run: all members' tally is kept.
    owners, oi, area, n_own, a_own = st.kept("owner_tally", tally) if pos is None else tally()
    po = np.nan_to_num(p[owners])
    share_n = np.bincount(oi, po, minlength=k) / np.maximum(n_own, 1)
    share_a = np.bincount(oi, area * po, minlength=k) / np.maximum(a_own, 1e-12)
    return np.minimum(share_n, share_a), n_own


def call_votes(model, st: ProjectState, day: int, rng, vote_rows: list) -> None:
    """Project every due instance's support; each caller decides; hold the votes called."""
    s = st.spec
    due = np.flatnonzero((st.status == DELIBERATING) & (day >= st.next_vote))
    if len(due) == 0:
        return
    w, d = model.world, model.scenario.deliberation
    p = st.approval(d.vote_slope, d.concern_weight)
    # Every instance's projection, kept until opinions change (an instance's own members only
    # enter its sums, so it is the same as projecting the due instances alone).
    projected, n_own = st.memo(
        "projection", (d.vote_slope, d.concern_weight), lambda: expected_support(w, st, p)
    )
    none = due[n_own[due] == 0]
    st.status[none] = FAILED
    st.reason[none] = "no owners"
    due = due[n_own[due] > 0]
    need = min(required_share(s.rule, s.matter) + s.vote_margin, 1.0)
    # Each compound's committee (or party branch) decides on its due instances; the rule is
    # the same for every compound, so it is applied to all due instances at once.
    called = OwnersCommittee.decide_to_call(projected[due], need, day >= st.deadline[due])
    hold_votes(model, st, due[called], p, day, rng, vote_rows)


def failure_reason(rule: str, quorum_met: bool, voted: np.ndarray, yes: np.ndarray) -> str:
    """Why a vote failed: no quorum, an objection under a no-objection rule, approval short."""
    if not quorum_met:
        return "no quorum"
    if rule in NO_OBJECTION_RULES and np.any(voted & ~yes):
        return "objection"
    return "approval short"


def ballot_draws(counts: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Uniform draws for the owners' intentions and turnout of votes held one after another.

    Vote ``k`` with ``counts[k]`` owners draws ``counts[k]`` numbers for the intentions, then as
    many for turnout, then vote ``k + 1`` draws: one call to the generator gives the same
    numbers in the same places.

    Returns:
        ``(intention draws, turnout draws)``, each with the owners of all votes in order.
    """
    total = int(counts.sum())
    u = rng.random(2 * total)
    start = np.cumsum(counts) - counts  # each vote's first owner among all owners
    rank = np.arange(total) - np.repeat(start, counts)
    first = 2 * np.repeat(start, counts) + rank
    return u[first], u[first + np.repeat(counts, counts)]


def hold_votes(model, st: ProjectState, called: np.ndarray, p, day: int, rng, vote_rows) -> None:
    """The owners of the ``called`` instances vote (in instance order); pass, retry or fail.

    Each owner approves with its approval chance ``p`` (signers for sure) and takes part with
    chance ``turnout_base`` + participation; the rule decides each vote (:func:`decide_many`).
    """
    if len(called) == 0:
        return
    s, w = st.spec, model.world
    # The owners of each called instance, instance by instance, in member order.
    sel = np.concatenate([st.by_inst[i] for i in called])
    vote = np.repeat(np.arange(len(called)), [len(st.by_inst[i]) for i in called])
    owner = w.hh_owner[st.members[sel]]
    sel, vote = sel[owner], vote[owner]
    counts = np.bincount(vote, minlength=len(called))
    h = st.members[sel]
    u_yes, u_vote = ballot_draws(counts, rng)
    yes = st.signed[sel] | (u_yes < p[sel])
    voted = u_vote < np.minimum(s.turnout_base + w.participation[h], 1.0)
    dec = decide_many(s.rule, s.matter, w.hh_area[h], voted, yes, vote, len(called))
    st.votes[called] += 1
    st.turnout[called] = np.bincount(vote, voted, minlength=len(called)) / counts
    st.support_at_vote[called] = np.bincount(vote, yes, minlength=len(called)) / counts
    ends = np.cumsum(counts)
    for k, i in enumerate(called):
        committee = model.committees[int(st.inst_compound[i])]
        committee.votes_called += 1
        passed = bool(dec.passed[k])
        a, b = ends[k] - counts[k], ends[k]
        reason = "" if passed else failure_reason(s.rule, dec.quorum_met[k], voted[a:b], yes[a:b])
        vote_rows.append(
            {
                "project": s.name,
                "type": s.type,
                "instance": int(i),
                "scope_id": int(st.scope_ids[i]),
                "compound": int(st.inst_compound[i]),
                "day": day,
                "attempt": int(st.votes[i]),
                "called_by": committee.caller,
                "rule": s.rule,
                "matter": s.matter,
                "quorum_met": bool(dec.quorum_met[k]),
                "passed": passed,
                "reason": reason,
                "area_turnout": float(dec.area_turnout[k]),
                "owner_turnout": float(dec.owner_turnout[k]),
                "area_yes": float(dec.area_yes[k]),
                "owner_yes": float(dec.owner_yes[k]),
                "compensation": float(st.compensation[i]),
            }
        )
        if passed:
            st.status[i] = PASSED
            st.passed_day[i] = day
            st.meetings_at_pass[i] = st.meetings[i]
            st.attended_at_pass[i] = st.attended[i]
            st.works_check[i] = day + s.withdraw_window_days
            st.ballots[int(i)] = (sel[a:b], voted[a:b], yes[a:b] & voted[a:b])
        else:
            vote_failed(model, st, int(i), day, reason)


def vote_failed(model, st: ProjectState, i: int, day: int, reason: str) -> None:
    """A failed vote (or a passed one undone): trust falls; retry after cooling, or fail."""
    s, w, tr = st.spec, model.world, model.scenario.trust
    everyone = st.members[st.by_inst[i]]
    w.trust[everyone] -= tr.loss_project * w.trust[everyone]
    st.reason[i] = reason
    if st.votes[i] >= s.retry.max_attempts:
        st.status[i] = FAILED
        return
    st.status[i] = DELIBERATING
    st.next_vote[i] = day + s.retry.cooling_days
    st.deadline[i] = st.next_vote[i] + s.deadline_days
    if s.retry.compensation_step > 0:
        redesign(model, st, i)


def redesign(model, st: ProjectState, i: int) -> None:
    """Raise ground-floor compensation; support moves by the change in interest."""
    st.compensation[i] += st.spec.retry.compensation_step
    shift_interest(st, st.by_inst[i], member_utility(model.world, st, i))
