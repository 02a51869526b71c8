"""Chinese meanings of the scenario parameters (``data/params_zh.yaml``), read by every layer.

The English meaning of a parameter is its schema description; the Chinese one lives here, in
the scenario layer, so that the ODD table (:mod:`sim.scenario.docs`), the input-error messages
(:mod:`sim.scenario.loading`) and the catalogue of meanings (:mod:`sim.results.catalog`) read
the same text.
"""

from __future__ import annotations

import fnmatch
import re
from functools import cache

from sim.packaged import load_yaml


@cache
def params_zh() -> dict[str, str]:
    """Chinese meaning by schema path (``compounds[].floors``; ``*`` matches one name)."""
    table = load_yaml("sim.scenario", "data/params_zh.yaml")
    return {str(k): str(v) for k, v in table.items()}


def param_zh(schema_path: str) -> str | None:
    """The Chinese meaning of a parameter (schema path), or None when it has none."""
    table = params_zh()
    if schema_path in table:
        return table[schema_path]
    for pat, text in table.items():
        if "*" in pat and fnmatch.fnmatchcase(schema_path, pat):
            return text
    return None


def short(text: str) -> str:
    """The first clause of a description, as a label (source labels left out).

    An aside in full-width brackets is kept unless cutting at the first clause would split it.
    """
    text = re.sub(r"\s*\[[^\]]*\]", "", text)  # source labels stay in the definition
    text = re.sub(r"（\s[^（）]*）", "", text)  # an aside that began with a source label
    label = _first_clause(text)
    if label.count("（") != label.count("）"):
        label = _first_clause(re.sub(r"（[^（）]*）", "", text))
    return label


def _first_clause(text: str) -> str:
    for sep in ("：", ": ", "; ", "；"):
        text = text.split(sep)[0]
    return text.strip().rstrip("。.，,")


def param_label_zh(schema_path: str) -> str:
    """A short Chinese label of a parameter ("" when it has no Chinese meaning)."""
    text = param_zh(schema_path)
    return short(text) if text else ""
