"""The Dash app: Run, Sweep, Sensitivity and Compare pages over a results folder.

Every callback is a plain function of its inputs (``run_series``, ``sweep_view``, ... in
:mod:`sim.dashboard.views`), registered on the app by :func:`create_app`, so it can be
unit-tested without a browser. The language comes from the address (``?lang=zh``; default
``SIM_LANG`` or English): every label, axis and table header is taken from the catalogue in that
language, and ``<html lang>`` follows it.
"""

from __future__ import annotations

from pathlib import Path

import dash
from dash import ALL, Input, Output, State, dcc, html

from sim.dashboard.catalog import LiveCatalog
from sim.dashboard.jobs import Jobs
from sim.dashboard.pages import (
    COMPARE_METRICS,
    DEFAULT_SERIES,
    PAGES,
    compare_page,
    home_page,
    nav,
    notice,
    run_page,
    sensitivity_page,
    sweep_page,
)
from sim.dashboard.research_pages import calibration_page, discovery_page, register_research
from sim.dashboard.tables import TABLE_LIMIT, TABLE_ROWS
from sim.dashboard.views import (
    READ_ERRORS,
    _table,
    building_panel,
    compare_view,
    fg_design,
    filter_state,
    host_allowed,
    lang_of,
    next_day,
    run_controls,
    run_network,
    run_series,
    run_tables,
    sensitivity_controls,
    sensitivity_view,
    sweep_controls,
    sweep_view,
)
from sim.dashboard.workbench_app import register_workbench, workbench_page
from sim.messages import render
from sim.results import catalog as ct

__all__ = [
    "COMPARE_METRICS",
    "DEFAULT_SERIES",
    "PAGES",
    "TABLE_LIMIT",
    "TABLE_ROWS",
    "_table",
    "compare_page",
    "compare_view",
    "create_app",
    "filter_state",
    "home_page",
    "run_controls",
    "run_network",
    "run_page",
    "run_series",
    "run_tables",
    "sensitivity_controls",
    "sensitivity_page",
    "sensitivity_view",
    "sweep_controls",
    "sweep_page",
    "sweep_view",
]


# ------------------------------------------------------------------------------ app
STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", system-ui, sans-serif; margin: 0;
       color: #222; }
.nav { background: #8b1a1a; padding: 10px 20px; }
.nav a { color: white; margin-right: 18px; text-decoration: none; font-weight: 600; }
.nav a.lang { float: right; border: 1px solid #fff; padding: 0 8px; border-radius: 3px; }
.content { padding: 10px 24px 40px; max-width: 1200px; }
.notice { white-space: pre-line; padding: 10px 14px; margin: 10px 0; border-radius: 4px;
          background: #eef; }
.notice.warning { background: #fff3cd; border: 1px solid #e0c060; }
.scenario { background: #f6f6f6; padding: 8px; max-height: 300px; overflow: auto; }
.muted { color: #666; }
.upload { border: 1px dashed #888; border-radius: 4px; padding: 12px; margin: 8px 0;
          text-align: center; cursor: pointer; color: #444; }
.levers { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
          gap: 4px 24px; }
.buttons button, a.button { margin: 8px 8px 8px 0; padding: 6px 14px; }
a.button { display: inline-block; border: 1px solid #8b1a1a; color: #8b1a1a;
           border-radius: 3px; text-decoration: none; }
progress { width: 320px; height: 14px; margin-right: 10px; }
table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd; padding: 4px 8px;
          text-align: left; }
label { display: block; margin-top: 8px; font-size: 13px; color: #444; }
"""
SET_LANG = """
function(lang) {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = lang === "zh" ? "sim 仪表盘" : "sim dashboard";
    return lang;
}
"""


def create_app(
    root: str | Path,
    lang: str | None = None,
    refresh_seconds: float = 2.0,
    allowed_host: str | None = None,
    jobs: Jobs | None = None,
) -> dash.Dash:
    """Build the dashboard over ``root``.

    Args:
        root: the results folder.
        lang: the language when the address does not ask for one (default ``SIM_LANG``).
        refresh_seconds: the folder is looked at again when a page asks after this long, so
            runs written while the dashboard is up appear.
        allowed_host: a host name besides loopback the app answers to (``sim dashboard
            --host``); None answers loopback only.
        jobs: the workbench's background jobs (default: under ``root/workbench``, at most two
            at once).
    """
    c = LiveCatalog(root, refresh_seconds)
    default = ct.check_lang(lang)
    app = dash.Dash(__name__, suppress_callback_exceptions=True, title=ct.ui("app_title", default))
    html_lang = "zh-CN" if default == "zh" else "en"
    app.index_string = app.index_string.replace(
        "{%css%}", "{%css%}<style>" + STYLE + "</style>"
    ).replace("<html>", f'<html lang="{html_lang}">')
    app.layout = html.Div(
        [
            dcc.Location(id="url"),
            dcc.Store(id="lang", data=default),
            dcc.Store(id="lang-sink"),
            html.Div(nav("/", default), id="nav", className="nav"),
            html.Div(id="page", className="content"),
        ]
    )
    pages = {
        "/": home_page,
        "/run": run_page,
        "/sweep": sweep_page,
        "/sensitivity": sensitivity_page,
        "/compare": compare_page,
        "/workbench": workbench_page,
        "/calibration": calibration_page,
        "/discovery": discovery_page,
    }
    jobs = jobs if jobs is not None else Jobs(root)

    @app.server.before_request
    def _check_host():
        from flask import request

        if not host_allowed(request.host, allowed_host):
            return "Forbidden: the dashboard answers only on 127.0.0.1 / localhost.", 403
        return None

    @app.callback(
        Output("page", "children"),
        Output("nav", "children"),
        Output("lang", "data"),
        Input("url", "pathname"),
        Input("url", "search"),
    )
    def _route(path, search):
        language = lang_of(search if isinstance(search, str) else "", default)
        page = pages.get(path or "/") if isinstance(path, str | None) else None
        if page is None:
            body = notice(f"{path} ?", "warning")
        else:
            try:
                body = page(c, language)
            except READ_ERRORS as exc:
                body = notice(ct.ui("read_error", language, error=render(exc, language)), "warning")
        return body, nav(path if isinstance(path, str) else "/", language), language

    app.clientside_callback(SET_LANG, Output("lang-sink", "data"), Input("lang", "data"))

    @app.callback(
        Output("run-metrics", "options"),
        Output("run-metrics", "value"),
        Output("run-colour", "options"),
        Output("run-colour", "value"),
        Output("run-day", "max"),
        Output("run-day", "value"),
        Input("run-select", "value"),
        State("lang", "data"),
    )
    def _run_controls(key, language):
        return run_controls(c, key, lang=language)

    @app.callback(
        Output("run-series", "figure"),
        Input("run-select", "value"),
        Input("run-metrics", "value"),
        Input("run-day", "value"),
        State("lang", "data"),
    )
    def _run_series(key, metrics, day, language):
        return run_series(c, key, metrics, lang=language, day=day)

    @app.callback(
        Output("run-building", "children"),
        Input("run-network", "clickData"),
        State("run-select", "value"),
        State("lang", "data"),
    )
    def _building(click, key, language):
        return building_panel(c, key, click, lang=language)

    @app.callback(
        Output("run-play-tick", "disabled"),
        Output("run-play", "children"),
        Input("run-play", "n_clicks"),
        State("run-play-tick", "disabled"),
        State("lang", "data"),
        prevent_initial_call=True,
    )
    def _play(_clicks, stopped, language):
        playing = bool(stopped)  # a click turns a stopped player on, and back
        return not playing, ct.ui("pause" if playing else "play", language)

    @app.callback(
        Output("run-day", "value", allow_duplicate=True),
        Output("run-play-tick", "disabled", allow_duplicate=True),
        Output("run-play", "children", allow_duplicate=True),
        Input("run-play-tick", "n_intervals"),
        State("run-day", "value"),
        State("run-day", "max"),
        State("lang", "data"),
        prevent_initial_call=True,
    )
    def _advance(_n, day, last, language):
        day, last = next_day(day, last)
        if day < last:  # only the play button starts and stops the player: a tick in flight
            return day, dash.no_update, dash.no_update  # after a pause must not undo it
        return day, True, ct.ui("play", language)

    @app.callback(
        Output("run-network", "figure"),
        Input("run-select", "value"),
        Input("run-colour", "value"),
        Input("run-day", "value"),
        State("lang", "data"),
    )
    def _run_network(key, colour, day, language):
        return run_network(c, key, colour, day, lang=language)

    @app.callback(
        Output("run-disputes", "children"),
        Output("run-meetings", "children"),
        Output("run-votes", "children"),
        Output("run-scenario", "children"),
        Input("run-select", "value"),
        State("lang", "data"),
    )
    def _run_tables(key, language):
        return run_tables(c, key, lang=language)

    @app.callback(
        Output("sweep-metric", "options"),
        Output("sweep-metric", "value"),
        Output("sweep-x", "options"),
        Output("sweep-x", "value"),
        Output("sweep-y", "options"),
        Output("sweep-y", "value"),
        Output("sweep-filters", "children"),
        Input("sweep-select", "value"),
        State("lang", "data"),
    )
    def _sweep_controls(key, language):
        return sweep_controls(c, key, lang=language)

    @app.callback(
        Output({"type": "sweep-filter", "param": ALL}, "disabled"),
        Output({"type": "sweep-filter", "param": ALL}, "value"),
        Output({"type": "sweep-filter", "param": ALL}, "placeholder"),
        Input("sweep-x", "value"),
        Input("sweep-y", "value"),
        State({"type": "sweep-filter", "param": ALL}, "id"),
        State({"type": "sweep-filter", "param": ALL}, "value"),
        State("lang", "data"),
    )
    def _filter_state(x, y, ids, values, language):
        return filter_state(x, y, ids, values, language)

    @app.callback(
        Output("sweep-heatmap", "figure"),
        Output("sweep-line", "figure"),
        Input("sweep-select", "value"),
        Input("sweep-metric", "value"),
        Input("sweep-x", "value"),
        Input("sweep-y", "value"),
        Input({"type": "sweep-filter", "param": ALL}, "value"),
        State({"type": "sweep-filter", "param": ALL}, "id"),
        State("lang", "data"),
    )
    def _sweep_view(key, metric, x, y, values, ids, language):
        return sweep_view(c, key, metric, x, y, values, ids, lang=language)

    @app.callback(
        Output("sens-metric", "options"),
        Output("sens-metric", "value"),
        Input("sens-select", "value"),
        State("lang", "data"),
    )
    def _sens_controls(key, language):
        return sensitivity_controls(c, key, lang=language)

    @app.callback(
        Output("sens-graph", "figure"),
        Output("sens-reading", "children"),
        Input("sens-select", "value"),
        Input("sens-metric", "value"),
        State("lang", "data"),
    )
    def _sens_view(key, metric, language):
        fig = sensitivity_view(c, key, metric, lang=language)
        e = c.get(key, "sweep")
        design = fg_design(e.path) if e is not None else ""
        reading = ct.ui("sobol_reading" if design == "sobol" else "morris_reading", language)
        return fig, reading

    @app.callback(
        Output("cmp-bars", "figure"),
        Output("cmp-series", "figure"),
        Input("cmp-runs", "value"),
        Input("cmp-metrics", "value"),
        Input("cmp-series-metric", "value"),
        State("lang", "data"),
    )
    def _compare(keys, metrics, series_metric, language):
        return compare_view(c, keys, metrics, series_metric, lang=language)

    register_workbench(app, root, jobs)
    register_research(app, c)
    app.catalog = c  # for the CLI's terminal message and for tests
    app.jobs = jobs
    return app
