"""Upgrade projects: proposal, deliberation, mobilisation, owners' votes and retries.

Each scenario project expands into instances (one per unit, building or compound of its
scope). Opinions ``x`` and concerns ``c`` live in arrays over the project's member households;
a household would vote yes when its effective support ``x * (1 - c)`` exceeds 1/2.
Councils and joint or ad-hoc meetings move opinions (party members credible and stubborn) and
answer concerns when officials and the firm attend ([Kening]); party members canvass door to
door and sign first ([Yongyuan-41]); opinions diffuse weekly over social ties. The owners'
committee (or the party branch where none exists) calls a vote when projected support clears
the rule with a margin, or at the deadline; a failed vote retries after a cooling period,
possibly with raised ground-floor compensation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.model.agents.owners_committee import OwnersCommittee
from sim.model.projects import deliberation as dl
from sim.model.projects.utility import initial_support, net_utility, support_from_utility
from sim.model.projects.voting import decide, required_share
from sim.scenario.projects import Project

WAITING, DELIBERATING, PASSED, FAILED = 0, 1, 2, 3
STATUS_NAMES = np.array(["waiting", "open", "passed", "failed"])
JOINT_PROJECT_SCALE = 0.3  # joint meetings: a few representatives of each instance attend


@dataclass
class ProjectState:
    """Arrays of one scenario project: members (households) and instances."""

    spec: Project
    members: np.ndarray
    inst: np.ndarray
    scope_ids: np.ndarray
    inst_compound: np.ndarray
    ties: object
    x: np.ndarray = field(init=False)
    c: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        k = len(self.scope_ids)
        m = len(self.members)
        self.x = np.full(m, np.nan)
        self.interest = np.full(m, np.nan)
        self.c = np.zeros(m)
        self.status = np.zeros(k, dtype=np.int8)
        self.proposed = np.full(k, -1)
        self.meetings = np.zeros(k, dtype=np.int64)
        self.last_meeting = np.full(k, -(10**6))
        self.votes = np.zeros(k, dtype=np.int64)
        self.passed_day = np.full(k, -1)
        self.delivery_due = np.full(k, np.iinfo(np.int64).max)
        self.delivered_day = np.full(k, -1)
        self.meetings_at_pass = np.full(k, -1)
        self.next_vote = np.zeros(k, dtype=np.int64)
        self.deadline = np.zeros(k, dtype=np.int64)
        self.compensation = np.full(k, self.spec.ground_compensation)
        self.turnout = np.full(k, np.nan)
        self.support_at_vote = np.full(k, np.nan)
        self.net = np.zeros(m)
        # Member positions of each instance (ascending), for per-instance work without scans.
        order = np.argsort(self.inst, kind="stable")
        counts = np.bincount(self.inst, minlength=k)
        self.by_inst = np.split(order, np.cumsum(counts)[:-1])
        self.tie_rows = np.repeat(np.arange(m), np.diff(self.ties.indptr))

    def effective(self) -> np.ndarray:
        """Effective support x (1 - concern) of each member."""
        return self.x * (1.0 - self.c)


class ProjectPortfolio:
    """All projects of a model run; called once a day by the model."""

    def __init__(self, model) -> None:
        self.model = model
        self.rng = model.project_rng
        self.states = [self._expand(p) for p in model.scenario.projects]
        self.vote_rows: list[dict] = []
        self.snapshots: list[tuple[int, int, np.ndarray]] = []

    # ---------------------------------------------------------------- set-up
    def _expand(self, spec: Project) -> ProjectState:
        w = self.model.world
        in_scope = np.ones(w.n_households, dtype=bool)
        if spec.compounds is not None:
            in_scope = np.isin(w.hh_compound, spec.compounds)
        members = np.flatnonzero(in_scope)
        key = {"unit": w.hh_unit, "building": w.hh_building, "compound": w.hh_compound}[spec.scope][
            members
        ]
        scope_ids, inst = np.unique(key, return_inverse=True)
        inst_compound = np.zeros(len(scope_ids), dtype=np.int64)
        inst_compound[inst] = w.hh_compound[members]
        ties = w.ties[members][:, members].tocsr()
        return ProjectState(spec, members, inst, scope_ids, inst_compound, ties)

    # ------------------------------------------------------------------ step
    def step(self, day: int, council: bool, joint: bool) -> None:
        """Advance every project one day."""
        for st in self.states:
            self._propose(st, day)
            self._deliver(st, day)
            active = st.status == DELIBERATING
            if not active.any():
                continue
            if council:
                self._meeting(st, day, "council", active, self._council_answer())
            if joint:
                self._meeting(st, day, "joint", active, self._joint_answer(), JOINT_PROJECT_SCALE)
            if day % 7 == 6:
                self._canvass(st, day)
                self._diffuse(st)
            self._votes(st, day)
        if day % 7 == 6 or day == self.model.scenario.days - 1:
            self._snapshot(day)

    # -------------------------------------------------------------- delivery
    def _build_days(self, spec: Project) -> int:
        """Days the works take: the firm carries them out; without one they take half again."""
        return int(round(spec.build_days * (1.0 if self.model.firm.present else 1.5)))

    def _deliver(self, st: ProjectState, day: int) -> None:
        """Finish due works; the households of a delivered project trust more (design step 7)."""
        done = np.flatnonzero(
            (st.status == PASSED) & (st.delivered_day < 0) & (st.delivery_due <= day)
        )
        if len(done) == 0:
            return
        st.delivered_day[done] = day
        w, gain = self.model.world, self.model.scenario.trust.gain_project
        everyone = st.members[np.concatenate([st.by_inst[i] for i in done])]
        w.trust[everyone] += gain * (1.0 - w.trust[everyone])

    # -------------------------------------------------------------- proposal
    def _propose(self, st: ProjectState, day: int) -> None:
        s = st.spec
        if day < s.start_day:
            return
        waiting = st.status == WAITING
        if not waiting.any():
            return
        if s.trigger == "wishes":
            wishes = self.model.compound_wishes[st.inst_compound]
            waiting &= wishes >= s.wishes_needed
            if not waiting.any():
                return
        new = np.flatnonzero(waiting)
        st.status[new] = DELIBERATING
        st.proposed[new] = day
        st.next_vote[new] = day + 7
        st.deadline[new] = day + s.deadline_days
        sel = np.isin(st.inst, new)
        self._set_opinions(st, sel)
        if self.model.scenario.meetings.adhoc:
            # A one-issue kick-off meeting (一事一议) for each new instance [Xuanwu].
            active = np.zeros(len(st.status), dtype=bool)
            active[new] = True
            self._meeting(st, day, "adhoc", active, self._joint_answer())

    def _set_opinions(self, st: ProjectState, sel: np.ndarray) -> None:
        w, d = self.model.world, self.model.scenario.deliberation
        h = st.members[sel]
        st.net[sel] = self._utility(st)[sel]
        x = initial_support(st.net[sel], st.spec.utility_scale, w.trust[h], self.rng)
        st.interest[sel] = x
        c = np.clip(st.spec.concern + self.rng.normal(0, 0.1, len(h)), 0.0, 1.0)
        if self.model.scenario.party.sign_first:
            party = w.party[h]
            x[party] = np.maximum(x[party], d.signed_support)
            c[party] = 0.0
        st.x[sel] = x
        st.c[sel] = c

    def _utility(self, st: ProjectState, instance: int | None = None) -> np.ndarray:
        """Net utility of all members, or of one instance's members only."""
        w = self.model.world
        if instance is None:
            h, inst, comp = st.members, st.inst, st.compensation
        else:
            h = st.members[st.by_inst[instance]]
            inst = np.zeros(len(h), dtype=np.int64)
            comp = st.compensation[instance : instance + 1]
        return net_utility(
            st.spec, w.hh_floor[h], w.hh_area[h], w.hh_elderly[h], w.hh_owner[h], inst, comp
        )

    # -------------------------------------------------------------- meetings
    def _council_answer(self) -> float:
        m = self.model.scenario
        return m.deliberation.answer_rate if m.meetings.officials_attend else 0.0

    def _joint_answer(self) -> float:
        return self.model.scenario.deliberation.answer_rate

    def _meeting(
        self,
        st: ProjectState,
        day: int,
        kind: str,
        active: np.ndarray,
        answer: float,
        scale: float = 1.0,
    ) -> None:
        """Discuss every active instance: attendance, opinion update, concerns answered."""
        w, d = self.model.world, self.model.scenario.deliberation
        sel = np.flatnonzero(active[st.inst])
        h = st.members[sel]
        party = w.party[h]
        p = w.participation[h] * (0.5 + w.trust[h]) * np.where(party, 1.0, scale)
        p = np.minimum(p * d.project_attendance, 1.0)
        came = sel[self.rng.random(len(sel)) < p]
        st.meetings[active] += 1
        st.last_meeting[active] = day
        self.model.log_project_meeting(day, kind, st, np.flatnonzero(active), st.inst[came])
        if len(came) == 0:
            return
        eps = w.openness[st.members[came]]
        credible = w.party[st.members[came]]
        dl.meeting_update(
            st.x, came, st.inst[came], credible, eps, d.meeting_mu, d.credibility, self.rng
        )
        st.c[came] *= 1.0 - answer

    def _canvass(self, st: ProjectState, day: int) -> None:
        """Party members' door-to-door visits inside their building (else compound).

        Canvassing is the follow-up of a meeting: it runs in the weeks after an instance was
        discussed, so an organised campaign needs meetings [Yongyuan-41].
        """
        s, w = self.model.scenario, self.model.world
        k = s.party.canvass_per_week
        d = s.deliberation
        if k == 0:
            return
        campaign = (st.status == DELIBERATING) & (day - st.last_meeting < 7)
        active = campaign[st.inst]
        pool = np.flatnonzero(active)
        canvassers = np.flatnonzero(w.party[st.members])
        if len(pool) == 0 or len(canvassers) == 0:
            return
        canvassers = np.repeat(canvassers, k)
        cb = w.hh_building[st.members[canvassers]]
        pool_b = w.hh_building[st.members[pool]]
        lo = np.searchsorted(pool_b, cb, side="left")
        hi = np.searchsorted(pool_b, cb, side="right")
        cc = w.hh_compound[st.members[canvassers]]
        pool_c = w.hh_compound[st.members[pool]]
        none = hi == lo
        lo[none] = np.searchsorted(pool_c, cc[none], side="left")
        hi[none] = np.searchsorted(pool_c, cc[none], side="right")
        ok = hi > lo
        canvassers, lo, hi = canvassers[ok], lo[ok], hi[ok]
        targets = pool[lo + (self.rng.random(len(lo)) * (hi - lo)).astype(np.int64)]
        xc, xt = st.x[canvassers], st.x[targets]
        eps = w.openness[st.members[targets]] * d.credibility
        moved = np.abs(xc - xt) < eps
        infl = np.minimum(w.influence[st.members[canvassers]] / s.party.influence, 3.0)
        st.x[targets] = np.where(moved, xt + np.minimum(d.canvass_mu * infl, 1.0) * (xc - xt), xt)
        st.c[targets] *= 1.0 - d.canvass_answer

    def _diffuse(self, st: ProjectState) -> None:
        """Weekly diffusion of support and concerns over ties, anchored to own interest.

        Party members who signed first keep their support (stubborn); everyone else moves
        towards tie neighbours within their bound, then back towards their own interest
        (Friedkin-Johnsen).
        """
        s, w = self.model.scenario, self.model.world
        d = s.deliberation
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
        if s.party.sign_first:
            party = w.party[st.members]
            new_x[party] = x[party]
        if known.all():
            new_c = dl.diffuse(st.c, st.ties, np.full(len(st.c), np.inf), d.diffusion_rate)
        else:
            bound = np.where(known, np.inf, -1.0)
            new_c = dl.diffuse(st.c, st.ties, bound, d.diffusion_rate, st.tie_rows)
        st.x = np.where(known, new_x, np.nan)
        st.c = np.where(known, new_c, st.c)

    # ----------------------------------------------------------------- votes
    def _votes(self, st: ProjectState, day: int) -> None:
        """Project every due instance's support at once; hold the votes that are called."""
        s = st.spec
        due = np.flatnonzero((st.status == DELIBERATING) & (day >= st.next_vote))
        if len(due) == 0:
            return
        w = self.model.world
        owners = w.hh_owner[st.members]
        yes = st.effective() > 0.5
        if self.model.scenario.party.sign_first:
            yes |= w.party[st.members]
        k = len(st.scope_ids)
        oi = st.inst[owners]
        area = w.hh_area[st.members][owners]
        n_own = np.bincount(oi, minlength=k)
        a_own = np.bincount(oi, area, minlength=k)
        share_n = np.bincount(oi, yes[owners], minlength=k) / np.maximum(n_own, 1)
        share_a = np.bincount(oi, area * yes[owners], minlength=k) / np.maximum(a_own, 1e-12)
        projected = np.minimum(share_n, share_a)
        st.status[due[n_own[due] == 0]] = FAILED
        due = due[n_own[due] > 0]
        need = min(required_share(s.rule, s.matter) + s.vote_margin, 1.0)
        called = OwnersCommittee.would_call(projected[due], need, day >= st.deadline[due])
        for i in due[called]:
            committee = self.model.committees[int(st.inst_compound[i])]
            committee.votes_called += 1
            members = st.by_inst[i]
            sel = members[owners[members]]
            self._hold_vote(st, i, sel, yes[sel], day, committee)

    def _hold_vote(self, st, i, sel, yes_now, day, committee) -> None:
        s, w, tr = st.spec, self.model.world, self.model.scenario.trust
        h = st.members[sel]
        p = np.minimum(s.turnout_base + w.participation[h], 1.0)
        voted = self.rng.random(len(h)) < p
        dec = decide(s.rule, s.matter, w.hh_area[h], voted, yes_now)
        st.votes[i] += 1
        st.turnout[i] = voted.mean()
        st.support_at_vote[i] = yes_now.mean()
        self.vote_rows.append(
            {
                "project": s.name,
                "type": s.type,
                "instance": int(i),
                "scope_id": int(st.scope_ids[i]),
                "compound": int(st.inst_compound[i]),
                "day": day,
                "attempt": int(st.votes[i]),
                "called_by": committee.caller,
                "rule": s.rule,
                "matter": s.matter,
                "quorum_met": dec.quorum_met,
                "passed": dec.passed,
                "area_turnout": float(dec.area_turnout),
                "owner_turnout": float(dec.owner_turnout),
                "area_yes": float(dec.area_yes),
                "owner_yes": float(dec.owner_yes),
                "compensation": float(st.compensation[i]),
            }
        )
        everyone = st.members[st.by_inst[i]]
        if dec.passed:
            st.status[i] = PASSED
            st.passed_day[i] = day
            st.meetings_at_pass[i] = st.meetings[i]
            st.delivery_due[i] = day + self._build_days(s)
            return
        w.trust[everyone] -= tr.loss_project * w.trust[everyone]
        if st.votes[i] >= s.retry.max_attempts:
            st.status[i] = FAILED
            return
        st.next_vote[i] = day + s.retry.cooling_days
        st.deadline[i] = st.next_vote[i] + s.deadline_days
        if s.retry.compensation_step > 0:
            self._redesign(st, i)

    def _redesign(self, st: ProjectState, i: int) -> None:
        """Raise ground-floor compensation; support moves by the change in interest."""
        sel = st.by_inst[i]
        old = support_from_utility(st.net[sel], st.spec.utility_scale)
        st.compensation[i] += st.spec.retry.compensation_step
        st.net[sel] = self._utility(st, i)
        new = support_from_utility(st.net[sel], st.spec.utility_scale)
        st.x[sel] = np.clip(st.x[sel] + new - old, 0.0, 1.0)
        st.interest[sel] = np.clip(st.interest[sel] + new - old, 0.0, 1.0)

    # --------------------------------------------------------------- outputs
    def _snapshot(self, day: int) -> None:
        """Record mean effective support per building (weekly, for maps)."""
        nb = self.model.world.n_buildings
        for k, st in enumerate(self.states):
            e = st.effective()
            ok = ~np.isnan(e)
            if not ok.any():
                continue
            b = self.model.world.hh_building[st.members[ok]]
            cnt = np.bincount(b, minlength=nb)
            mean = np.bincount(b, e[ok], minlength=nb) / np.maximum(cnt, 1)
            self.snapshots.append((day, k, np.where(cnt > 0, mean, np.nan)))

    def building_support(self) -> pd.DataFrame:
        """Weekly mean effective support per building and project."""
        nb = self.model.world.n_buildings
        frames = [
            pd.DataFrame(
                {
                    "day": day,
                    "project": self.states[k].spec.name,
                    "building": np.arange(nb),
                    "support": sup,
                }
            ).dropna()
            for day, k, sup in self.snapshots
        ]
        cols = ["day", "project", "building", "support"]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)

    def mean_support(self, k: int) -> float:
        """Mean effective support among members of started instances of project ``k``."""
        st = self.states[k]
        started = st.status[st.inst] != WAITING
        return float(np.nanmean(st.effective()[started])) if started.any() else float("nan")

    def passed_count(self, k: int) -> int:
        """Instances of project ``k`` passed so far."""
        return int((self.states[k].status == PASSED).sum())

    def tables(self) -> dict[str, pd.DataFrame]:
        """``projects`` (one row per instance), ``votes`` and weekly ``building_support``."""
        return {
            "projects": self.projects_frame(),
            "votes": pd.DataFrame(self.vote_rows),
            "building_support": self.building_support(),
        }

    def projects_frame(self) -> pd.DataFrame:
        """One row per project instance."""
        rows = []
        w = self.model.world
        for st in self.states:
            e = st.effective()
            owners = w.hh_owner[st.members]
            n = np.bincount(st.inst, minlength=len(st.scope_ids))
            n_own = np.bincount(st.inst, owners, minlength=len(st.scope_ids))
            ok = owners & ~np.isnan(e)
            sup = np.bincount(st.inst[ok], e[ok], minlength=len(n)) / np.maximum(
                np.bincount(st.inst[ok], minlength=len(n)), 1
            )
            days = np.where(st.passed_day >= 0, st.passed_day - st.proposed, -1)
            rows.append(
                pd.DataFrame(
                    {
                        "project": st.spec.name,
                        "type": st.spec.type,
                        "scope": st.spec.scope,
                        "instance": np.arange(len(n)),
                        "scope_id": st.scope_ids,
                        "compound": st.inst_compound,
                        "households": n,
                        "owners": n_own.astype(int),
                        "status": STATUS_NAMES[st.status],
                        "day_proposed": st.proposed,
                        "meetings": st.meetings,
                        "votes": st.votes,
                        "passed": st.status == PASSED,
                        "day_passed": st.passed_day,
                        "day_delivered": st.delivered_day,
                        "days_to_pass": days,
                        "meetings_to_pass": st.meetings_at_pass,
                        "final_support": np.where(st.status == WAITING, np.nan, sup),
                        "turnout": st.turnout,
                        "compensation": st.compensation,
                    }
                )
            )
        return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()

    def summary(self) -> dict:
        """Headline project metrics (flat keys ``projects.*``)."""
        df = self.projects_frame()
        if df.empty:
            return {"projects.total": 0}
        passed = df[df.passed]
        started = df[df.status != "waiting"]
        votes = int(df.votes.sum())
        return {
            "projects.total": len(df),
            "projects.proposed": len(started),
            "projects.passed": len(passed),
            "projects.delivered": int((df.day_delivered >= 0).sum()),
            "projects.pass_rate": float(df.passed.mean()),
            "projects.median_days_to_pass": _median(passed.days_to_pass),
            "projects.median_meetings_to_pass": _median(passed.meetings_to_pass),
            "projects.mean_final_support": _mean(started.final_support),
            "projects.votes": votes,
            "projects.mean_turnout": _mean(df.turnout),
        }


def _median(s: pd.Series) -> float | None:
    return float(s.median()) if len(s) else None


def _mean(s: pd.Series) -> float | None:
    s = s.dropna()
    return float(s.mean()) if len(s) else None
