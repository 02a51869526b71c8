"""The workbench page (``/workbench``) and its callbacks.

A planner picks a shipped scenario or uploads one (YAML or a buildings table), moves levers,
and runs baseline vs variant in the background (:class:`sim.dashboard.jobs.Jobs`); the result
is a paired comparison with intervals and a sentence each, and a printable brief. "What would it
take?" searches the cheapest lever settings that reach a target. Each browser has its own
session (a random cookie): one running job per session, a global limit over all.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html

from sim.dashboard.jobs import JobRefused, Jobs
from sim.dashboard.pages import notice, options
from sim.dashboard.widgets import dropdown
from sim.dashboard.workbench import (
    REPLICATES,
    TARGET_METRICS,
    TARGET_STEPS,
    WorkbenchInput,
    changes,
    check_scenario,
    describe_scenario,
    lever_controls,
    scenario_from_source,
    scenario_from_upload,
    shipped_scenarios,
    target_levers,
)
from sim.dashboard.workbench_results import (
    comparison_folders,
    comparison_view,
    folder_of,
    target_view,
)
from sim.messages import render
from sim.results import catalog as cat

COOKIE = "sim_session"
MAX_TARGET_TRIALS = 30


def session_id() -> str:
    """The browser session's id (its cookie; one request-long id when it has none yet)."""
    from flask import request

    value = request.cookies.get(COOKIE, "")
    return value if value.isalnum() and len(value) <= 64 else "anonymous"


def workbench_page(c, lang: str = "en") -> html.Div:
    """The workbench: scenario, levers, run/progress/cancel, result, what would it take."""
    ui = lambda key, **f: cat.ui(key, lang, **f)  # noqa: E731
    names = list(shipped_scenarios())
    return html.Div(
        [
            html.H2(ui("page_workbench")),
            html.P(ui("wb_intro"), className="muted"),
            html.H3(ui("wb_step_scenario")),
            dropdown(
                lang,
                id="wb-source",
                options=[{"label": n, "value": n} for n in names],
                value="default",
                clearable=False,
            ),
            dcc.Upload(
                html.Div(ui("wb_upload")),
                id="wb-upload",
                max_size=2_000_000,
                className="upload",
            ),
            html.Div(id="wb-status"),
            html.H3(ui("wb_step_levers")),
            html.Div(id="wb-levers", className="levers"),
            html.H3(ui("wb_step_run")),
            html.Label(ui("wb_replicates")),
            dcc.Input(id="wb-replicates", type="number", min=2, max=50, step=1, value=REPLICATES),
            html.Div(
                [
                    html.Button(ui("wb_run"), id="workbench-run", n_clicks=0),
                    html.Button(ui("wb_cancel"), id="workbench-cancel", n_clicks=0),
                ],
                className="buttons",
            ),
            html.Div(id="wb-message"),
            html.Div(
                [
                    html.Progress(id="workbench-progress", value="0", max="1"),
                    html.Span(id="wb-progress-text", className="muted"),
                ]
            ),
            dcc.Store(id="wb-yaml"),
            dcc.Store(id="wb-job"),
            dcc.Interval(id="wb-tick", interval=1000, disabled=True),
            html.H3(ui("wb_step_result")),
            dropdown(lang, id="wb-history", placeholder=ui("wb_history")),
            html.Div(id="wb-result"),
            html.H3(ui("wb_step_target")),
            html.P(ui("wb_target_intro"), className="muted"),
            html.Label(ui("metric")),
            dropdown(
                lang,
                id="wb-target-metric",
                options=options(TARGET_METRICS, lang),
                value=TARGET_METRICS[0],
                clearable=False,
            ),
            html.Label(ui("wb_target_threshold")),
            dcc.Input(id="wb-target-threshold", type="number", min=0, value=0.9, step="any"),
            html.Label(ui("wb_target_share")),
            dcc.Input(id="wb-target-share", type="number", min=0, max=1, step="any"),
            html.Label(ui("wb_target_levers")),
            dcc.Checklist(
                id="wb-target-levers",
                options=[
                    {"label": cat.label(f"param:{p}", lang), "value": p} for p in TARGET_STEPS
                ],
                value=["meetings.council_per_month", "party.density"],
            ),
            html.Button(ui("wb_target_run"), id="wb-target-run", n_clicks=0),
            html.Div(id="wb-target-result"),
        ]
    )


def register_workbench(app: dash.Dash, root: str | Path, jobs: Jobs) -> None:
    """Register the workbench's callbacks and its brief route on ``app``."""
    workbench = Path(root) / "workbench"

    @app.server.after_request
    def _session_cookie(response):
        from flask import request

        if COOKIE not in request.cookies:
            response.set_cookie(COOKIE, secrets.token_hex(16), httponly=True, samesite="Strict")
        return response

    @app.server.route("/workbench/brief/<name>")
    def _brief(name: str):
        from flask import abort, request

        folder = folder_of(workbench, name)
        if folder is None:
            abort(404)
        lang = cat.check_lang(request.args.get("lang"))
        out = workbench / "briefs" / f"{folder.name}-{lang}.html"
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            cmd = [sys.executable, "-m", "sim", "brief", str(folder), "--html", str(out)]
            subprocess.run([*cmd, "--lang", lang], capture_output=True, timeout=120, check=False)
        if not out.exists():
            abort(500)
        return out.read_text(encoding="utf-8"), 200, {"Content-Type": "text/html; charset=utf-8"}

    @app.callback(
        Output("wb-yaml", "data"),
        Output("wb-status", "children"),
        Output("wb-levers", "children"),
        Input("wb-source", "value"),
        Input("wb-upload", "contents"),
        State("wb-upload", "filename"),
        State("lang", "data"),
    )
    def _scenario(source, contents, filename, lang):
        try:
            if ctx.triggered_id == "wb-upload" and contents:
                text = scenario_from_upload(contents, filename)
            else:
                text = scenario_from_source(source)
            scenario = check_scenario(text)
            levers = lever_controls(text, lang)
        except WorkbenchInput as exc:
            why = render(exc, lang)
            return dash.no_update, notice(cat.ui("wb_bad_input", lang, why=why), "warning"), []
        return text, notice(describe_scenario(scenario, lang)), levers

    @app.callback(
        Output("wb-job", "data"),
        Output("wb-message", "children"),
        Output("wb-tick", "disabled"),
        Input("workbench-run", "n_clicks"),
        Input("workbench-cancel", "n_clicks"),
        Input("wb-target-run", "n_clicks"),
        State("wb-yaml", "data"),
        State({"type": "wb-lever", "path": ALL}, "id"),
        State({"type": "wb-lever", "path": ALL}, "value"),
        State("wb-replicates", "value"),
        State("wb-target-metric", "value"),
        State("wb-target-threshold", "value"),
        State("wb-target-share", "value"),
        State("wb-target-levers", "value"),
        State("wb-job", "data"),
        State("lang", "data"),
        prevent_initial_call=True,
    )
    def _start(_run, _cancel, _target, text, ids, values, reps, metric, threshold, share,
               chosen, job, lang):  # fmt: skip
        session = session_id()
        trigger = ctx.triggered_id
        if trigger == "workbench-cancel":
            ok = isinstance(job, dict) and jobs.cancel(str(job.get("id")), session)
            message = cat.ui("wb_cancelled" if ok else "wb_nothing_to_cancel", lang)
            return dash.no_update, notice(message), dash.no_update
        try:
            if trigger == "workbench-run":
                sets = changes(text, ids, values)
                if not sets:
                    raise WorkbenchInput(cat.ui("wb_no_change", lang))
                variant = check_scenario(text, "variant", sets)  # the CLI's checks and words
                n = int(reps) if isinstance(reps, int | float) and 2 <= reps <= 50 else REPLICATES
                started = jobs.start(session, text, sets, replicates=n, label=variant.name)
                households = variant.total_households()
            else:
                levers = target_levers(text, chosen)
                if not levers or metric not in TARGET_METRICS:
                    raise WorkbenchInput(cat.ui("wb_target_missing", lang))
                if not isinstance(threshold, int | float):
                    raise WorkbenchInput(cat.ui("wb_target_missing", lang))
                in_share = float(share) if isinstance(share, int | float) and share > 0 else None
                households = check_scenario(text).total_households()  # for the planner's costs
                started = jobs.start_target(
                    session,
                    text,
                    metric,
                    float(threshold),
                    levers,
                    share_of_runs=in_share,
                    max_trials=MAX_TARGET_TRIALS,
                    label="target",
                )
        except WorkbenchInput as exc:
            why = render(exc, lang)
            return dash.no_update, notice(cat.ui("wb_bad_input", lang, why=why), "warning"), True
        except JobRefused as exc:
            why = cat.ui("wb_refused_own" if "yours" in str(exc) else "wb_refused_limit", lang)
            return dash.no_update, notice(why, "warning"), dash.no_update
        job = {"id": started.id, "kind": started.kind, "households": households}
        return job, notice(cat.ui("wb_started", lang)), False

    @app.callback(
        Output("workbench-progress", "value"),
        Output("workbench-progress", "max"),
        Output("wb-progress-text", "children"),
        Output("wb-result", "children", allow_duplicate=True),
        Output("wb-target-result", "children"),
        Output("wb-tick", "disabled", allow_duplicate=True),
        Input("wb-tick", "n_intervals"),
        State("wb-job", "data"),
        State("lang", "data"),
        prevent_initial_call=True,
    )
    def _progress(_n, job, lang):
        j = jobs.get(job.get("id")) if isinstance(job, dict) else None
        if j is None:
            return "0", "1", "", dash.no_update, dash.no_update, True
        state = j.state()
        done = min(j.done_runs(), j.total)
        unit = cat.ui("wb_unit_runs" if j.kind == "compare" else "wb_unit_settings", lang)
        words = cat.ui(f"wb_state_{state}", lang)
        line = f"{done} / {j.total} {unit} · {words}"
        if state == "failed":
            line += f" — {j.error()}"
        result = target = dash.no_update
        if j.kind == "target":
            target = target_view(j.record(), int(job.get("households") or 0), lang)
        elif state == "finished":
            result = comparison_view(j.folder, lang)
        return str(done), str(max(j.total, 1)), line, result, target, state != "running"

    @app.callback(
        Output("wb-history", "options"),
        Input("wb-job", "data"),
        Input("url", "pathname"),
        State("lang", "data"),
    )
    def _history(_job, _path, lang):
        return [{"label": p.name, "value": p.name} for p in comparison_folders(workbench)]

    @app.callback(
        Output("wb-result", "children"),
        Input("wb-history", "value"),
        State("lang", "data"),
        prevent_initial_call=True,
    )
    def _show(name, lang):
        folder = folder_of(workbench, name)
        if folder is None:
            return dash.no_update
        return comparison_view(folder, lang)
