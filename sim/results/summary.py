"""Headline metrics of a finished run (the flat ``summary.json``) and competing-risks curves."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.model.agents import GridWorker
from sim.model.model import NeighbourhoodModel

GRID_COUNTERS = ("visits_made", "cases_found", "wishes_collected", "revisits")
# Competing outcomes of a case (``open`` = censored at the end of the run).
EVENTS = ("resolved", "referred", "dropped", "expired")
WITHIN_DAYS = (30, 90, 180)


def summarize(model: NeighbourhoodModel) -> dict[str, Any]:
    """Headline metrics of a finished run as a flat ``{"group.metric": value}`` mapping.

    Dispute shares name their denominator (docs/ODD.md, "Outputs"):

    - ``disputes.share_of_all.<outcome>``: cases with that outcome / all cases opened, where the
      outcomes ``resolved``, ``referred``, ``dropped``, ``expired``, ``open`` (still open at the
      end) sum to 1; ``resolved_L0`` ... ``resolved_L3`` split ``resolved`` by the level that
      settled it and ``resolved_in_building`` = L0 + L1.
    - ``disputes.share_of_closed.resolved``: resolved / cases that ended (open ones left out).
    - ``disputes.resolved_within_{30,90,180}d``: Aalen-Johansen cumulative incidence of
      resolution by that many days after opening, with the other outcomes as competing risks
      and open cases censored.
    - ``disputes.mediation_success_of_mediated``: of the cases that had at least one mediation
      attempt (building mediator, firm repair or meeting hearing) and have ended, the share
      resolved - the analogue of the official 96-97% [facts §6].
    """
    df = model.ladder.book.frame(model.ladder.category_names)
    total = len(df)
    counts = {k: int((df.status == k).sum()) for k in (*EVENTS, "open")}
    resolved = df[df.status == "resolved"]
    by_level = {f"L{k}": int((resolved.resolved_level == k).sum()) for k in range(4)}
    closed = total - counts["open"]
    mediated = df[(df.mediation_attempts > 0) & (df.status != "open")]
    cif = cumulative_incidence(df, model.scenario.days, events=("resolved",))
    workers = model.agents_by_type[GridWorker]
    out: dict[str, Any] = {
        "days": int(model.scenario.days),
        "households": int(model.world.n_households),
        "communities": int(model.world.n_communities),
        "party.grid_branches": int(model.world.g_branch.sum()),
        "disputes.total": total,
        **{f"disputes.{k}": counts[k] for k in EVENTS},
        "disputes.open_at_end": counts["open"],
        "disputes.resolved_by_level": by_level,
        **{f"disputes.share_of_all.{k}": _ratio(counts[k], total) for k in (*EVENTS, "open")},
        **{f"disputes.share_of_all.resolved_{k}": _ratio(v, total) for k, v in by_level.items()},
        "disputes.share_of_all.resolved_in_building": _ratio(
            by_level["L0"] + by_level["L1"], total
        ),
        "disputes.share_of_closed.resolved": _ratio(counts["resolved"], closed),
        **{
            f"disputes.resolved_within_{d}d": _at(cif, "resolved", d) if total else None
            for d in WITHIN_DAYS
        },
        "disputes.mediated": len(mediated),
        "disputes.mediation_success_of_mediated": _ratio(
            int((mediated.status == "resolved").sum()), len(mediated)
        ),
        "disputes.heard_at_meetings": int((df.meeting_hearings > 0).sum()),
        "meetings.held": len(model.meeting_log),
        "trust.mean_final": float(model.world.trust.mean()),
        **{f"grid.{k}": int(workers.agg(k, sum)) for k in GRID_COUNTERS},
        "grid.suggestions": int(model.rounds.suggestions_made),
        "grid.suggestions_resolved": int(model.rounds.suggestions_resolved),
    }
    out.update(model.project_summary())
    return out


def cumulative_incidence(
    disputes: pd.DataFrame, days: int, events: tuple[str, ...] = EVENTS
) -> pd.DataFrame:
    """Cumulative incidence of each outcome by days since opening (Aalen-Johansen).

    Computed in numpy with the arithmetic of lifelines' ``AalenJohansenFitter`` (Kaplan-Meier
    of any outcome as ``exp(cumsum(log(n - d) - log(n)))``, then
    ``cumsum(d_k / n x S(t-))``), so the values are the same to the last bit
    (tests/test_competing_risks.py compares them) without importing lifelines, which costs a
    command or a sweep worker most of a second.

    Args:
        disputes: the ``disputes`` table of a run.
        days: the run's length (open cases are censored at its end).
        events: the outcomes to estimate (competing risks of each other).

    Returns:
        One row per day 0..``days`` and one column per outcome, values in [0, 1].
    """
    timeline = np.arange(days + 1)
    out = pd.DataFrame(index=pd.Index(timeline, name="day"))
    if len(disputes) == 0:
        return out.assign(**{e: 0.0 for e in events})
    status = disputes.status.to_numpy()
    end = np.where(status == "open", days - 1, disputes.day_outcome.to_numpy())
    duration = (end - disputes.day_opened.to_numpy() + 1).astype(float)
    # Ties broken deterministically (lifelines would otherwise jitter them at random).
    duration += np.arange(len(duration)) * (1e-3 / len(duration))
    code = {e: k + 1 for k, e in enumerate(EVENTS)}
    event = np.zeros(len(status), dtype=np.int64)  # 0: open (censored)
    for e, k in code.items():
        event[status == e] = k
    order = np.argsort(duration, kind="stable")
    times = np.concatenate([[0.0], duration[order]])  # the event table's rows, from time 0
    event = event[order]
    at_risk = len(event) - np.arange(len(event))
    with np.errstate(divide="ignore"):  # log(0) = -inf: survival 0 after the last case
        step = np.log(at_risk - (event != 0)) - np.log(at_risk)
    survival = np.exp(np.cumsum(np.concatenate([[0.0], step])))
    pos = np.searchsorted(times, timeline + 0.5, side="right") - 1
    for e in events:
        hit = event == code[e]
        if not hit.any():
            out[e] = 0.0
            continue
        cif = np.concatenate([[0.0], np.cumsum(hit.astype(np.int64) / at_risk * survival[:-1])])
        out[e] = np.where(pos >= 0, cif[np.maximum(pos, 0)], 0.0)
    return out


def _at(cif: pd.DataFrame, event: str, day: int) -> float:
    return float(cif[event].iloc[min(day, len(cif) - 1)])


def _ratio(a: float, b: float) -> float | None:
    return float(a) / float(b) if b else None
