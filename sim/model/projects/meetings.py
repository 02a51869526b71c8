"""Stage 2, meetings: a council, joint or ad-hoc meeting discusses the open instances.

Attendance is drawn by participation and trust (party members at full propensity, others of
instances discussed at a joint meeting through a few representatives); inside the meeting
opinions move by the bounded-confidence kernel of :mod:`deliberation` with party members as
credible, stable speakers. Concerns are answered by who sits there [Kening]: officials answer
cost and light, the firm (or gas company) noise, disruption and distrust, neighbours a little
of everything; each answered share is noisy (gamma, mean as set, coefficient of variation
``answer_noise``) and scaled by the meeting's quality, common to the attendees of one
instance (gamma, mean 1, coefficient of variation ``meeting_quality_cv``).
"""

from __future__ import annotations

import numpy as np

from sim.model.projects import deliberation as dl
from sim.model.projects.state import (
    CONCERNS,
    COST,
    DISRUPTION,
    DISTRUST,
    LIGHT,
    NOISE,
    ProjectState,
)

OFFICIAL_TOPICS = (COST, LIGHT)
FIRM_TOPICS = (NOISE, DISRUPTION, DISTRUST)


def answer_shares(scenario, spec, kind: str, firm_present: bool) -> np.ndarray:
    """Mean share of each concern answered at a meeting of ``kind``, by who attends.

    Councils have officials only when ``meetings.officials_attend`` and the firm only when the
    project involves it early (``firm_early``); joint and ad-hoc meetings have both.
    """
    d = scenario.deliberation
    officials = kind != "council" or scenario.meetings.officials_attend
    firm = firm_present and (kind != "council" or spec.firm_early)
    kept = np.full(len(CONCERNS), 1.0 - d.peer_answer)
    if officials:
        kept[list(OFFICIAL_TOPICS)] *= 1.0 - d.official_answer
    if firm:
        kept[list(FIRM_TOPICS)] *= 1.0 - d.firm_answer
    return 1.0 - kept


def gamma_noise(cv: float, size, rng) -> np.ndarray:
    """Positive noise with mean 1 and coefficient of variation ``cv`` (gamma; 1 where cv is 0)."""
    if cv == 0:
        return np.ones(size)
    shape = 1.0 / cv**2
    return rng.gamma(shape, 1.0 / shape, size=size)


def noisy_answer(mean: np.ndarray, n: int, cv: float, rng) -> np.ndarray:
    """``n`` rows of answered shares: gamma noise around ``mean`` (cv ``cv``), within [0, 1]."""
    return np.clip(mean * gamma_noise(cv, (n, len(mean)), rng), 0.0, 1.0)


def discuss(
    model,
    st: ProjectState,
    day: int,
    kind: str,
    active: np.ndarray,
    rng: np.random.Generator,
    scale: float = 1.0,
) -> None:
    """Discuss every active instance: attendance, opinion update, concerns answered."""
    w, sc = model.world, model.scenario
    d = sc.deliberation
    sel = np.flatnonzero(active[st.inst])
    h = st.members[sel]
    party = w.party[h]
    base = sc.meetings.attendance_trust_base  # the same attendance law as dispute meetings
    p = w.participation[h] * (base + w.trust[h]) * np.where(party, 1.0, scale)
    p = np.minimum(p * d.project_attendance, 1.0)
    came = sel[rng.random(len(sel)) < p]
    st.meetings[active] += 1
    st.last_meeting[active] = day
    st.attended[np.bincount(st.inst[came], minlength=len(st.status)) > 0] += 1
    model.log_project_meeting(day, kind, st, np.flatnonzero(active), st.inst[came])
    if len(came) == 0:
        return
    eps = w.openness[st.members[came]]
    credible = w.party[st.members[came]]
    movable = ~st.signed[came]
    x = st.x.copy()
    dl.meeting_update(x, came, st.inst[came], credible, eps, d.meeting_mu, d.credibility, rng)
    st.x[came] = np.where(movable, x[came], st.x[came])
    mean = answer_shares(sc, st.spec, kind, model.firm.present)
    quality = gamma_noise(d.meeting_quality_cv, len(st.status), rng)[st.inst[came]]
    answered = noisy_answer(mean, len(came), d.answer_noise, rng) * quality[:, None]
    st.c[came] *= 1.0 - np.clip(answered, 0.0, 1.0)
    st.touch()
