"""Stage 4, diffusion: support and concerns spread weekly over social ties.

Households who signed keep their support (stubborn); everyone else moves towards tie
neighbours within their bound, then back towards their own interest (Friedkin-Johnsen).
Concerns average over ties without bound (rumours), and a share ``concern_relapse`` of the
answered part of each concern returns every week.
"""

from __future__ import annotations

import numpy as np

from sim.model.projects import deliberation as dl
from sim.model.projects.state import ProjectState


def diffuse_week(model, st: ProjectState) -> None:
    """One weekly round of diffusion of support and concerns over the members' ties."""
    w, d = model.world, model.scenario.deliberation
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
    new_x[st.signed] = x[st.signed]
    st.x = np.where(known, new_x, np.nan)
    # Concerns: tie-weighted mean over neighbours with an opinion, one sparse product.
    c = st.c
    wk = st.ties @ known.astype(float)
    target = np.divide(
        st.ties @ (c * known[:, None]), wk[:, None], out=c.copy(), where=wk[:, None] > 0
    )
    new_c = c + d.diffusion_rate * (target - c)
    new_c += d.concern_relapse * np.maximum(st.c0 - new_c, 0.0)
    new_c[st.signed] = 0.0
    st.c = np.where(known[:, None], new_c, c)
    st.touch()
