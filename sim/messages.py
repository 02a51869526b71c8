"""Error and refusal messages in English and Chinese, from one table (``messages.yaml``).

A :class:`Msg` is an English ``str`` (so ``str(exc)`` and every existing check read as before)
that remembers its template key and fields, and renders itself in Chinese with
:meth:`Msg.render`. Modules at every layer raise ``InputError(Msg("key", ...))``; the command
line renders the message in the language chosen with ``--lang`` / ``SIM_LANG``. This module
imports nothing from ``sim`` but :mod:`sim.packaged` (which imports nothing from it), so that every
layer may use it.

Messages raised as plain strings by modules that do not build a :class:`Msg` are translated by
the table's ``patterns`` (regular expressions over the English text), so a Chinese reader does
not meet an English sentence; :func:`render` does both.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from sim.packaged import load_yaml

LANGS = ("en", "zh")


@cache
def _table() -> dict[str, Any]:
    return load_yaml("sim", "messages.yaml")  # first rendered message: `sim --help` needs none


def templates() -> dict[str, dict[str, str]]:
    """Every message template by key: ``{key: {"en": ..., "zh": ...}}``."""
    return _table()["messages"]


@cache
def _patterns(table: str) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p["en"], re.S), p["zh"]) for p in _table()[table]]


def _field(value: Any, lang: str) -> str:
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Msg) for v in value):
        return "\n  ".join(v.render(lang) for v in value)
    return str(value)


class Msg(str):
    """An English message that can render in Chinese: ``Msg("no_file", path=p)``.

    Fields that are themselves :class:`Msg` (or lists of them, one per line) render in the
    same language.
    """

    key: str
    fields: dict[str, Any]

    def __new__(cls, msg_key: str, /, **fields: Any) -> Msg:  # noqa: D102
        template = templates()[msg_key]["en"]
        obj = super().__new__(
            cls, template.format(**{k: _field(v, "en") for k, v in fields.items()})
        )
        obj.key = msg_key
        obj.fields = fields
        return obj

    def render(self, lang: str = "en") -> str:
        """The message in ``lang`` (``en`` or ``zh``)."""
        if lang != "zh":
            return str(self)
        template = templates()[self.key].get("zh") or templates()[self.key]["en"]
        return template.format(**{k: _field(v, lang) for k, v in self.fields.items()})

    def __reduce__(self) -> tuple:  # worker processes send messages back pickled
        return (_rebuild, (self.key, self.fields))


def _rebuild(key: str, fields: dict[str, Any]) -> Msg:
    return Msg(key, **fields)


def translate_text(text: str, lang: str, table: str = "patterns") -> str:
    """A plain English message in ``lang``: the first matching pattern's Chinese, else as is.

    ``table`` is ``patterns`` (messages of other modules) or ``yaml_problems`` (pyyaml's).
    """
    if lang != "zh":
        return text
    for rx, zh in _patterns(table):
        m = rx.fullmatch(text.strip())
        if m:
            fields = {
                k: translate_text(v, lang, table) if k.endswith("_t") and v else v or ""
                for k, v in m.groupdict().items()
            }
            return zh.format(**fields)
    return text


def render(message: Any, lang: str = "en") -> str:
    """A message (a :class:`Msg`, an exception carrying one, or plain text) in ``lang``."""
    if isinstance(message, BaseException):
        first = message.args[0] if message.args else None
        if isinstance(first, Msg) and len(message.args) == 1:
            return first.render(lang)
        message = str(message)
    if isinstance(message, Msg):
        return message.render(lang)
    return translate_text(str(message), lang)
