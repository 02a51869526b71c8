"""Upgrade projects, one day at a time: the lifecycle read top to bottom.

Each scenario project expands into instances (one per unit, building or compound of its
scope; :mod:`state`). Every day, for every project:

1. **proposal** - instances open on their start day (or once wishes are collected) and their
   households form opinions and concerns (:mod:`proposal`);
2. **works** - the subsidy window may close; passed instances face withdrawals and lawsuits,
   then the works finish and those households trust more (:mod:`works`);
3. **meetings** - councils, joint and ad-hoc meetings discuss the open instances
   (:mod:`meetings`);
4. **canvassing** and **diffusion** - weekly: party members go door to door after meetings
   (:mod:`canvass`), support spreads over social ties (:mod:`diffusion`);
5. **votes** - the owners' committee or party branch decides whether to call a vote; owners
   vote under the rule; failed votes retry (:mod:`votes`);
6. **outputs** - weekly support snapshots; tables and summary at the end (:mod:`outputs`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.projects import outputs
from sim.model.projects.canvass import canvass
from sim.model.projects.diffusion import diffuse_week
from sim.model.projects.meetings import discuss
from sim.model.projects.proposal import due_proposals, open_instances
from sim.model.projects.state import DELIBERATING, PASSED, ProjectState, expand
from sim.model.projects.votes import call_votes
from sim.model.projects.works import deliver, lapse_subsidy, start_works

WEEK_END = 6  # weekly stages run on day % 7 == 6


class ProjectPortfolio:
    """All projects of a model run; called once a day by the model."""

    def __init__(self, model) -> None:
        self.model = model
        self.rng = model.project_rng
        self.states: list[ProjectState] = [expand(model.world, p) for p in model.scenario.projects]
        self.vote_rows: list[dict] = []
        self.snapshots: list[tuple[int, int, np.ndarray]] = []

    def step(self, day: int, council: bool, joint: bool) -> None:
        """Advance every project one day."""
        m, rng, sc = self.model, self.rng, self.model.scenario
        week_end = day % 7 == WEEK_END
        for st in self.states:
            new = due_proposals(st, day, m.compound_wishes)
            if len(new):
                opened = open_instances(m, st, new, day, rng)
                if sc.meetings.adhoc and len(opened):  # one-issue kick-off (一事一议) [Xuanwu]
                    kickoff = np.zeros(len(st.status), dtype=bool)
                    kickoff[opened] = True
                    discuss(m, st, day, "adhoc", kickoff, rng)
            lapse_subsidy(m, st, day)
            start_works(m, st, day, rng)
            deliver(m, st, day)
            active = st.status == DELIBERATING
            if not active.any():
                continue
            if council:
                discuss(m, st, day, "council", active, rng)
            if joint:
                discuss(m, st, day, "joint", active, rng, sc.deliberation.joint_project_attendance)
            if week_end:
                canvass(m, st, day, rng)
                diffuse_week(m, st)
            call_votes(m, st, day, rng, self.vote_rows)
        if week_end or day == sc.days - 1:
            outputs.snapshot(m, self.states, day, self.snapshots)

    # ------------------------------------------------------------- read-outs
    def mean_support(self, k: int) -> float:
        """Mean approval chance among members of started instances of project ``k``."""
        return outputs.mean_support(self.model, self.states[k])

    def passed_count(self, k: int) -> int:
        """Instances of project ``k`` passed so far."""
        return int((self.states[k].status == PASSED).sum())

    def projects_frame(self) -> pd.DataFrame:
        """One row per project instance."""
        return outputs.projects_frame(self.model, self.states)

    def tables(self) -> dict[str, pd.DataFrame]:
        """``projects`` (one row per instance), ``votes`` and weekly ``building_support``."""
        return {
            "projects": self.projects_frame(),
            "votes": pd.DataFrame(self.vote_rows),
            "building_support": outputs.building_support(
                self.model.world, self.states, self.snapshots
            ),
        }

    def summary(self) -> dict:
        """Headline project metrics (flat keys ``projects.*``)."""
        return outputs.summary(self.projects_frame())
