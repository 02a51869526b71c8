"""Stage 4, diffusion: support and concerns spread weekly over social ties.

Households who signed keep their support (stubborn); everyone else moves towards tie
neighbours within their bound, then back towards their own interest (Friedkin-Johnsen).
Concerns average over ties without bound (rumours), and a share ``concern_relapse`` of the
answered part of each concern returns every week.

With ``diffusion_rate`` 0 (no word of mouth) nobody moves towards neighbours and the sparse
products are skipped (see :func:`~sim.model.projects.deliberation.diffuse`); the anchor and the
relapse still apply.
"""

from __future__ import annotations

import numpy as np

from sim.model.projects import deliberation as dl
from sim.model.projects.state import ProjectState


def diffuse_week(model, st: ProjectState) -> None:
    """One weekly round of diffusion of support and concerns over the members' ties."""
    w, d = model.world, model.scenario.deliberation
    known = ~np.isnan(st.x)
    everyone = bool(known.all())  # the usual case once every instance has opened
    if not everyone and not known.any():
        return
    eps = w.openness[st.members]
    x = st.x
    if not everyone:
        x = np.where(known, x, 0.0)
        eps = np.where(known, eps, -1.0)  # unknown opinions never count
    interest = st.interest if everyone else np.where(known, st.interest, 0.0)
    new_x = dl.anchor(
        dl.diffuse(x, st.ties, eps, d.diffusion_rate, st.tie_cols), interest, d.interest_anchor
    )
    new_x[st.signed] = x[st.signed]
    st.x = new_x if everyone else np.where(known, new_x, np.nan)
    c = st.c
    new_c = _hear_concerns(st, known, everyone, d.diffusion_rate)
    back = np.subtract(st.c0, new_c)
    np.maximum(back, 0.0, out=back)
    back *= d.concern_relapse
    new_c += back
    new_c[st.signed] = 0.0
    st.c = new_c if everyone else np.where(known[:, None], new_c, c)
    st.touch()


def _hear_concerns(st: ProjectState, known: np.ndarray, everyone: bool, rate: float) -> np.ndarray:
    """Concerns moved ``rate`` towards the tie-weighted mean of neighbours with an opinion.

    One sparse product, then in place, each step in the order of ``c + rate (target - c)``
    (the same numbers). At rate 0 nobody moves (``c + 0 (target - c)`` is ``c`` exactly): no
    product.
    """
    c = st.c
    if rate == 0:
        return c.copy()
    if everyone:
        wk = st.tie_weight
        new_c = st.ties @ c
    else:
        wk = st.ties @ known.astype(float)
        new_c = st.ties @ (c * known[:, None])
    tied = wk > 0
    if tied.all():
        new_c /= wk[:, None]
    else:  # members without a tie (to anyone with an opinion) keep their concerns
        new_c = np.divide(new_c, wk[:, None], out=c.copy(), where=tied[:, None])
    new_c -= c
    new_c *= rate
    new_c += c
    return new_c
