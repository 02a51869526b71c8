"""Chinese ``--help`` texts: with ``--lang zh`` the help screens come from ``help_zh.yaml``.

typer (0.29) builds the click command tree inside ``app()``, so the texts are put in when a
help screen is drawn: typer's ``rich_format_help`` is wrapped, and on its first call the whole
tree (found from the context's root) gets the Chinese help of every command, option and argument
(including ``--help`` itself), the panel titles ("Options", "Commands", "Arguments"), the
``[default: ...]`` / ``[env var: ...]`` / ``[required]`` notes and the ``Usage:`` prefix. Names
of commands and options, metavars (``TEXT``, ``INTEGER``...) and paths stay as they are. Nothing
changes in English, and nothing is read unless a help screen is shown.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

from sim.packaged import load_yaml


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    """The Chinese help table (``panels``, ``shared``, ``commands``) from ``help_zh.yaml``."""
    return load_yaml("sim.cli", "help_zh.yaml")


def command_help(path: str) -> str | None:
    """The Chinese help of the command at ``path`` ("" for ``sim``, "scenario init"...)."""
    entry = table()["commands"].get(path)
    return None if entry is None else entry.get("help")


def param_help(path: str, name: str) -> str | None:
    """The Chinese help of parameter ``name`` of the command at ``path`` (or the shared one)."""
    entry = table()["commands"].get(path) or {}
    own = (entry.get("params") or {}).get(name)
    return own if own is not None else table()["shared"].get(name)


def walk(command: Any, path: str = "") -> Any:
    """Yield ``(path, command)`` for ``command`` and every subcommand below it."""
    yield path, command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from walk(sub, f"{path} {name}".strip())


def translate_tree(root: Any, ctx: Any) -> None:
    """Put the Chinese texts on every command and parameter of the click tree under ``root``."""
    for path, command in walk(root):
        text = command_help(path)
        if text is not None:
            command.help = text
            command.short_help = None
        for param in command.get_params(ctx):
            text = param_help(path, param.name or "")
            if text is not None:
                param.help = text


def _usage_zh(command: Any) -> None:
    """Make ``command.get_usage`` start with ``用法：`` instead of ``Usage: ``."""
    if getattr(command, "_sim_usage_zh", False):
        return
    english = type(command).get_usage
    command.get_usage = lambda ctx: english(command, ctx).replace("Usage: ", "用法：", 1)
    command._sim_usage_zh = True


def install(lang: str) -> None:
    """Draw typer's help screens in ``lang`` (only ``zh`` changes anything)."""
    if lang != "zh":
        return
    rich_utils = importlib.import_module("typer.rich_utils")
    if getattr(rich_utils, "_sim_help_zh", False):
        return
    original = rich_utils.rich_format_help
    panels = table()["panels"]

    def format_help_zh(*, obj: Any, ctx: Any, markup_mode: Any) -> None:
        root_ctx = ctx.find_root()
        if not getattr(root_ctx.command, "_sim_help_zh", False):
            translate_tree(root_ctx.command, root_ctx)
            root_ctx.command._sim_help_zh = True
        _usage_zh(obj)
        original(obj=obj, ctx=ctx, markup_mode=markup_mode)

    make_text = rich_utils._make_rich_text

    def make_text_zh(**kwargs: Any) -> Any:
        # Chinese has no spaces to wrap at: fold long runs instead of cutting them with "…".
        text = make_text(**kwargs)
        if getattr(text, "overflow", "fold") is None:
            text.overflow = "fold"
        return text

    rich_utils.rich_format_help = format_help_zh
    rich_utils._make_rich_text = make_text_zh
    rich_utils.ARGUMENTS_PANEL_TITLE = panels["arguments"]
    rich_utils.OPTIONS_PANEL_TITLE = panels["options"]
    rich_utils.COMMANDS_PANEL_TITLE = panels["commands"]
    rich_utils.DEFAULT_STRING = panels["default"]
    rich_utils.ENVVAR_STRING = panels["env_var"]
    rich_utils.REQUIRED_LONG_STRING = panels["required"]
    rich_utils.DEPRECATED_STRING = panels["deprecated"]
    rich_utils._sim_help_zh = True
