"""The ``sim`` command line (thin: parse, call, print), one module per group of commands.

``run_cmd`` (run), ``scenario_cmds`` (scenario, doc), ``sweep_cmds`` (sweep, sensitivity,
validate), ``study`` (compare, target), ``research`` (discover, calibrate), ``bench_cmd``,
``reading`` (dashboard, report, brief); shared pieces in ``common``.
"""

from __future__ import annotations

import importlib
import os
import sys

from sim.cli.common import app, err_console, hoist_lang

# Importing the command modules registers their commands on the app, in this order in --help.
COMMAND_MODULES = (
    "run_cmd",
    "scenario_cmds",
    "sweep_cmds",
    "study",
    "research",
    "reading",
    "bench_cmd",
)
for _name in COMMAND_MODULES:
    importlib.import_module(f"sim.cli.{_name}")

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Console entry point: ``--lang`` may follow any command; every error is a message (exit 2)."""
    args = hoist_lang(list(sys.argv[1:] if argv is None else argv))
    try:
        app(args=args, prog_name="sim")
    except KeyboardInterrupt:
        err_console.print("interrupted", highlight=False)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one top-level handler
        from sim.errors import error_message

        if os.environ.get("SIM_DEBUG"):
            raise
        message = error_message(exc).replace("[", "\\[")
        err_console.print(f"[bold red]error:[/] {message}", highlight=False)
        sys.exit(2)
