"""Stage 1, proposal: instances open and their households form first opinions and concerns.

An instance opens on its start day (or once enough wishes are collected in its compound
[Changgou]). A survey finds a share of instances technically infeasible; they fail at once.
Each household's support starts from its interest (net utility by floor, cost share,
compensation), trust and noise; its concerns are drawn from Beta laws with the scenario's means
for the concerns it holds. Party members lean towards the organisation's position by
``party_lean`` and, with ``sign_first``, those who then approve sign first [Yongyuan-41].
"""

from __future__ import annotations

import numpy as np

from sim.model.projects.meetings import gamma_noise
from sim.model.projects.state import (
    CONCERNS,
    COST,
    DELIBERATING,
    DISRUPTION,
    DISTRUST,
    FAILED,
    LIGHT,
    NOISE,
    WAITING,
    ProjectState,
    approval,
    member_utility,
)
from sim.model.projects.utility import initial_support

# Floors that hold each elevator concern: light (floors 1-2), noise (floors 1-3).
LIGHT_FLOORS, NOISE_FLOORS = 2, 3


def due_proposals(st: ProjectState, day: int, compound_wishes: np.ndarray) -> np.ndarray:
    """Instances proposed today: waiting ones past the start day (and with enough wishes)."""
    s = st.spec
    if day < s.start_day:
        return np.zeros(0, dtype=np.int64)
    waiting = st.status == WAITING
    if s.trigger == "wishes" and waiting.any():
        waiting &= compound_wishes[st.inst_compound] >= s.wishes_needed
    return np.flatnonzero(waiting)


def open_instances(model, st: ProjectState, new: np.ndarray, day: int, rng) -> np.ndarray:
    """Open the instances ``new``: first vote check in a week, deadline, first opinions.

    Returns:
        The instances that remain open (the feasible ones).
    """
    s = st.spec
    st.status[new] = DELIBERATING
    st.proposed[new] = day
    st.next_vote[new] = day + 7
    st.deadline[new] = day + s.deadline_days
    set_opinions(model, st, np.isin(st.inst, new), rng)
    infeasible = rng.random(len(new)) < s.infeasible_share
    st.status[new[infeasible]] = FAILED
    st.reason[new[infeasible]] = "technically infeasible"
    st.touch()
    return new[~infeasible]


def held_concerns(st: ProjectState, floors, owner, trust) -> np.ndarray:
    """Which concerns each household holds (a 0-1 weight per concern column)."""
    held = np.zeros((len(floors), len(CONCERNS)))
    held[:, DISRUPTION] = 1.0
    held[:, DISTRUST] = np.minimum(2.0 * (1.0 - trust), 1.0)
    if st.spec.type == "elevator":
        held[:, LIGHT] = floors <= LIGHT_FLOORS
        held[:, NOISE] = floors <= NOISE_FLOORS
        held[:, COST] = owner & (floors > LIGHT_FLOORS)
    else:
        held[:, COST] = owner
    return held


def draw_concerns(st: ProjectState, sel: np.ndarray, rng) -> np.ndarray:
    """Draw the concern levels of members ``sel``, within [0, 1].

    Beta around the scenario's means, scaled by a common gamma factor per instance (mean 1,
    coefficient of variation ``instance_cv``).
    """
    cs = st.spec.concerns
    mean = np.clip(np.array([getattr(cs, k) for k in CONCERNS]), 1e-3, 1 - 1e-3)
    a, b = mean * cs.concentration, (1 - mean) * cs.concentration
    level = rng.beta(a, b, size=(int(sel.sum()), len(CONCERNS)))
    factor = gamma_noise(cs.instance_cv, len(st.status), rng)[st.inst[sel]]
    return np.clip(level * factor[:, None], 0.0, 1.0)


def set_opinions(model, st: ProjectState, sel: np.ndarray, rng) -> None:
    """First opinions and concerns of the members ``sel``; party members lean and sign first."""
    w, d = model.world, model.scenario.deliberation
    h = st.members[sel]
    st.net[sel] = member_utility(w, st)[sel]
    x = initial_support(st.net[sel], st.spec.utility_scale, w.trust[h], rng)
    held = held_concerns(st, w.hh_floor[h], w.hh_owner[h], w.trust[h])
    c = draw_concerns(st, sel, rng) * held
    party = w.party[h]
    lean = d.party_lean
    x[party] = (1 - lean) * x[party] + lean * d.signed_support
    c[party] *= 1 - lean  # they trust the line in proportion to their lean
    st.interest[sel] = x
    st.x[sel] = x
    st.c[sel] = c
    st.c0[sel] = c
    st.touch()
    if model.scenario.party.sign_first:
        pos = np.flatnonzero(sel)[party]
        st.signed[pos] = approval(model, st)[pos] >= 0.5
        st.c[pos[st.signed[pos]]] = 0.0
        st.touch()
