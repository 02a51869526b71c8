"""Stage 3, canvassing: party members' door-to-door visits in the weeks after a meeting.

Only members who support the project canvass for it (signers, or approval >= 1/2). The party
branch chooses whom each visits (:meth:`PartyMember.choose_doors`): a household of an instance
under discussion in the member's own building, else compound, that has not signed
[Yongyuan-41]. A visit moves the household's support towards the canvasser's within a bound
widened by credibility (more for influential members: building leaders, big V), and answers
a noisy share of its concerns.
"""

from __future__ import annotations

import numpy as np

from sim.model.agents.party_member import PartyMember
from sim.model.projects.meetings import noisy_answer
from sim.model.projects.state import CONCERNS, DELIBERATING, ProjectState, approval


def canvass(model, st: ProjectState, day: int, rng: np.random.Generator) -> None:
    """One week of canvassing for every instance discussed in the past week."""
    s, w = model.scenario, model.world
    k = s.party.canvass_per_week
    d = s.deliberation
    if k == 0:
        return
    campaign = (st.status == DELIBERATING) & (day - st.last_meeting < 7)
    pool = np.flatnonzero(campaign[st.inst] & ~st.signed)
    party = w.party[st.members]
    canvassers = np.flatnonzero(party & (st.signed | (approval(model, st) >= 0.5)))
    if len(pool) == 0 or len(canvassers) == 0:
        return
    canvassers = np.repeat(canvassers, k)
    canvassers, targets = PartyMember.choose_doors(w, st.members, canvassers, pool, rng)
    xc, xt = st.x[canvassers], st.x[targets]
    eps = w.openness[st.members[targets]] * d.credibility
    moved = np.abs(xc - xt) < eps
    infl = np.minimum(
        w.influence[st.members[canvassers]] / s.party.influence, d.canvass_influence_cap
    )
    st.x[targets] = np.where(moved, xt + np.minimum(d.canvass_mu * infl, 1.0) * (xc - xt), xt)
    mean = np.full(len(CONCERNS), d.canvass_answer)
    st.c[targets] *= 1.0 - noisy_answer(mean, len(targets), d.answer_noise, rng)
    st.touch()
