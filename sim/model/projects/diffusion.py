"""Stage 4, diffusion: support and concerns spread weekly over social ties.

Party members who signed first keep their support (stubborn); everyone else moves towards tie
neighbours within their bound, then back towards their own interest (Friedkin-Johnsen).
"""

from __future__ import annotations

import numpy as np

from sim.model.projects import deliberation as dl
from sim.model.projects.state import ProjectState


def diffuse_week(model, st: ProjectState) -> None:
    """One weekly round of diffusion of support and concerns over the members' ties."""
    s, w = model.scenario, model.world
    d = s.deliberation
    known = ~np.isnan(st.x)
    if not known.any():
        return
    x = np.where(known, st.x, 0.0)
    eps = np.where(known, w.openness[st.members], -1.0)  # unknown opinions never count
    new_x = dl.anchor(
        dl.diffuse(x, st.ties, eps, d.diffusion_rate, st.tie_rows),
        np.where(known, st.interest, 0.0),
        d.interest_anchor,
    )
    if s.party.sign_first:
        party = w.party[st.members]
        new_x[party] = x[party]
    if known.all():
        new_c = dl.diffuse(st.c, st.ties, np.full(len(st.c), np.inf), d.diffusion_rate)
    else:
        bound = np.where(known, np.inf, -1.0)
        new_c = dl.diffuse(st.c, st.ties, bound, d.diffusion_rate, st.tie_rows)
    st.x = np.where(known, new_x, np.nan)
    st.c = np.where(known, new_c, st.c)
