"""Plotly figures of runs, sweeps and sensitivity analyses (pure functions of DataFrames).

Every title, axis, legend and colour bar takes its words and unit from the catalogue
(:mod:`sim.results.catalog`) in the chosen language. Shares and support are drawn on a fixed 0-1
scale, counts on a sequential scale from 0, days as dates when the run has them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
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


def date_ticks(lang: str) -> dict:
    """Date tick labels in the language (plotly's own month names are English)."""
    return {"tickformat": "%Y年%-m月%-d日"} if lang == "zh" else {}


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


def vote_threshold(matter: int | None) -> float:
    """Share of participating owners (and area) a vote needs: 3/4 for art. 278 items 6-8."""
    from sim.model.projects.voting import SUPERMAJORITY_MATTERS

    return 0.75 if matter in SUPERMAJORITY_MATTERS else 0.5


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
    text = [
        cat.ui("building_hover", lang, b=b, c=c, h=h, what=what, v=cat.fmt(key, v, lang))
        for b, c, h, v in zip(
            buildings.building, buildings.compound_name, buildings.households, values, strict=True
        )
    ]
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
