"""The catalogue of meanings: labels, units, definitions and formats of every output key.

One data file, ``catalog.yaml``, holds both languages side by side. Keys are summary keys as they
are (``disputes.total``), table columns as ``TABLE/COLUMN`` (``disputes/day_reported``; bare
timeseries columns work too), values as ``KIND/VALUE`` (``status/resolved``, ``level/L1``),
scenario sections as ``section/NAME``, scenario parameters as ``param:PATH`` and interface
strings as ``ui/NAME``. Families such as ``support:NAME`` match the catalogue's patterns.
Numbers, percentages, money and dates are formatted by ``babel`` for the chosen language.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from sim.packaged import load_yaml
from sim.results.numbers import CNY_SIGN, number

LANGS = ("en", "zh")
LOCALES = {"en": "en_US", "zh": "zh_Hans_CN"}


@dataclass(frozen=True)
class Entry:
    """One catalogue entry (labels and definitions in both languages)."""

    key: str
    en: str
    zh: str
    unit: str = "none"
    format: str = "text"
    def_en: str = ""
    def_zh: str = ""


def default_lang() -> str:
    """The language from ``SIM_LANG`` (``en`` when unset or unknown)."""
    lang = os.environ.get("SIM_LANG", "en").strip().lower()[:2]
    return lang if lang in LANGS else "en"


def check_lang(lang: str | None) -> str:
    """``lang`` if it is a known language, else the default."""
    return lang if lang in LANGS else default_lang()


@cache
def _data() -> dict:
    return load_yaml("sim.results", "catalog.yaml")


@cache
def entries() -> dict[str, Entry]:
    """Every fixed entry by key (patterns and parameters excluded)."""
    d = _data()
    out: dict[str, Entry] = {}

    def add(key: str, e: dict) -> None:
        out[key] = Entry(key, **{k: str(v) for k, v in e.items()})

    for k, e in {**d.get("summary_legacy", {}), **d["summary"]}.items():
        add(k, e)
    for k, e in d["timeseries"].items():
        add(f"timeseries/{k}", e)
    for table, cols in d["tables"].items():
        for k, e in cols.items():
            add(f"{table}/{k}", e)
    for k, e in d["values"].items():
        add(k, e)
    for k, e in d["sections"].items():
        add(f"section/{k}", e)
    for k, e in d.get("ui", {}).items():
        add(f"ui/{k}", e)
    return out


@cache
def _patterns() -> list[tuple[re.Pattern, dict]]:
    out = []
    for pat, e in _data()["patterns"].items():
        rx = re.escape(pat).replace(re.escape("{name}"), "(?P<name>.+)")
        out.append((re.compile(f"^{rx}$"), e))
    return out


def units() -> dict[str, dict[str, str]]:
    """Unit keys with their English and Chinese names."""
    return _data()["units"]


def table_columns(table: str) -> list[str]:
    """The columns of a result table, in the catalogue's order."""
    return list(_data()["tables"].get(table, {}))


def planner_groups() -> list[dict]:
    """Groups of the planner's summary: ``{"group": {en, zh}, "keys": [globs]}``."""
    return _data()["planner_summary"]


def find(key: str) -> Entry | None:
    """The entry of ``key`` (exact, timeseries column, pattern or parameter), or None."""
    e = entries().get(key) or entries().get(f"timeseries/{key}")
    if e is not None:
        return e
    if key.startswith("param:"):
        return _param_entry(key.removeprefix("param:"))
    for rx, pat in _patterns():
        m = rx.match(key)
        if m:
            name = m.group("name")
            fields = {k: str(v).replace("{name}", name) for k, v in pat.items()}
            for lang in LANGS:
                fields[lang] = fields[lang].replace(name, _value_label(name, lang))
            return Entry(key, **fields)
    return None


def _value_label(name: str, lang: str) -> str:
    for kind in ("level", "status"):
        e = entries().get(f"{kind}/{name}")
        if e is not None:
            return getattr(e, lang)
    return name


@cache
def _param_rows() -> dict[str, tuple[str, str]]:
    from sim.scenario.docs import rows

    return {r[0]: (r[3], r[5]) for r in rows()}


def _param_path(path: str) -> str:
    """``projects.0.cost`` -> ``projects[].cost`` (sweep paths index lists)."""
    return re.sub(r"\.(\d+)(?=\.|$)", "[]", path)


def _param_entry(path: str) -> Entry | None:
    schema = _param_path(path)
    rows = _param_rows()
    if schema not in rows:
        return None
    unit, desc = rows[schema]
    zh = _param_zh(schema)
    if zh is None:
        return None
    prefix_en, prefix_zh = _param_prefix(path)
    return Entry(
        f"param:{path}",
        en=prefix_en + _short(desc) if desc else path,
        zh=prefix_zh + _short(zh),
        unit=unit or "none",
        format="score",
        def_en=f"{desc} ({path})",
        def_zh=f"{zh}（{path}）",
    )


def _short(text: str) -> str:
    """The first clause of a description, as a label."""
    from sim.scenario.meanings import short

    return short(text)


def _param_prefix(path: str) -> tuple[str, str]:
    """Whose parameter it is, for families of identical fields (dispute categories, projects)."""
    m = re.match(r"disputes\.categories\.([^.]+)\.", path)
    if m:
        en, zh = (
            value_label("category", m.group(1), "en"),
            value_label("category", m.group(1), "zh"),
        )
        return f"{en}: ", f"{zh}："
    m = re.match(r"(projects|compounds)\.(\d+)\.", path)
    if m:
        what = entries()[f"section/{m.group(1)}"]
        return f"{what.en} #{m.group(2)}: ", f"{what.zh} #{m.group(2)}："
    return "", ""


def _param_zh(schema_path: str) -> str | None:
    from sim.scenario.meanings import param_zh

    return param_zh(schema_path)


def param_description(schema_path: str, lang: str) -> str:
    """The meaning of a scenario parameter (schema path) in ``lang``."""
    if lang == "zh":
        return _param_zh(schema_path) or ""
    return _param_rows().get(schema_path, ("", ""))[1]


def param_unit(unit: str, lang: str = "en") -> str:
    """A scenario parameter's declared unit in ``lang`` (itself when no translation is known)."""
    if check_lang(lang) != "zh":
        return unit
    return _data().get("param_units", {}).get(unit, unit)


def has(key: str) -> bool:
    """Whether the catalogue explains ``key``."""
    return find(key) is not None


def label(key: str, lang: str = "en") -> str:
    """The label of ``key`` in ``lang`` (the key itself, marked, when it has no entry)."""
    e = find(key)
    if e is None:
        return key
    return getattr(e, check_lang(lang))


def unit(key: str, lang: str = "en") -> str:
    """The unit of ``key`` in ``lang`` ("" when unitless)."""
    e = find(key)
    if e is None:
        return ""
    u = units().get(e.unit)
    return u[check_lang(lang)] if u else e.unit


def describe(key: str, lang: str = "en") -> str:
    """The definition of ``key`` in ``lang``, naming its denominator for shares."""
    e = find(key)
    if e is None:
        return ""
    return e.def_zh if check_lang(lang) == "zh" else e.def_en


def kind(key: str) -> str:
    """The format of ``key``: share, count, days, cny, score, date, levels or text."""
    e = find(key)
    return e.format if e is not None else "text"


def axis_title(key: str, lang: str = "en") -> str:
    """Label and unit, e.g. ``Open disputes (disputes)``, for an axis or a colour bar."""
    u, name = unit(key, lang), label(key, lang)
    return f"{name} ({u})" if u and u.lower() != name.lower() else name


def value_label(kind_: str, value: Any, lang: str = "en") -> str:
    """The label of a value such as ``status/resolved`` or ``level/L1`` (the value if none)."""
    e = entries().get(f"{kind_}/{value}")
    return getattr(e, check_lang(lang)) if e is not None else str(value)


def ui(ui_key: str, lang: str = "en", **fields: Any) -> str:
    """An interface string in ``lang`` with ``{fields}`` filled in."""
    e = entries().get(f"ui/{ui_key}")
    text = getattr(e, check_lang(lang)) if e is not None else ui_key
    return text.format(**fields) if fields else text


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def fmt(key: str, value: Any, lang: str = "en") -> str:
    """``value`` of ``key`` formatted for ``lang`` (percent, integer, days, CNY, date...)."""
    lang = check_lang(lang)
    loc = LOCALES[lang]
    if isinstance(value, dict):
        parts = [
            f"{value_label('level', k, lang)} {fmt(key + '.' + k, v, lang)}"
            for k, v in value.items()
        ]
        return " · ".join(parts)
    if _missing(value) or (hasattr(value, "__class__") and str(value) == "<NA>"):
        return "—"
    f = kind(key)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, dt.date | dt.datetime) or f == "date":
        # babel (its locale data and time zones, ~30 ms) is loaded only for dates
        from babel.dates import format_date

        return format_date(value, format="medium", locale=loc)
    if isinstance(value, str):
        return value
    # babel's patterns, applied by sim.results.numbers: #,##0.0% / #,##0 / #,##0.0 / ...
    if f == "share":
        return number(value, 1, 1, scale=2, affix="%")
    if f in ("count", "levels"):
        if float(value).is_integer():
            return number(int(value), 0, 3)
        return number(value, 1, 1)
    if f == "days":
        num = number(value, 0, 1)
        return f"{num} {unit(key, lang)}".strip() if lang == "en" else f"{num}{unit(key, lang)}"
    if f == "cny":
        return number(value, 2, 2, affix=CNY_SIGN[lang])
    return number(value, 0, 3)


def missing(keys: list[str]) -> list[str]:
    """The keys (of an output) that have no catalogue entry in both languages."""
    out = []
    for k in keys:
        e = find(k)
        if e is None or not e.en or not e.zh:
            out.append(k)
    return out
