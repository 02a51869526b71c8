"""What the workbench shows of a finished job: a paired comparison, or a target search.

Plain functions of the records the jobs wrote (``comparison.json``, ``target.json``), in the
page's language; the same words as the printable brief (:mod:`sim.results.comparison_text`).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from dash import html

from sim.dashboard.figure_style import _layout
from sim.dashboard.widgets import graph
from sim.results import catalog as cat
from sim.results.comparison_text import (
    changed_settings,
    fmt_diff_interval,
    fmt_interval,
    is_share,
    sentence,
    settings_text,
)

# The headline results of the workbench: resolution within the community, referrals, how fast
# (cumulative incidence of resolution by 30 and 90 days, which counts cases still open or
# ended otherwise, unlike a median of resolved cases only), and the project pass probability.
HEADLINE = (
    "disputes.share_of_all.resolved",
    "disputes.share_of_all.referred",
    "disputes.resolved_within_30d",
    "disputes.resolved_within_90d",
    "projects.pass_rate",
)
JOB_NAME = re.compile(r"^[0-9A-Za-z_-]{1,160}$")


def comparison_folders(workbench: Path) -> list[Path]:
    """Finished comparisons under ``RESULTS/workbench``, newest first."""
    if not workbench.is_dir():
        return []
    found = [p for p in workbench.iterdir() if (p / "comparison.json").is_file()]
    return sorted(found, key=lambda p: p.name, reverse=True)


def folder_of(workbench: Path, name: Any) -> Path | None:
    """The comparison folder of a job name from the browser (None unless it is one)."""
    if not isinstance(name, str) or not JOB_NAME.match(name):
        return None
    folder = workbench / name
    return folder if (folder / "comparison.json").is_file() else None


def _difference_figure(record: dict, keys: list[str], lang: str) -> go.Figure:
    """Differences (variant minus baseline) with 95% intervals; shares in percentage points."""
    fig = go.Figure()
    labels, means, lows, highs = [], [], [], []
    for k in keys:
        mean, lo, hi = record["metrics"][k]["difference"]
        if mean is None or not all(math.isfinite(v) for v in (mean, lo, hi)):
            continue
        f = 100.0 if is_share(k) else 1.0
        labels.append(cat.label(k, lang))
        means.append(mean * f)
        lows.append((mean - lo) * f)
        highs.append((hi - mean) * f)
    fig.add_trace(
        go.Scatter(
            x=means,
            y=labels,
            mode="markers",
            marker={"size": 10, "color": "#1f77b4"},
            error_x={"type": "data", "array": highs, "arrayminus": lows, "symmetric": False},
            showlegend=False,
        )
    )
    fig.add_vline(x=0, line_color="#888")
    return _layout(
        fig,
        title={"text": cat.ui("brief_figure", lang)},
        xaxis={"title": {"text": cat.ui("brief_axis", lang)}, "zeroline": False},
        yaxis={"autorange": "reversed", "automargin": True},
        height=120 + 45 * max(1, len(labels)),
        margin={"l": 20, "r": 20, "t": 50, "b": 60},
    )


def comparison_view(folder: Path, lang: str = "en") -> html.Div:
    """Baseline vs variant: what changed, the headline results with intervals, a sentence each."""
    record = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
    metrics = record["metrics"]
    keys = [k for k in HEADLINE if k in metrics]
    n = len(record.get("seeds", []))
    moved = changed_settings(record)
    what = settings_text(moved, lang) or cat.ui("brief_no_change", lang)
    header = html.Tr(
        [
            html.Th(cat.ui(x, lang))
            for x in ("brief_result", "brief_now", "brief_proposed", "brief_difference")
        ]
    )
    rows = [
        html.Tr(
            [
                html.Td(cat.label(k, lang), title=cat.describe(k, lang)),
                html.Td(fmt_interval(k, metrics[k]["baseline"], lang)),
                html.Td(fmt_interval(k, metrics[k]["variant"], lang)),
                html.Td(fmt_diff_interval(k, metrics[k]["difference"], lang)),
            ]
        )
        for k in keys
    ]
    reproduce = record.get("reproduce", {})
    commands = [c for arm in ("baseline", "variant") for c in reproduce.get(arm, [])[:1]]
    name = folder.name
    return html.Div(
        [
            html.P([html.Strong(cat.ui("brief_question", lang) + " "), what], id="wb-question"),
            html.P(cat.ui("brief_results", lang, n=n), className="muted"),
            html.Table([html.Thead(header), html.Tbody(rows)], id="wb-compare-table"),
            graph(lang, id="wb-compare-figure", figure=_difference_figure(record, keys, lang)),
            html.Ul([html.Li(sentence(k, metrics[k], lang)) for k in keys], id="wb-sentences"),
            html.P(cat.ui("brief_method", lang, n=n), className="muted"),
            html.Details(
                [
                    html.Summary(cat.ui("wb_reproduce", lang)),
                    html.Pre("\n".join(commands), className="scenario"),
                    html.P(cat.ui("wb_folder", lang, path=str(folder)), className="muted"),
                ]
            ),
            html.A(
                cat.ui("wb_brief", lang),
                id="workbench-brief",
                href=f"/workbench/brief/{name}?lang={lang}",
                target="_blank",
                className="button",
            ),
        ]
    )


def target_view(record: dict | None, households: int, lang: str = "en") -> html.Div:
    """The settings tried in effort order, and the cheapest that reaches the target."""
    from sim.experiments.target import planner_cost

    if not record:
        return html.Div()
    goal = record["target"]
    metric = goal["metric"]
    rows = []
    for tr in record.get("trials", []):
        mean, lo, hi = tr["estimate"]
        cost = "; ".join(planner_cost(k, v, households, lang) for k, v in tr["settings"].items())
        # with a share of runs, the estimate is that share: format it as one
        key = metric if goal.get("share_of_runs") is None else "projects.pass_rate"
        rows.append(
            html.Tr(
                [
                    html.Td(str(tr["effort"])),
                    html.Td(cost),
                    html.Td(fmt_interval(key, [mean, lo, hi], lang)),
                    html.Td(cat.ui("answer_yes" if tr["reached"] else "answer_no", lang)),
                ]
            )
        )
    head = html.Tr(
        [html.Th(cat.ui(x, lang)) for x in ("wb_effort", "wb_settings", "wb_estimate", "wb_ok")]
    )
    best = record.get("best")
    if best:
        answer = cat.ui(
            "wb_target_best",
            lang,
            settings="; ".join(planner_cost(k, v, households, lang) for k, v in best.items()),
        )
    elif record.get("finished"):
        answer = cat.ui("wb_target_none", lang)
    else:
        answer = cat.ui("wb_target_searching", lang)
    return html.Div(
        [
            html.P(html.Strong(answer), id="wb-target-answer"),
            html.Table([html.Thead(head), html.Tbody(rows)], id="wb-target-table"),
        ]
    )
