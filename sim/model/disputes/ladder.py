"""The mediation ladder: it owns the case book and runs one day of every level.

Levels: 0 neighbours settle themselves, 1 building (building leader / party group, or the
property firm for property cases), 2 compound council, 3 community joint or ad-hoc meeting
("disputes do not leave the building, do not leave the community" [Kening], [Fugu]). Cases that
age out fail (petition or court, [facts §6]). ``NeighbourhoodModel.step`` calls
:meth:`Ladder.step` once a day.
"""

from __future__ import annotations

import numpy as np

from sim.model.disputes.arrival import arrive, category_table, daily_rates
from sim.model.disputes.book import (
    DROPPED,
    EXPIRED,
    OPEN,
    OUTCOMES,
    REFERRED,
    RESOLVED,
    DisputeBook,
)
from sim.model.disputes.meetings import MeetingLevels
from sim.model.disputes.outcomes import success_chance, update_trust
from sim.model.streams import (
    DRAW_BLOCK_DAYS,
    KeyedGenerator,
    keyed_uniform_streams,
    stream_key,
)

# Named draws of a case (each case's own stream; see ``Ladder.draws``).
STREAM_SETTLE, STREAM_REPORT, STREAM_NOTICE, STREAM_DROP = range(4)
# Who mediates (each its own mediation and referral draws, as two may try a case the same day).
BY_LEADER, BY_FIRM = 1, 2
# The draws any open case may need on any day, made in one keyed pass when the day starts.
DAY_STREAMS = (
    STREAM_SETTLE,
    STREAM_REPORT,
    STREAM_NOTICE,
    STREAM_DROP,
    10 * BY_LEADER,
    10 * BY_LEADER + 1,
    10 * BY_FIRM,
)
RESOLVED_KEYS = ("resolved_L0", "resolved_L1", "resolved_L2", "resolved_L3")
DAY_ROW = {stream: row for row, stream in enumerate(DAY_STREAMS)}


class Ladder(MeetingLevels):
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
        self.cum_rates = np.cumsum(self.rates.ravel())  # arrivals place cases by searchsorted
        self.arrival_block: tuple[int, list[int]] = (0, [])  # (first day, cases a day) staged
        self.book = DisputeBook()
        # Common random numbers: each case's and each meeting's draws are keyed by their ids.
        self.case_key = stream_key(model.run_seed, "cases")
        self.meeting_key = stream_key(model.run_seed, "meetings")
        self.firm_key = stream_key(model.run_seed, "firm")
        self.firm_day = KeyedGenerator(self.firm_key)  # re-keyed by block of days
        self.joint_day = KeyedGenerator(self.meeting_key)  # re-keyed by (joint, day)
        self.last_adhoc = np.full(w.n_communities, -(10**6))
        mt = s.meetings
        comp_hh = np.bincount(w.hh_compound, minlength=w.n_compounds)
        comm_hh = np.bincount(w.c_community, comp_hh, minlength=w.n_communities)
        # Capacity belongs to the body that meets and scales with it (design §11).
        self.council_capacity = np.round(mt.agenda_size + mt.agenda_per_1000 * comp_hh / 1000)
        self.joint_capacity = np.round(
            mt.joint_agenda_size + mt.joint_agenda_per_1000 * comm_hh / 1000
        )
        self.has_l2 = len(model.calendar.council) > 0
        self.has_l3 = len(model.calendar.joint) > 0 or s.meetings.adhoc
        self.prepare_meetings(w.n_households)
        self.day_of_draws = (-1, 0)  # (day, cases in the book) of the day's draws
        self._level_tables()
        d = s.disputes
        # Patience by level: L0 cases move up when known, L3 cases wait until they close.
        self.patience = np.array([np.inf, d.patience_building, d.patience_council, np.inf])

    # ------------------------------------------------------------------ day
    def arrive(self, day: int) -> None:
        """Today's new disputes (arrivals have their own stream: common random numbers).

        They are drawn ``DRAW_BLOCK_DAYS`` days at a time (nothing the model does changes
        them) and each day's cases are revealed on the day.
        """
        m = self.model
        if not self.arrival_block[0] <= day < self.arrival_block[0] + len(self.arrival_block[1]):
            counts = arrive(
                self.book,
                self.rates,
                m.world,
                self.cat_difficulty,
                m.scenario.disputes,
                m.arrival_rng,
                day,
                DRAW_BLOCK_DAYS,
                self.cum_rates,
            )
            self.arrival_block = (day, counts.tolist())
        k = self.arrival_block[1][day - self.arrival_block[0]]
        self.book.reveal(k)
        m.today["new_disputes"] = k

    def step(self, day: int, visited: np.ndarray) -> None:
        """One day of the ladder after arrivals and the grid workers' rounds."""
        m = self.model
        b = self.book
        self.day_cases = b.open_cases()
        self.day_draws = keyed_uniform_streams(self.case_key, self.day_cases, day, DAY_STREAMS)
        self.day_of_draws = (day, b.n)
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
    def _level_tables(self) -> None:
        """Where a case goes next and who mediates it at L1: fixed by the world, so tabled once.

        ``l0_target[building, category]`` is the first level above 0 a case can reach;
        ``above[level]`` the first level above 1 and 2 (or the level itself if none exists).
        ``l1_strength`` is the building mediator's influence x ``party.mediation_skill``, by
        building, or by unit with ``party.l1_mediator = nearest``.
        """
        m = self.model
        w, pt = m.world, m.scenario.party
        above2 = 3 if self.has_l3 else 2
        above1 = 2 if self.has_l2 else (3 if self.has_l3 else 1)
        above0 = 2 if self.has_l2 else (3 if self.has_l3 else 0)
        self.above = (above0, above1, above2, 3)
        self.up_to = np.array(self.above, dtype=np.int8)
        buildings = np.arange(w.n_buildings)
        l1 = self.has_mediator(buildings)[:, None]
        if m.firm.present:
            l1 = l1 | self.cat_property[None, :]
        shape = (w.n_buildings, len(self.cat_property))
        self.l0_target = np.where(np.broadcast_to(l1, shape), 1, above0).astype(np.int8)
        own = w.b_mediator_pool if pt.l1_mediator == "pooled" else w.b_mediator
        # Buildings without their own mediator are served by their grid's party branch.
        branch = w.g_branch[w.b_grid[buildings]] * pt.branch_strength * pt.influence
        strength = np.where(own > 0, own, branch)
        self.l1_by_unit = pt.l1_mediator == "nearest"  # how l1_strength is indexed
        if self.l1_by_unit:  # the first party's own unit, else the building's
            unit = w.u_mediator
            strength = np.where(unit > 0, unit, strength[w.u_building])
        self.l1_strength = strength * pt.mediation_skill

    def next_level(self, idx: np.ndarray, above: int) -> np.ndarray:
        """The first level above ``above`` that exists for each case (or ``above`` if none)."""
        if above == 0:
            b = self.book
            return self.l0_target[b.building[idx], b.category[idx]]
        return np.full(len(idx), self.above[above], dtype=np.int8)

    def has_mediator(self, building: np.ndarray) -> np.ndarray:
        """Whether a building has an L1 mediator: its own, or its grid's party branch."""
        w = self.model.world
        own = w.b_mediator[building] > 0
        if self.model.scenario.party.branch_strength > 0:
            own |= w.g_branch[w.b_grid[building]]
        return own

    def mediator_strength(self, idx: np.ndarray) -> np.ndarray:
        """Strength of the building mediator of each case x mediation skill (0 if none).

        ``party.l1_mediator``: ``strongest`` in the building, ``nearest`` (the strongest in the
        first party's own unit, else in the building) or ``pooled`` (their influence summed).
        """
        b = self.book
        if self.l1_by_unit:  # the table was built by unit (the rule at the start of the run)
            return self.l1_strength[self.model.world.hh_unit[b.hh_a[idx]]]
        return self.l1_strength[b.building[idx]]

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

    def draws(self, idx: np.ndarray, stream: int, day: int) -> np.ndarray:
        """One uniform number per case for ``stream`` today, keyed by (seed, case, day, stream)."""
        return self.case_draws(idx, (stream,), day)[0]

    def case_draws(self, idx: np.ndarray, streams: tuple[int, ...], day: int) -> list[np.ndarray]:
        """Uniform numbers of cases for several streams, keyed by (seed, case, day, stream).

        The day's common streams (:data:`DAY_STREAMS`) of every case open when the day started
        were drawn then, in one keyed pass; they are looked up (the same numbers).
        """
        if self.day_of_draws == (day, self.book.n) and all(s in DAY_ROW for s in streams):
            pos = np.searchsorted(self.day_cases, idx)
            return [self.day_draws[DAY_ROW[s], pos] for s in streams]
        return list(keyed_uniform_streams(self.case_key, idx, day, streams))

    def waiting(self, level: int) -> np.ndarray:
        """Open cases a level can still work on today.

        With ``disputes.lower_levels_while_waiting`` a case queued higher up keeps the chances of
        the levels below (neighbours, building mediator) until it closes.
        """
        b = self.book
        if not self.model.scenario.disputes.lower_levels_while_waiting:
            return b.open_cases(level)
        idx = b.open_cases()
        return idx if level == 0 else idx[b.level[idx] >= level]

    def attempt(self, idx, chance, level: int, day: int, by: int, refer: float = 0.0) -> np.ndarray:
        """One mediation attempt on each case: settles, or may end it as a referral.

        Returns:
            The cases resolved.
        """
        if len(idx) == 0:
            return idx
        b = self.book
        b.attempts[idx] += 1
        if refer > 0:  # the mediation and the referral draws together
            u_win, u_refer = self.case_draws(idx, (10 * by, 10 * by + 1), day)
        else:
            u_win = self.draws(idx, 10 * by, day)
        won_mask = u_win < chance
        won = idx[won_mask]
        self._resolve(won, level, day)
        if refer > 0:
            lost_mask = ~won_mask
            lost = idx[lost_mask]
            ended = u_refer[lost_mask] < refer * b.difficulty[lost]
            self._end(lost[ended], REFERRED, day)
        return won

    def _end(self, idx: np.ndarray, outcome: int, day: int) -> None:
        """Close cases without a settlement; referral and expiry cost the parties' trust."""
        if len(idx) == 0:
            return
        m, b = self.model, self.book
        b.close(idx, outcome, day)
        key = OUTCOMES[outcome]
        m.today[key] = m.today.get(key, 0) + len(idx)
        if outcome != DROPPED:
            parties = np.concatenate([b.hh_a[idx], b.hh_b[idx]])
            update_trust(m.world.trust, parties, 0.0, m.scenario.trust.loss_failed)

    def _resolve(self, won: np.ndarray, level: int, day: int) -> None:
        if len(won) == 0:
            return
        m, b = self.model, self.book
        b.close(won, RESOLVED, day, level)
        key = RESOLVED_KEYS[level]
        m.today[key] = m.today.get(key, 0) + len(won)
        parties = np.concatenate([b.hh_a[won], b.hh_b[won]])
        update_trust(m.world.trust, parties, 1.0, m.scenario.trust.gain_resolved)

    # ---------------------------------------------------------------- levels
    def neighbours(self, day: int, visited: np.ndarray) -> None:
        """L0: neighbours settle some cases; the unknown rest are reported or discovered."""
        m = self.model
        b, d, w = self.book, m.scenario.disputes, m.world
        idx = self.waiting(0)
        if len(idx) == 0:
            return
        age = day - b.opened[idx]
        p_settle = d.self_settle * (1.0 - b.difficulty[idx]) * np.exp(-age / d.self_settle_days)
        settle = self.draws(idx, STREAM_SETTLE, day) < p_settle
        self._resolve(idx[settle], 0, day)
        idx = idx[~settle & (b.reported_day[idx] < 0)]  # still unknown to anyone official
        if len(idx) == 0:
            return
        u_report, u_notice = self.case_draws(idx, (STREAM_REPORT, STREAM_NOTICE), day)
        reported = u_report < d.report_rate * w.trust[b.hh_a[idx]]
        by_grid = visited[b.hh_a[idx]] | visited[b.hh_b[idx]]
        by_leader = (w.b_mediator[b.building[idx]] > 0) & (u_notice < d.leader_discovery)
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
        idx = self.waiting(1)
        if len(idx) == 0:
            return
        strength = self.mediator_strength(idx)
        has = strength > 0
        chance = self.chance(idx[has], s.disputes.building_success, strength[has], day)
        self.attempt(idx[has], chance, 1, day, BY_LEADER, refer=s.disputes.refer_building)
        prop = idx[(b.status[idx] == OPEN) & self.cat_property[b.category[idx]]]
        if m.firm.present and len(prop):
            capacity = m.firm.daily_capacity(day, w.n_compounds, self.firm_day)
            taken = m.firm.schedule_repairs(b, prop, capacity)
            scale = s.property_firm.repair_success
            chance = self.chance(taken, scale, m.firm.service_quality, day, entrench=np.inf)
            won = self.attempt(taken, chance, 1, day, BY_FIRM)
            m.firm.repairs += len(won)

    def escalate_and_expire(self, day: int) -> None:
        """Escalate cases past their patience; parties drop some; old cases expire."""
        m = self.model
        b, d = self.book, m.scenario.disputes
        # Cases at L1 or L2 past their level's patience move up (to the first level above that
        # exists); both levels at once, as a case moved up today has waited 0 days there.
        idx = b.open_cases()
        level = b.level[idx]
        patience = self.patience[level]
        over = (day - b.level_since[idx]) > patience
        if over.any():
            up, target = idx[over], self.up_to[level[over]]
            moving = target > level[over]
            b.move(up[moving], target[moving], day)
        drop = self.draws(idx, STREAM_DROP, day) < d.drop_rate
        self._end(idx[drop], DROPPED, day)
        idx = idx[~drop]
        self._end(idx[day - b.opened[idx] > d.max_age], EXPIRED, day)
