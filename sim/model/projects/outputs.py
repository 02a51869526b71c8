"""Outputs: weekly support snapshots, the ``projects`` table and headline metrics.

"Support" in outputs is a household's approval chance (:meth:`ProjectState.approval`). Each
instance row says what became of it (``outcome``): built, works under way or stalled by a
lawsuit, or the reason it did not get built - technically infeasible, a failed vote (no quorum,
objection, approval short), withdrawal after signing, lawsuit, or "no vote before the end".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.projects.state import (
    DELIBERATING,
    FAILED,
    PASSED,
    STATUS_NAMES,
    WAITING,
    ProjectState,
)


def snapshot(model, states: list[ProjectState], day: int, snapshots: list) -> None:
    """Record owners in scope, mean approval chance and share in favour per building (weekly).

    "In favour" = approval chance above 1/2 (more likely yes than no); for maps and the
    building panel of the dashboard.
    """
    world, d = model.world, model.scenario.deliberation
    nb = world.n_buildings
    for k, st in enumerate(states):
        e = st.approval(d.vote_slope, d.concern_weight)
        ok = ~np.isnan(e)
        if not ok.any():
            continue
        if ok.all():  # once every instance has opened: no masking, buildings kept
            b = st.kept("member_building", lambda st=st: world.hh_building[st.members])
        else:
            b, e = world.hh_building[st.members[ok]], e[ok]
        cnt = np.bincount(b, minlength=nb)
        mean = np.bincount(b, e, minlength=nb) / np.maximum(cnt, 1)
        favour = np.bincount(b, e > 0.5, minlength=nb) / np.maximum(cnt, 1)
        snapshots.append((day, k, np.where(cnt > 0, mean, np.nan), cnt, favour))


def building_support(world, states: list[ProjectState], snapshots: list) -> pd.DataFrame:
    """Weekly support per building and project (mean approval chance, owners, share in favour)."""
    nb = world.n_buildings
    frames = [
        pd.DataFrame(
            {
                "day": day,
                "project": states[k].spec.name,
                "building": np.arange(nb),
                "support": sup,
                "households": cnt.astype("int32"),
                "in_favour": favour,
            }
        ).dropna()
        for day, k, sup, cnt, favour in snapshots
    ]
    cols = ["day", "project", "building", "support", "households", "in_favour"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def mean_support(model, st: ProjectState) -> float:
    """Mean approval chance among members of started instances."""
    d = model.scenario.deliberation
    return st.mean_support(d.vote_slope, d.concern_weight)


def outcomes(st: ProjectState, last_day: int) -> np.ndarray:
    """What became of each instance by the end of the run (see the module docstring)."""
    out = np.full(len(st.status), "not proposed", dtype=object)
    built = st.delivered_day >= 0
    passed = st.status == PASSED
    out[passed] = "works under way"
    out[passed & (st.works_check > last_day)] = "passed, withdrawal window open"
    out[passed & st.sued & ~built] = "works stalled by lawsuit"
    out[passed & built] = "built"
    failed = st.status == FAILED
    out[failed] = st.reason[failed]
    open_ = st.status == DELIBERATING
    out[open_ & (st.votes == 0)] = "no vote before the end"
    again = open_ & (st.votes > 0)
    out[again] = ["open after " + r for r in st.reason[again]]
    return out


def projects_frame(model, states: list[ProjectState]) -> pd.DataFrame:
    """One row per project instance."""
    world, d = model.world, model.scenario.deliberation
    rows = []
    for st in states:
        e = st.approval(d.vote_slope, d.concern_weight)
        owners = world.hh_owner[st.members]
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
                    "meetings_held": st.meetings,
                    "meetings_attended": st.attended,
                    "votes": st.votes,
                    "passed": st.status == PASSED,
                    "day_passed": st.passed_day,
                    "day_delivered": st.delivered_day,
                    "days_to_pass": days,
                    "meetings_held_to_pass": st.meetings_at_pass,
                    "meetings_attended_to_pass": st.attended_at_pass,
                    "outcome": outcomes(st, model.scenario.days - 1),
                    "withdrawals": st.withdrawals,
                    "sued": st.sued,
                    "subsidy_lapsed": st.subsidy_lapsed,
                    "final_support": np.where(st.status == WAITING, np.nan, sup),
                    "turnout": st.turnout,
                    "compensation": st.compensation,
                }
            )
        )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def summary(df: pd.DataFrame) -> dict:
    """Headline project metrics (flat keys ``projects.*``) from the ``projects`` table."""
    if df.empty:
        return {"projects.total": 0}
    passed = df[df.passed]
    started = df[df.status != "waiting"]
    return {
        "projects.total": len(df),
        "projects.proposed": len(started),
        "projects.passed": len(passed),
        "projects.delivered": int((df.day_delivered >= 0).sum()),
        "projects.no_vote_before_end": int((df.outcome == "no vote before the end").sum()),
        "projects.pass_rate": float(df.passed.mean()),
        "projects.median_days_to_pass": _median(passed.days_to_pass),
        "projects.median_meetings_attended_to_pass": _median(passed.meetings_attended_to_pass),
        "projects.mean_final_support": _mean(started.final_support),
        "projects.votes": int(df.votes.sum()),
        "projects.mean_turnout": _mean(df.turnout),
    }


def _median(s: pd.Series) -> float | None:
    return float(s.median()) if len(s) else None


def _mean(s: pd.Series) -> float | None:
    s = s.dropna()
    return float(s.mean()) if len(s) else None
