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

from sim.model.projects.state import (
    DELIBERATING,
    FAILED,
    PASSED,
    ProjectState,
    member_utility,
    shift_interest,
)
from sim.model.projects.voting import decide, required_share

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
    owners = world.hh_owner[h]
    k = len(st.scope_ids)
    oi = inst[owners]
    area = world.hh_area[h][owners]
    po = np.nan_to_num(p[owners])
    n_own = np.bincount(oi, minlength=k)
    a_own = np.bincount(oi, area, minlength=k)
    share_n = np.bincount(oi, po, minlength=k) / np.maximum(n_own, 1)
    share_a = np.bincount(oi, area * po, minlength=k) / np.maximum(a_own, 1e-12)
    return np.minimum(share_n, share_a), n_own


def call_votes(model, st: ProjectState, day: int, rng, vote_rows: list) -> None:
    """Project every due instance's support; each caller decides; hold the votes called."""
    s = st.spec
    due = np.flatnonzero((st.status == DELIBERATING) & (day >= st.next_vote))
    if len(due) == 0:
        return
    w = model.world
    owners = w.hh_owner[st.members]
    # Approval only of the due instances' members (all an instance's members, in order).
    is_due = np.zeros(len(st.scope_ids), dtype=bool)
    is_due[due] = True
    pos = np.flatnonzero(is_due[st.inst])
    d = model.scenario.deliberation
    p_due = st.approval(d.vote_slope, d.concern_weight, pos)
    projected, n_own = expected_support(w, st, p_due, pos)
    p = np.full(len(st.members), np.nan)
    p[pos] = p_due
    none = due[n_own[due] == 0]
    st.status[none] = FAILED
    st.reason[none] = "no owners"
    due = due[n_own[due] > 0]
    need = min(required_share(s.rule, s.matter) + s.vote_margin, 1.0)
    # Each compound's committee (or party branch) decides on its due instances.
    order = np.argsort(st.inst_compound[due], kind="stable")
    due = due[order]
    comp = st.inst_compound[due]
    starts = np.flatnonzero(np.r_[True, comp[1:] != comp[:-1]])
    ends = np.r_[starts[1:], len(due)]
    at_deadline = day >= st.deadline[due]
    called = np.zeros(len(due), dtype=bool)
    for a, b in zip(starts, ends, strict=True):
        committee = model.committees[int(comp[a])]
        called[a:b] = committee.decide_to_call(projected[due[a:b]], need, at_deadline[a:b])
    called_inst = np.sort(due[called])  # hold the votes in instance order
    for i in called_inst:
        committee = model.committees[int(st.inst_compound[i])]
        committee.votes_called += 1
        members = st.by_inst[i]
        sel = members[owners[members]]
        yes = st.signed[sel] | (rng.random(len(sel)) < p[sel])
        hold_vote(model, st, i, sel, yes, day, committee, rng, vote_rows)


def failure_reason(rule: str, quorum_met: bool, voted: np.ndarray, yes: np.ndarray) -> str:
    """Why a vote failed: no quorum, an objection under a no-objection rule, approval short."""
    if not quorum_met:
        return "no quorum"
    if rule in NO_OBJECTION_RULES and np.any(voted & ~yes):
        return "objection"
    return "approval short"


def hold_vote(model, st, i, sel, yes_now, day, committee, rng, vote_rows) -> None:
    """Owners of instance ``i`` (members ``sel``) vote; record it; pass, retry or fail."""
    s, w = st.spec, model.world
    h = st.members[sel]
    p = np.minimum(s.turnout_base + w.participation[h], 1.0)
    voted = rng.random(len(h)) < p
    dec = decide(s.rule, s.matter, w.hh_area[h], voted, yes_now)
    st.votes[i] += 1
    st.turnout[i] = voted.mean()
    st.support_at_vote[i] = yes_now.mean()
    reason = "" if dec.passed else failure_reason(s.rule, dec.quorum_met, voted, yes_now)
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
            "quorum_met": dec.quorum_met,
            "passed": dec.passed,
            "reason": reason,
            "area_turnout": float(dec.area_turnout),
            "owner_turnout": float(dec.owner_turnout),
            "area_yes": float(dec.area_yes),
            "owner_yes": float(dec.owner_yes),
            "compensation": float(st.compensation[i]),
        }
    )
    if dec.passed:
        st.status[i] = PASSED
        st.passed_day[i] = day
        st.meetings_at_pass[i] = st.meetings[i]
        st.attended_at_pass[i] = st.attended[i]
        st.works_check[i] = day + s.withdraw_window_days
        st.ballots[i] = (sel, voted, yes_now & voted)
        return
    vote_failed(model, st, i, day, reason)


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
