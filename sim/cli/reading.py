"""``sim dashboard``, ``sim report`` and ``sim brief``: reading results."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Heavy modules (numpy, pydantic, mesa, pandas, pyarrow, duckdb, dash...) are imported inside
# the commands that use them, so `sim --help` and `sim CMD --help` start fast
# (tests/test_imports.py).
if TYPE_CHECKING:
    pass

from sim.cli.common import (
    app,
    catalog_ui,
    checked,
    err_console,
    fail,
    lang,
    out_console,
    warn,
)
from sim.messages import Msg, render


@app.command()
def dashboard(
    results: Annotated[Path, typer.Argument(help="Folder of runs and sweeps.")] = Path("results"),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8050,
    host: Annotated[
        str,
        typer.Option(
            help="Address to bind (default 127.0.0.1: this computer only). Anything else lets "
            "other computers run simulations here: only on a network you trust."
        ),
    ] = "127.0.0.1",
) -> None:
    """Serve the dashboard on 127.0.0.1: read RESULTS, and run comparisons in the workbench.

    The workbench writes only under RESULTS/workbench/.
    """
    import atexit
    import re

    from sim.dashboard.app import create_app

    if not results.is_dir():
        fail(Msg("no_results_folder", path=results))
    if not re.fullmatch(r"[A-Za-z0-9.:\-\[\]]{1,253}", host):
        fail(Msg("host_invalid", host=host))
    loopback = host in ("127.0.0.1", "localhost", "::1", "[::1]")
    if not loopback:
        warn(Msg("host_warning", host=host))
    app = create_app(results, lang(), allowed_host=None if loopback else host)
    atexit.register(app.jobs.shutdown)
    cat = app.catalog
    msg = cat.message(lang())
    if msg:
        err_console.print(catalog_ui("cli_warning", text=msg))
    for p in cat.problems:
        err_console.print(catalog_ui("cli_warning", text=render(p, lang())))
    out_console.print(
        catalog_ui(
            "cli_dashboard_at",
            runs=len(cat.runs()),
            sweeps=len(cat.sweeps()),
            path=results,
            url=f"http://{'127.0.0.1' if loopback else host}:{port}/",
        )
    )
    app.run(host=host.strip("[]"), port=port, debug=False)


@app.command()
def report(
    folder: Annotated[
        Path, typer.Argument(help="A run or sweep folder, or a folder of runs to compare.")
    ],
    html: Annotated[Path, typer.Option("--html", help="The HTML file to write.")],
) -> None:
    """Write a self-contained HTML report of a run or sweep (for sharing without a server)."""
    from sim.report import write_report

    checked("check_output_file", html, "--html", (".html", ".htm"))
    try:
        out = write_report(folder, html, lang())
    except FileNotFoundError as exc:
        fail(exc)
    out_console.print(catalog_ui("cli_report_written", path=out))


@app.command()
def brief(
    folder: Annotated[
        Path, typer.Argument(help="A comparison folder (sim compare, the workbench) or a run.")
    ],
    html: Annotated[Path, typer.Option("--html", help="The HTML file to write.")],
) -> None:
    """Write a printable one-page brief for a community meeting (self-contained HTML)."""
    from sim.report.brief import write_brief

    if not ((folder / "comparison.json").exists() or (folder / "summary.json").exists()):
        fail(Msg("not_comparison_or_run", path=folder))
    checked("check_output_file", html, "--html", (".html", ".htm"))
    out = write_brief(folder, html, lang())
    out_console.print(catalog_ui("cli_brief_written", path=out))
