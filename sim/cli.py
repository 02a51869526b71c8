"""Command line: ``sim run | scenario check/show/doc`` (and later sweep, dashboard, bench...)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.inputs import InputError
from sim.scenario import Scenario, load_scenario, scenario_dict

app = typer.Typer(
    help="Agent-based simulator of neighbourhood deliberation in residential compounds.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
scenario_app = typer.Typer(help="Validate, show and document scenarios.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")

out_console = Console()
err_console = Console(stderr=True, soft_wrap=True)

ScenarioArg = Annotated[
    Path | None, typer.Argument(help="Scenario YAML (default: the packaged default scenario).")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a field by dotted path, e.g. party.density=0.1."),
]


def fail(message: str, code: int = 2) -> None:
    """Print an input error without a traceback and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def _load(path: Path | None, sets: list[str] | None) -> Scenario:
    try:
        return load_scenario(path, sets)
    except InputError as exc:
        fail(str(exc).replace("[", "\\["))
        raise  # unreachable; keeps type checkers content


@app.command()
def run(
    scenario: ScenarioArg = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's).")] = None,
    days: Annotated[int | None, typer.Option(help="Days to simulate.")] = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: results/...).")] = None,
) -> None:
    """Run one scenario and write its results folder."""
    sets = list(set_ or [])
    if seed is not None:
        sets.append(f"seed={seed}")
    if days is not None:
        sets.append(f"days={days}")
    sc = _load(scenario, sets)
    if out is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = Path("results") / f"{sc.name}-s{sc.seed}-{stamp}"
    if out.exists() and not out.is_dir():
        fail(f"--out {out}: exists and is not a folder; choose another path")
    from sim.model import NeighbourhoodModel
    from sim.results import summarize, write_run

    model = NeighbourhoodModel(sc)
    columns = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("days"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(f"{sc.name} (seed {sc.seed})", total=sc.days)
        model.run(on_day=lambda d: progress.update(task, completed=d))
    path = write_run(model, out, sc.seed)
    print_summary(summarize(model), f"{sc.name}: {model.world.n_households} households")
    out_console.print(f"results written to [bold]{path}[/]")


def print_summary(summary: dict, title: str) -> None:
    """Print the headline metrics as a table."""
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


@scenario_app.command("check")
def scenario_check(
    path: Annotated[Path, typer.Argument(help="Scenario YAML.")], set_: SetOpt = None
) -> None:
    """Validate a scenario; exit 2 with the field and fix if it is wrong."""
    sc = _load(path, set_)
    out_console.print(
        f"[green]ok[/] {path}: {sc.name}, {sc.n_compounds()} compounds, "
        f"{sc.total_households()} households, {sc.days} days"
    )


@scenario_app.command("show")
def scenario_show(path: ScenarioArg = None, set_: SetOpt = None) -> None:
    """Print the resolved scenario with every default filled in (YAML)."""
    sc = _load(path, set_)
    sys.stdout.write(yaml.safe_dump(scenario_dict(sc), sort_keys=False, allow_unicode=True))


def main() -> None:  # pragma: no cover - console entry
    """Console entry point."""
    app()
