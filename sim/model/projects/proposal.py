"""Stage 1, proposal: instances open and their households form first opinions.

An instance opens on its start day (or once enough wishes are collected in its compound
[Changgou]).
"""

from __future__ import annotations

import numpy as np

from sim.model.projects.state import DELIBERATING, WAITING, ProjectState, member_utility
from sim.model.projects.utility import initial_support


def due_proposals(st: ProjectState, day: int, compound_wishes: np.ndarray) -> np.ndarray:
    """Instances proposed today: waiting ones past the start day (and with enough wishes)."""
    s = st.spec
    if day < s.start_day:
        return np.zeros(0, dtype=np.int64)
    waiting = st.status == WAITING
    if s.trigger == "wishes" and waiting.any():
        waiting &= compound_wishes[st.inst_compound] >= s.wishes_needed
    return np.flatnonzero(waiting)


def open_instances(model, st: ProjectState, new: np.ndarray, day: int, rng) -> None:
    """Open the instances ``new``: first vote check in a week, deadline, first opinions."""
    s = st.spec
    st.status[new] = DELIBERATING
    st.proposed[new] = day
    st.next_vote[new] = day + 7
    st.deadline[new] = day + s.deadline_days
    set_opinions(model, st, np.isin(st.inst, new), rng)


def set_opinions(model, st: ProjectState, sel: np.ndarray, rng) -> None:
    """First opinions of the members ``sel``: interest, trust, noise; concerns; signing first."""
    w, d = model.world, model.scenario.deliberation
    h = st.members[sel]
    st.net[sel] = member_utility(w, st)[sel]
    x = initial_support(st.net[sel], st.spec.utility_scale, w.trust[h], rng)
    st.interest[sel] = x
    c = np.clip(st.spec.concern + rng.normal(0, 0.1, len(h)), 0.0, 1.0)
    if model.scenario.party.sign_first:
        party = w.party[h]
        x[party] = np.maximum(x[party], d.signed_support)
        c[party] = 0.0
    st.x[sel] = x
    st.c[sel] = c
