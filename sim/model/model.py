"""The Mesa model: builds the world from a scenario and steps one day at a time."""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.agents import GridWorker, OwnersCommittee, PartyMember, PropertyFirm, Resident
from sim.model.agents.rounds import GridRounds
from sim.model.calendar import Calendar, MeetingLog
from sim.model.collect import DailyCollector
from sim.model.disputes.ladder import Ladder
from sim.model.projects.lifecycle import ProjectPortfolio
from sim.model.world import build_world
from sim.scenario import Scenario


class NeighbourhoodModel(mesa.Model):
    """Households, party members, grid workers, a property firm and owners' committees.

    Args:
        scenario: the validated scenario.
        seed: overrides ``scenario.seed`` when given.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        super().__init__(seed=int(scenario.seed if seed is None else seed))
        self.scenario = scenario
        self.run_seed = int(scenario.seed if seed is None else seed)
        # Independent child streams (common random numbers): changing the meeting calendar
        # does not change which disputes arrive or who lives where.
        world_rng, self.arrival_rng, self.patrol_rng, self.project_rng = self.rng.spawn(4)
        self.world = build_world(scenario, world_rng)
        self.calendar = Calendar.from_spec(scenario.meetings, scenario.start_date, scenario.days)
        self.meeting_log = MeetingLog()
        self.today: dict[str, float] = {}
        self.rounds = GridRounds(self)
        self.compound_wishes = self.rounds.compound_wishes  # read by the project lifecycle
        self._create_agents()
        self.ladder = Ladder(self)  # after the agents: it tables the firm's and mediators' reach
        self.agents_by_type[GridWorker].do("plan_round")
        self.projects = ProjectPortfolio(self)
        self.datacollector = DailyCollector(model_reporters=self._reporters())

    # ----------------------------------------------------------------- set-up
    def _create_agents(self) -> None:
        s, w = self.scenario, self.world
        party = w.party
        # Households in bulk (one registration pass, same ids and order as one by one).
        Resident.create_households(self, np.flatnonzero(~party), as_set=False)
        PartyMember.create_households(
            self,
            np.flatnonzero(party),
            as_set=False,
            mediation_skill=s.party.mediation_skill,
            canvass_per_week=s.party.canvass_per_week,
        )
        for g in range(w.n_grids):
            GridWorker(self, g, s.grid.visits_per_week)
        f = s.property_firm
        self.firm = PropertyFirm(
            self, f.kind, f.service_quality, f.repair_capacity, f.cross_appointment
        )
        oc = s.owners_committee
        self.committees = [
            OwnersCommittee(self, c, oc.exists, oc.legitimacy) for c in range(w.n_compounds)
        ]
        self.legitimacy = np.array([c.legitimacy for c in self.committees])

    def _reporters(self) -> dict:
        def daily(key: str):
            return lambda m: m.today.get(key, 0)

        reporters = {
            "day": lambda m: m.steps - 1,
            "open_disputes": lambda m: len(m.ladder.book.open_cases()),
            "mean_trust": lambda m: float(np.add.reduce(m.world.trust)) / len(m.world.trust),
        }
        keys = ["new_disputes", "resolved_L0", "resolved_L1", "resolved_L2", "resolved_L3"]
        keys += ["referred", "dropped", "expired", "meetings", "attendance", "visits"]
        keys += ["wishes_collected"]
        reporters.update({k: daily(k) for k in keys})
        for k, p in enumerate(self.scenario.projects):
            reporters[f"support:{p.name}"] = lambda m, k=k: m.projects.mean_support(k)
            reporters[f"passed:{p.name}"] = lambda m, k=k: m.projects.passed_count(k)
        return reporters

    # ------------------------------------------------------------------- step
    def step(self) -> None:
        """Advance one day: disputes arise, patrols, the mediation ladder, meetings, collect."""
        day = self.steps - 1
        self.today = {}
        self.ladder.arrive(day)
        visited = self.rounds.patrol(day)
        self.ladder.step(day, visited)
        self.projects.step(day, self.calendar.is_council[day], self.calendar.is_joint[day])
        self.datacollector.collect(self)

    def run(self, days: int | None = None, on_day=None) -> None:
        """Run ``days`` steps (default: the scenario's), calling ``on_day(day)`` after each."""
        for _ in range(self.scenario.days if days is None else days):
            self.step()
            if on_day is not None:
                on_day(self.steps)

    # --------------------------------------------------------------- projects
    def log_project_meeting(self, day, kind, state, instances, attendee_inst) -> None:
        """Log a project discussion: one row per compound whose instances were discussed."""
        nc = self.world.n_compounds
        items = np.bincount(state.inst_compound[instances], minlength=nc)
        att = np.bincount(state.inst_compound[attendee_inst], minlength=nc)
        met = np.flatnonzero(items)
        self.meeting_log.record_compounds(
            day,
            kind,
            f"project:{state.spec.name}",
            met,
            community=self.world.c_community[met],
            attendance=att[met],
            party_attendance=np.zeros(len(met)),
            items=items[met],
            resolved=np.zeros(len(met)),
        )
        self.today["meetings"] = self.today.get("meetings", 0) + int(np.count_nonzero(items))

    def project_summary(self) -> dict:
        """Headline project metrics for ``summary.json``."""
        return self.projects.summary()

    def project_tables(self) -> dict:
        """``projects`` and ``votes`` tables."""
        return self.projects.tables()
