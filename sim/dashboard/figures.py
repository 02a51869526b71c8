"""Plotly figures of runs, sweeps and sensitivity analyses (pure functions of DataFrames)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

TEMPLATE = "plotly_white"


def empty_figure(message: str) -> go.Figure:
    """A blank figure carrying a message."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(template=TEMPLATE, xaxis_visible=False, yaxis_visible=False, height=300)
    return fig


def timeseries_figure(ts: pd.DataFrame, metrics: list[str], title: str = "") -> go.Figure:
    """Daily series of the chosen metrics."""
    metrics = [m for m in metrics or [] if m in ts.columns]
    if not metrics:
        return empty_figure("choose a metric")
    fig = go.Figure()
    for m in metrics:
        fig.add_trace(go.Scatter(x=ts["day"], y=ts[m], mode="lines", name=m))
    fig.update_layout(
        template=TEMPLATE, title=title, xaxis_title="day", height=380, legend_orientation="h"
    )
    return fig


def open_disputes_by_building(disputes: pd.DataFrame, n_buildings: int, day: int) -> np.ndarray:
    """Open disputes per building at the end of ``day``."""
    if disputes.empty:
        return np.zeros(n_buildings)
    d = disputes
    outcome = pd.to_numeric(d.day_outcome).astype("float64").fillna(-1).to_numpy()
    still = (outcome < 0) | (outcome > day)
    open_ = d[(d.day_opened <= day) & still]
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
    out[last.building.to_numpy()] = last.support.to_numpy()
    return out


def network_figure(
    buildings: pd.DataFrame,
    network: pd.DataFrame,
    values: np.ndarray,
    label: str,
    day: int,
) -> go.Figure:
    """The building network; nodes coloured by ``values`` (open disputes or support)."""
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
    text = [
        f"building {b} ({c})<br>{h} households<br>{label}: {v:.2f}"
        for b, c, h, v in zip(
            buildings.building, buildings.compound_name, buildings.households, values, strict=True
        )
    ]
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            marker={
                "size": 9 + 3 * np.sqrt(buildings.households.to_numpy() / 12),
                "color": values,
                "colorscale": "Viridis" if "support" in label else "Reds",
                "showscale": True,
                "colorbar": {"title": label},
                "line": {"width": 0.5, "color": "#333"},
            },
            text=text,
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"Building network, day {day}: {label}",
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        height=480,
    )
    return fig


def _filtered(report: pd.DataFrame, metric: str, filters: dict) -> pd.DataFrame:
    r = report[report.metric == metric]
    for k, v in (filters or {}).items():
        if v is not None and k in r.columns:
            r = r[r[k].astype(str) == str(v)]
    return r


def heatmap_figure(
    report: pd.DataFrame, x: str, y: str, metric: str, filters: dict | None = None
) -> go.Figure:
    """Mean of a metric over two parameters; hover shows mean, 95% CI and n."""
    if not x or not y or x == y:
        return empty_figure("choose two different parameters")
    r = _filtered(report, metric, filters)
    if r.empty:
        return empty_figure("no runs match these filters")
    g = r.groupby([y, x], sort=True).agg(
        mean=("mean", "mean"), lo=("ci_low", "mean"), hi=("ci_high", "mean"), n=("n", "sum")
    )
    xs = sorted(r[x].unique())
    ys = sorted(r[y].unique())
    z = np.full((len(ys), len(xs)), np.nan)
    hover = [["" for _ in xs] for _ in ys]
    for (yv, xv), row in g.iterrows():
        i, j = ys.index(yv), xs.index(xv)
        z[i, j] = row["mean"]
        hover[i][j] = (
            f"{x}={xv}<br>{y}={yv}<br>mean {row['mean']:.3f}<br>"
            f"95% CI [{row.lo:.3f}, {row.hi:.3f}]<br>n {int(row.n)}"
        )
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(v) for v in xs],
            y=[str(v) for v in ys],
            text=hover,
            hoverinfo="text",
            colorscale="Viridis",
            colorbar={"title": metric},
            texttemplate="%{z:.2f}",
        )
    )
    fig.update_layout(template=TEMPLATE, title=metric, xaxis_title=x, yaxis_title=y, height=460)
    return fig


def line_figure(
    report: pd.DataFrame, x: str, metric: str, series: str | None, filters: dict | None = None
) -> go.Figure:
    """Mean of a metric against one parameter with 95% CI bands, one line per ``series`` value."""
    if not x:
        return empty_figure("choose a parameter")
    r = _filtered(report, metric, filters)
    if r.empty:
        return empty_figure("no runs match these filters")
    fig = go.Figure()
    groups = r.groupby(series, sort=True) if series and series != x else [("all", r)]
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
    for i, (key, g) in enumerate(groups):
        g = g.groupby(x, sort=True).agg(
            mean=("mean", "mean"), lo=("ci_low", "mean"), hi=("ci_high", "mean")
        )
        colour = palette[i % len(palette)]
        xs = list(g.index)
        name = f"{series}={key}" if series and series != x else metric
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
    fig.update_layout(
        template=TEMPLATE,
        title=f"{metric} (95% CI bands)",
        xaxis_title=x,
        yaxis_title=metric,
        height=420,
    )
    return fig


def sensitivity_figure(table: pd.DataFrame, metric: str) -> go.Figure:
    """Morris mu* and sigma, or Sobol S1 and ST, with confidence intervals."""
    t = table[table.metric == metric] if not table.empty else table
    if t.empty:
        return empty_figure("no sensitivity indices for this metric")
    t = t.sort_values("rank", ascending=False)
    fig = go.Figure()
    if "mu_star" in t.columns and t.mu_star.notna().any():
        fig.add_trace(
            go.Bar(
                y=t.parameter,
                x=t.mu_star,
                orientation="h",
                name="mu*",
                error_x={"type": "data", "array": t.mu_star_conf},
            )
        )
        fig.add_trace(go.Bar(y=t.parameter, x=t.sigma, orientation="h", name="sigma"))
        title = f"Morris screening: {metric}"
    else:
        fig.add_trace(
            go.Bar(
                y=t.parameter,
                x=t.S1,
                orientation="h",
                name="S1",
                error_x={"type": "data", "array": t.S1_conf},
            )
        )
        fig.add_trace(
            go.Bar(
                y=t.parameter,
                x=t.ST,
                orientation="h",
                name="ST",
                error_x={"type": "data", "array": t.ST_conf},
            )
        )
        title = f"Sobol indices: {metric}"
    fig.update_layout(
        template=TEMPLATE, title=title, barmode="group", height=max(320, 40 * len(t) + 120)
    )
    return fig


def compare_figure(summaries: dict[str, dict], metrics: list[str]) -> go.Figure:
    """Summary metrics of several runs side by side."""
    metrics = [m for m in metrics or []]
    if len(summaries) < 1 or not metrics:
        return empty_figure("choose runs and metrics")
    fig = go.Figure()
    for name, s in summaries.items():
        vals = [s.get(m) if isinstance(s.get(m), int | float) else None for m in metrics]
        fig.add_trace(go.Bar(x=metrics, y=vals, name=name))
    fig.update_layout(template=TEMPLATE, barmode="group", title="Runs compared", height=420)
    return fig


def compare_series_figure(series: dict[str, pd.DataFrame], metric: str) -> go.Figure:
    """One daily metric of several runs overlaid."""
    if not series or not metric:
        return empty_figure("choose runs and a metric")
    fig = go.Figure()
    for name, ts in series.items():
        if metric in ts.columns:
            fig.add_trace(go.Scatter(x=ts.day, y=ts[metric], mode="lines", name=name))
    fig.update_layout(template=TEMPLATE, title=metric, xaxis_title="day", height=380)
    return fig
