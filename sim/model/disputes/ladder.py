"""The mediation ladder: it owns the case book and runs one day of every level.

Levels: 0 neighbours settle themselves, 1 building (building leader / party group, or the
property firm for property cases), 2 compound council, 3 community joint or ad-hoc meeting
("disputes do not leave the building, do not leave the community" [Kening], [Fugu]). Cases that
age out fail (petition or court, [facts §6]). ``NeighbourhoodModel.step`` calls
:meth:`Ladder.step` once a day.
"""

from __future__ import annotations

import numpy as np

from sim.model.calendar import ADHOC, COUNCIL, JOINT, draw_attendance
from sim.model.disputes.arrival import arrive, category_table, daily_rates
from sim.model.disputes.book import FAILED, OPEN, RESOLVED, DisputeBook
from sim.model.disputes.outcomes import agenda, mediate, success_chance, update_trust
from sim.model.world import ROLE_BIG_V


class Ladder:
    """Neighbour disputes of one model: the book of cases and the daily steps of each level.

    Args:
        model: the :class:`~sim.model.model.NeighbourhoodModel` (world, firm, calendar, grid
            rounds, meeting log and the day's counters are read from it).
    """

    def __init__(self, model) -> None:
        self.model = model
        s, w = model.scenario, model.world
        names, _, self.cat_difficulty, self.cat_property = category_table(s)
        self.category_names = names
        self.rates = daily_rates(s, w)
        self.book = DisputeBook()
        self.last_adhoc = np.full(w.n_compounds, -(10**6))
        self.has_l2 = len(model.calendar.council) > 0
        self.has_l3 = len(model.calendar.joint) > 0 or s.meetings.adhoc

    # ------------------------------------------------------------------ day
    def arrive(self, day: int) -> None:
        """Today's new disputes (arrivals have their own stream: common random numbers)."""
        m = self.model
        m.today["new_disputes"] = arrive(
            self.book,
            self.rates,
            m.world,
            self.cat_difficulty,
            m.scenario.disputes.difficulty_sd,
            m.scenario.disputes.max_difficulty,
            m.arrival_rng,
            day,
        )

    def step(self, day: int, visited: np.ndarray) -> None:
        """One day of the ladder after arrivals and the grid workers' rounds."""
        m = self.model
        self.neighbours(day, visited)
        self.building(day)
        if m.calendar.is_council[day]:
            self.council(day)
        if m.calendar.is_joint[day]:
            self.joint(day)
        if m.scenario.meetings.adhoc:
            self.adhoc(day)
        self.escalate_and_expire(day)

    # --------------------------------------------------------------- helpers
    def next_level(self, idx: np.ndarray, above: int) -> np.ndarray:
        """The first level above ``above`` that exists for each case (or ``above`` if none)."""
        b = self.book
        target = np.full(len(idx), above, dtype=np.int8)
        if above < 3:
            target[:] = 3 if self.has_l3 else above
        if above < 2 and self.has_l2:
            target[:] = 2
        if above < 1:
            l1 = self.model.world.b_mediator[b.building[idx]] > 0
            if self.model.firm.present:
                l1 |= self.cat_property[b.category[idx]]
            target[l1] = 1
        return target

    def mediator_strength(self, idx: np.ndarray) -> np.ndarray:
        """Influence of the building mediator of each case (0 where the building has none).

        ``party.l1_mediator``: ``strongest`` in the building, ``nearest`` (the strongest in the
        first party's own unit, else in the building) or ``pooled`` (their influence summed).
        """
        w, b = self.model.world, self.book
        rule = self.model.scenario.party.l1_mediator
        building = b.building[idx]
        if rule == "pooled":
            return w.b_mediator_pool[building]
        strongest = w.b_mediator[building]
        if rule == "nearest":
            own = w.u_mediator[w.hh_unit[b.hh_a[idx]]]
            return np.where(own > 0, own, strongest)
        return strongest

    def chance(self, idx: np.ndarray, scale: float, strength, day: int, entrench=None):
        """Success chance of one attempt on each case (see ``outcomes.success_chance``)."""
        d = self.model.scenario.disputes
        return success_chance(
            self.book,
            idx,
            self.model.world.trust,
            scale,
            strength,
            day,
            d.entrenchment_days if entrench is None else entrench,
            d.trust_base,
            d.max_success,
        )

    def _resolve(self, won: np.ndarray, level: int, day: int) -> None:
        m, b = self.model, self.book
        m.today[f"resolved_L{level}"] = m.today.get(f"resolved_L{level}", 0) + len(won)
        parties = np.concatenate([b.hh_a[won], b.hh_b[won]])
        update_trust(m.world.trust, parties, 1.0, m.scenario.trust.gain_resolved)
        m.rounds.revisit(m.world.hh_grid[b.hh_a[won[b.reported_day[won] >= 0]]])

    # ---------------------------------------------------------------- levels
    def neighbours(self, day: int, visited: np.ndarray) -> None:
        """L0: neighbours settle some cases; the rest are reported or discovered."""
        m = self.model
        b, d, w, rng = self.book, m.scenario.disputes, m.world, m.rng
        idx = b.open_cases(0)
        if len(idx) == 0:
            return
        age = day - b.opened[idx]
        p_settle = d.self_settle * (1.0 - b.difficulty[idx]) * np.exp(-age / d.self_settle_days)
        settle = rng.random(len(idx)) < p_settle
        b.close(idx[settle], RESOLVED, day)
        self._resolve(idx[settle], 0, day)
        idx = idx[~settle & (b.reported_day[idx] < 0)]
        reported = rng.random(len(idx)) < d.report_rate * w.trust[b.hh_a[idx]]
        by_grid = visited[b.hh_a[idx]] | visited[b.hh_b[idx]]
        by_leader = (w.b_mediator[b.building[idx]] > 0) & (
            rng.random(len(idx)) < d.leader_discovery
        )
        found = by_grid & ~reported
        m.rounds.found(w.hh_grid[b.hh_a[idx[found]]])
        known = idx[reported | by_grid | by_leader]
        b.reported_day[known] = day
        target = self.next_level(known, 0)
        up = target > 0
        b.move(known[up], target[up], day)

    def building(self, day: int) -> None:
        """L1: building leaders mediate daily; the firm repairs the property cases it schedules."""
        m = self.model
        b, s, w = self.book, m.scenario, m.world
        idx = b.open_cases(1)
        if len(idx) == 0:
            return
        strength = self.mediator_strength(idx) * s.party.mediation_skill
        has = strength > 0
        chance = self.chance(idx[has], s.disputes.building_success, strength[has], day)
        won = mediate(b, idx[has], chance, m.rng, day)
        self._resolve(won, 1, day)
        if m.firm.present:
            prop = idx[(b.status[idx] == OPEN) & self.cat_property[b.category[idx]]]
            taken = m.firm.schedule_repairs(b, prop, w.n_compounds)
            scale = s.property_firm.repair_success
            chance = self.chance(taken, scale, m.firm.service_quality, day, entrench=np.inf)
            won = mediate(b, taken, chance, m.rng, day)
            m.firm.repairs += len(won)
            self._resolve(won, 1, day)

    def _attend(self, scale: float, compounds: np.ndarray | None = None) -> np.ndarray:
        """Draw attendance; returns attending household indices."""
        w = self.model.world
        members = (
            np.arange(w.n_households)
            if compounds is None
            else np.flatnonzero(np.isin(w.hh_compound, compounds))
        )
        p_scale = np.where(w.party[members], 1.0, scale)
        base = self.model.scenario.meetings.attendance_trust_base
        return draw_attendance(self.model.rng, w.participation, w.trust, members, p_scale, base)

    def _meeting(self, day: int, kind: str, level: int, idx: np.ndarray, strength, attend):
        """Take up cases at a meeting, mediate, and log one row per compound that met."""
        m = self.model
        w, b, s = m.world, self.book, m.scenario
        scale = s.disputes.council_success if level == 2 else s.disputes.joint_success
        chance = self.chance(idx, scale, strength, day)
        won = mediate(b, idx, chance, m.rng, day)
        self._resolve(won, level, day)
        nc = w.n_compounds
        att = np.bincount(w.hh_compound[attend], minlength=nc)
        party_att = np.bincount(w.hh_compound[attend[w.party[attend]]], minlength=nc)
        items = np.bincount(b.compound[idx], minlength=nc)
        resolved = np.bincount(b.compound[won], minlength=nc)
        met = np.unique(b.compound[idx]) if kind == ADHOC else np.arange(nc)
        for c in met:
            m.meeting_log.record(
                day,
                kind,
                int(c),
                "compound" if kind == COUNCIL else "community",
                attendance=int(att[c]),
                party_attendance=int(party_att[c]),
                items=int(items[c]),
                resolved=int(resolved[c]),
            )
        m.today["meetings"] = m.today.get("meetings", 0) + len(met)
        m.today["attendance"] = m.today.get("attendance", 0) + int(att.sum())

    def council(self, day: int) -> None:
        """L2: the compound council takes up the oldest cases on its agenda."""
        m = self.model
        w, b, s = m.world, self.book, m.scenario
        attend = self._attend(s.meetings.council_attendance)
        nc, pt = w.n_compounds, s.party
        party_att = np.bincount(w.hh_compound[attend[w.party[attend]]], minlength=nc)
        big_v = np.bincount(w.hh_compound[attend[w.role[attend] == ROLE_BIG_V]], minlength=nc) > 0
        party_term = np.minimum(party_att, pt.council_party_cap) / pt.council_party_cap
        comp_strength = 1.0 + party_term * pt.council_weight + pt.big_v_council_weight * big_v
        idx = agenda(b, b.open_cases(2), s.meetings.agenda_size)
        strength = comp_strength[b.compound[idx]]
        if m.firm.present and s.meetings.officials_attend:
            firm = 1.0 + s.property_firm.council_weight * m.firm.service_quality
            strength = strength * np.where(self.cat_property[b.category[idx]], firm, 1.0)
        self._meeting(day, COUNCIL, 2, idx, strength, attend)

    def _community_strength(self, idx: np.ndarray) -> np.ndarray:
        """Strength of a community-level meeting: owners' committee, firm, cross-appointment."""
        m, b, s = self.model, self.book, self.model.scenario
        legit = m.legitimacy[b.compound[idx]]
        cross = s.property_firm.cross_appointment_weight * m.firm.cross_appointment
        strength = 1.0 + s.owners_committee.meeting_weight * legit + cross
        if m.firm.present:
            firm = 1.0 + s.property_firm.joint_weight * m.firm.service_quality
            strength = strength * np.where(self.cat_property[b.category[idx]], firm, 1.0)
        return strength

    def joint(self, day: int) -> None:
        """L3: the monthly joint meeting with the firm and owners' committees."""
        m, b = self.model, self.book
        idx = agenda(b, b.open_cases(3), m.scenario.meetings.joint_agenda_size)
        attend = self._attend(m.scenario.meetings.joint_attendance)
        self._meeting(day, JOINT, 3, idx, self._community_strength(idx), attend)
        items = np.bincount(b.compound[idx], minlength=m.world.n_compounds)
        room = np.maximum(m.scenario.meetings.joint_agenda_size - items, 0)
        m.rounds.take_up_suggestions(room, m.firm.service_quality)

    def adhoc(self, day: int) -> None:
        """L3: a one-issue meeting for a case that waited too long at community level."""
        b, mt = self.book, self.model.scenario.meetings
        idx = b.open_cases(3)
        idx = idx[day - b.level_since[idx] >= mt.adhoc_after_days]
        idx = idx[day - self.last_adhoc[b.compound[idx]] >= mt.adhoc_after_days]
        if len(idx) == 0:
            return
        idx = agenda(b, idx, mt.adhoc_cases)
        comps = b.compound[idx]
        self.last_adhoc[comps] = day
        attend = self._attend(mt.adhoc_attendance, comps)
        self._meeting(day, ADHOC, 3, idx, self._community_strength(idx), attend)

    def escalate_and_expire(self, day: int) -> None:
        """Escalate cases past their patience; fail cases past the maximum age."""
        m = self.model
        b, d = self.book, m.scenario.disputes
        for level, patience in ((1, d.patience_building), (2, d.patience_council)):
            idx = b.open_cases(level)
            idx = idx[day - b.level_since[idx] > patience]
            target = self.next_level(idx, level)
            up = target > level
            b.move(idx[up], target[up], day)
        idx = b.open_cases()
        old = idx[day - b.opened[idx] > d.max_age]
        b.close(old, FAILED, day)
        m.today["failed"] = len(old)
        parties = np.concatenate([b.hh_a[old], b.hh_b[old]])
        update_trust(m.world.trust, parties, 0.0, m.scenario.trust.loss_failed)
