"""What every dashboard and report figure shares: template, font, palette, empty figure, axes.

Kept apart so that the run figures (:mod:`sim.dashboard.figures`) and the sweep, sensitivity and
comparison figures (:mod:`sim.dashboard.figures_sweep`) use one style without importing each other.
"""

from __future__ import annotations

import plotly.graph_objects as go

from sim.results import catalog as cat

TEMPLATE = "plotly_white"
FONT = "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, system-ui, sans-serif"
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
SHARE_FORMATS = ("share", "score")  # both on a fixed 0-1 scale


def _layout(fig: go.Figure, **kw) -> go.Figure:
    fig.update_layout(template=TEMPLATE, font={"family": FONT}, **kw)
    return fig


def empty_figure(message: str) -> go.Figure:
    """A blank figure carrying a message."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return _layout(fig, xaxis_visible=False, yaxis_visible=False, height=300)


def _is_share(key: str) -> bool:
    return cat.kind(key) in SHARE_FORMATS


def _legend_top() -> dict:
    """A horizontal legend above the plot area, clear of the axis titles."""
    return {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0}


def date_ticks(lang: str) -> dict:
    """Date tick labels in the language (plotly's own month names are English)."""
    return {"tickformat": "%Y年%-m月%-d日"} if lang == "zh" else {}
