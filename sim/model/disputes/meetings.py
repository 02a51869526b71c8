"""L2 and L3 of the mediation ladder: the compound council and the community's meetings.

Who attends, which cases are heard and the log of each meeting. The council hears cases on the
calendar's council days, the joint meeting (with the firm and owners' committees) on its days,
and an ad-hoc one-issue meeting (一事一议) takes up cases that waited too long at L3 [Xuanwu].
"""

from __future__ import annotations

import numpy as np

from sim.model.calendar import ADHOC, COUNCIL, JOINT, draw_attendance
from sim.model.disputes.outcomes import agenda
from sim.model.streams import KeyedIds, keyed_uniform
from sim.model.world import ROLE_BIG_V

# Named draws of a meeting (attendance and random agendas are keyed by the meeting kind).
KIND_CODE = {COUNCIL: 0, JOINT: 1, ADHOC: 2}
# Who mediates at a meeting (each its own mediation and referral draws of a case).
BY_MEETING = {COUNCIL: 3, JOINT: 4, ADHOC: 5}


class MeetingLevels:
    """The meeting levels of :class:`~sim.model.disputes.ladder.Ladder` (L2 council, L3).

    Uses the ladder's book, model, keys, capacities and its ``chance``/``attempt`` helpers.
    """

    def prepare_meetings(self, n_households: int) -> None:
        """Every household's ids prepared for keyed attendance draws; scales by meeting kind."""
        self.everyone = KeyedIds(np.arange(n_households))
        self._party_scale: dict[str, np.ndarray] = {}  # attendance scale (party members: 1)

    def _attend(
        self, kind: str, day: int, scale: float, communities: np.ndarray | None = None
    ) -> np.ndarray:
        """Draw attendance (of everyone, or of some communities); returns households.

        Each household's draw is keyed by (seed, meeting kind, day, household).
        """
        w = self.model.world
        base = self.model.scenario.meetings.attendance_trust_base
        if communities is None:  # everyone: the households' ids and party scale are prepared
            p_scale = self._party_scale.get(kind)
            if p_scale is None:
                p_scale = self._party_scale[kind] = np.where(w.party, 1.0, scale)
            u = self.everyone.uniform(self.meeting_key, KIND_CODE[kind], day)
            p = np.minimum(w.participation * (base + w.trust) * p_scale, 1.0)
            return (u < p).nonzero()[0]
        members = w.community_households(communities)
        p_scale = np.where(w.party[members], 1.0, scale)
        u = keyed_uniform(self.meeting_key, members, KIND_CODE[kind], day)
        return draw_attendance(u, w.participation, w.trust, members, p_scale, base)

    def _meeting(self, day: int, kind: str, level: int, idx: np.ndarray, strength, attend):
        """Take up cases at a meeting, mediate, and log one row per compound that met."""
        m = self.model
        w, b, s = m.world, self.book, m.scenario
        scale = s.disputes.council_success if level == 2 else s.disputes.joint_success
        chance = self.chance(idx, scale, strength, day)
        b.hearings[idx] += 1
        refer = s.disputes.refer_meeting
        won = self.attempt(idx, chance, level, day, BY_MEETING[kind], refer=refer)
        # One log row per body that met: a compound's council, a community's joint meeting.
        if kind == COUNCIL:
            hh_body, case_body, n = w.hh_compound, b.compound, w.n_compounds
        else:
            hh_body, n = w.hh_community, w.n_communities
            case_body = w.c_community[b.compound]
        att = np.bincount(hh_body[attend], minlength=n)
        party_att = np.bincount(hh_body[attend[w.party[attend]]], minlength=n)
        items = np.bincount(case_body[idx], minlength=n)
        resolved = np.bincount(case_body[won], minlength=n)
        met = np.unique(case_body[idx]) if kind == ADHOC else np.arange(n)
        community = w.c_community[met] if kind == COUNCIL else met
        counts = {"attendance": att, "party_attendance": party_att, "items": items}
        m.meeting_log.record_bodies(day, kind, met, community, **counts, resolved=resolved)
        m.today["meetings"] = m.today.get("meetings", 0) + len(met)
        m.today["attendance"] = m.today.get("attendance", 0) + int(att.sum())

    def council(self, day: int) -> None:
        """L2: each compound council hears cases up to its capacity, by the agenda rule.

        Strength: 1 + party weight x party share of the attendees + big-V weight if one attends,
        x (1 + firm weight x quality) on property cases when officials and the firm attend.
        """
        m = self.model
        w, b, s = m.world, self.book, m.scenario
        attend = self._attend(COUNCIL, day, s.meetings.council_attendance)
        nc, pt = w.n_compounds, s.party
        party_att = np.bincount(w.hh_compound[attend[w.party[attend]]], minlength=nc)
        big_v = np.bincount(w.hh_compound[attend[w.role[attend] == ROLE_BIG_V]], minlength=nc) > 0
        att = np.bincount(w.hh_compound[attend], minlength=nc)
        party_share = party_att / np.maximum(att, 1)
        comp_strength = 1.0 + pt.council_weight * party_share + pt.big_v_council_weight * big_v
        idx = self.agenda(COUNCIL, day, b.open_cases(2), self.council_capacity)
        strength = comp_strength[b.compound[idx]]
        if m.firm.present and s.meetings.officials_attend:
            firm = 1.0 + s.property_firm.council_weight * m.firm.service_quality
            strength = strength * np.where(self.cat_property[b.category[idx]], firm, 1.0)
        self._meeting(day, COUNCIL, 2, idx, strength, attend)

    def agenda(
        self, kind: str, day: int, idx: np.ndarray, capacity, by_community: bool = False
    ) -> np.ndarray:
        """The cases each body hears today by ``meetings.agenda_rule``."""
        b, rule = self.book, self.model.scenario.meetings.agenda_rule
        body = self.model.world.c_community[b.compound[idx]] if by_community else None
        draws = None
        if rule == "random":
            draws = keyed_uniform(self.meeting_key, idx, KIND_CODE[kind] + len(KIND_CODE), day)
        return agenda(b, idx, capacity, body, rule, draws)

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
        w = m.world
        idx = self.agenda(JOINT, day, b.open_cases(3), self.joint_capacity, by_community=True)
        attend = self._attend(JOINT, day, m.scenario.meetings.joint_attendance)
        self._meeting(day, JOINT, 3, idx, self._community_strength(idx), attend)
        items = np.bincount(w.c_community[b.compound[idx]], minlength=w.n_communities)
        room = np.maximum(self.joint_capacity - items, 0).astype(np.int64)
        if room.any() and m.rounds.suggestions_waiting.any():
            rng = self.joint_day.for_event(KIND_CODE[JOINT], day)
            m.rounds.take_up_suggestions(room, m.firm.service_quality, rng)

    def adhoc(self, day: int) -> None:
        """L3: a community's one-issue meeting for cases that waited too long at its level."""
        b, mt, w = self.book, self.model.scenario.meetings, self.model.world
        idx = b.open_cases(3)
        idx = idx[day - b.level_since[idx] >= mt.adhoc_after_days]
        if len(idx) == 0:
            return
        idx = idx[day - self.last_adhoc[w.c_community[b.compound[idx]]] >= mt.adhoc_after_days]
        if len(idx) == 0:
            return
        idx = self.agenda(ADHOC, day, idx, mt.adhoc_cases, by_community=True)
        comms = np.unique(w.c_community[b.compound[idx]])
        self.last_adhoc[comms] = day
        attend = self._attend(ADHOC, day, mt.adhoc_attendance, comms)
        self._meeting(day, ADHOC, 3, idx, self._community_strength(idx), attend)
