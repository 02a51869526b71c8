"""Chinese for the command-line parser's own messages (typer's usage errors).

typer (0.29) carries its own copy of click without ``gettext``, so its messages are English
f-strings. With ``--lang zh`` typer's error printer is wrapped: the message is translated by
the ``usage`` patterns of ``sim/messages.yaml`` (which also cover the pydantic sentences typer
quotes for a bad option value), and the ``Usage:`` line, the help hint, the panel title and
"Aborted." are given in Chinese. What stays English: the command synopsis after ``用法：``
(the names of commands, options and arguments) and option names. The ``--help`` screens
are made Chinese by ``help_zh``.
"""

from __future__ import annotations

import importlib
from typing import Any

HINT_ZH = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"


def install(lang: str) -> None:
    """Print typer's usage errors in ``lang`` (only ``zh`` changes anything)."""
    if lang != "zh":
        return
    rich_utils = importlib.import_module("typer.rich_utils")
    if getattr(rich_utils, "_sim_zh", False):
        return
    original = rich_utils.rich_format_error

    def format_error_zh(self: Any) -> None:
        from sim.messages import translate_text

        english = self.format_message()
        self.format_message = lambda: translate_text(english, "zh", "usage")
        ctx = getattr(self, "ctx", None)
        if ctx is not None:
            usage = ctx.get_usage()
            ctx.get_usage = lambda: usage.replace("Usage: ", "用法：", 1)
        original(self)

    rich_utils.rich_format_error = format_error_zh
    rich_utils.ERRORS_PANEL_TITLE = "错误"
    rich_utils.ABORTED_TEXT = "已中止。"
    rich_utils.RICH_HELP = HINT_ZH
    rich_utils._sim_zh = True
