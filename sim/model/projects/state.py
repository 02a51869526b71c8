"""The explicit state of one scenario project: member households and instances, as arrays.

A scenario project expands into instances, one per unit, building or compound of its scope.
Per-member arrays (support ``x``, own interest, concerns ``c``, net utility, signed) are
indexed by the member's position in ``members``; per-instance arrays (status, days, counts,
the reason it did not get built) by instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.scenario.projects import Project

WAITING, DELIBERATING, PASSED, FAILED = 0, 1, 2, 3
STATUS_NAMES = np.array(["waiting", "open", "passed", "failed"])
# The sourced concerns of a household, columns of ``ProjectState.c``.
CONCERNS = ("cost", "light", "noise", "disruption", "distrust")
COST, LIGHT, NOISE, DISRUPTION, DISTRUST = range(len(CONCERNS))
MEAN_OF_CONCERNS = np.full(len(CONCERNS), 1.0 / len(CONCERNS))  # c @ this = mean concern


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
        self.c = np.zeros((m, len(CONCERNS)))
        self.c0 = np.zeros((m, len(CONCERNS)))  # initial concerns: relapse returns towards them
        self.signed = np.zeros(m, dtype=bool)
        self.net = np.zeros(m)
        self.status = np.zeros(k, dtype=np.int8)
        self.reason = np.full(k, "", dtype=object)  # why it failed (last failure while open)
        self.proposed = np.full(k, -1)
        self.meetings = np.zeros(k, dtype=np.int64)  # meetings of its body that discussed it
        self.attended = np.zeros(k, dtype=np.int64)  # ... at which its households were present
        self.last_meeting = np.full(k, -(10**6))
        self.votes = np.zeros(k, dtype=np.int64)
        self.passed_day = np.full(k, -1)
        self.works_check = np.full(k, np.iinfo(np.int64).max)
        self.delivery_due = np.full(k, np.iinfo(np.int64).max)
        self.delivered_day = np.full(k, -1)
        self.meetings_at_pass = np.full(k, -1)
        self.attended_at_pass = np.full(k, -1)
        self.next_vote = np.zeros(k, dtype=np.int64)
        self.deadline = np.zeros(k, dtype=np.int64)
        self.compensation = np.full(k, self.spec.ground_compensation)
        self.subsidy = np.full(k, self.spec.subsidy)
        self.subsidy_lapsed = np.zeros(k, dtype=bool)
        self.withdrawals = np.zeros(k, dtype=np.int64)
        self.sued = np.zeros(k, dtype=bool)
        self.turnout = np.full(k, np.nan)
        self.support_at_vote = np.full(k, np.nan)
        self.ballots: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        # Member positions of each instance (ascending), for per-instance work without scans.
        order = np.argsort(self.inst, kind="stable")
        counts = np.bincount(self.inst, minlength=k)
        self.by_inst = np.split(order, np.cumsum(counts)[:-1])
        self.tie_cols = self.ties.indices.astype(np.intp)  # see deliberation.diffuse
        self.tie_weight = self.ties @ np.ones(m)  # each member's total tie weight
        # Approval chances of all members and what is derived from them (mean support, vote
        # projections) are computed once per change of opinions (see :meth:`touch`), not at
        # every read (the daily reporter, daily vote checks).
        self.version = 0
        self._memo: dict[str, tuple[tuple, object]] = {}
        self._kept: dict[str, object] = {}

    def touch(self) -> None:
        """Say that support, concerns, signatures or started instances changed.

        Every stage that writes ``x``, ``c``, ``signed`` or opens instances calls it, so that
        :meth:`approval`, :meth:`mean_support` and other :meth:`memo` values recompute on their
        next read.
        """
        self.version += 1

    def memo(self, name: str, args: tuple, compute):
        """``compute()``, kept under ``name`` until the next :meth:`touch` or other ``args``."""
        key = (self.version, *args)
        hit = self._memo.get(name)
        if hit is None or hit[0] != key:
            hit = (key, compute())
            self._memo[name] = hit
        return hit[1]

    def kept(self, name: str, compute):
        """``compute()`` once per run: for what does not change (owners, areas, ties)."""
        if name not in self._kept:
            self._kept[name] = compute()
        return self._kept[name]

    def approval(self, slope: float, weight: float, idx: np.ndarray | None = None) -> np.ndarray:
        """Each member's chance to approve: logistic in support less weighted mean concern.

        ``p = 1 / (1 + exp(-slope (x - weight * mean(c) - 1/2)))``; members who signed
        approve for sure; NaN where no opinion has formed yet. All members' chances are kept
        until the next :meth:`touch` (read-only; the same numbers as :meth:`fresh_approval`).

        Args:
            slope: the logistic's slope.
            weight: weight of the mean concern.
            idx: member positions to read (default: all members), in that order.
        """

        def compute() -> np.ndarray:
            p = self.fresh_approval(slope, weight)
            p.flags.writeable = False
            return p

        p = self.memo("approval", (slope, weight), compute)
        return p if idx is None else p[idx]

    def mean_support(self, slope: float, weight: float) -> float:
        """Mean approval chance among members of started instances (NaN before any started)."""

        def compute() -> float:
            started = np.flatnonzero(self.status[self.inst] != WAITING)
            if len(started) == 0:
                return float("nan")
            return float(np.nanmean(self.approval(slope, weight, started)))

        return self.memo("mean_support", (slope, weight), compute)

    def fresh_approval(
        self, slope: float, weight: float, idx: np.ndarray | None = None
    ) -> np.ndarray:
        """:meth:`approval` computed afresh from ``x``, ``c`` and ``signed`` (no cache)."""
        x, c, signed = (
            (self.x, self.c, self.signed)
            if idx is None
            else (
                self.x[idx],
                self.c[idx],
                self.signed[idx],
            )
        )
        # In place, in the order of ``slope * (x - weight * mean(c) - 0.5)`` (same numbers).
        z = c @ MEAN_OF_CONCERNS
        z *= weight
        np.subtract(x, z, out=z)
        z -= 0.5
        z *= slope
        np.maximum(z, -50.0, out=z)
        np.minimum(z, 50.0, out=z)
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1.0
        np.divide(1.0, z, out=z)
        z[signed] = 1.0
        return z


def expand(world, spec: Project) -> ProjectState:
    """Expand a scenario project into its instances over the world's households."""
    in_scope = np.ones(world.n_households, dtype=bool)
    if spec.compounds is not None:
        in_scope = np.isin(world.hh_compound, spec.compounds)
    members = np.flatnonzero(in_scope)
    key = {"unit": world.hh_unit, "building": world.hh_building, "compound": world.hh_compound}
    scope_ids, inst = np.unique(key[spec.scope][members], return_inverse=True)
    inst_compound = np.zeros(len(scope_ids), dtype=np.int64)
    inst_compound[inst] = world.hh_compound[members]
    ties = world.ties[members][:, members].tocsr()
    return ProjectState(spec, members, inst, scope_ids, inst_compound, ties)


def member_utility(world, st: ProjectState, instance: int | None = None) -> np.ndarray:
    """Net utility of all members, or of one instance's members only."""
    from sim.model.projects.utility import net_utility

    if instance is None:
        h, inst, comp, sub = st.members, st.inst, st.compensation, st.subsidy
    else:
        h = st.members[st.by_inst[instance]]
        inst = np.zeros(len(h), dtype=np.int64)
        comp = st.compensation[instance : instance + 1]
        sub = st.subsidy[instance : instance + 1]
    return net_utility(
        st.spec,
        world.hh_floor[h],
        world.hh_area[h],
        world.hh_elderly[h],
        world.hh_owner[h],
        inst,
        comp,
        sub,
    )


def approval(model, st: ProjectState) -> np.ndarray:
    """Members' approval chances under the scenario's deliberation parameters."""
    d = model.scenario.deliberation
    return st.approval(d.vote_slope, d.concern_weight)


def shift_interest(st: ProjectState, sel: np.ndarray, net_new: np.ndarray) -> None:
    """A change of design or money: support and interest move by the change in interest."""
    from sim.model.projects.utility import support_from_utility

    old = support_from_utility(st.net[sel], st.spec.utility_scale)
    st.net[sel] = net_new
    new = support_from_utility(net_new, st.spec.utility_scale)
    st.x[sel] = np.clip(st.x[sel] + new - old, 0.0, 1.0)
    st.interest[sel] = np.clip(st.interest[sel] + new - old, 0.0, 1.0)
    st.touch()
