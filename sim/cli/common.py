"""Shared pieces of the command line: the typer apps, consoles, language, options, errors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from sim.messages import Msg

# Heavy modules (numpy, pydantic, mesa, pandas, pyarrow, duckdb, dash...) are imported inside
# the commands that use them, so `sim --help` and `sim CMD --help` start fast
# (tests/test_imports.py).
if TYPE_CHECKING:
    from sim.scenario import Scenario

app = typer.Typer(
    help="Agent-based simulator of neighbourhood deliberation in residential compounds.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
scenario_app = typer.Typer(help="Validate, show and document scenarios.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
doc_app = typer.Typer(help="Generated documentation.", no_args_is_help=True)
app.add_typer(doc_app, name="doc")

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

LANG = {"value": "en"}  # the chosen output language, set by the global --lang option


def lang() -> str:
    """The output language chosen with ``--lang`` or ``SIM_LANG`` (``en`` or ``zh``)."""
    return LANG["value"]


def _show_version(value: bool) -> None:
    if value:
        from sim import __version__

        out_console.print(f"sim {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    language: Annotated[
        str,
        typer.Option(
            "--lang",
            envvar="SIM_LANG",
            help="Language of the output: en or zh (also SIM_LANG); may follow any command.",
            metavar="en|zh",
        ),
    ] = "en",
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Agent-based simulator of neighbourhood deliberation in residential compounds."""
    language = language.strip().lower()[:2]
    if language not in ("en", "zh"):
        fail(Msg("lang_choice", value=language))
    LANG["value"] = language


ScenarioArg = Annotated[
    Path | None, typer.Argument(help="Scenario YAML (default: the packaged default scenario).")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a field by dotted path, e.g. party.density=0.1; repeat for more fields.",
        metavar="PATH=VALUE",
    ),
]


def fail(message: object, code: int = 2) -> None:
    """Print an error without a traceback and exit with ``code`` (2: bad input).

    ``message`` is a :class:`sim.messages.Msg`, an exception carrying one, or plain text; it is
    printed in the language chosen with ``--lang``.
    """
    err_console.print(error_line(message, lang()), highlight=False, markup=True)
    raise typer.Exit(code)


def warn(message: object) -> None:
    """Print a warning (``warning:`` / ``注意：``) in the language chosen with ``--lang``."""
    from sim.messages import render

    text = render(message, lang()).replace("[", "\\[")
    err_console.print(catalog_ui("cli_warning", text=text), highlight=False)


def error_line(message: object, language: str) -> str:
    """``error: MESSAGE`` (``错误：``) in ``language``, as rich markup."""
    from sim.messages import render

    text = render(message, language).replace("[", "\\[")
    gap = "" if language == "zh" else " "  # 错误：is followed by no space
    return f"[bold red]{render(Msg('error_prefix'), language)}[/]{gap}{text}"


def checked(check: str, *args) -> None:
    """Run an output-path check of ``sim.results.paths``; an InputError becomes exit 2."""
    from sim.results import paths
    from sim.scenario import InputError

    try:
        getattr(paths, check)(*args)
    except InputError as exc:
        fail(exc)


def load(path: Path | None, sets: list[str] | None) -> Scenario:
    """Load and validate a scenario; a bad input becomes exit 2 with its message."""
    from sim.scenario import InputError, load_scenario

    try:
        return load_scenario(path, sets)
    except InputError as exc:
        fail(exc)
        raise  # unreachable; keeps type checkers content


OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Sweep folder (default: results/sweeps/NAME).")
]


WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", min=1, max=1024, help="Worker processes (default: all cores)."),
]


DaskOpt = Annotated[
    str | None,
    typer.Option("--dask", help="Run on a Dask cluster: a scheduler address, or 'local'."),
]


MaxRunsOpt = Annotated[
    int,
    typer.Option(
        "--max-runs", min=1, max=10_000_000, help="Largest run count accepted (default 10000)."
    ),
]


def catalog_ui(key: str, **fields) -> str:
    """An interface string from the catalogue in the chosen language."""
    from sim.results import catalog

    return catalog.ui(key, lang(), **fields)


def bar_columns(unit: str) -> list:
    """The columns of a progress bar counting ``unit`` (``days`` or ``runs``)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(catalog_ui(f"cli_{unit}")),
        TimeElapsedColumn(),
        TextColumn(catalog_ui("cli_eta")),
        TimeRemainingColumn(),
    ]


def spawn_context():
    """The multiprocessing context of worker pools (spawn, as mesa sets it)."""
    import multiprocessing

    return multiprocessing.get_context("spawn")


def hoist_lang(argv: list[str]) -> list[str]:
    """Move ``--lang X`` (or ``--lang=X``) to the front so it may follow any command."""
    rest, front, i = [], [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--lang" and i + 1 < len(argv):
            front = [a, argv[i + 1]]
            i += 2
            continue
        if a.startswith("--lang="):
            front = ["--lang", a.split("=", 1)[1]]
        else:
            rest.append(a)
        i += 1
    return front + rest


def early_lang(args: list[str]) -> str:
    """The language before parsing: ``--lang X`` at the front of ``args``, else ``SIM_LANG``."""
    import os

    value = args[1] if len(args) > 1 and args[0] == "--lang" else os.environ.get("SIM_LANG", "")
    value = value.strip().lower()[:2]
    return value if value in ("en", "zh") else "en"


def _flag_type_hidden(self, ctx):
    """Boolean flags show as ``--fast``, not ``--fast <bool>`` (typer's rich help)."""
    if getattr(self, "is_flag", False) and not getattr(self, "count", False):
        return None
    return _typer_display_type_rich(self, ctx)


try:  # typer >= 0.16 renders a type for every option; a flag takes no value
    from typer.core import TyperOption

    _typer_display_type_rich = TyperOption.display_type_rich
    TyperOption.display_type_rich = _flag_type_hidden
except (ImportError, AttributeError):  # pragma: no cover - other typer versions
    pass
