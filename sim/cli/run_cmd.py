"""``sim run``: one scenario, its results folder and the planner's summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Heavy modules (numpy, pydantic, mesa, pandas, pyarrow, duckdb, dash...) are imported inside
# the commands that use them, so `sim --help` and `sim CMD --help` start fast
# (tests/test_imports.py).
if TYPE_CHECKING:
    from sim.scenario import Scenario

from sim.cli.common import (
    ScenarioArg,
    SetOpt,
    app,
    bar_columns,
    catalog_ui,
    checked,
    err_console,
    fail,
    lang,
    load,
    out_console,
)
from sim.messages import Msg


@app.command()
def run(
    scenario: ScenarioArg = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's).")] = None,
    days: Annotated[int | None, typer.Option(help="Days to simulate.")] = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: results/...).")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the earlier run in --out (a sim run folder).")
    ] = False,
) -> None:
    """Run one scenario and write its results folder."""
    sets = list(set_ or [])
    if seed is not None:
        sets.append(f"seed={seed}")
    if days is not None:
        sets.append(f"days={days}")
    sc = load(scenario, sets)
    if out is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        from sim.results.paths import default_run_folder

        out = default_run_folder(sc.name, sc.seed, stamp)
    checked("check_run_out", out, force)
    from rich.progress import Progress

    from sim.model import NeighbourhoodModel
    from sim.results import summarize, write_run

    model = NeighbourhoodModel(sc)
    try:
        with Progress(*bar_columns("days"), console=err_console, transient=True) as progress:
            task = progress.add_task(
                catalog_ui("cli_seed", name=sc.name, seed=sc.seed), total=sc.days
            )
            model.run(on_day=lambda d: progress.update(task, completed=d))
    except KeyboardInterrupt:
        fail(Msg("run_interrupted"), 130)
    summary = summarize(model)
    path = write_run(model, out, sc.seed, summary)
    print_planner_summary(summary, sc, model.world.n_households, path)


def print_planner_summary(summary: dict, sc: Scenario, households: int, path: Path) -> None:
    """The planner's summary: groups of plain-word lines with their meaning, then the files."""
    from rich.table import Table

    from sim.results import catalog
    from sim.results.planner import planner_lines

    language = lang()
    title = catalog.ui(
        "summary_title", language, name=sc.name, households=households, days=sc.days, seed=sc.seed
    )
    table = Table(title=title, show_header=True, header_style="bold", show_lines=False)
    table.add_column(catalog.ui("col_what", language), overflow="fold")
    table.add_column(catalog.ui("col_value", language), justify="right", overflow="fold")
    table.add_column(catalog.ui("col_meaning", language), overflow="fold", style="dim")
    group = None
    for line in planner_lines(summary, language):
        if line.group != group:
            group = line.group
            table.add_row(f"[bold]{group}[/]", "", "")
        table.add_row("  " + line.label, line.value, line.meaning)
    out_console.print(table)
    if not summary.get("projects.total"):
        out_console.print(catalog.ui("no_projects", language))
    out_console.print(catalog.ui("files_at", language, path=path), highlight=False)
    out_console.print(catalog.ui("files_list", language), highlight=False)
    out_console.print(
        catalog.ui("open_dashboard", language, root=path.parent, name=path.name), highlight=False
    )
    out_console.print(catalog.ui("open_report", language, path=path), highlight=False)


def print_summary(summary: dict, title: str) -> None:
    """Print the headline metrics as a table."""
    from rich.table import Table

    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if isinstance(value, dict):
            value = "  ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, float):
            value = f"{value:.3f}"
        table.add_row(key, str(value))
    out_console.print(table)
