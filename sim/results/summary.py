"""Headline metrics of a finished run (the flat ``summary.json``)."""

from __future__ import annotations

from typing import Any

from sim.model.agents import GridWorker
from sim.model.model import NeighbourhoodModel

GRID_COUNTERS = ("visits_made", "cases_found", "wishes_collected", "revisits")


def summarize(model: NeighbourhoodModel) -> dict[str, Any]:
    """Headline metrics of a finished run as a flat ``{"group.metric": value}`` mapping.

    Definitions (documented in docs/ODD.md): ``resolution_rate`` = resolved / opened;
    ``resolved_in_building_share`` = resolved at L0-L1 / opened; ``resolved_in_community_share``
    = resolved at any level / closed (resolved + failed): of the cases that ended, the share that
    ended inside the community rather than in petition or court; ``mediation_success_rate`` =
    resolved at L1-L3 / cases that reached L1-L3 and closed.
    """
    df = model.ladder.book.frame(model.ladder.category_names)
    resolved = df[df.status == "resolved"]
    failed = int(df.status.isin(["referred", "dropped", "expired"]).sum())
    total = len(df)
    by_level = {f"L{k}": int((resolved.resolved_level == k).sum()) for k in range(4)}
    closed = len(resolved) + failed
    mediated = df[(df.highest_level >= 1) & (df.status != "open")]
    mediated_ok = int((mediated.status == "resolved").sum())
    days = resolved.day_outcome - resolved.day_opened
    workers = model.agents_by_type[GridWorker]
    out: dict[str, Any] = {
        "days": int(model.scenario.days),
        "households": int(model.world.n_households),
        "disputes.total": total,
        "disputes.resolved": len(resolved),
        "disputes.failed": failed,
        "disputes.open_at_end": int((df.status == "open").sum()),
        "disputes.resolution_rate": _ratio(len(resolved), total),
        "disputes.resolved_in_building_share": _ratio(by_level["L0"] + by_level["L1"], total),
        "disputes.resolved_in_community_share": _ratio(len(resolved), closed),
        "disputes.reached_mediation": int((df.highest_level >= 1).sum()),
        "disputes.mediation_success_rate": _ratio(mediated_ok, len(mediated)),
        "disputes.median_days_to_resolve": float(days.median()) if len(days) else None,
        "disputes.resolved_by_level": by_level,
        "meetings.held": len(model.meeting_log.rows),
        "trust.mean_final": float(model.world.trust.mean()),
        **{f"grid.{k}": int(workers.agg(k, sum)) for k in GRID_COUNTERS},
        "grid.suggestions": int(model.rounds.suggestions_made),
        "grid.suggestions_resolved": int(model.rounds.suggestions_resolved),
    }
    out.update(model.project_summary())
    return out


def _ratio(a: float, b: float) -> float | None:
    return float(a) / float(b) if b else None
