"""The ``sim`` command line (thin: parse, call, print), one module per group of commands.

``run_cmd`` (run), ``scenario_cmds`` (scenario, doc), ``sweep_cmds`` (sweep, sensitivity,
validate), ``study`` (compare, target), ``research`` (discover, calibrate), ``bench_cmd``,
``reading`` (dashboard, report, brief); shared pieces in ``common``.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

from sim.cli import help_zh, usage_zh
from sim.cli.common import LANG, app, early_lang, err_console, error_line, hoist_lang
from sim.messages import Msg, render

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
