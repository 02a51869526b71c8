"""Stage 5, votes: the caller decides whether to call a vote, owners vote, the rule decides.

The owners' committee (or the party branch where none exists) calls a vote when projected
support clears the rule with a margin, or at the deadline
(:meth:`OwnersCommittee.decide_to_call`). A failed vote lowers trust and retries after a
cooling period, possibly with raised ground-floor compensation (a redesign).
"""

from __future__ import annotations

import numpy as np

from sim.model.projects.state import DELIBERATING, FAILED, PASSED, ProjectState, member_utility
from sim.model.projects.utility import support_from_utility
from sim.model.projects.voting import decide, required_share


def projected_support(world, st: ProjectState, yes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per instance: projected approving share (min of owners and area) and owner count."""
    owners = world.hh_owner[st.members]
    k = len(st.scope_ids)
    oi = st.inst[owners]
    area = world.hh_area[st.members][owners]
    n_own = np.bincount(oi, minlength=k)
    a_own = np.bincount(oi, area, minlength=k)
    share_n = np.bincount(oi, yes[owners], minlength=k) / np.maximum(n_own, 1)
    share_a = np.bincount(oi, area * yes[owners], minlength=k) / np.maximum(a_own, 1e-12)
    return np.minimum(share_n, share_a), n_own


def would_vote_yes(model, st: ProjectState) -> np.ndarray:
    """Each member's vote if asked today."""
    yes = st.effective() > 0.5
    if model.scenario.party.sign_first:
        yes |= model.world.party[st.members]
    return yes


def call_votes(model, st: ProjectState, day: int, rng, vote_rows: list) -> None:
    """Project every due instance's support; each caller decides; hold the votes called."""
    s = st.spec
    due = np.flatnonzero((st.status == DELIBERATING) & (day >= st.next_vote))
    if len(due) == 0:
        return
    w = model.world
    owners = w.hh_owner[st.members]
    yes = would_vote_yes(model, st)
    projected, n_own = projected_support(w, st, yes)
    st.status[due[n_own[due] == 0]] = FAILED
    due = due[n_own[due] > 0]
    need = min(required_share(s.rule, s.matter) + s.vote_margin, 1.0)
    called = np.zeros(len(due), dtype=bool)
    comp = st.inst_compound[due]
    for c in np.unique(comp):
        here = comp == c
        committee = model.committees[int(c)]
        called[here] = committee.decide_to_call(
            projected[due[here]], need, day >= st.deadline[due[here]]
        )
    for i in due[called]:
        committee = model.committees[int(st.inst_compound[i])]
        committee.votes_called += 1
        members = st.by_inst[i]
        sel = members[owners[members]]
        hold_vote(model, st, i, sel, yes[sel], day, committee, rng, vote_rows)


def hold_vote(model, st, i, sel, yes_now, day, committee, rng, vote_rows) -> None:
    """Owners of instance ``i`` (members ``sel``) vote; record it; pass, retry or fail."""
    s, w, tr = st.spec, model.world, model.scenario.trust
    h = st.members[sel]
    p = np.minimum(s.turnout_base + w.participation[h], 1.0)
    voted = rng.random(len(h)) < p
    dec = decide(s.rule, s.matter, w.hh_area[h], voted, yes_now)
    st.votes[i] += 1
    st.turnout[i] = voted.mean()
    st.support_at_vote[i] = yes_now.mean()
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
            "area_turnout": float(dec.area_turnout),
            "owner_turnout": float(dec.owner_turnout),
            "area_yes": float(dec.area_yes),
            "owner_yes": float(dec.owner_yes),
            "compensation": float(st.compensation[i]),
        }
    )
    everyone = st.members[st.by_inst[i]]
    if dec.passed:
        st.status[i] = PASSED
        st.passed_day[i] = day
        st.meetings_at_pass[i] = st.meetings[i]
        st.delivery_due[i] = day + build_days(model, s)
        return
    w.trust[everyone] -= tr.loss_project * w.trust[everyone]
    if st.votes[i] >= s.retry.max_attempts:
        st.status[i] = FAILED
        return
    st.next_vote[i] = day + s.retry.cooling_days
    st.deadline[i] = st.next_vote[i] + s.deadline_days
    if s.retry.compensation_step > 0:
        redesign(model, st, i)


def redesign(model, st: ProjectState, i: int) -> None:
    """Raise ground-floor compensation; support moves by the change in interest."""
    sel = st.by_inst[i]
    old = support_from_utility(st.net[sel], st.spec.utility_scale)
    st.compensation[i] += st.spec.retry.compensation_step
    st.net[sel] = member_utility(model.world, st, i)
    new = support_from_utility(st.net[sel], st.spec.utility_scale)
    st.x[sel] = np.clip(st.x[sel] + new - old, 0.0, 1.0)
    st.interest[sel] = np.clip(st.interest[sel] + new - old, 0.0, 1.0)


def build_days(model, spec) -> int:
    """Days the works take: the firm carries them out; without one they take half again."""
    return int(round(spec.build_days * (1.0 if model.firm.present else 1.5)))


def deliver(model, st: ProjectState, day: int) -> None:
    """Finish due works; the households of a delivered project trust more (design step 7)."""
    done = np.flatnonzero((st.status == PASSED) & (st.delivered_day < 0) & (st.delivery_due <= day))
    if len(done) == 0:
        return
    st.delivered_day[done] = day
    w, gain = model.world, model.scenario.trust.gain_project
    everyone = st.members[np.concatenate([st.by_inst[i] for i in done])]
    w.trust[everyone] += gain * (1.0 - w.trust[everyone])
