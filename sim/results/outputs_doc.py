"""``docs/outputs.md``: every output key, its labels, unit and definition (from the catalogue)."""

from __future__ import annotations

from pathlib import Path

from sim.results import catalog

HEADER = """# Outputs of `sim`: what every number means / 输出说明

Generated from `sim/results/catalog.yaml` by `sim doc outputs --write docs/outputs.md`; do not
edit by hand (a test fails when it is stale). Shares are 0-1 (shown as percentages), days are
simulated days (day 0 is the scenario's `start_date`), empty cells in day columns mean "not
yet / never" (nullable integers; there are no -1 sentinels).

本文件由 `sim/results/catalog.yaml` 自动生成。比例取值 0-1（以百分比显示）；天数为模拟天数
（第 0 天为情景的 `start_date`）；日期列为空表示“尚未发生 / 从未发生”。
"""

SECTIONS = [
    ("summary.json", "summary"),
    ("timeseries.parquet", "timeseries"),
    ("disputes.parquet", "disputes"),
    ("meetings.parquet", "meetings"),
    ("projects.parquet", "projects"),
    ("votes.parquet", "votes"),
    ("buildings.parquet", "buildings"),
    ("network.parquet", "network"),
    ("building_support.parquet", "building_support"),
    ("report.csv (sweeps)", "report"),
    ("sensitivity.csv (Morris / Sobol)", "sensitivity"),
]


def _cell(text: str) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def _rows(keys: list[str]) -> list[str]:
    lines = [
        "| key | English | 中文 | unit / 单位 | format | definition | 定义 |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in keys:
        e = catalog.find(key)
        unit = catalog.units().get(e.unit, {"en": e.unit, "zh": e.unit})
        u = " / ".join(x for x in dict.fromkeys((unit["en"], unit["zh"])) if x) or "-"
        shown = key.split("/", 1)[1] if "/" in key else key
        cells = [f"`{shown}`", e.en, e.zh, u, e.format, e.def_en, e.def_zh]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def outputs_markdown() -> str:
    """The whole of ``docs/outputs.md``."""
    data = catalog._data()
    out = [HEADER]
    for title, section in SECTIONS:
        if section == "summary":
            keys = list(data["summary"])
        elif section == "timeseries":
            keys = [f"timeseries/{k}" for k in data["timeseries"]]
        else:
            keys = [f"{section}/{k}" for k in data["tables"][section]]
        out += [f"## {title}", "", *_rows(keys), ""]
    out += [
        "## Families / 系列",
        "",
        "| pattern | English | 中文 | definition | 定义 |",
        "|---|---|---|---|---|",
    ]
    for pat, e in data["patterns"].items():
        cells = [f"`{pat}`", e["en"], e["zh"], e["def_en"], e["def_zh"]]
        out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    out += ["", "## Values / 取值", "", "| value | English | 中文 |", "|---|---|---|"]
    for key, e in data["values"].items():
        out.append(f"| `{key}` | {_cell(e['en'])} | {_cell(e['zh'])} |")
    return "\n".join(out) + "\n"


def write_outputs_doc(path: str | Path) -> bool:
    """Write ``docs/outputs.md``; returns whether it changed (never touches another file)."""
    p = Path(path)
    new = outputs_markdown()
    old = p.read_text(encoding="utf-8") if p.exists() else None
    if new != old:
        p.write_text(new, encoding="utf-8")
    return new != old
