"""The planner's summary of a run: a few lines in plain words, built from catalogue keys."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from sim.results import catalog


@dataclass(frozen=True)
class Line:
    """One line of the planner's summary."""

    group: str
    key: str
    label: str
    value: str
    meaning: str


def planner_lines(summary: dict[str, Any], lang: str = "en") -> list[Line]:
    """Lines grouped as the catalogue's ``planner_summary`` says (resolved, where, how fast...).

    Keys are taken in the order the catalogue lists them; a glob such as ``projects.*`` takes
    the remaining keys of that family, so new summary keys appear without code changes. Each
    key is shown once; keys absent from ``summary`` are skipped.
    """
    shown: set[str] = set()
    out = []
    for group in catalog.planner_groups():
        title = group["group"][catalog.check_lang(lang)]
        for pattern in group["keys"]:
            keys = [k for k in summary if fnmatch.fnmatchcase(k, pattern)]
            for key in keys:
                if key in shown or not catalog.has(key):
                    continue
                shown.add(key)
                value = summary[key]
                if isinstance(value, dict):
                    out += _split(title, key, value, lang)
                    continue
                out.append(
                    Line(
                        title,
                        key,
                        catalog.label(key, lang),
                        catalog.fmt(key, summary[key], lang),
                        catalog.describe(key, lang),
                    )
                )
    return out


def _split(title: str, key: str, value: dict, lang: str) -> list[Line]:
    """One line per level (or part) of a mapping such as ``disputes.resolved_by_level``."""
    lines = []
    for i, (part, v) in enumerate(value.items()):
        sub = f"{key}.{part}"
        lines.append(
            Line(
                title,
                sub,
                catalog.value_label("level", part, lang),
                catalog.fmt(sub, v, lang),
                catalog.describe(key, lang) if i == 0 else "",
            )
        )
    return lines
