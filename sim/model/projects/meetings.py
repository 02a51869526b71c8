"""Stage 2, meetings: a council, joint or ad-hoc meeting discusses the open instances.

Attendance is drawn by participation and trust (party members at full propensity, others of
instances discussed at a joint meeting through a few representatives); inside the meeting
opinions move by the bounded-confidence kernel of :mod:`deliberation` with party members as
credible, stable speakers; officials and the firm answer concerns [Kening].
"""

from __future__ import annotations

import numpy as np

from sim.model.projects import deliberation as dl
from sim.model.projects.state import ProjectState

# Joint meetings: a few representatives of each instance attend (share of the propensity).
JOINT_PROJECT_SCALE = 0.3


def council_answer(scenario) -> float:
    """Share of concerns a council answers: only when officials and the firm attend."""
    return scenario.deliberation.answer_rate if scenario.meetings.officials_attend else 0.0


def joint_answer(scenario) -> float:
    """Share of concerns a joint or ad-hoc meeting answers (the firm and officials sit there)."""
    return scenario.deliberation.answer_rate


def discuss(
    model,
    st: ProjectState,
    day: int,
    kind: str,
    active: np.ndarray,
    answer: float,
    rng: np.random.Generator,
    scale: float = 1.0,
) -> None:
    """Discuss every active instance: attendance, opinion update, concerns answered."""
    w, d = model.world, model.scenario.deliberation
    sel = np.flatnonzero(active[st.inst])
    h = st.members[sel]
    party = w.party[h]
    p = w.participation[h] * (0.5 + w.trust[h]) * np.where(party, 1.0, scale)
    p = np.minimum(p * d.project_attendance, 1.0)
    came = sel[rng.random(len(sel)) < p]
    st.meetings[active] += 1
    st.last_meeting[active] = day
    model.log_project_meeting(day, kind, st, np.flatnonzero(active), st.inst[came])
    if len(came) == 0:
        return
    eps = w.openness[st.members[came]]
    credible = w.party[st.members[came]]
    dl.meeting_update(st.x, came, st.inst[came], credible, eps, d.meeting_mu, d.credibility, rng)
    st.c[came] *= 1.0 - answer
