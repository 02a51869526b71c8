"""The source labels docs/sources.md defines (shared by the tests that check citations)."""

import re
from functools import cache
from pathlib import Path

SOURCES = Path(__file__).resolve().parents[1] / "docs" / "sources.md"


@cache
def defined_labels() -> frozenset[str]:
    """Labels such as ``[Kening]``, ``[facts §5]``, ``[Read-Michelson 2008]``."""
    text = SOURCES.read_text(encoding="utf-8")
    labels = set(re.findall(r"^\| (\[[^\]]+\]) \|", text, re.M))
    labels |= set(re.findall(r"\[Read-Michelson \d{4}\]", text))
    labels |= {f"[facts §{n}]" for n in re.findall(r"^## §(\d+)", text, re.M)}
    return frozenset(labels)
