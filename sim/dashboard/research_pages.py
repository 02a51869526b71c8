"""The researcher's pages: /calibration (a `sim calibrate` folder) and /discovery (PRIM/CART).

Layouts and what each callback computes are plain functions of the catalogue and the inputs
(tested without a browser); :func:`register_research` puts the callbacks on the app. Calibration
folders are found under the results folder like runs and sweeps (a bounded walk, looked up by
key only, never by a path from the browser); discovery runs in memory over a finished sweep and
writes nothing.
"""

from __future__ import annotations

import json
import math
import os
from functools import lru_cache
from pathlib import Path

import dash_ag_grid as dag
import numpy as np
import pandas as pd
from dash import Input, Output, State, dcc, html

from sim.dashboard import research_figures as rf
from sim.dashboard.catalog import MAX_DEPTH, MAX_FOLDERS, Catalog
from sim.dashboard.pages import notice, options
from sim.dashboard.tables import GRID_TEXT_ZH
from sim.dashboard.views import guarded
from sim.dashboard.widgets import dropdown, graph
from sim.results import catalog as cat

CALIBRATION_FILES = ("calibration.json", "posterior.parquet", "parameters.csv")


# ------------------------------------------------------------------ finding calibrations
def find_calibrations(root: str | Path) -> dict[str, Path]:
    """Finished calibration folders under ``root`` by key (path relative to the root)."""
    root = Path(root).resolve()
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for seen, (dirpath, dirnames, filenames) in enumerate(os.walk(root, onerror=lambda e: None)):
        if seen >= MAX_FOLDERS:
            break
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        if all(f in filenames for f in CALIBRATION_FILES):
            found[here.relative_to(root).as_posix() or "."] = here
            dirnames[:] = []
        elif len(here.relative_to(root).parts) >= MAX_DEPTH or "sweep.json" in filenames:
            dirnames[:] = []
    return found


@lru_cache(maxsize=16)
def _read_calibration(path: Path, stamp: float) -> dict:
    meta = json.loads((path / "calibration.json").read_text(encoding="utf-8"))
    return {
        "meta": meta,
        "posterior": pd.read_parquet(path / "posterior.parquet"),
        "parameters": pd.read_csv(path / "parameters.csv"),
        "generations": pd.read_csv(path / "generations.csv"),
        "checks": pd.read_csv(path / "predictive.csv"),
    }


def read_calibration(path: Path) -> dict:
    """A calibration folder's tables (cached until ``calibration.json`` changes)."""
    return _read_calibration(path, (path / "calibration.json").stat().st_mtime)


# ------------------------------------------------------------------------- layouts
def calibration_page(c: Catalog, lang: str = "en") -> html.Div:
    """Pick a calibration: posterior pairs, generations, parameters, checks, warnings."""
    found = find_calibrations(c.root)
    if not found:
        return notice(cat.ui("no_calibrations", lang), "warning")
    return html.Div(
        [
            html.H2(cat.ui("calibration", lang)),
            html.Label(cat.ui("calibration", lang)),
            dropdown(
                lang,
                id="cal-select",
                options=[{"label": k, "value": k} for k in found],
                value=next(iter(found)),
                clearable=False,
            ),
            html.Div(id="cal-warnings"),
            html.H3(cat.ui("cal_parameters", lang)),
            html.Div(id="cal-params"),
            graph(lang, id="cal-pairs"),
            graph(lang, id="cal-generations"),
            html.H3(cat.ui("cal_checks", lang)),
            html.Div(id="cal-rows"),
            graph(lang, id="cal-checks"),
        ]
    )


def discovery_page(c: Catalog, lang: str = "en") -> html.Div:
    """Pick a sweep, a result and a threshold: PRIM box in words, trajectory, CART leaves."""
    sweeps = c.sweeps()
    if not sweeps:
        return notice(c.message(lang) or cat.ui("no_sweeps", lang), "warning")
    direction = [
        {"label": cat.ui("disc_above", lang), "value": "above"},
        {"label": cat.ui("disc_below", lang), "value": "below"},
    ]
    return html.Div(
        [
            html.H2(cat.ui("discovery", lang)),
            html.P(cat.ui("disc_intro", lang), className="muted"),
            html.Label(cat.ui("sweep", lang)),
            dropdown(
                lang,
                id="disc-sweep",
                options=[{"label": e.label, "value": e.key} for e in sweeps],
                value=sweeps[0].key,
                clearable=False,
            ),
            html.Label(cat.ui("metric", lang)),
            dropdown(lang, id="disc-metric", clearable=False),
            html.Label(cat.ui("disc_threshold", lang)),
            dcc.Input(id="disc-threshold", type="number", debounce=True),
            dcc.RadioItems(id="disc-direction", options=direction, value="above", inline=True),
            html.Div(id="disc-box"),
            graph(lang, id="disc-trajectory"),
            html.H3(cat.ui("disc_leaves", lang)),
            html.Div(id="disc-leaves"),
        ]
    )


# --------------------------------------------------------------------------- views
def grid(table_id: str, rows: list[dict], headers: dict[str, str], lang: str):
    """An ag-grid of plain rows whose headers are catalogue interface strings."""
    if not rows:
        return html.P(cat.ui("none", lang), className="muted")
    return dag.AgGrid(
        id=table_id,
        rowData=rows,
        columnDefs=[{"field": f, "headerName": cat.ui(h, lang)} for f, h in headers.items()],
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 90},
        dashGridOptions={
            "domLayout": "autoHeight",
            **({"localeText": GRID_TEXT_ZH} if lang == "zh" else {}),
        },
        columnSize="autoSize",
    )


def _g(v: float) -> str:
    return "-" if v is None or not math.isfinite(v) else f"{v:.4g}"


def _interval(lo: float, hi: float) -> str:
    return f"[{_g(lo)}, {_g(hi)}]"


def _cal_fallback(msg: str):
    empty = rf.empty_figure(msg)
    return notice(msg, "warning"), None, empty, empty, None, empty


@guarded(_cal_fallback)
def calibration_view(c: Catalog, key: str | None, lang: str = "en"):
    """Warnings, parameter table, pairs figure, generations figure, facts rows, checks figure."""
    path = find_calibrations(c.root).get(key or "")
    if path is None:
        return _cal_fallback(cat.ui("choose_calibration", lang))
    d = read_calibration(path)
    table, post = d["parameters"], d["posterior"]
    names = list(table.parameter)
    warns = [
        notice(
            cat.ui(
                "cal_not_identified",
                lang,
                parameter=rf.param_label(r.parameter, lang),
                ratio=f"{r.width_ratio:.0%}",
            ),
            "warning",
        )
        for r in table.itertuples()
        if not bool(r.identified)
    ] or [notice(cat.ui("cal_all_identified", lang))]
    rows = [
        {
            "parameter": rf.param_label(r.parameter, lang),
            "prior": _interval(r.prior_q05, r.prior_q95),
            "median": _g(r.posterior_median),
            "posterior": _interval(r.posterior_q05, r.posterior_q95),
            "ratio": f"{r.width_ratio:.0%}",
            "identified": cat.ui("yes" if bool(r.identified) else "no", lang),
        }
        for r in table.itertuples()
    ]
    headers = {
        "parameter": "col_parameter",
        "prior": "col_prior_90",
        "median": "col_posterior_median",
        "posterior": "col_posterior_90",
        "ratio": "col_width_ratio",
        "identified": "col_identified",
    }
    spec_params = d["meta"].get("spec", {}).get("parameters", {})
    pairs = rf.pairs_figure(post, names, rf.bounds(spec_params, table), lang)
    facts = [
        html.Li(
            cat.ui(
                "cal_row_check",
                lang,
                row=p["pattern"],
                source=p["source"],
                model=p["model"],
                result=cat.ui("passes" if p["passed"] else "fails", lang),
            )
        )
        for p in d["meta"].get("pattern_checks", [])
    ]
    return (
        html.Div(warns),
        grid("cal-param-table", rows, headers, lang),
        pairs,
        rf.generations_figure(d["generations"], lang),
        html.Ul(facts) if facts else None,
        rf.checks_figure(d["checks"], lang),
    )


def _metrics(path: Path) -> list[str]:
    from sim.results.sweeps import runs_frame

    runs = runs_frame(path)
    out = []
    for col in runs.columns:
        if col.startswith("param:") or "." not in col:
            continue
        if pd.to_numeric(runs[col], errors="coerce").notna().any():
            out.append(col)
    return out


@guarded(lambda msg: ([], None, None))
def discovery_controls(c: Catalog, key: str | None, lang: str = "en"):
    """The sweep's numeric results (options and first) and a starting threshold (its median)."""
    e = c.get(key, "sweep")
    if e is None:
        return [], None, None
    from sim.results.sweeps import runs_frame

    metrics = _metrics(e.path)
    if not metrics:
        return [], None, None
    first = next((m for m in metrics if m.startswith("disputes.share_of_all.resolved")), metrics[0])
    values = pd.to_numeric(runs_frame(e.path)[first], errors="coerce").dropna()
    return options(metrics, lang), first, float(round(float(np.median(values)), 3))


@lru_cache(maxsize=32)
def _discover(path: Path, finished: int, metric: str, threshold: float, above: bool) -> dict:
    from sim.experiments.discovery import discover

    return discover(path, metric, threshold, above=above)


def box_text(limits: dict, lang: str) -> str:
    """A box's lever ranges in words of the catalogue (labels of the parameters)."""
    from sim.experiments.boxes import num

    parts = []
    for name, (lo, hi) in limits.items():
        lo = -np.inf if lo is None else lo
        hi = np.inf if hi is None else hi
        label = rf.param_label(name, lang)
        if np.isfinite(lo) and np.isfinite(hi):
            parts.append(f"{label} = {num(lo)}" if lo == hi else f"{num(lo)} ≤ {label} ≤ {num(hi)}")
        elif np.isfinite(lo):
            parts.append(f"{label} ≥ {num(lo)}")
        elif np.isfinite(hi):
            parts.append(f"{label} ≤ {num(hi)}")
    return cat.ui("disc_and", lang).join(parts)


def _disc_fallback(msg: str):
    return notice(msg, "warning"), rf.empty_figure(msg), None


@guarded(_disc_fallback)
def discovery_view(
    c: Catalog, key: str | None, metric: str | None, threshold, direction: str, lang: str = "en"
):
    """The PRIM box in words (with coverage, density, quasi-p), its trajectory, CART leaves."""
    from sim.dashboard.catalog import _finished
    from sim.experiments.boxes import num

    e = c.get(key, "sweep")
    if e is None or not metric or not isinstance(threshold, int | float):
        return _disc_fallback(cat.ui("disc_choose", lang))
    above = direction != "below"
    try:
        res = _discover(e.path, _finished(e.path), metric, float(threshold), above)
    except ValueError:
        return _disc_fallback(cat.ui("disc_no_outcome", lang))
    prim, box = res["prim"], res["prim"]["box"]
    where = box_text(box["limits"], lang)
    fields = {
        "metric": cat.label(metric, lang),
        "op": "≥" if above else "≤",
        "threshold": num(float(threshold)),
        "density": f"{box['density']:.0%}",
    }
    words = (
        cat.ui("disc_box", lang, where=where, **fields)
        if where
        else cat.ui("disc_box_all", lang, **fields)
    )
    stats = cat.ui(
        "disc_stats",
        lang,
        coverage=f"{box['coverage']:.0%}",
        density=f"{box['density']:.0%}",
        mass=f"{box['mass']:.0%}",
        base=f"{res['base_rate']:.0%}",
        n=res["runs_used"],
    )
    qp = ", ".join(f"{rf.param_label(k, lang)} {v:.2g}" for k, v in prim["quasi_p"].items())
    body = [html.P(html.Strong(words), id="disc-words"), html.P(stats)]
    if qp:
        body.append(html.P(cat.ui("disc_quasi_p", lang, values=qp), className="muted"))
    rules = sorted(res["cart"]["rules"], key=lambda r: -r["density"])
    rows = [
        {
            "leaf": box_text(r["limits"], lang) or cat.ui("all", lang),
            "runs": r["n"],
            "density": f"{r['density']:.0%}",
            "coverage": f"{r['coverage']:.0%}",
        }
        for r in rules
    ]
    headers = {
        "leaf": "col_leaf",
        "runs": "col_runs",
        "density": "disc_density",
        "coverage": "disc_coverage",
    }
    return (
        html.Div(body),
        rf.trajectory_figure(prim, lang),
        grid("disc-leaf-table", rows, headers, lang),
    )


# ------------------------------------------------------------------------ callbacks
def register_research(app, c) -> None:
    """Register the calibration and discovery callbacks on the Dash app over catalogue ``c``."""

    @app.callback(
        Output("cal-warnings", "children"),
        Output("cal-params", "children"),
        Output("cal-pairs", "figure"),
        Output("cal-generations", "figure"),
        Output("cal-rows", "children"),
        Output("cal-checks", "figure"),
        Input("cal-select", "value"),
        State("lang", "data"),
    )
    def _calibration(key, language):
        return calibration_view(c, key, lang=language)

    @app.callback(
        Output("disc-metric", "options"),
        Output("disc-metric", "value"),
        Output("disc-threshold", "value"),
        Input("disc-sweep", "value"),
        State("lang", "data"),
    )
    def _disc_controls(key, language):
        return discovery_controls(c, key, lang=language)

    @app.callback(
        Output("disc-box", "children"),
        Output("disc-trajectory", "figure"),
        Output("disc-leaves", "children"),
        Input("disc-sweep", "value"),
        Input("disc-metric", "value"),
        Input("disc-threshold", "value"),
        Input("disc-direction", "value"),
        State("lang", "data"),
    )
    def _discovery(key, metric, threshold, direction, language):
        return discovery_view(c, key, metric, threshold, direction, lang=language)
