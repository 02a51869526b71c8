"""The Dash app: Run, Sweep, Sensitivity and Compare pages over a results folder (read-only).

Every callback is a plain function of its inputs (``run_series``, ``sweep_view``, ...), registered
on the app by :func:`create_app`, so it can be unit-tested without a browser. The language comes
from the address (``?lang=zh``; default ``SIM_LANG`` or English): every label, axis and table
header is taken from the catalogue in that language, and ``<html lang>`` follows it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import dash
import duckdb
import pandas as pd
import yaml
from dash import ALL, Input, Output, State, dcc, html

from sim.dashboard import figures as fg
from sim.dashboard.catalog import (
    Catalog,
    LiveCatalog,
    load_report,
    load_run,
    load_sensitivity,
)
from sim.dashboard.pages import (
    COMPARE_METRICS,
    DEFAULT_SERIES,
    PAGES,
    compare_page,
    home_page,
    nav,
    notice,
    options,
    run_page,
    sensitivity_page,
    sweep_page,
)
from sim.dashboard.tables import TABLE_LIMIT, TABLE_ROWS, result_table
from sim.results import catalog as ct

__all__ = [
    "COMPARE_METRICS",
    "DEFAULT_SERIES",
    "PAGES",
    "TABLE_LIMIT",
    "TABLE_ROWS",
    "compare_page",
    "create_app",
    "home_page",
    "run_page",
    "sensitivity_page",
    "sweep_page",
]
REPORT_COLUMNS = {"point", "metric", "mean", "sd", "ci_low", "ci_high", "n", "method"}


def lang_of(search: str | None, default: str = "en") -> str:
    """The language asked for in a query string such as ``?lang=zh``."""
    from urllib.parse import parse_qs

    asked = parse_qs((search or "").lstrip("?")).get("lang", [""])[0]
    return asked if asked in ct.LANGS else default


# ------------------------------------------------------------------------ callbacks
# TypeError/AttributeError: a hand-made request may send inputs of the wrong type.
READ_ERRORS = (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError, duckdb.Error)
LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}


def host_allowed(host: str | None) -> bool:
    """Whether a request's Host header names this machine's loopback (DNS rebinding guard)."""
    if not host:
        return False
    name = host.strip().lower()
    if name.startswith("["):
        name = name[: name.find("]") + 1] if "]" in name else name
    else:
        name = name.split(":", 1)[0]
    return name in LOOPBACK


def guarded(fallback):
    """Turn a read error inside a callback into a clear message instead of a stack trace."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            lang = kwargs.get("lang", "en")
            try:
                return fn(*args, **kwargs)
            except READ_ERRORS as exc:
                return fallback(ct.ui("unreadable", lang, error=exc))

        return inner

    return wrap


def _figs(n: int):
    return lambda msg: (
        tuple(fg.empty_figure(msg) for _ in range(n)) if n > 1 else fg.empty_figure(msg)
    )


def _thresholds(r: dict) -> dict[str, float]:
    """Vote threshold of each project's support series, from the run's scenario."""
    projects = r.get("manifest", {}).get("scenario", {}).get("projects", []) or []
    return {f"support:{p['name']}": fg.vote_threshold(p.get("matter")) for p in projects}


def _date(r: dict, day: int, lang: str) -> str | None:
    ts = r["timeseries"]
    if "date" not in ts.columns:
        return None
    row = ts[ts.day == day]
    return ct.fmt("date", pd.Timestamp(row.date.iloc[0]).date(), lang) if len(row) else None


@guarded(lambda msg: ([], [], [], None, 0, 0))
def run_controls(c: Catalog, key: str | None, lang: str = "en"):
    """Metric options, colour options and day range for the chosen run."""
    e = c.get(key, "run")
    if e is None:
        return [], [], [], "open_disputes", 0, 0
    r = load_run(e.path)
    ts = r["timeseries"]
    numeric = [col for col in ts.columns if col not in ("day", "date")]
    chosen = [m for m in DEFAULT_SERIES if m in numeric]
    chosen += [col for col in numeric if col.startswith("support:")]
    colours = options(["open_disputes"], lang)
    bs = r.get("building_support", pd.DataFrame())
    if not bs.empty:
        colours += options([f"support:{p}" for p in sorted(bs.project.unique())], lang)
    last = int(ts.day.max()) if len(ts) else 0
    return options(numeric, lang), chosen, colours, "open_disputes", last, last


@guarded(_figs(1))
def run_series(c: Catalog, key: str | None, metrics: list[str] | None, lang: str = "en"):
    """Daily series of the chosen run and metrics."""
    e = c.get(key, "run")
    if e is None:
        return fg.empty_figure(ct.ui("unknown_run", lang))
    r = load_run(e.path)
    return fg.timeseries_figure(
        r["timeseries"], metrics or [], title=e.label, lang=lang, thresholds=_thresholds(r)
    )


@guarded(_figs(1))
def run_network(c: Catalog, key: str | None, colour: str | None, day: int | None, lang="en"):
    """The building network of the chosen run, coloured for the chosen day."""
    e = c.get(key, "run")
    if e is None:
        return fg.empty_figure(ct.ui("unknown_run", lang))
    r = load_run(e.path)
    day = int(day or 0)
    b = r.get("buildings")
    if b is None or b.empty:
        return fg.empty_figure(ct.ui("no_buildings", lang))
    threshold = None
    if colour and colour.startswith("support:"):
        project = colour.split(":", 1)[1]
        support = r.get("building_support", pd.DataFrame())
        values = fg.support_by_building(support, project, len(b), day)
        key_ = colour
        threshold = _thresholds(r).get(colour)
    else:
        values = fg.open_disputes_by_building(r["disputes"], len(b), day).astype(float)
        key_ = "open_disputes"
    return fg.network_figure(
        b, r["network"], values, key_, day, lang, _date(r, day, lang), threshold
    )


@guarded(lambda msg: (notice(msg, "warning"), None, None, ""))
def run_tables(c: Catalog, key: str | None, lang: str = "en"):
    """Disputes, meetings and votes tables and the scenario (YAML) of the chosen run."""
    e = c.get(key, "run")
    if e is None:
        return notice(ct.ui("unknown_run", lang), "warning"), None, None, ""
    r = load_run(e.path)
    scenario = scenario_text(r["manifest"].get("scenario", {}), lang)
    return (
        result_table("disputes-table", "disputes", r.get("disputes"), lang),
        result_table("meetings-table", "meetings", r.get("meetings"), lang),
        result_table("votes-table", "votes", r.get("votes"), lang),
        scenario,
    )


def scenario_text(data: dict, lang: str = "en") -> str:
    """The run's scenario as YAML, each field explained in a comment in ``lang``."""
    from pydantic import ValidationError

    from sim.scenario import Scenario
    from sim.scenario.docs import scenario_template

    try:
        sc = Scenario.model_validate(data)
    except ValidationError:  # written by another version: show it as it is
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    def describe(path: str, english: str) -> str:
        return ct.param_description(path, lang) if lang != "en" else english

    lines = scenario_template(sc, describe, lang).splitlines()
    return "\n".join(lines[2:]) + "\n"  # without the template's "edit this default" header


def _table(table_id: str, df: pd.DataFrame | None, lang: str = "en"):
    """A result table by its element id (``disputes-table`` shows ``disputes``)."""
    return result_table(table_id, table_id.removesuffix("-table"), df, lang)


def report_params(rep: pd.DataFrame) -> list[str]:
    """The parameter columns of a sweep report."""
    return [col for col in rep.columns if col not in REPORT_COLUMNS]


@guarded(lambda msg: ([], None, [], None, [], None, [notice(msg, "warning")]))
def sweep_controls(c: Catalog, key: str | None, lang: str = "en"):
    """Metric and parameter options and filter dropdowns for the chosen sweep."""
    e = c.get(key, "sweep")
    if e is None:
        return [], None, [], None, [], None, [notice(ct.ui("unknown_sweep", lang), "warning")]
    try:
        rep = load_report(e.path)
    except FileNotFoundError as exc:
        return [], None, [], None, [], None, [notice(str(exc), "warning")]
    params = report_params(rep)
    metrics = list(dict.fromkeys(rep.metric))
    x = params[0] if params else None
    y = params[1] if len(params) > 1 else x
    return (
        options(metrics, lang),
        metrics[0] if metrics else None,
        options(params, lang, "param:"),
        x,
        options(params, lang, "param:"),
        y,
        _filters(rep, params, lang, (x, y)),
    )


def _filters(rep: pd.DataFrame, params: list[str], lang: str = "en", axes=()) -> list:
    out = []
    for p in params:
        values = sorted(rep[p].unique(), key=lambda v: (str(type(v)), v))
        out.append(
            html.Div(
                [
                    html.Label(ct.ui("filter", lang, param=ct.label(f"param:{p}", lang))),
                    dcc.Dropdown(
                        id={"type": "sweep-filter", "param": p},
                        options=[{"label": fg.level_text(v), "value": str(v)} for v in values],
                        value=None,
                        placeholder=ct.ui("filter_axis" if p in axes else "filter_all", lang),
                        disabled=p in axes,
                    ),
                ],
                className="filter",
            )
        )
    return out


def filter_state(x, y, ids, values, lang: str = "en"):
    """Filters on an axis parameter are disabled and cleared: they cannot be set there."""
    on_axis = [fid["param"] in (x, y) for fid in ids or []]
    vals = [
        None if a else v for a, v in zip(on_axis, values or [None] * len(on_axis), strict=False)
    ]
    holders = [ct.ui("filter_axis" if a else "filter_all", lang) for a in on_axis]
    return on_axis, vals, holders


@guarded(_figs(2))
def sweep_view(c: Catalog, key, metric, x, y, filter_values, filter_ids, lang: str = "en"):
    """Heatmap and line plot for the chosen sweep, metric, axes and filters."""
    e = c.get(key, "sweep")
    if e is None or metric is None:
        blank = fg.empty_figure(ct.ui("choose_sweep", lang))
        return blank, blank
    rep = load_report(e.path)
    filters = {
        fid["param"]: v
        for fid, v in zip(filter_ids or [], filter_values or [], strict=False)
        if fid["param"] not in (x, y)
    }
    design = fg_design(e.path)
    if design in ("", "grid"):
        heat = fg.heatmap_figure(rep, x, y, metric, filters, lang)
    else:  # sampled points are not a grid: no heatmap that pretends they are
        label = ct.value_label("design", design, lang)
        heat = fg.empty_figure(ct.ui("grid_only", lang, design=label))
    line = fg.line_figure(rep, x, metric, y if y != x else None, filters, lang)
    return heat, line


@guarded(lambda msg: ([], None))
def sensitivity_controls(c: Catalog, key, lang: str = "en"):
    """Metric options of a sensitivity sweep."""
    e = c.get(key, "sweep")
    if e is None:
        return [], None
    t = load_sensitivity(e.path)
    metrics = list(dict.fromkeys(t.metric)) if not t.empty else []
    return options(metrics, lang), metrics[0] if metrics else None


@guarded(_figs(1))
def sensitivity_view(c: Catalog, key, metric, lang: str = "en"):
    """Bars of the indices."""
    e = c.get(key, "sweep")
    if e is None or metric is None:
        return fg.empty_figure(ct.ui("choose_sens", lang))
    return fg.sensitivity_figure(load_sensitivity(e.path), metric, lang)


@guarded(_figs(2))
def compare_view(c: Catalog, keys, metrics, series_metric, lang: str = "en"):
    """Bars of summary metrics and overlaid daily series of the chosen runs."""
    entries = [c.get(k, "run") for k in keys or []]
    entries = [e for e in entries if e is not None]
    if not entries:
        blank = fg.empty_figure(ct.ui("choose_runs", lang))
        return blank, blank
    runs = {e.label: load_run(e.path) for e in entries}
    bars = fg.compare_figure({k: r["summary"] for k, r in runs.items()}, metrics or [], lang)
    lines = fg.compare_series_figure(
        {k: r["timeseries"] for k, r in runs.items()}, series_metric, lang
    )
    return bars, lines


# ------------------------------------------------------------------------------ app
STYLE = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", system-ui, sans-serif; margin: 0;
       color: #222; }
.nav { background: #8b1a1a; padding: 10px 20px; }
.nav a { color: white; margin-right: 18px; text-decoration: none; font-weight: 600; }
.nav a.lang { float: right; border: 1px solid #fff; padding: 0 8px; border-radius: 3px; }
.content { padding: 10px 24px 40px; max-width: 1200px; }
.notice { padding: 10px 14px; margin: 10px 0; border-radius: 4px; background: #eef; }
.notice.warning { background: #fff3cd; border: 1px solid #e0c060; }
.scenario { background: #f6f6f6; padding: 8px; max-height: 300px; overflow: auto; }
.muted { color: #666; }
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
    root: str | Path, lang: str | None = None, refresh_seconds: float = 2.0
) -> dash.Dash:
    """Build the dashboard over ``root``.

    Args:
        root: the results folder.
        lang: the language when the address does not ask for one (default ``SIM_LANG``).
        refresh_seconds: the folder is looked at again when a page asks after this long, so
            runs written while the dashboard is up appear.
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
    }

    @app.server.before_request
    def _check_host():
        from flask import request

        if not host_allowed(request.host):
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
                body = notice(ct.ui("read_error", language, error=exc), "warning")
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
        State("lang", "data"),
    )
    def _run_series(key, metrics, language):
        return run_series(c, key, metrics, lang=language)

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

    app.catalog = c  # for the CLI's terminal message and for tests
    return app


def fg_design(path: Path) -> str:
    """The design of a sweep folder ("" when unreadable)."""
    from sim.dashboard.pages import safe_design

    return safe_design(path)
