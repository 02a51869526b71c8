"""The Dash app: Run, Sweep, Sensitivity and Compare pages over a results folder (read-only).

Every callback is a plain function of its inputs (``run_series``, ``sweep_view``, ...), registered
on the app by :func:`create_app`, so it can be unit-tested without a browser.
"""

from __future__ import annotations

import functools
from pathlib import Path

import dash
import duckdb
import pandas as pd
import yaml
from dash import ALL, Input, Output, State, dash_table, dcc, html

from sim.dashboard import figures as fg
from sim.dashboard.catalog import (
    Catalog,
    discover,
    load_report,
    load_run,
    load_sensitivity,
    sweep_design,
)

PAGES = {
    "/": "Home",
    "/run": "Run",
    "/sweep": "Sweep",
    "/sensitivity": "Sensitivity",
    "/compare": "Compare",
}
DEFAULT_SERIES = ["open_disputes", "resolved_L1", "resolved_L2", "failed"]
TABLE_ROWS = 15
TABLE_LIMIT = 2000  # rows sent to the browser; parquet holds the rest
COMPARE_METRICS = [
    "disputes.resolution_rate",
    "disputes.resolved_in_building_share",
    "disputes.resolved_in_community_share",
    "projects.pass_rate",
    "trust.mean_final",
]


def _options(values) -> list[dict]:
    return [{"label": str(v), "value": v} for v in values]


def _notice(text: str, kind: str = "info") -> html.Div:
    return html.Div(text, className=f"notice {kind}", role="status")


# ---------------------------------------------------------------------------- pages
def home_page(cat: Catalog) -> html.Div:
    """Lists what was found, or says clearly that nothing was."""
    items = [html.H2("Results"), html.P(f"Folder: {cat.root}")]
    msg = cat.message()
    if msg:
        items.append(_notice(msg, "warning"))
    if cat.runs():
        items += [
            html.H3(f"{len(cat.runs())} runs"),
            html.Ul([html.Li(e.label) for e in cat.runs()]),
        ]
    if cat.sweeps():
        items += [
            html.H3(f"{len(cat.sweeps())} sweeps"),
            html.Ul([html.Li(e.label) for e in cat.sweeps()]),
        ]
    for p in cat.problems:
        items.append(_notice(p, "warning"))
    return html.Div(items)


def run_page(cat: Catalog) -> html.Div:
    """Run page: series, network with day slider, tables, scenario."""
    runs = cat.runs()
    if not runs:
        return _notice(cat.message() or "No runs in this results folder.", "warning")
    first = runs[0].key
    return html.Div(
        [
            html.H2("Run"),
            html.Label("Run"),
            dcc.Dropdown(
                id="run-select",
                options=[{"label": e.label, "value": e.key} for e in runs],
                value=first,
                clearable=False,
            ),
            html.Label("Daily metrics"),
            dcc.Dropdown(id="run-metrics", multi=True),
            dcc.Graph(id="run-series"),
            html.Div(
                [
                    html.Label("Colour buildings by"),
                    dcc.Dropdown(id="run-colour", clearable=False),
                    html.Label("Day"),
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
            dcc.Graph(id="run-network"),
            html.H3("Disputes"),
            html.Div(id="run-disputes"),
            html.H3("Meetings"),
            html.Div(id="run-meetings"),
            html.H3("Votes"),
            html.Div(id="run-votes"),
            html.H3("Scenario"),
            html.Pre(id="run-scenario", className="scenario"),
        ]
    )


def sweep_page(cat: Catalog) -> html.Div:
    """Sweep page: heatmap over two parameters, line plot with CI bands, filters."""
    sweeps = sorted(cat.sweeps(), key=lambda e: _safe_design(e.path) != "grid")
    if not sweeps:
        return _notice(cat.message() or "No sweeps in this results folder.", "warning")
    return html.Div(
        [
            html.H2("Sweep"),
            html.Label("Sweep"),
            dcc.Dropdown(
                id="sweep-select",
                options=[{"label": e.label, "value": e.key} for e in sweeps],
                value=sweeps[0].key,
                clearable=False,
            ),
            html.Label("Metric"),
            dcc.Dropdown(id="sweep-metric", clearable=False),
            html.Div([html.Label("x parameter"), dcc.Dropdown(id="sweep-x", clearable=False)]),
            html.Div([html.Label("y parameter"), dcc.Dropdown(id="sweep-y", clearable=False)]),
            html.Div(id="sweep-filters"),
            dcc.Graph(id="sweep-heatmap"),
            dcc.Graph(id="sweep-line"),
        ]
    )


def sensitivity_page(cat: Catalog) -> html.Div:
    """Sensitivity page: Morris or Sobol indices with confidence intervals."""
    sweeps = [e for e in cat.sweeps() if _safe_design(e.path) in ("morris", "sobol")]
    if not sweeps:
        return _notice("No Morris or Sobol sweeps here; run `sim sensitivity SPEC`.", "warning")
    return html.Div(
        [
            html.H2("Sensitivity"),
            dcc.Dropdown(
                id="sens-select",
                options=[{"label": e.label, "value": e.key} for e in sweeps],
                value=sweeps[0].key,
                clearable=False,
            ),
            html.Label("Metric"),
            dcc.Dropdown(id="sens-metric", clearable=False),
            dcc.Graph(id="sens-graph"),
        ]
    )


def compare_page(cat: Catalog) -> html.Div:
    """Compare page: several runs side by side."""
    runs = cat.runs()
    if not runs:
        return _notice(cat.message() or "No runs to compare.", "warning")
    return html.Div(
        [
            html.H2("Compare runs"),
            dcc.Dropdown(
                id="cmp-runs",
                multi=True,
                options=[{"label": e.label, "value": e.key} for e in runs],
                value=[e.key for e in runs[:2]],
            ),
            html.Label("Summary metrics"),
            dcc.Dropdown(
                id="cmp-metrics",
                multi=True,
                options=_options(COMPARE_METRICS),
                value=COMPARE_METRICS[:3],
            ),
            dcc.Graph(id="cmp-bars"),
            html.Label("Daily metric"),
            dcc.Dropdown(
                id="cmp-series-metric",
                options=_options(DEFAULT_SERIES + ["mean_trust"]),
                value="open_disputes",
                clearable=False,
            ),
            dcc.Graph(id="cmp-series"),
        ]
    )


def _safe_design(path: Path) -> str:
    try:
        return sweep_design(path)
    except (OSError, KeyError, ValueError):
        return ""


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
            try:
                return fn(*args, **kwargs)
            except READ_ERRORS as exc:
                return fallback(f"could not read these results: {exc}")

        return inner

    return wrap


def _figs(n: int):
    return lambda msg: (
        tuple(fg.empty_figure(msg) for _ in range(n)) if n > 1 else fg.empty_figure(msg)
    )


@guarded(lambda msg: ([], [], [], None, 0, 0))
def run_controls(cat: Catalog, key: str | None):
    """Metric options, colour options and day range for the chosen run."""
    e = cat.get(key, "run")
    if e is None:
        return [], [], [], "open_disputes", 0, 0
    r = load_run(e.path)
    ts = r["timeseries"]
    numeric = [c for c in ts.columns if c not in ("day", "date")]
    chosen = [m for m in DEFAULT_SERIES if m in numeric]
    for c in numeric:
        if c.startswith("support:"):
            chosen.append(c)
    colours = [{"label": "open disputes", "value": "open_disputes"}]
    bs = r.get("building_support", pd.DataFrame())
    if not bs.empty:
        colours += [
            {"label": f"support: {p}", "value": f"support:{p}"} for p in sorted(bs.project.unique())
        ]
    last = int(ts.day.max()) if len(ts) else 0
    return _options(numeric), chosen, colours, "open_disputes", last, last


@guarded(_figs(1))
def run_series(cat: Catalog, key: str | None, metrics: list[str] | None):
    """Daily series of the chosen run and metrics."""
    e = cat.get(key, "run")
    if e is None:
        return fg.empty_figure("unknown run")
    return fg.timeseries_figure(load_run(e.path)["timeseries"], metrics or [], title=e.label)


@guarded(_figs(1))
def run_network(cat: Catalog, key: str | None, colour: str | None, day: int | None):
    """The building network of the chosen run, coloured for the chosen day."""
    e = cat.get(key, "run")
    if e is None:
        return fg.empty_figure("unknown run")
    r = load_run(e.path)
    day = int(day or 0)
    b = r.get("buildings")
    if b is None or b.empty:
        return fg.empty_figure("this run has no building table")
    if colour and colour.startswith("support:"):
        project = colour.split(":", 1)[1]
        support = r.get("building_support", pd.DataFrame())
        values = fg.support_by_building(support, project, len(b), day)
        label = f"support ({project})"
    else:
        values = fg.open_disputes_by_building(r["disputes"], len(b), day).astype(float)
        label = "open disputes"
    return fg.network_figure(b, r["network"], values, label, day)


@guarded(lambda msg: (_notice(msg, "warning"), None, None, ""))
def run_tables(cat: Catalog, key: str | None):
    """Disputes, meetings and votes tables and the scenario (YAML) of the chosen run."""
    e = cat.get(key, "run")
    if e is None:
        return _notice("unknown run", "warning"), None, None, ""
    r = load_run(e.path)
    scenario = yaml.safe_dump(
        r["manifest"].get("scenario", {}), sort_keys=False, allow_unicode=True
    )
    return (
        _table("disputes-table", r.get("disputes")),
        _table("meetings-table", r.get("meetings")),
        _table("votes-table", r.get("votes")),
        scenario,
    )


def _table(table_id: str, df: pd.DataFrame | None):
    if df is None or df.empty:
        return html.P("none", className="muted")
    note = None
    if len(df) > TABLE_LIMIT:
        note = html.P(
            f"showing the first {TABLE_LIMIT:,} of {len(df):,} rows; the whole table is in "
            f"{table_id.removesuffix('-table')}.parquet",
            className="muted",
        )
        df = df.head(TABLE_LIMIT)
    df = df.copy()
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype) or df[c].dtype == object:
            df[c] = df[c].astype(str)
    table = dash_table.DataTable(
        id=table_id,
        data=df.to_dict("records"),
        columns=[{"name": c, "id": c} for c in df.columns],
        page_size=TABLE_ROWS,
        sort_action="native",
        filter_action="native",
        style_table={"overflowX": "auto"},
        style_cell={"fontSize": 12, "padding": "2px 6px"},
    )
    return html.Div([note, table]) if note else table


@guarded(lambda msg: ([], None, [], None, [], None, [_notice(msg, "warning")]))
def sweep_controls(cat: Catalog, key: str | None):
    """Metric and parameter options and filter dropdowns for the chosen sweep."""
    e = cat.get(key, "sweep")
    if e is None:
        return [], None, [], None, [], None, [_notice("unknown sweep", "warning")]
    try:
        rep = load_report(e.path)
    except FileNotFoundError as exc:
        return [], None, [], None, [], None, [_notice(str(exc), "warning")]
    params = [
        c
        for c in rep.columns
        if c not in {"point", "metric", "mean", "sd", "ci_low", "ci_high", "n"}
    ]
    metrics = list(dict.fromkeys(rep.metric))
    x = params[0] if params else None
    y = params[1] if len(params) > 1 else x
    return (
        _options(metrics),
        metrics[0] if metrics else None,
        _options(params),
        x,
        _options(params),
        y,
        _filters(rep, params),
    )


def _filters(rep: pd.DataFrame, params: list[str]) -> list:
    out = []
    for p in params:
        values = sorted(rep[p].unique(), key=lambda v: (str(type(v)), v))
        out.append(
            html.Div(
                [
                    html.Label(f"{p}: fix a value, or leave empty to average over it"),
                    dcc.Dropdown(
                        id={"type": "sweep-filter", "param": p},
                        options=[{"label": str(v), "value": str(v)} for v in values],
                        value=None,
                        placeholder="all values (averaged)",
                    ),
                ],
                className="filter",
            )
        )
    return out


@guarded(_figs(2))
def sweep_view(cat: Catalog, key, metric, x, y, filter_values, filter_ids):
    """Heatmap and line plot for the chosen sweep, metric, axes and filters."""
    e = cat.get(key, "sweep")
    if e is None or metric is None:
        blank = fg.empty_figure("choose a sweep and a metric")
        return blank, blank
    rep = load_report(e.path)
    filters = {
        fid["param"]: v
        for fid, v in zip(filter_ids or [], filter_values or [], strict=False)
        if fid["param"] not in (x, y)
    }
    heat = fg.heatmap_figure(rep, x, y, metric, filters)
    line = fg.line_figure(rep, x, metric, y if y != x else None, filters)
    return heat, line


@guarded(lambda msg: ([], None))
def sensitivity_controls(cat: Catalog, key):
    """Metric options of a sensitivity sweep."""
    e = cat.get(key, "sweep")
    if e is None:
        return [], None
    t = load_sensitivity(e.path)
    metrics = list(dict.fromkeys(t.metric)) if not t.empty else []
    return _options(metrics), metrics[0] if metrics else None


@guarded(_figs(1))
def sensitivity_view(cat: Catalog, key, metric):
    """Bars of the indices."""
    e = cat.get(key, "sweep")
    if e is None or metric is None:
        return fg.empty_figure("choose a sensitivity sweep")
    return fg.sensitivity_figure(load_sensitivity(e.path), metric)


@guarded(_figs(2))
def compare_view(cat: Catalog, keys, metrics, series_metric):
    """Bars of summary metrics and overlaid daily series of the chosen runs."""
    entries = [cat.get(k, "run") for k in keys or []]
    entries = [e for e in entries if e is not None]
    if not entries:
        blank = fg.empty_figure("choose at least one run")
        return blank, blank
    runs = {e.label: load_run(e.path) for e in entries}
    bars = fg.compare_figure({k: r["summary"] for k, r in runs.items()}, metrics or [])
    lines = fg.compare_series_figure({k: r["timeseries"] for k, r in runs.items()}, series_metric)
    return bars, lines


# ------------------------------------------------------------------------------ app
STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; color: #222; }
.nav { background: #8b1a1a; padding: 10px 20px; }
.nav a { color: white; margin-right: 18px; text-decoration: none; font-weight: 600; }
.content { padding: 10px 24px 40px; max-width: 1200px; }
.notice { padding: 10px 14px; margin: 10px 0; border-radius: 4px; background: #eef; }
.notice.warning { background: #fff3cd; border: 1px solid #e0c060; }
.scenario { background: #f6f6f6; padding: 8px; max-height: 300px; overflow: auto; }
.muted { color: #888; }
label { display: block; margin-top: 8px; font-size: 13px; color: #444; }
"""


def create_app(root: str | Path) -> dash.Dash:
    """Build the dashboard over ``root`` (discovered once at start)."""
    cat = discover(root)
    app = dash.Dash(__name__, suppress_callback_exceptions=True, title="sim dashboard")
    app.index_string = app.index_string.replace("{%css%}", "{%css%}<style>" + STYLE + "</style>")
    app.layout = html.Div(
        [
            dcc.Location(id="url"),
            html.Div([dcc.Link(name, href=path) for path, name in PAGES.items()], className="nav"),
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

    @app.callback(Output("page", "children"), Input("url", "pathname"))
    def _route(path):
        page = pages.get(path or "/") if isinstance(path, str | None) else None
        if page is None:
            return _notice(f"No page {path}.", "warning")
        try:
            return page(cat)
        except READ_ERRORS as exc:
            return _notice(f"could not read these results: {exc}", "warning")

    @app.callback(
        Output("run-metrics", "options"),
        Output("run-metrics", "value"),
        Output("run-colour", "options"),
        Output("run-colour", "value"),
        Output("run-day", "max"),
        Output("run-day", "value"),
        Input("run-select", "value"),
    )
    def _run_controls(key):
        return run_controls(cat, key)

    @app.callback(
        Output("run-series", "figure"),
        Input("run-select", "value"),
        Input("run-metrics", "value"),
    )
    def _run_series(key, metrics):
        return run_series(cat, key, metrics)

    @app.callback(
        Output("run-network", "figure"),
        Input("run-select", "value"),
        Input("run-colour", "value"),
        Input("run-day", "value"),
    )
    def _run_network(key, colour, day):
        return run_network(cat, key, colour, day)

    @app.callback(
        Output("run-disputes", "children"),
        Output("run-meetings", "children"),
        Output("run-votes", "children"),
        Output("run-scenario", "children"),
        Input("run-select", "value"),
    )
    def _run_tables(key):
        return run_tables(cat, key)

    @app.callback(
        Output("sweep-metric", "options"),
        Output("sweep-metric", "value"),
        Output("sweep-x", "options"),
        Output("sweep-x", "value"),
        Output("sweep-y", "options"),
        Output("sweep-y", "value"),
        Output("sweep-filters", "children"),
        Input("sweep-select", "value"),
    )
    def _sweep_controls(key):
        return sweep_controls(cat, key)

    @app.callback(
        Output("sweep-heatmap", "figure"),
        Output("sweep-line", "figure"),
        Input("sweep-select", "value"),
        Input("sweep-metric", "value"),
        Input("sweep-x", "value"),
        Input("sweep-y", "value"),
        Input({"type": "sweep-filter", "param": ALL}, "value"),
        State({"type": "sweep-filter", "param": ALL}, "id"),
    )
    def _sweep_view(key, metric, x, y, values, ids):
        return sweep_view(cat, key, metric, x, y, values, ids)

    @app.callback(
        Output("sens-metric", "options"),
        Output("sens-metric", "value"),
        Input("sens-select", "value"),
    )
    def _sens_controls(key):
        return sensitivity_controls(cat, key)

    @app.callback(
        Output("sens-graph", "figure"), Input("sens-select", "value"), Input("sens-metric", "value")
    )
    def _sens_view(key, metric):
        return sensitivity_view(cat, key, metric)

    @app.callback(
        Output("cmp-bars", "figure"),
        Output("cmp-series", "figure"),
        Input("cmp-runs", "value"),
        Input("cmp-metrics", "value"),
        Input("cmp-series-metric", "value"),
    )
    def _compare(keys, metrics, series_metric):
        return compare_view(cat, keys, metrics, series_metric)

    app.catalog = cat  # for the CLI's terminal message and for tests
    return app
