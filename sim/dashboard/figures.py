"""Plotly figures of runs, sweeps and sensitivity analyses (pure functions of DataFrames).

Every title, axis, legend and colour bar takes its words and unit from the catalogue
(:mod:`sim.results.catalog`) in the chosen language. Shares and support are drawn on a fixed 0-1
scale, counts on a sequential scale from 0, days as dates when the run has them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.dashboard.figure_style import (
    FONT,
    PALETTE,
    SHARE_FORMATS,
    TEMPLATE,
    _is_share,
    _layout,
    _legend_top,
    date_ticks,
    empty_figure,
)
from sim.dashboard.figures_sweep import (
    compare_figure,
    compare_series_figure,
    heatmap_figure,
    level_text,
    line_figure,
    metric_range,
    sensitivity_figure,
)
from sim.results import catalog as cat

__all__ = [
    "FONT",
    "PALETTE",
    "SHARE_FORMATS",
    "TEMPLATE",
    "compare_figure",
    "compare_series_figure",
    "building_support_figure",
    "date_ticks",
    "day_marker",
    "empty_figure",
    "heatmap_figure",
    "level_text",
    "line_figure",
    "metric_range",
    "network_figure",
    "open_disputes_by_building",
    "sensitivity_figure",
    "support_by_building",
    "timeseries_figure",
    "vote_threshold",
]


def timeseries_figure(
    ts: pd.DataFrame,
    metrics: list[str],
    title: str = "",
    lang: str = "en",
    thresholds: dict[str, float] | None = None,
) -> go.Figure:
    """Daily series of the chosen metrics: counts on the left axis, shares on a 0-1 right axis.

    ``thresholds`` maps a support series (``support:NAME``) to its vote threshold, drawn as a
    dashed line.
    """
    metrics = [m for m in metrics or [] if m in ts.columns]
    if not metrics:
        return empty_figure(cat.ui("choose_metric", lang))
    x = ts["date"] if "date" in ts.columns else ts["day"]
    fig = go.Figure()
    shares = [m for m in metrics if _is_share(m)]
    counts = [m for m in metrics if m not in shares]
    for m in counts:
        fig.add_trace(go.Scatter(x=x, y=ts[m], mode="lines", name=cat.label(m, lang)))
    for m in shares:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=ts[m],
                mode="lines",
                name=cat.label(m, lang),
                yaxis="y2" if counts else "y",
                line={"dash": "dot"},
            )
        )
    for m in shares:
        t = (thresholds or {}).get(m)
        if t is not None:
            mark = cat.ui("threshold", lang, t=cat.fmt(m, t, lang))
            fig.add_trace(
                go.Scatter(
                    x=[x.iloc[0], x.iloc[-1]],
                    y=[t, t],
                    mode="lines",
                    name=f"{cat.label(m, lang)}: {mark}",
                    yaxis="y2" if counts else "y",
                    line={"dash": "dash", "color": "#555", "width": 1},
                )
            )
    x_title = cat.axis_title("date" if "date" in ts.columns else "day", lang)
    layout = {
        "title": {"text": cat.ui("series_title", lang, name=title) if title else ""},
        "xaxis": {"title": {"text": x_title}, **date_ticks(lang)},
        "height": 420,
        "legend": _legend_top(),
        "margin": {"t": 110},
    }
    share_axis = {"title": {"text": cat.ui("shares_axis", lang)}, "range": [0, 1]}
    if counts:
        unit = {cat.unit(m, lang) for m in counts}
        y_title = cat.ui("counts_axis", lang)
        if len(unit) == 1 and next(iter(unit)):
            y_title += f" ({next(iter(unit))})"
        layout["yaxis"] = {"title": {"text": y_title}, "rangemode": "tozero"}
        if shares:
            layout["yaxis2"] = {**share_axis, "overlaying": "y", "side": "right"}
    else:
        layout["yaxis"] = share_axis
    return _layout(fig, **layout)


def open_disputes_by_building(disputes: pd.DataFrame, n_buildings: int, day: int) -> np.ndarray:
    """Open disputes per building at the end of ``day``."""
    if disputes.empty:
        return np.zeros(n_buildings)
    d = disputes
    outcome = pd.to_numeric(d.day_outcome).astype("float64").fillna(-1).to_numpy()
    still = (outcome < 0) | (outcome > day)
    open_ = d[(d.day_opened.to_numpy() <= day) & still]
    return np.bincount(open_.building.to_numpy(), minlength=n_buildings)[:n_buildings]


def support_by_building(support: pd.DataFrame, project: str, n: int, day: int) -> np.ndarray:
    """Latest weekly mean support per building on or before ``day`` (NaN where none)."""
    out = np.full(n, np.nan)
    if support.empty:
        return out
    s = support[(support.project == project) & (support.day <= day)]
    if s.empty:
        return out
    last = s[s.day == s.day.max()]
    out[last.building.to_numpy().astype(int)] = last.support.to_numpy()
    return out


def building_support_figure(support: pd.DataFrame, lang: str = "en") -> go.Figure:
    """One building's owners over time: mean approval chance and share in favour, per project."""
    fig = go.Figure()
    for i, (project, g) in enumerate(support.sort_values("day").groupby("project", sort=True)):
        colour = PALETTE[i % len(PALETTE)]
        for col, dash in (("support", "solid"), ("in_favour", "dot")):
            if col not in g.columns:
                continue
            fig.add_trace(
                go.Scatter(
                    x=g.day,
                    y=g[col],
                    mode="lines",
                    line={"color": colour, "dash": dash},
                    name=f"{project}: {cat.label('building_support/' + col, lang)}",
                )
            )
    return _layout(
        fig,
        xaxis={"title": {"text": cat.axis_title("day", lang)}},
        yaxis={"title": {"text": cat.unit("building_support/support", lang)}, "range": [0, 1]},
        legend=_legend_top(),
        height=320,
        margin={"t": 60},
    )


def vote_threshold(matter: int | None) -> float:
    """Share of participating owners (and area) a vote needs: 3/4 for art. 278 items 6-8."""
    from sim.model.projects.voting import SUPERMAJORITY_MATTERS

    return 0.75 if matter in SUPERMAJORITY_MATTERS else 0.5


MAX_OUTLINED = 60  # compounds outlined and named on the map; beyond, the map would be clutter


def _compound_outlines(fig: go.Figure, buildings: pd.DataFrame) -> None:
    """A dotted box and the name of each compound around its buildings (up to MAX_OUTLINED)."""
    groups = list(buildings.groupby("compound", sort=True))
    if len(groups) > MAX_OUTLINED:
        return
    span = max(float(np.ptp(buildings.x)), float(np.ptp(buildings.y)), 1e-9)
    pad = 0.03 * span
    for _, g in groups:
        x0, x1, y0, y1 = g.x.min() - pad, g.x.max() + pad, g.y.min() - pad, g.y.max() + pad
        fig.add_shape(
            type="rect",
            x0=x0,
            x1=x1,
            y0=y0,
            y1=y1,
            line={"color": "#999", "width": 1, "dash": "dot"},
            layer="below",
        )
        fig.add_annotation(
            x=(x0 + x1) / 2,
            y=y1,
            text=str(g.compound_name.iloc[0]),
            showarrow=False,
            yanchor="bottom",
            font={"size": 12, "color": "#555"},
        )


def day_marker(fig: go.Figure, x) -> go.Figure:
    """A vertical line at the chosen day (date or day number) on a time-series figure."""
    fig.add_shape(
        type="line",
        x0=x,
        x1=x,
        xref="x",
        y0=0,
        y1=1,
        yref="paper",
        line={"color": "#8b1a1a", "width": 1.5, "dash": "dash"},
    )
    return fig


def network_figure(
    buildings: pd.DataFrame,
    network: pd.DataFrame,
    values: np.ndarray,
    key: str,
    day: int,
    lang: str = "en",
    date: str | None = None,
    threshold: float | None = None,
) -> go.Figure:
    """The building network; nodes coloured by ``values`` of catalogue key ``key``.

    Counts (open disputes) use a sequential scale from 0, so a building with none is pale;
    support uses a fixed 0-1 scale with the vote threshold marked on the colour bar.
    """
    x, y = buildings.x.to_numpy(), buildings.y.to_numpy()
    ex, ey = [], []
    for s, t in zip(network.source, network.target, strict=True):
        ex += [x[s], x[t], None]
        ey += [y[s], y[t], None]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=ex,
            y=ey,
            mode="lines",
            line={"color": "#bbb", "width": 1},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    what = cat.label(key, lang)
    names = buildings["name"] if "name" in buildings.columns else buildings.building
    text = [
        cat.ui("building_hover", lang, b=b, c=c, h=h, what=what, v=cat.fmt(key, v, lang))
        for b, c, h, v in zip(
            names, buildings.compound_name, buildings.households, values, strict=True
        )
    ]
    _compound_outlines(fig, buildings)
    share = _is_share(key)
    finite = values[np.isfinite(values)] if len(values) else values
    colorbar = {"title": {"text": cat.axis_title(key, lang)}}
    if share:
        scale = {"colorscale": "RdBu", "cmin": 0.0, "cmax": 1.0}
        if threshold is not None:
            mark = cat.ui("threshold", lang, t=cat.fmt(key, threshold, lang))
            ticks = sorted({0.0, 0.25, 1.0, float(threshold)})
            colorbar.update(
                tickvals=ticks,
                ticktext=[mark if t == threshold else cat.fmt(key, t, lang) for t in ticks],
            )
            # centre the diverging scale on the threshold: red below, blue above
            scale["colorscale"] = [[0, "#b2182b"], [threshold, "#f7f7f7"], [1, "#2166ac"]]
    else:
        top = float(finite.max()) if len(finite) else 0.0
        scale = {"colorscale": "Reds", "cmin": 0.0, "cmax": max(top, 1.0)}
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            marker={
                "size": 9 + 3 * np.sqrt(buildings.households.to_numpy() / 12),
                "color": values,
                **scale,
                "showscale": True,
                "colorbar": colorbar,
                "line": {"width": 0.5, "color": "#333"},
            },
            text=text,
            hoverinfo="text",
            customdata=buildings.building.to_numpy(),
            showlegend=False,
        )
    )
    when = date or f"{cat.label('day', lang)} {day}"
    return _layout(
        fig,
        title={"text": cat.ui("network_title", lang, date=when, what=what)},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        height=480,
    )
