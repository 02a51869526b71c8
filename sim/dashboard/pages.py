"""Page layouts of the dashboard (Home, Run, Sweep, Sensitivity, Compare) in a chosen language."""

from __future__ import annotations

from pathlib import Path

from dash import dcc, html

from sim.dashboard.catalog import Catalog, sweep_design
from sim.dashboard.widgets import dropdown, graph
from sim.messages import render
from sim.results import catalog as cat

PAGES = {
    "/": "page_home",
    "/run": "page_run",
    "/sweep": "page_sweep",
    "/sensitivity": "page_sensitivity",
    "/compare": "page_compare",
    "/workbench": "page_workbench",
    "/calibration": "page_calibration",
    "/discovery": "page_discovery",
}
DEFAULT_SERIES = ["open_disputes", "resolved_L1", "resolved_L2", "expired"]
COMPARE_METRICS = [
    "disputes.share_of_all.resolved",
    "disputes.share_of_all.resolved_in_building",
    "disputes.share_of_closed.resolved",
    "projects.pass_rate",
    "trust.mean_final",
]


def options(values, lang: str = "en", prefix: str = "") -> list[dict]:
    """Dropdown options labelled from the catalogue (``prefix`` e.g. ``param:``)."""
    return [
        {
            "label": cat.label(f"{prefix}{v}", lang),
            "value": v,
            "title": cat.describe(f"{prefix}{v}", lang),
        }
        for v in values
    ]


def notice(text: str, kind: str = "info") -> html.Div:
    """A message box."""
    return html.Div(text, className=f"notice {kind}", role="status")


def nav(path: str, lang: str) -> list:
    """The navigation links, keeping the language, and the language switch."""
    q = f"?lang={lang}"
    other = "en" if lang == "zh" else "zh"
    links = [dcc.Link(cat.ui(name, lang), href=p + q) for p, name in PAGES.items()]
    switch = dcc.Link(
        cat.ui("lang_switch", lang),
        href=f"{path or '/'}?lang={other}",
        id="lang-switch",
        className="lang",
    )
    return [*links, switch]


def safe_design(path: Path) -> str:
    """The design of a sweep, or "" when unreadable."""
    try:
        return sweep_design(path)
    except (OSError, KeyError, ValueError):
        return ""


def home_page(c: Catalog, lang: str = "en") -> html.Div:
    """Lists what was found, or says clearly that nothing was."""
    items = [html.H2(cat.ui("results", lang)), html.P(cat.ui("folder", lang, path=c.root))]
    msg = c.message(lang)
    if msg:
        items.append(notice(msg, "warning"))
    if c.runs():
        items += [
            html.H3(cat.ui("n_runs", lang, n=len(c.runs()))),
            html.Ul([html.Li(e.label) for e in c.runs()]),
        ]
    if c.sweeps():
        items += [
            html.H3(cat.ui("n_sweeps", lang, n=len(c.sweeps()))),
            html.Ul(
                [
                    html.Li(f"{e.label}: {cat.value_label('design', safe_design(e.path), lang)}")
                    for e in c.sweeps()
                ]
            ),
        ]
    for p in c.problems:
        items.append(notice(render(p, lang), "warning"))
    return html.Div(items)


def run_page(c: Catalog, lang: str = "en") -> html.Div:
    """Run page: series, network with day slider, tables, scenario."""
    runs = c.runs()
    if not runs:
        return notice(c.message(lang) or cat.ui("no_runs", lang), "warning")
    return html.Div(
        [
            html.H2(cat.ui("run", lang)),
            html.Label(cat.ui("run", lang)),
            dropdown(
                lang,
                id="run-select",
                options=[{"label": e.label, "value": e.key} for e in runs],
                value=runs[0].key,
                clearable=False,
            ),
            html.Label(cat.ui("daily_metrics", lang)),
            dropdown(lang, id="run-metrics", multi=True),
            graph(lang, id="run-series"),
            html.Div(
                [
                    html.Label(cat.ui("colour_by", lang)),
                    dropdown(lang, id="run-colour", clearable=False),
                    html.Label(cat.ui("day", lang)),
                    html.Button(cat.ui("play", lang), id="run-play", n_clicks=0),
                    dcc.Interval(id="run-play-tick", interval=600, disabled=True),
                    dcc.Slider(
                        id="run-day",
                        min=0,
                        max=1,
                        step=1,
                        value=0,
                        tooltip={"placement": "bottom"},
                        marks=None,
                    ),
                ]
            ),
            graph(lang, id="run-network"),
            html.Div(
                html.P(cat.ui("building_panel_hint", lang), className="muted"),
                id="run-building",
            ),
            html.H3(cat.ui("disputes", lang)),
            html.Div(id="run-disputes"),
            html.H3(cat.ui("meetings", lang)),
            html.Div(id="run-meetings"),
            html.H3(cat.ui("votes", lang)),
            html.Div(id="run-votes"),
            html.H3(cat.ui("scenario", lang)),
            html.Pre(id="run-scenario", className="scenario"),
        ]
    )


def sweep_page(c: Catalog, lang: str = "en") -> html.Div:
    """Sweep page: heatmap over two parameters, line plot with interval bands, filters."""
    sweeps = sorted(c.sweeps(), key=lambda e: safe_design(e.path) != "grid")
    if not sweeps:
        return notice(c.message(lang) or cat.ui("no_sweeps", lang), "warning")
    return html.Div(
        [
            html.H2(cat.ui("sweep", lang)),
            html.Label(cat.ui("sweep", lang)),
            dropdown(
                lang,
                id="sweep-select",
                options=[{"label": e.label, "value": e.key} for e in sweeps],
                value=sweeps[0].key,
                clearable=False,
            ),
            html.Label(cat.ui("metric", lang)),
            dropdown(lang, id="sweep-metric", clearable=False),
            html.Div(
                [html.Label(cat.ui("x_param", lang)), dropdown(lang, id="sweep-x", clearable=False)]
            ),
            html.Div(
                [html.Label(cat.ui("y_param", lang)), dropdown(lang, id="sweep-y", clearable=False)]
            ),
            html.Div(id="sweep-filters"),
            graph(lang, id="sweep-heatmap"),
            graph(lang, id="sweep-line"),
        ]
    )


def sensitivity_page(c: Catalog, lang: str = "en") -> html.Div:
    """Sensitivity page: Morris or Sobol indices with confidence intervals."""
    sweeps = [e for e in c.sweeps() if safe_design(e.path) in ("morris", "sobol")]
    if not sweeps:
        return notice(cat.ui("no_sensitivity", lang), "warning")
    return html.Div(
        [
            html.H2(cat.ui("sensitivity", lang)),
            dropdown(
                lang,
                id="sens-select",
                options=[{"label": e.label, "value": e.key} for e in sweeps],
                value=sweeps[0].key,
                clearable=False,
            ),
            html.Label(cat.ui("metric", lang)),
            dropdown(lang, id="sens-metric", clearable=False),
            html.P(id="sens-reading", className="muted"),
            graph(lang, id="sens-graph"),
        ]
    )


def compare_page(c: Catalog, lang: str = "en") -> html.Div:
    """Compare page: several runs side by side."""
    runs = c.runs()
    if not runs:
        return notice(c.message(lang) or cat.ui("no_runs", lang), "warning")
    return html.Div(
        [
            html.H2(cat.ui("compare_runs", lang)),
            dropdown(
                lang,
                id="cmp-runs",
                multi=True,
                options=[{"label": e.label, "value": e.key} for e in runs],
                value=[e.key for e in runs[:2]],
            ),
            html.Label(cat.ui("summary_metrics", lang)),
            dropdown(
                lang,
                id="cmp-metrics",
                multi=True,
                options=options(COMPARE_METRICS, lang),
                value=COMPARE_METRICS[:3],
            ),
            graph(lang, id="cmp-bars"),
            html.Label(cat.ui("daily_metric", lang)),
            dropdown(
                lang,
                id="cmp-series-metric",
                options=options(DEFAULT_SERIES + ["mean_trust"], lang),
                value="open_disputes",
                clearable=False,
            ),
            graph(lang, id="cmp-series"),
        ]
    )
