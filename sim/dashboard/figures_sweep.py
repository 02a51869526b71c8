"""Figures of sweeps, sensitivity studies and comparisons (pure functions of DataFrames)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.dashboard.figure_style import (
    PALETTE,
    _is_share,
    _layout,
    _legend_top,
    date_ticks,
    empty_figure,
)
from sim.results import catalog as cat


def _filtered(report: pd.DataFrame, metric: str, filters: dict) -> pd.DataFrame:
    r = report[report.metric == metric]
    for k, v in (filters or {}).items():
        if v is not None and k in r.columns:
            r = r[r[k].astype(str) == str(v)]
    return r


def level_text(value) -> str:
    """A sweep level for axes and legends: rounded, no float noise (2.6666666666666665 -> 2.67)."""
    if isinstance(value, float | np.floating):
        return f"{float(value):.3g}" if value != 0 else "0"
    return str(value)


def metric_range(metric: str, values: np.ndarray) -> dict:
    """Colour/axis range: 0-1 for shares, from 0 for counts and days, data range otherwise."""
    f = cat.kind(metric)
    finite = values[np.isfinite(values)] if len(values) else values
    if f == "share":
        return {"zmin": 0.0, "zmax": 1.0}
    if f in ("count", "days", "levels") and len(finite):
        return {"zmin": 0.0, "zmax": max(float(finite.max()), 1.0)}
    return {}


def heatmap_figure(
    report: pd.DataFrame,
    x: str,
    y: str,
    metric: str,
    filters: dict | None = None,
    lang: str = "en",
) -> go.Figure:
    """Mean of a metric over two parameters; hover shows mean, 95% interval and n."""
    if not x or not y or x == y:
        return empty_figure(cat.ui("choose_two", lang))
    r = _filtered(report, metric, filters)
    if r.empty:
        return empty_figure(cat.ui("no_match", lang))
    g = r.groupby([y, x], sort=True).agg(
        mean=("mean", "mean"), lo=("ci_low", "mean"), hi=("ci_high", "mean"), n=("n", "sum")
    )
    xs = sorted(r[x].unique())
    ys = sorted(r[y].unique())
    z = np.full((len(ys), len(xs)), np.nan)
    hover = [["" for _ in xs] for _ in ys]
    text = [["" for _ in xs] for _ in ys]
    xl, yl = cat.label(f"param:{x}", lang), cat.label(f"param:{y}", lang)
    for (yv, xv), row in g.iterrows():
        i, j = ys.index(yv), xs.index(xv)
        z[i, j] = row["mean"]
        text[i][j] = cat.fmt(metric, row["mean"], lang)
        hover[i][j] = cat.ui(
            "heat_hover",
            lang,
            x=xl,
            xv=level_text(xv),
            y=yl,
            yv=level_text(yv),
            m=cat.fmt(metric, row["mean"], lang),
            lo=cat.fmt(metric, row.lo, lang),
            hi=cat.fmt(metric, row.hi, lang),
            n=int(row.n),
        )
    rng = metric_range(metric, z.ravel())
    scale = "Viridis" if cat.kind(metric) == "share" else "Blues"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[level_text(v) for v in xs],
            y=[level_text(v) for v in ys],
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            text=text,
            texttemplate="%{text}",
            colorscale=scale,
            colorbar={"title": {"text": cat.axis_title(metric, lang)}},
            **rng,
        )
    )
    return _layout(
        fig,
        title={"text": cat.label(metric, lang)},
        xaxis={"title": {"text": xl}, "type": "category"},
        yaxis={"title": {"text": yl}, "type": "category"},
        height=460,
    )


def line_figure(
    report: pd.DataFrame,
    x: str,
    metric: str,
    series: str | None,
    filters: dict | None = None,
    lang: str = "en",
) -> go.Figure:
    """Mean of a metric against one parameter with 95% bands, one line per ``series`` value."""
    if not x:
        return empty_figure(cat.ui("choose_param", lang))
    r = _filtered(report, metric, filters)
    if r.empty:
        return empty_figure(cat.ui("no_match", lang))
    fig = go.Figure()
    by_series = series and series != x
    groups = r.groupby(series, sort=True) if by_series else [(cat.ui("all", lang), r)]
    series_label = cat.label(f"param:{series}", lang) if by_series else ""
    for i, (key, g) in enumerate(groups):
        g = g.groupby(x, sort=True).agg(
            mean=("mean", "mean"), lo=("ci_low", "mean"), hi=("ci_high", "mean")
        )
        colour = PALETTE[i % len(PALETTE)]
        xs = list(g.index)
        name = f"{series_label} = {level_text(key)}" if by_series else cat.label(metric, lang)
        fig.add_trace(
            go.Scatter(
                x=xs + xs[::-1],
                y=list(g.hi) + list(g.lo[::-1]),
                fill="toself",
                fillcolor=colour,
                opacity=0.15,
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Scatter(x=xs, y=g["mean"], mode="lines+markers", name=name, line={"color": colour})
        )
    yaxis = {"title": {"text": cat.axis_title(metric, lang)}}
    f = cat.kind(metric)
    if f == "share":
        yaxis["range"] = [0, 1]
    elif f in ("count", "days"):
        yaxis["rangemode"] = "tozero"
    return _layout(
        fig,
        title={"text": cat.ui("ci_title", lang, metric=cat.label(metric, lang))},
        xaxis={"title": {"text": cat.label(f"param:{x}", lang)}},
        yaxis=yaxis,
        height=440,
        legend=_legend_top(),
        margin={"t": 110},
    )


def sensitivity_figure(table: pd.DataFrame, metric: str, lang: str = "en") -> go.Figure:
    """Morris mu* and sigma, or Sobol S1 and ST, with confidence intervals."""
    t = table[table.metric == metric] if not table.empty else table
    if t.empty:
        return empty_figure(cat.ui("no_indices", lang))
    t = t.sort_values("rank", ascending=False)
    names = [cat.label(f"param:{p}", lang) for p in t.parameter]
    fig = go.Figure()
    if "mu_star" in t.columns and t.mu_star.notna().any():
        fig.add_trace(
            go.Bar(
                y=names,
                x=t.mu_star,
                orientation="h",
                name=cat.label("sensitivity/mu_star", lang),
                error_x={"type": "data", "array": t.mu_star_conf},
            )
        )
        fig.add_trace(
            go.Bar(y=names, x=t.sigma, orientation="h", name=cat.label("sensitivity/sigma", lang))
        )
        title = cat.ui("morris_title", lang, metric=cat.label(metric, lang))
        x_title = f"{cat.ui('index_axis', lang)} ({cat.unit(metric, lang) or '-'})"
    else:
        for key in ("S1", "ST"):
            fig.add_trace(
                go.Bar(
                    y=names,
                    x=t[key],
                    orientation="h",
                    name=cat.label(f"sensitivity/{key}", lang),
                    error_x={"type": "data", "array": t[f"{key}_conf"]},
                )
            )
        title = cat.ui("sobol_title", lang, metric=cat.label(metric, lang))
        x_title = cat.ui("index_axis", lang)
    return _layout(
        fig,
        title={"text": title},
        barmode="group",
        xaxis={"title": {"text": x_title}, "rangemode": "tozero"},
        height=max(340, 40 * len(t) + 160),
        legend=_legend_top(),
        margin={"t": 110, "l": 260},
    )


def compare_figure(summaries: dict[str, dict], metrics: list[str], lang: str = "en") -> go.Figure:
    """Summary metrics of several runs side by side (one panel per unit)."""
    metrics = [m for m in metrics or []]
    if len(summaries) < 1 or not metrics:
        return empty_figure(cat.ui("choose_runs", lang))
    fig = go.Figure()
    labels = [cat.label(m, lang) for m in metrics]
    for name, s in summaries.items():
        vals = [s.get(m) if isinstance(s.get(m), int | float) else None for m in metrics]
        text = [cat.fmt(m, v, lang) for m, v in zip(metrics, vals, strict=True)]
        fig.add_trace(go.Bar(x=labels, y=vals, name=name, text=text, textposition="auto"))
    yaxis = {"title": {"text": cat.ui("shares_axis", lang)}}
    if all(_is_share(m) for m in metrics):
        yaxis["range"] = [0, 1]
    else:
        yaxis = {"title": {"text": cat.ui("counts_axis", lang)}, "rangemode": "tozero"}
    return _layout(
        fig,
        barmode="group",
        title={"text": cat.ui("compare_title", lang)},
        yaxis=yaxis,
        height=440,
        legend=_legend_top(),
        margin={"t": 110},
    )


def compare_series_figure(
    series: dict[str, pd.DataFrame], metric: str, lang: str = "en"
) -> go.Figure:
    """One daily metric of several runs overlaid."""
    if not series or not metric:
        return empty_figure(cat.ui("choose_runs", lang))
    fig = go.Figure()
    for name, ts in series.items():
        if metric in ts.columns:
            x = ts["date"] if "date" in ts.columns else ts["day"]
            fig.add_trace(go.Scatter(x=x, y=ts[metric], mode="lines", name=name))
    yaxis = {"title": {"text": cat.axis_title(metric, lang)}, "rangemode": "tozero"}
    if _is_share(metric):
        yaxis = {"title": {"text": cat.axis_title(metric, lang)}, "range": [0, 1]}
    return _layout(
        fig,
        title={"text": cat.label(metric, lang)},
        xaxis={"title": {"text": cat.axis_title("date", lang)}, **date_ticks(lang)},
        yaxis=yaxis,
        height=400,
        legend=_legend_top(),
        margin={"t": 110},
    )
