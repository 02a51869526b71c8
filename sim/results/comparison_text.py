"""Words for a paired comparison (baseline vs variant): settings changed, differences, sentences.

Shared by the printable brief (:mod:`sim.report.brief`) and the dashboard's workbench, so both
say the same thing in the same words (labels from the catalogue, in Chinese or English).
"""

from __future__ import annotations

import math
from typing import Any

from sim.results import catalog as cat

# Headline results in the order a meeting reads them; those a comparison lacks are left out.
HEADLINE = (
    "disputes.share_of_all.resolved",
    "disputes.share_of_all.resolved_in_building",
    "disputes.resolved_within_90d",
    "disputes.share_of_all.referred",
    "disputes.share_of_all.expired",
    "disputes.mediation_success_of_mediated",
    "projects.pass_rate",
    "projects.median_days_to_pass",
    "projects.median_meetings_attended_to_pass",
)


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flat(v, f"{prefix}{k}."))
        return out
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        out = {}
        for i, v in enumerate(data):
            out.update(_flat(v, f"{prefix}{i}."))
        return out
    return {prefix.rstrip("."): data}


def changed_settings(record: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(parameter path, baseline value, variant value) of every setting that differs."""
    a = _flat(record["scenarios"]["baseline"])
    b = _flat(record["scenarios"]["variant"])
    return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def setting_value(value: Any, lang: str) -> str:
    """A scenario setting as a planner reads it: 4 not 4.0, yes/no, words for text values."""
    if isinstance(value, bool):
        return cat.ui("answer_yes" if value else "answer_no", lang)
    if isinstance(value, float):
        return f"{value:g}"
    if value is None:
        return "—"
    return str(value)


def settings_text(changes: list[tuple[str, Any, Any]], lang: str) -> str:
    """The settings compared, in one line ("" when none differ)."""
    sep = "；" if cat.check_lang(lang) == "zh" else "; "
    return sep.join(
        cat.ui(
            "setting_change",
            lang,
            what=cat.label("param:" + k, lang),
            now=setting_value(b, lang),
            new=setting_value(v, lang),
        )
        for k, b, v in changes
    )


def is_share(key: str) -> bool:
    """Whether ``key`` is a share (differences then read in percentage points)."""
    return cat.kind(key) == "share"


def fmt_diff(key: str, value: float, lang: str) -> str:
    """A signed difference: percentage points for shares, plain numbers otherwise."""
    if is_share(key):
        unit = cat.ui("brief_points", lang)
        return f"{value * 100:+.1f} {unit}"
    return f"{value:+.1f}"


def sentence(key: str, row: dict[str, Any], lang: str) -> str:
    """One result in plain words: direction, size and interval of the paired difference."""
    mean, lo, hi = row["difference"]
    name = cat.label(key, lang)
    if mean is None or not all(math.isfinite(x) for x in (mean, lo, hi)):
        return cat.ui("brief_no_estimate", lang, what=name)
    size = fmt_diff(key, abs(mean), lang).lstrip("+")
    interval = f"{fmt_diff(key, lo, lang)} … {fmt_diff(key, hi, lang)}"
    if lo > 0:
        return cat.ui("brief_rises", lang, what=name, size=size, interval=interval)
    if hi < 0:
        return cat.ui("brief_falls", lang, what=name, size=size, interval=interval)
    return cat.ui("brief_unclear", lang, what=name, interval=interval)


def fmt_interval(key: str, triple, lang: str) -> str:
    """``mean (low – high)`` in the metric's own format ("–" when not estimable)."""
    mean, lo, hi = triple
    if mean is None or not math.isfinite(mean):
        return "–"
    if not (math.isfinite(lo) and math.isfinite(hi)):  # one run: no interval
        return cat.fmt(key, mean, lang)
    return f"{cat.fmt(key, mean, lang)} ({cat.fmt(key, lo, lang)} – {cat.fmt(key, hi, lang)})"


def fmt_diff_interval(key: str, triple, lang: str) -> str:
    """A difference with its interval, ``+d (lo … hi)``."""
    mean, lo, hi = triple
    if mean is None or not math.isfinite(mean):
        return "–"
    if not (math.isfinite(lo) and math.isfinite(hi)):  # one pair of runs: no interval
        return fmt_diff(key, mean, lang)
    return f"{fmt_diff(key, mean, lang)} ({fmt_diff(key, lo, lang)} … {fmt_diff(key, hi, lang)})"
