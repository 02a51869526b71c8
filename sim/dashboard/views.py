"""What each dashboard callback computes, as plain functions of the catalogue and the inputs.

:mod:`sim.dashboard.app` registers them on the Dash app; tests call them without a browser. Each
is wrapped by :func:`guarded`, so a folder that cannot be read answers a message, not a stack.
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb
import pandas as pd
import yaml
from dash import html

from sim.dashboard import figures as fg
from sim.dashboard.catalog import Catalog, load_report, load_run, load_sensitivity
from sim.dashboard.pages import DEFAULT_SERIES, notice, options
from sim.dashboard.tables import result_table
from sim.dashboard.widgets import dropdown, graph
from sim.messages import render
from sim.results import catalog as ct

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


def host_allowed(host: str | None, extra: str | None = None) -> bool:
    """Whether a request's Host header names loopback or ``extra`` (DNS rebinding guard)."""
    if not host:
        return False
    name = host.strip().lower()
    if name.startswith("["):
        name = name[: name.find("]") + 1] if "]" in name else name
    else:
        name = name.split(":", 1)[0]
    return name in LOOPBACK or (extra is not None and name == extra.strip().lower())


def guarded(fallback):
    """Turn a read error inside a callback into a clear message instead of a stack trace."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            lang = kwargs.get("lang", "en")
            try:
                return fn(*args, **kwargs)
            except READ_ERRORS as exc:
                return fallback(ct.ui("unreadable", lang, error=render(exc, lang)))

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
def run_series(
    c: Catalog, key: str | None, metrics: list[str] | None, lang: str = "en", day: int | None = None
):
    """Daily series of the chosen run and metrics, the map's day marked."""
    e = c.get(key, "run")
    if e is None:
        return fg.empty_figure(ct.ui("unknown_run", lang))
    r = load_run(e.path)
    ts = r["timeseries"]
    fig = fg.timeseries_figure(
        ts, metrics or [], title=e.label, lang=lang, thresholds=_thresholds(r)
    )
    if day is not None and len(ts):
        row = ts[ts.day == int(day)]
        if len(row):
            fg.day_marker(fig, row.date.iloc[0] if "date" in ts.columns else int(day))
    return fig


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


PLAY_STEP = 7  # days the map moves at each tick of the play control (one week)


def next_day(day, last) -> tuple[int, int]:
    """The play control's next day (a week on, never past the last day; from 0 at the end)."""
    last = int(last) if isinstance(last, int | float) else 0
    day = int(day) if isinstance(day, int | float) else 0
    if day >= last:
        day = -PLAY_STEP  # restart from the first day after reaching the end
    return min(day + PLAY_STEP, last), last


@guarded(lambda msg: notice(msg, "warning"))
def building_panel(c: Catalog, key: str | None, click: dict | None, lang: str = "en"):
    """A clicked building: its households, its disputes, and its owners' support over time."""
    e = c.get(key, "run")
    points = (click or {}).get("points") or []
    point = points[0] if points and isinstance(points[0], dict) else {}
    # the markers are drawn in the buildings table's order (the edges are trace 0)
    if e is None or point.get("curveNumber") != 1 or "pointIndex" not in point:
        return html.P(ct.ui("building_panel_hint", lang), className="muted")
    r = load_run(e.path)
    bl = r["buildings"]
    row = bl.iloc[[int(point["pointIndex"])]] if 0 <= int(point["pointIndex"]) < len(bl) else bl[:0]
    b = int(row.building.iloc[0]) if len(row) else -1
    if row.empty:
        return html.P(ct.ui("building_panel_hint", lang), className="muted")
    row = row.iloc[0]
    name = row["name"] if "name" in bl.columns else b
    disputes = r["disputes"]
    cases = disputes[disputes.building.astype(int) == b]
    items = [
        html.H4(
            ct.ui(
                "building_panel_title",
                lang,
                b=name,
                c=row.compound_name,
                h=ct.fmt("households", int(row.households), lang),
            )
        ),
        html.H5(ct.ui("building_cases", lang, n=len(cases))),
        result_table("run-building-cases", "disputes", cases, lang),
    ]
    bs = r.get("building_support", pd.DataFrame())
    mine = bs[bs.building.astype(int) == b] if not bs.empty else bs
    if not mine.empty:
        items += [
            html.H5(ct.ui("building_support_title", lang)),
            graph(lang, id="run-building-support", figure=fg.building_support_figure(mine, lang)),
        ]
    return html.Div(items)


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
        return [], None, [], None, [], None, [notice(render(exc, lang), "warning")]
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
                    dropdown(
                        lang,
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


def fg_design(path: Path) -> str:
    """The design of a sweep folder ("" when unreadable)."""
    from sim.dashboard.pages import safe_design

    return safe_design(path)
