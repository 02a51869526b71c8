"""Figures of the calibration and discovery pages (posterior, generations, checks, PRIM).

Every title, axis and legend entry comes from the label catalogue in the page's language; the
style (template, font, palette) from :mod:`sim.dashboard.figure_style`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.dashboard.figure_style import PALETTE, _layout, _legend_top, empty_figure
from sim.results import catalog as cat

BINS = 20
ROLES = {"fitted": "cal_role_fitted", "held_out": "cal_role_held_out"}


def param_label(name: str, lang: str) -> str:
    """A free parameter's label from the catalogue (its path when it has none)."""
    return cat.label(f"param:{name}", lang)


def statistic_label(name: str, lang: str) -> str:
    """A calibration statistic: a summary key's label, or a facts row and its arm(s)."""
    if cat.has(name):
        return cat.label(name, lang)
    row, _, arm = name.partition(":")
    return cat.ui("cal_row_stat", lang, row=row, arm=arm) if arm else name


def _abbrev(text: str, room: int) -> str:
    """A label cut to ``room`` characters (at least 8) for a crowded axis (the table has all)."""
    room = max(room, 8)
    return text if len(text) <= room else text[: room - 1] + "…"


def bounds(spec_params: dict, table: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Each parameter's prior support to draw: min/max when given, else the prior 90%."""
    out = {}
    for r in table.itertuples():
        p = spec_params.get(r.parameter, {})
        lo = p.get("min") if p.get("min") is not None else r.prior_q05
        hi = p.get("max") if p.get("max") is not None else r.prior_q95
        out[r.parameter] = (float(lo), float(hi))
    return out


def pairs_figure(
    post: pd.DataFrame, names: list[str], prior: dict[str, tuple[float, float]], lang: str
) -> go.Figure:
    """Weighted histograms on the diagonal (prior bounds dashed), particle clouds below it."""
    if post.empty or not names:
        return empty_figure(cat.ui("none", lang))
    n = len(names)
    gap = min(0.12, 0.3 / n)
    fig = make_subplots(rows=n, cols=n, horizontal_spacing=gap, vertical_spacing=gap)
    w = post["weight"].to_numpy(float)
    size = 4 + 10 * w / max(w.max(), 1e-12)
    for i, a in enumerate(names):
        lo, hi = prior[a]
        counts, edges = np.histogram(post[a], bins=BINS, range=(lo, hi), weights=w)
        fig.add_trace(
            go.Bar(
                x=(edges[:-1] + edges[1:]) / 2,
                y=counts,
                width=np.diff(edges),
                marker_color=PALETTE[0],
                name=cat.ui("cal_posterior", lang),
                showlegend=i == 0,
            ),
            row=i + 1,
            col=i + 1,
        )
        for edge in (lo, hi):
            fig.add_vline(x=edge, line_dash="dash", line_color=PALETTE[3], row=i + 1, col=i + 1)
        fig.update_xaxes(range=[lo, hi], row=i + 1, col=i + 1)
        for j, b in enumerate(names[:i]):
            fig.add_trace(
                go.Scatter(
                    x=post[b],
                    y=post[a],
                    mode="markers",
                    marker={"size": size, "color": PALETTE[0], "opacity": 0.5},
                    name=cat.ui("cal_particles", lang),
                    showlegend=(i, j) == (1, 0),
                ),
                row=i + 1,
                col=j + 1,
            )
            fig.update_xaxes(range=list(prior[b]), row=i + 1, col=j + 1)
            fig.update_yaxes(range=[lo, hi], row=i + 1, col=j + 1)
    small = {"font": {"size": 10 if n > 3 else 12}}
    for k, name in enumerate(names):
        short = _abbrev(param_label(name, lang), 60 // n)
        fig.update_xaxes(title={"text": short, **small}, row=n, col=k + 1)
        if k > 0:  # row 0, column 0 is a histogram: its height is a weight
            fig.update_yaxes(title={"text": short, **small}, row=k + 1, col=1)
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            line={"dash": "dash", "color": PALETTE[3]},
            name=cat.ui("cal_prior_bound", lang),
        )
    )
    return _layout(
        fig,
        title=cat.ui("cal_pairs_title", lang),
        height=max(360, 210 * n),
        legend=_legend_top(),
        bargap=0,
    )


def generations_figure(gens: pd.DataFrame, lang: str) -> go.Figure:
    """Tolerance and distance quantiles (left axis), acceptance rate (bars, right axis)."""
    if gens.empty:
        return empty_figure(cat.ui("none", lang))
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=gens.generation,
            y=gens.acceptance_rate,
            name=cat.ui("cal_acceptance", lang),
            marker_color="#cccccc",
            opacity=0.5,
        ),
        secondary_y=True,
    )
    for k, (col, key) in enumerate(
        (("epsilon", "cal_epsilon"), ("distance_median", "cal_distance_median"))
        + (("distance_q90", "cal_distance_q90"),)
    ):
        fig.add_trace(
            go.Scatter(
                x=gens.generation,
                y=gens[col],
                mode="lines+markers",
                name=cat.ui(key, lang),
                line={"color": PALETTE[k]},
            ),
            secondary_y=False,
        )
    fig.update_xaxes(title_text=cat.ui("cal_generation", lang), dtick=1)
    fig.update_yaxes(
        title_text=cat.ui("cal_distance_axis", lang), secondary_y=False, rangemode="tozero"
    )
    fig.update_yaxes(
        title_text=cat.ui("cal_acceptance", lang),
        secondary_y=True,
        range=[0, 1],
        tickmode="array",
        tickvals=[0, 0.25, 0.5, 0.75, 1],
        tickformat=".0%",
        showgrid=False,
    )
    return _layout(
        fig, title=cat.ui("cal_generations_title", lang), height=360, legend=_legend_top()
    )


def checks_figure(checks: pd.DataFrame, lang: str) -> go.Figure:
    """One panel per statistic: posterior-predictive median and 90% interval, and the observed."""
    if checks.empty:
        return empty_figure(cat.ui("none", lang))
    n = len(checks)
    titles = [
        f"{statistic_label(r.statistic, lang)} ({cat.ui(ROLES[r.role], lang)})"
        for r in checks.itertuples()
    ]
    fig = make_subplots(rows=n, cols=1, subplot_titles=titles, vertical_spacing=0.9 / n)
    for i, r in enumerate(checks.itertuples()):
        colour = PALETTE[1] if r.role == "held_out" else PALETTE[0]
        fig.add_trace(
            go.Scatter(
                x=[r.median],
                y=[0],
                mode="markers",
                marker={"size": 10, "color": colour},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [r.q95 - r.median],
                    "arrayminus": [r.median - r.q05],
                },
                name=cat.ui("cal_interval", lang),
                showlegend=i == 0,
            ),
            row=i + 1,
            col=1,
        )
        if pd.notna(r.observed):
            fig.add_trace(
                go.Scatter(
                    x=[r.observed],
                    y=[0],
                    mode="markers",
                    marker={"symbol": "x", "size": 12, "color": PALETTE[3]},
                    name=cat.ui("cal_observed", lang),
                    showlegend=i == 0,
                ),
                row=i + 1,
                col=1,
            )
        fig.update_yaxes(visible=False, row=i + 1, col=1)
    return _layout(
        fig,
        title=cat.ui("cal_checks_title", lang),
        height=140 + 120 * n,
        legend=_legend_top(),
        margin={"t": 110},
    )


def trajectory_figure(prim: dict, lang: str) -> go.Figure:
    """PRIM's peeling trajectory: coverage against density, mass as colour, chosen box ringed."""
    steps = prim.get("trajectory", [])
    if not steps:
        return empty_figure(cat.ui("none", lang))
    cov = [b["coverage"] for b in steps]
    den = [b["density"] for b in steps]
    mass = [b["mass"] for b in steps]
    fig = go.Figure(
        go.Scatter(
            x=cov,
            y=den,
            mode="lines+markers",
            marker={
                "size": 9,
                "color": mass,
                "colorscale": "Viridis",
                "cmin": 0,
                "cmax": 1,
                "colorbar": {"title": {"text": cat.ui("disc_mass", lang)}},
            },
            line={"color": "#bbbbbb"},
            text=[str(i) for i in range(len(steps))],
            name=cat.ui("disc_steps", lang),
        )
    )
    box = prim["box"]
    fig.add_trace(
        go.Scatter(
            x=[box["coverage"]],
            y=[box["density"]],
            mode="markers",
            marker={"size": 18, "symbol": "circle-open", "color": PALETTE[3], "line": {"width": 3}},
            name=cat.ui("disc_chosen", lang),
        )
    )
    fig.update_xaxes(title_text=cat.ui("disc_coverage", lang), range=[0, 1.02])
    fig.update_yaxes(title_text=cat.ui("disc_density", lang), range=[0, 1.02])
    return _layout(
        fig, title=cat.ui("disc_trajectory_title", lang), height=420, legend=_legend_top()
    )
