"""``sim sweep``, ``sim sweep report``, ``sim sensitivity`` and ``sim validate``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Heavy modules (numpy, pydantic, mesa, pandas, pyarrow, duckdb, dash...) are imported inside
# the commands that use them, so `sim --help` and `sim CMD --help` start fast
# (tests/test_imports.py).
if TYPE_CHECKING:
    pass

from sim.cli.common import (
    DaskOpt,
    MaxRunsOpt,
    WorkersOpt,
    app,
    bar_columns,
    catalog_ui,
    checked,
    err_console,
    fail,
    lang,
    out_console,
)
from sim.messages import Msg


def _run_sweep(
    spec_path: Path,
    out: Path | None,
    workers: int | None,
    dask: str | None,
    designs: tuple[str, ...] | None = None,
    max_runs: int = 10_000,
    keep_events: bool = False,
):
    from rich.progress import Progress

    if dask is None or dask == "local":
        from sim.experiments.pool import warm_up

        warm_up(dask=dask == "local")  # the workers' fork server imports while this sets up

    from sim.experiments.runner import execute, prepare
    from sim.scenario import InputError

    try:
        spec, tasks, out = prepare(spec_path, out, designs, max_runs)
    except InputError as exc:
        fail(exc)
    for task in tasks:
        task["keep_events"] = keep_events
    total = len(list((out / "runs" / "summary").glob("*.parquet"))) + len(tasks)
    workers = workers or os.cpu_count() or 1
    err_console.print(
        catalog_ui(
            "cli_sweep_plan",
            name=spec.name,
            total=f"{total:,}",
            done=f"{total - len(tasks):,}",
            todo=f"{len(tasks):,}",
            workers=workers,
        )
    )
    try:
        with Progress(*bar_columns("runs"), console=err_console) as progress:
            bar = progress.add_task(spec.name, total=total, completed=total - len(tasks))
            execute(tasks, workers, dask, on_done=lambda _: progress.advance(bar))
    except KeyboardInterrupt:
        done = len(list((out / "runs" / "summary").glob("*.parquet")))
        fail(Msg("sweep_interrupted", done=done, total=total, out=out), 130)
    out_console.print(catalog_ui("cli_sweep_done", name=spec.name, total=total, path=out))
    return spec, out


@app.command()
def sweep(
    spec_or_report: Annotated[
        str, typer.Argument(help="A sweep spec YAML; or 'report' followed by a sweep folder.")
    ],
    folder: Annotated[Path | None, typer.Argument(help="With 'report': the sweep folder.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Sweep folder (default: results/sweeps/NAME).")
    ] = None,
    workers: WorkersOpt = None,
    dask: DaskOpt = None,
    metric: Annotated[
        list[str] | None, typer.Option(help="With 'report': metrics to show (default: spec's).")
    ] = None,
    max_runs: MaxRunsOpt = 10_000,
    keep_events: Annotated[
        bool,
        typer.Option(
            "--keep-events",
            help="Also keep each run's event tables (disputes, meetings, projects, votes) in "
            "runs/events/; by default a sweep keeps only summaries and daily series.",
        ),
    ] = False,
) -> None:
    """Run a parameter sweep (resumable), or report one: `sim sweep report DIR`."""
    if spec_or_report == "report":
        if folder is None:
            fail(Msg("sweep_report_needs_folder"))
        _sweep_report(folder, metric)
        return
    if folder is not None:
        fail(Msg("unexpected_argument", folder=folder))
    _run_sweep(Path(spec_or_report), out, workers, dask, max_runs=max_runs, keep_events=keep_events)


def _sweep_report(folder: Path, metrics: list[str] | None) -> None:
    from sim.experiments.analysis import metric_columns, report
    from sim.results.sweeps import runs_frame

    try:
        df = runs_frame(folder)
    except FileNotFoundError as exc:
        fail(exc)
    known = metric_columns(df)
    unknown = [m for m in metrics or [] if m not in known]
    if unknown:
        fail(Msg("not_a_metric", unknown=", ".join(unknown), folder=folder, known=", ".join(known)))
    table = report(folder, metrics or None, df)
    if table.empty:
        fail(Msg("no_spec_metrics", folder=folder))
    checked("check_creatable", folder / "report.csv", "sim sweep report")
    from sim.results.paths import write_atomic

    write_atomic(folder / "report.csv", lambda tmp: table.to_csv(tmp, index=False))
    write_atomic(folder / "report.parquet", lambda tmp: table.to_parquet(tmp, index=False))
    print_sweep_tables(table, folder)
    out_console.print(catalog_ui("report_written", path=folder / "report.csv"), highlight=False)


def print_sweep_tables(table, folder: Path) -> None:
    """A lever matrix per metric for a two-parameter grid; otherwise one table per metric.

    Labels, units and numbers come from the catalogue in the chosen language; metrics that do
    not vary across the sweep are left out and named.
    """
    import numpy as np
    from rich.table import Table

    from sim.dashboard.figures import level_text
    from sim.experiments.analysis import grid_matrix, report_parameters, varying_metrics
    from sim.results import catalog
    from sim.results.sweeps import sweep_meta

    language = lang()
    params = report_parameters(table)
    kept = varying_metrics(table)
    try:
        design = sweep_meta(folder)["spec"]["design"]
    except (OSError, KeyError, ValueError):
        design = ""
    dropped = [m for m in dict.fromkeys(table.metric) if m not in kept]
    if dropped:
        names = ", ".join(catalog.label(m, language) for m in dropped)
        out_console.print(catalog.ui("constant_left_out", language, metrics=names))

    def cell(m, mean, lo, hi, n) -> str:
        if not n or np.isnan(mean):
            return "—"
        ci = (
            ""
            if np.isnan(lo)
            else f" [{catalog.fmt(m, lo, language)}, {catalog.fmt(m, hi, language)}]"
        )
        return f"{catalog.fmt(m, mean, language)}{ci} n={int(n)}"

    for m in kept:
        title = catalog.label(m, language)
        if design == "grid" and len(params) == 2:
            x, y = params
            mat = grid_matrix(table, m, x, y)
            xl, yl = catalog.label(f"param:{x}", language), catalog.label(f"param:{y}", language)
            t = Table(
                title=catalog.ui("matrix", language, metric=title, x=xl, y=yl),
                header_style="bold",
            )
            t.add_column(f"{yl} ↓ · {xl} →")
            for xv in mat.columns:
                t.add_column(level_text(xv), justify="right")
            for yv, row in zip(mat.index, mat.itertuples(index=False), strict=True):
                t.add_row(level_text(yv), *[cell(m, *c) for c in row])
            out_console.print(t)
            continue
        t = Table(title=title, header_style="bold")
        for c in params:
            t.add_column(catalog.label(f"param:{c}", language))
        t.add_column(catalog.label("report/mean", language), justify="right")
        t.add_column(catalog.ui("interval95", language), justify="right")
        t.add_column(catalog.label("report/n", language), justify="right")
        for _, r in table[table.metric == m].iterrows():
            ci = "—"
            if not np.isnan(r.ci_low):
                ci = (
                    f"[{catalog.fmt(m, r.ci_low, language)}, {catalog.fmt(m, r.ci_high, language)}]"
                )
            t.add_row(
                *[level_text(r[c]) for c in params],
                catalog.fmt(m, r["mean"], language),
                ci,
                str(r.n),
            )
        out_console.print(t)


REPORT_COLS = {"point", "metric", "mean", "sd", "ci_low", "ci_high", "n", "method"}


@app.command()
def sensitivity(
    spec_path: Annotated[Path, typer.Argument(help="Sweep spec YAML with design morris/sobol.")],
    out: Annotated[
        Path | None, typer.Option(help="Sweep folder (default: results/sweeps/NAME).")
    ] = None,
    workers: WorkersOpt = None,
    dask: DaskOpt = None,
    max_runs: MaxRunsOpt = 10_000,
) -> None:
    """Run (or resume) a Morris or Sobol design and print ranked sensitivity indices."""
    from rich.table import Table

    from sim.experiments.analysis import sensitivity as analyse

    spec, out = _run_sweep(spec_path, out, workers, dask, ("morris", "sobol"), max_runs)
    table = analyse(out, spec)
    table.to_csv(out / "sensitivity.csv", index=False)
    from sim.results import catalog

    language = lang()
    reading = "sobol_reading" if spec.design == "sobol" else "morris_reading"
    out_console.print(catalog.ui(reading, language), highlight=False)
    for m, g in table.groupby("metric", sort=False):
        design = catalog.value_label("design", spec.design, language)
        t = Table(title=f"{catalog.label(m, language)} ({design})", header_style="bold")
        cols = ["rank", "parameter"] + (
            ["mu_star", "mu_star_conf", "sigma"]
            if spec.design == "morris"
            else ["S1", "S1_conf", "ST", "ST_conf"]
        )
        for c in cols:
            head = catalog.label(f"sensitivity/{c}", language)
            t.add_column(head, justify="right" if c not in ("parameter",) else "left")
        for _, r in g.iterrows():
            t.add_row(
                *[
                    f"{r[c]:.4f}"
                    if isinstance(r[c], float)
                    else catalog.label(f"param:{r[c]}", language)
                    if c == "parameter"
                    else str(r[c])
                    for c in cols
                ]
            )
        out_console.print(t)
    out_console.print(catalog_ui("cli_indices_written", path=out / "sensitivity.csv"))


@app.command()
def validate(
    fast: Annotated[bool, typer.Option("--fast", help="10 seeds per arm instead of 30.")] = False,
    seeds: Annotated[int | None, typer.Option(min=1, max=10000, help="Seeds per arm.")] = None,
    workers: WorkersOpt = None,
) -> None:
    """Run the calibration patterns of the reported cases; exit 1 if any fails."""
    from rich.markup import escape
    from rich.progress import Progress
    from rich.table import Table

    from sim.experiments.validation import PATTERNS, run_patterns, task_count

    n = seeds or (10 if fast else 30)
    with Progress(*bar_columns("runs"), console=err_console, transient=True) as progress:
        bar = progress.add_task("patterns", total=task_count(PATTERNS, n))
        rows = run_patterns(
            PATTERNS, n, workers or os.cpu_count() or 1, on_done=lambda: progress.advance(bar)
        )
    from sim.results import catalog

    language = lang()
    t = Table(title=catalog.ui("validation_title", language, n=n), header_style="bold")
    columns = ("pattern", "description", "source", "role", "target", "model value", "result")
    for c in columns:
        t.add_column(catalog.ui(f"validation_{c.replace(' ', '_')}", language), overflow="fold")
    for r in rows:
        verdict = (
            f"[green]{catalog.ui('validation_pass', language)}[/]"
            if r["passed"]
            else f"[red]{catalog.ui('validation_fail', language)}[/]"
        )
        t.add_row(*[escape(c) for c in validation_cells(r, language)], verdict)
    out_console.print(t)
    failed = [r["pattern"] for r in rows if not r["passed"]]
    if failed:
        head = catalog.ui("validation_failed", language)
        err_console.print(f"[red]{head}[/] {', '.join(failed)}")
        raise typer.Exit(1)


def validation_cells(row: dict, language: str) -> list[str]:
    """A validation row's cells (pattern, description, source, role, target, model value)."""
    from sim.results import catalog

    zh = language == "zh"
    role = catalog.ui(f"validation_role_{row['role']}", language)
    return [
        str(row["pattern"]),
        str(row["description_zh"] if zh else row["description"]),
        str(row["source"]),
        role,
        str(row["target_zh"] if zh else row["target"]),
        str(row["model_zh"] if zh else row["model"]),
    ]
