"""The Mesa model: builds the world from a scenario and steps one day at a time."""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.agents import GridWorker, OwnersCommittee, PartyMember, PropertyFirm, Resident
from sim.model.calendar import ADHOC, COUNCIL, JOINT, Calendar, MeetingLog, draw_attendance
from sim.model.disputes import ladder as dsp
from sim.model.projects.lifecycle import ProjectPortfolio
from sim.model.world import ROLE_BIG_V, build_world
from sim.scenario import Scenario

# Attendance scale of ordinary residents; party members attend at full propensity.
COUNCIL_SCALE, JOINT_SCALE, ADHOC_SCALE = 0.25, 0.05, 0.05


class NeighbourhoodModel(mesa.Model):
    """Households, party members, grid workers, a property firm and owners' committees.

    Args:
        scenario: the validated scenario.
        seed: overrides ``scenario.seed`` when given.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        super().__init__(seed=int(scenario.seed if seed is None else seed))
        self.scenario = scenario
        # Independent child streams (common random numbers): changing the meeting calendar
        # does not change which disputes arrive or who lives where.
        world_rng, self.arrival_rng, self.patrol_rng, self.project_rng = self.rng.spawn(4)
        self.world = w = build_world(scenario, world_rng)
        self.calendar = Calendar.from_spec(scenario.meetings, scenario.start_date, scenario.days)
        names, _, self.cat_difficulty, self.cat_property = dsp.category_table(scenario)
        self.category_names = names
        self.rates = dsp.daily_rates(scenario, w)
        self.book = dsp.DisputeBook()
        self.meeting_log = MeetingLog()
        self._create_agents()

        self.grid_size = np.bincount(w.hh_grid, minlength=w.n_grids)
        self.visit_chance = np.minimum(
            1.0, scenario.grid.visits_per_week / 7.0 / np.maximum(self.grid_size, 1)
        )
        zeros = np.zeros(w.n_grids, dtype=np.int64)
        self.grid_visits, self.grid_cases_found = zeros.copy(), zeros.copy()
        self.grid_wishes, self.grid_revisits = zeros.copy(), zeros.copy()
        self.pending_wishes = np.zeros(w.n_households, dtype=np.int32)
        self.compound_wishes = np.zeros(w.n_compounds, dtype=np.int64)
        self.suggestions_waiting = np.zeros(w.n_compounds, dtype=np.int64)
        self.suggestions_made = 0
        self.suggestions_resolved = 0
        self.last_adhoc = np.full(w.n_compounds, -(10**6))
        self.has_l2 = len(self.calendar.council) > 0
        self.has_l3 = len(self.calendar.joint) > 0 or scenario.meetings.adhoc
        self.today: dict[str, float] = {}
        self.projects = ProjectPortfolio(self)
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())

    # ----------------------------------------------------------------- set-up
    def _create_agents(self) -> None:
        s, w = self.scenario, self.world
        party = w.party
        # Households in bulk (one registration pass, same ids and order as one by one).
        Resident.create_households(self, np.flatnonzero(~party))
        PartyMember.create_households(
            self,
            np.flatnonzero(party),
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
            "open_disputes": lambda m: int(np.count_nonzero(m.book.status[: m.book.n] == 0)),
            "mean_trust": lambda m: float(m.world.trust.mean()),
        }
        keys = ["new_disputes", "resolved_L0", "resolved_L1", "resolved_L2", "resolved_L3"]
        keys += ["failed", "meetings", "attendance", "visits", "wishes_collected"]
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
        d = self.scenario.disputes
        self.today["new_disputes"] = dsp.arrive(
            self.book,
            self.rates,
            self.world,
            self.cat_difficulty,
            d.difficulty_sd,
            self.arrival_rng,
            day,
        )
        visited = self.patrol()
        self._neighbours(day, visited)
        self._building(day)
        if self.calendar.is_council[day]:
            self._council(day)
        if self.calendar.is_joint[day]:
            self._joint(day)
        if self.scenario.meetings.adhoc:
            self._adhoc(day)
        self._escalate_and_expire(day)
        self.projects.step(day, self.calendar.is_council[day], self.calendar.is_joint[day])
        self.datacollector.collect(self)

    def run(self, days: int | None = None, on_day=None) -> None:
        """Run ``days`` steps (default: the scenario's), calling ``on_day(day)`` after each."""
        for _ in range(self.scenario.days if days is None else days):
            self.step()
            if on_day is not None:
                on_day(self.steps)

    # ---------------------------------------------------------------- patrols
    def patrol(self) -> np.ndarray:
        """Grid workers' rounds: which households are visited today; collects micro-wishes."""
        w = self.world
        g = self.scenario.grid
        n = w.n_households
        rng = self.patrol_rng
        new = rng.poisson(g.wish_rate * n / 365.0)
        if new:
            np.add.at(self.pending_wishes, rng.integers(0, n, new), 1)
        visited = rng.random(n) < self.visit_chance[w.hh_grid]
        vis_idx = np.flatnonzero(visited)
        grids = w.hh_grid[vis_idx]
        self.grid_visits += np.bincount(grids, minlength=w.n_grids)
        collected = self.pending_wishes[vis_idx]
        self.grid_wishes += np.bincount(grids, collected, minlength=w.n_grids).astype(np.int64)
        self.pending_wishes[vis_idx] = 0
        self.today["visits"] = len(vis_idx)
        self.today["wishes_collected"] = int(collected.sum())
        # Dispatch: some wishes are actionable suggestions for the joint meeting [Changgou].
        per_comp = np.bincount(w.hh_compound[vis_idx], collected, minlength=w.n_compounds)
        self.compound_wishes += per_comp.astype(np.int64)
        new_sugg = rng.binomial(per_comp.astype(np.int64), g.suggestion_share)
        self.suggestions_waiting += new_sugg
        self.suggestions_made += int(new_sugg.sum())
        return visited

    # ------------------------------------------------------- mediation ladder
    def _next_level(self, idx: np.ndarray, above: int) -> np.ndarray:
        """The first level above ``above`` that exists for each case (or ``above`` if none)."""
        b = self.book
        target = np.full(len(idx), above, dtype=np.int8)
        if above < 3:
            target[:] = 3 if self.has_l3 else above
        if above < 2 and self.has_l2:
            target[:] = 2
        if above < 1:
            l1 = self.world.b_mediator[b.building[idx]] > 0
            if self.firm.present:
                l1 |= self.cat_property[b.category[idx]]
            target[l1] = 1
        return target

    def _resolve(self, won: np.ndarray, level: int, day: int) -> None:
        b = self.book
        self.today[f"resolved_L{level}"] = self.today.get(f"resolved_L{level}", 0) + len(won)
        parties = np.concatenate([b.hh_a[won], b.hh_b[won]])
        dsp.update_trust(self.world.trust, parties, 1.0, self.scenario.trust.gain_resolved)
        dispatched = won[b.reported_day[won] >= 0]
        self.grid_revisits += np.bincount(
            self.world.hh_grid[b.hh_a[dispatched]], minlength=self.world.n_grids
        )

    def _neighbours(self, day: int, visited: np.ndarray) -> None:
        """L0: neighbours settle some cases; the rest are reported or discovered."""
        b, d, w, rng = self.book, self.scenario.disputes, self.world, self.rng
        idx = b.open_cases(0)
        if len(idx) == 0:
            return
        age = day - b.opened[idx]
        p_settle = d.self_settle * (1.0 - b.difficulty[idx]) * np.exp(-age / d.self_settle_days)
        settle = rng.random(len(idx)) < p_settle
        b.close(idx[settle], dsp.RESOLVED, day)
        self._resolve(idx[settle], 0, day)
        idx = idx[~settle & (b.reported_day[idx] < 0)]
        reported = rng.random(len(idx)) < d.report_rate * w.trust[b.hh_a[idx]]
        by_grid = visited[b.hh_a[idx]] | visited[b.hh_b[idx]]
        by_leader = (w.b_mediator[b.building[idx]] > 0) & (
            rng.random(len(idx)) < d.leader_discovery
        )
        found = by_grid & ~reported
        self.grid_cases_found += np.bincount(w.hh_grid[b.hh_a[idx[found]]], minlength=w.n_grids)
        known = idx[reported | by_grid | by_leader]
        b.reported_day[known] = day
        target = self._next_level(known, 0)
        up = target > 0
        b.move(known[up], target[up], day)

    def _building(self, day: int) -> None:
        """L1: building leaders mediate daily; the firm repairs property cases."""
        b, s, w = self.book, self.scenario, self.world
        idx = b.open_cases(1)
        if len(idx) == 0:
            return
        strength = w.b_mediator[b.building[idx]] * s.party.mediation_skill
        has = strength > 0
        chance = dsp.success_chance(
            b,
            idx[has],
            w.trust,
            s.disputes.building_success,
            strength[has],
            day,
            s.disputes.entrenchment_days,
        )
        won = dsp.mediate(b, idx[has], chance, self.rng, day)
        self._resolve(won, 1, day)
        if self.firm.present:
            prop = idx[(b.status[idx] == dsp.OPEN) & self.cat_property[b.category[idx]]]
            taken = dsp.agenda(b, prop, self.firm.daily_capacity(w.n_compounds))
            chance = dsp.success_chance(
                b, taken, w.trust, 1.0, self.firm.service_quality, day, np.inf
            )
            won = dsp.mediate(b, taken, chance, self.rng, day)
            self.firm.repairs += len(won)
            self._resolve(won, 1, day)

    def _attend(self, scale: float, compounds: np.ndarray | None = None) -> np.ndarray:
        """Draw attendance; returns attending household indices."""
        w = self.world
        members = (
            np.arange(w.n_households)
            if compounds is None
            else np.flatnonzero(np.isin(w.hh_compound, compounds))
        )
        party = w.party[members]
        p_scale = np.where(party, 1.0, scale)
        return draw_attendance(self.rng, w.participation, w.trust, members, p_scale)

    def _meeting(self, day: int, kind: str, level: int, idx: np.ndarray, strength, attend):
        """Take up cases at a meeting, mediate, and log one row per compound that met."""
        w, b, s = self.world, self.book, self.scenario
        chance = dsp.success_chance(
            b,
            idx,
            w.trust,
            s.disputes.council_success if level == 2 else s.disputes.joint_success,
            strength,
            day,
            s.disputes.entrenchment_days,
        )
        won = dsp.mediate(b, idx, chance, self.rng, day)
        self._resolve(won, level, day)
        nc = w.n_compounds
        att = np.bincount(w.hh_compound[attend], minlength=nc)
        party_att = np.bincount(w.hh_compound[attend[w.party[attend]]], minlength=nc)
        items = np.bincount(b.compound[idx], minlength=nc)
        resolved = np.bincount(b.compound[won], minlength=nc)
        met = np.unique(b.compound[idx]) if kind == ADHOC else np.arange(nc)
        for c in met:
            self.meeting_log.record(
                day,
                kind,
                int(c),
                "compound" if kind == COUNCIL else "community",
                attendance=int(att[c]),
                party_attendance=int(party_att[c]),
                items=int(items[c]),
                resolved=int(resolved[c]),
            )
        self.today["meetings"] = self.today.get("meetings", 0) + len(met)
        self.today["attendance"] = self.today.get("attendance", 0) + int(att.sum())

    def _council(self, day: int) -> None:
        """L2: the compound council takes up the oldest cases on its agenda."""
        w, b, s = self.world, self.book, self.scenario
        attend = self._attend(COUNCIL_SCALE)
        nc = w.n_compounds
        party_att = np.bincount(w.hh_compound[attend[w.party[attend]]], minlength=nc)
        big_v = np.bincount(w.hh_compound[attend[w.role[attend] == ROLE_BIG_V]], minlength=nc) > 0
        comp_strength = 1.0 + np.minimum(party_att, 10) / 10.0 + 0.5 * big_v
        idx = dsp.agenda(b, b.open_cases(2), s.meetings.agenda_size)
        strength = comp_strength[b.compound[idx]]
        if self.firm.present and s.meetings.officials_attend:
            strength = strength * np.where(
                self.cat_property[b.category[idx]], 1.0 + 0.5 * self.firm.service_quality, 1.0
            )
        self._meeting(day, COUNCIL, 2, idx, strength, attend)

    def _community_strength(self, idx: np.ndarray) -> np.ndarray:
        """Strength of a community-level meeting: owners' committee, firm, cross-appointment."""
        b = self.book
        legit = self.legitimacy[b.compound[idx]]
        strength = 1.0 + 0.3 * legit + 0.3 * self.firm.cross_appointment
        if self.firm.present:
            strength = strength * np.where(
                self.cat_property[b.category[idx]], 1.0 + self.firm.service_quality, 1.0
            )
        return strength

    def _joint(self, day: int) -> None:
        """L3: the monthly joint meeting with the firm and owners' committees."""
        b, s = self.book, self.scenario
        idx = dsp.agenda(b, b.open_cases(3), s.meetings.joint_agenda_size)
        attend = self._attend(JOINT_SCALE)
        self._meeting(day, JOINT, 3, idx, self._community_strength(idx), attend)
        self._suggestions(np.bincount(b.compound[idx], minlength=self.world.n_compounds))

    def _suggestions(self, items_taken: np.ndarray) -> None:
        """Each compound's joint agenda takes up waiting suggestions in the room disputes left."""
        g = self.scenario.grid
        room = np.maximum(self.scenario.meetings.joint_agenda_size - items_taken, 0)
        taken = np.minimum(self.suggestions_waiting, room)
        self.suggestions_waiting -= taken
        p = min(g.suggestion_success * (0.5 + self.firm.service_quality), 1.0)
        self.suggestions_resolved += int(self.patrol_rng.binomial(taken, p).sum())

    def _adhoc(self, day: int) -> None:
        """L3: a one-issue meeting for a case that waited too long at community level."""
        b, m = self.book, self.scenario.meetings
        idx = b.open_cases(3)
        idx = idx[day - b.level_since[idx] >= m.adhoc_after_days]
        idx = idx[day - self.last_adhoc[b.compound[idx]] >= m.adhoc_after_days]
        if len(idx) == 0:
            return
        idx = dsp.agenda(b, idx, 1)
        comps = b.compound[idx]
        self.last_adhoc[comps] = day
        attend = self._attend(ADHOC_SCALE, comps)
        self._meeting(day, ADHOC, 3, idx, self._community_strength(idx), attend)

    def _escalate_and_expire(self, day: int) -> None:
        """Escalate cases past their patience; fail cases past the maximum age."""
        b, d = self.book, self.scenario.disputes
        for level, patience in ((1, d.patience_building), (2, d.patience_council)):
            idx = b.open_cases(level)
            idx = idx[day - b.level_since[idx] > patience]
            target = self._next_level(idx, level)
            up = target > level
            b.move(idx[up], target[up], day)
        idx = b.open_cases()
        old = idx[day - b.opened[idx] > d.max_age]
        b.close(old, dsp.FAILED, day)
        self.today["failed"] = len(old)
        parties = np.concatenate([b.hh_a[old], b.hh_b[old]])
        dsp.update_trust(self.world.trust, parties, 0.0, self.scenario.trust.loss_failed)

    # --------------------------------------------------------------- projects
    def log_project_meeting(self, day, kind, state, instances, attendee_inst) -> None:
        """Log a project discussion: one row per compound whose instances were discussed."""
        nc = self.world.n_compounds
        items = np.bincount(state.inst_compound[instances], minlength=nc)
        att = np.bincount(state.inst_compound[attendee_inst], minlength=nc)
        for c in np.flatnonzero(items):
            self.meeting_log.record(
                day,
                kind,
                int(c),
                f"project:{state.spec.name}",
                attendance=int(att[c]),
                party_attendance=0,
                items=int(items[c]),
                resolved=0,
            )
        self.today["meetings"] = self.today.get("meetings", 0) + int(np.count_nonzero(items))

    def project_summary(self) -> dict:
        """Headline project metrics for ``summary.json``."""
        return self.projects.summary()

    def project_tables(self) -> dict:
        """``projects`` and ``votes`` tables."""
        return self.projects.tables()
