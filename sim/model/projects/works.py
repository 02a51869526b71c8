"""Stage 6, after the vote: withdrawals, lawsuits, the works; and the subsidy window.

* **Withdrawal after signing** (facts §5: "some agree and later withdraw"): when the
  withdrawal window after a passed vote closes, each approving owner withdraws with chance
  ``withdraw_rate`` x (1 - its approval chance then); if the rule no longer holds the vote is
  undone ("withdrawal after signing") and retries like a failed vote.
* **Lawsuit** (arts. 293/296, facts §4): each floor 1-2 owner of an elevator unit who did not
  approve sues with chance ``lawsuit_rate``; a suit stalls the works ``lawsuit_days`` and
  stops them for good with chance ``lawsuit_block`` ("lawsuit (arts. 293/296)").
* **Works**: they take ``build_days`` (half again without a firm); delivered households trust
  more (design step 7).
* **Subsidy window**: on ``subsidy_deadline_day`` every instance not yet passed loses the
  subsidy; its households' interest and support move by the change ("subsidy lapsed").
"""

from __future__ import annotations

import numpy as np

from sim.model.projects.state import (
    DELIBERATING,
    FAILED,
    PASSED,
    WAITING,
    ProjectState,
    approval,
    member_utility,
    shift_interest,
)
from sim.model.projects.votes import vote_failed
from sim.model.projects.voting import decide_many


def build_days(model, spec) -> int:
    """Days the works take: the firm carries them out; without one, slower_without_firm times."""
    return int(round(spec.build_days * (1.0 if model.firm.present else spec.slower_without_firm)))


def start_works(model, st: ProjectState, day: int, rng) -> None:
    """Close the withdrawal window of passed instances; lawsuits; schedule the works."""
    due = np.flatnonzero((st.status == PASSED) & (st.works_check == day))
    if len(due) == 0:
        return
    s, w = st.spec, model.world
    p = approval(model, st)
    for i in due:
        sel, voted, yes = st.ballots.pop(int(i))
        out = yes & (rng.random(len(sel)) < s.withdraw_rate * (1.0 - p[sel]))
        st.withdrawals[i] = int(out.sum())
        if out.any():
            h = st.members[sel]
            one = np.zeros(len(sel), dtype=np.int64)  # a single vote (decide_many: no Fractions)
            if not decide_many(s.rule, s.matter, w.hh_area[h], voted, yes & ~out, one, 1).passed[0]:
                st.passed_day[i] = -1
                st.meetings_at_pass[i] = st.attended_at_pass[i] = -1
                vote_failed(model, st, int(i), day, "withdrawal after signing")
                continue
        delay = 0
        if s.type == "elevator":
            h = st.members[sel]
            ground = w.hh_floor[h] <= s.lawsuit_floors  # light and ventilation, arts. 293/296
            suers = ground & ~(yes & ~out) & (rng.random(len(sel)) < s.lawsuit_rate)
            if suers.any():
                st.sued[i] = True
                delay = s.lawsuit_days
                if rng.random() < s.lawsuit_block:
                    st.status[i] = FAILED
                    st.reason[i] = "lawsuit (arts. 293/296)"
                    continue
        st.delivery_due[i] = day + delay + build_days(model, s)


def deliver(model, st: ProjectState, day: int) -> None:
    """Finish due works; the households of a delivered project trust more (design step 7)."""
    done = np.flatnonzero((st.status == PASSED) & (st.delivered_day < 0) & (st.delivery_due <= day))
    if len(done) == 0:
        return
    st.delivered_day[done] = day
    w, gain = model.world, model.scenario.trust.gain_project
    everyone = st.members[np.concatenate([st.by_inst[i] for i in done])]
    w.trust[everyone] += gain * (1.0 - w.trust[everyone])


def lapse_subsidy(model, st: ProjectState, day: int) -> None:
    """On the subsidy deadline, instances not yet passed lose the subsidy."""
    if st.spec.subsidy_deadline_day != day:
        return
    lapsed = np.flatnonzero(np.isin(st.status, (WAITING, DELIBERATING)) & (st.subsidy > 0))
    st.subsidy[lapsed] = 0.0
    st.subsidy_lapsed[lapsed] = True
    for i in lapsed:
        if st.status[i] == DELIBERATING:
            shift_interest(st, st.by_inst[i], member_utility(model.world, st, int(i)))
