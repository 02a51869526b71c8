"""The ``sim`` command line (thin: parse, call, print), one module per group of commands.

``run_cmd`` (run), ``scenario_cmds`` (scenario, doc), ``sweep_cmds`` (sweep, sensitivity,
validate), ``study`` (compare, target), ``research`` (discover, calibrate), ``bench_cmd``,
``reading`` (dashboard, report, brief); shared pieces in ``common``.

Importing a command module registers its commands on the app. :func:`main` imports only the
module of the command it is given (building typer's command tree costs ~1 ms a command), and
all of them for ``sim --help``, an unknown command or ``from sim.cli import app``.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import Any

from sim.cli import help_zh, usage_zh
from sim.cli.common import LANG, early_lang, err_console, error_line, hoist_lang
from sim.messages import Msg, render

# The command modules in the order of their commands in --help, with the commands each defines.
COMMAND_MODULES = {
    "run_cmd": ("run",),
    "scenario_cmds": ("scenario", "doc"),
    "sweep_cmds": ("sweep", "sensitivity", "validate"),
    "study": ("compare", "target"),
    "research": ("discover", "calibrate"),
    "reading": ("dashboard", "report", "brief"),
    "bench_cmd": ("bench",),
}
MODULE_OF = {command: module for module, names in COMMAND_MODULES.items() for command in names}

__all__ = ["COMMAND_MODULES", "app", "main"]


def register(modules: list[str] | None = None) -> Any:
    """Import command modules (default: all of them) so their commands are on the app.

    Returns:
        The typer app.
    """
    for name in COMMAND_MODULES if modules is None else modules:
        importlib.import_module(f"sim.cli.{name}")
    from sim.cli.common import app

    return app


def command_name(args: list[str]) -> str | None:
    """The command ``args`` (``--lang X`` already at the front) run, or None (none given)."""
    i = 2 if args[:1] == ["--lang"] else 0
    while i < len(args) and args[i].startswith("-"):
        i += 1  # the global flags (--version, --help) take no value
    return args[i] if i < len(args) else None


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole command line, every command registered
        return register()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Console entry point: ``--lang`` may follow any command; every error is a message (exit 2).

    The language (``--lang`` or ``SIM_LANG``) is known before parsing, so that the parser's own
    usage errors are in it too.
    """
    if argv is None:  # the console script (`python -m sim` did this before importing us)
        from sim.experiments.pool import warm_up_for

        warm_up_for(sys.argv[1:])
    args = hoist_lang(list(sys.argv[1:] if argv is None else argv))
    language = early_lang(args)
    usage_zh.install(language)
    help_zh.install(language)
    module = MODULE_OF.get(command_name(args) or "")
    app = register(None if module is None else [module])
    try:
        app(args=args, prog_name="sim")
    except KeyboardInterrupt:
        err_console.print(render(Msg("interrupted"), language), highlight=False)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one top-level handler
        from sim.errors import error_message

        if os.environ.get("SIM_DEBUG"):
            raise
        language = LANG["value"] if LANG["value"] in ("en", "zh") else language
        err_console.print(error_line(error_message(exc, language), language), highlight=False)
        sys.exit(2)
    finally:
        if argv is None and "_duckdb" not in sys.modules:
            # The command is done and its files closed: move every live object out of the
            # collector's reach, so the interpreter's exit does not walk the whole heap once
            # more (measured: ~0.3 s of a 1.6 s `sim run` on Aoyuan). Atexit handlers still run.
            # Not after duckdb was used: its bindings (nanobind) would report the objects left
            # uncollected as leaks on stderr.
            gc.freeze()
