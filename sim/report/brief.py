"""A one-page brief for a community meeting: what changes if we change a lever.

Made from a comparison folder (``sim compare`` or the dashboard's workbench): the question, the
settings compared, the headline results with their 95% intervals, one figure of the differences
and a sentence per result in plain words, in Chinese or English. Self-contained HTML (inline SVG,
no script), laid out to print on one page.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from pathlib import Path
from typing import Any

from sim.results import catalog as cat
from sim.results.comparison_text import (
    HEADLINE,
    changed_settings,
    fmt_diff,
    fmt_diff_interval,
    fmt_interval,
    is_share,
    sentence,
    setting_value,
    settings_text,
)

__all__ = ["HEADLINE", "brief_html", "changed_settings", "fmt_diff", "sentence", "write_brief"]


def _svg(rows: list[tuple[str, str, list[float]]], lang: str) -> str:
    """Dot-and-whisker chart of the differences (shares in percentage points)."""
    if not rows:
        return ""
    vals = [v for _, key, triple in rows for v in _scaled(key, triple) if math.isfinite(v)]
    if not vals:
        return ""
    lim = max(1e-9, max(abs(v) for v in vals))
    width, left, right, row_h = 640, 230, 30, 28
    height = row_h * len(rows) + 40
    x = lambda v: left + (v + lim) / (2 * lim) * (width - left - right)  # noqa: E731
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{html.escape(cat.ui("brief_figure", lang))}">',
        f'<line x1="{x(0):.1f}" y1="10" x2="{x(0):.1f}" y2="{height - 25}" stroke="#888"/>',
    ]
    for i, (label, key, triple) in enumerate(rows):
        m, lo, hi = _scaled(key, triple)
        y = 25 + i * row_h
        parts.append(
            f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" font-size="12">'
            f"{html.escape(label)}</text>"
        )
        if all(math.isfinite(v) for v in (m, lo, hi)):
            parts.append(
                f'<line x1="{x(lo):.1f}" y1="{y}" x2="{x(hi):.1f}" y2="{y}" '
                'stroke="#1f77b4" stroke-width="2"/>'
                f'<circle cx="{x(m):.1f}" cy="{y}" r="4" fill="#1f77b4"/>'
            )
    parts.append(
        f'<text x="{(left + width - right) / 2:.0f}" y="{height - 5}" text-anchor="middle" '
        f'font-size="11">{html.escape(cat.ui("brief_axis", lang))}</text></svg>'
    )
    return "".join(parts)


def _scaled(key: str, triple) -> tuple[float, float, float]:
    f = 100.0 if is_share(key) else 1.0
    return tuple(float("nan") if v is None else v * f for v in triple)


def _record(folder: Path) -> dict[str, Any]:
    """A comparison record, or a run folder read as a comparison of the run with itself."""
    if (folder / "comparison.json").exists():
        return json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    scenario = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["scenario"]
    metrics = {}
    for key, value in summary.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            v = float(value)
            metrics[key] = {"baseline": [v, v, v], "variant": [v, v, v], "difference": [None] * 3}
    return {
        "scenarios": {"baseline": scenario, "variant": scenario},
        "seeds": [1],
        "metrics": metrics,
    }


def brief_html(folder: str | Path, lang: str = "en") -> str:
    """The brief of a comparison folder (or of one run) as one HTML page."""
    lang = cat.check_lang(lang)
    record = _record(Path(folder))
    name = record["scenarios"]["baseline"].get("name", "")
    metrics = record["metrics"]
    keys = [k for k in HEADLINE if k in metrics]
    changes = changed_settings(record)
    esc = html.escape
    what = settings_text(changes, lang) or cat.ui("brief_no_change", lang)
    rows_html = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            esc(cat.label(k, lang)),
            *(esc(fmt_interval(k, metrics[k][arm], lang)) for arm in ("baseline", "variant")),
            esc(fmt_diff_interval(k, metrics[k]["difference"], lang)),
        )
        for k in keys
    )
    settings_html = "".join(
        f"<tr><td>{esc(cat.label('param:' + k, lang))}</td><td>{esc(setting_value(b_, lang))}</td>"
        f"<td>{esc(setting_value(v_, lang))}</td></tr>"
        for k, b_, v_ in changes
    )
    sentences = "".join(f"<li>{esc(sentence(k, metrics[k], lang))}</li>" for k in keys)
    svg = _svg([(cat.label(k, lang), k, metrics[k]["difference"]) for k in keys], lang)
    n = len(record.get("seeds", []))
    ui = lambda key, **f: esc(cat.ui(key, lang, **f))  # noqa: E731
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<title>{ui("brief_title", name=name)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; max-width: 46em;
  margin: 1.5em auto; color: #222; font-size: 14px; }}
h1 {{ font-size: 1.4em; margin-bottom: .2em; }} h2 {{ font-size: 1.1em; margin: 1em 0 .3em; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .25em .4em; text-align: left; }}
.note {{ color: #555; font-size: .85em; }}
@media print {{ body {{ margin: 0; }} @page {{ size: A4; margin: 14mm; }} }}
</style></head><body>
<h1>{ui("brief_title", name=name)}</h1>
<p><strong>{ui("brief_question")}</strong> {esc(what)}</p>
<h2>{ui("brief_settings")}</h2>
<table><tr><th>{ui("brief_setting")}</th><th>{ui("brief_now")}</th>
<th>{ui("brief_proposed")}</th></tr>{settings_html}</table>
<h2>{ui("brief_results", n=n)}</h2>
<table><tr><th>{ui("brief_result")}</th><th>{ui("brief_now")}</th><th>{ui("brief_proposed")}</th>
<th>{ui("brief_difference")}</th></tr>{rows_html}</table>
{svg}
<ul>{sentences}</ul>
<p class="note">{ui("brief_method", n=n)} {ui("brief_made", date=dt.date.today().isoformat())}</p>
</body></html>
"""


def write_brief(folder: str | Path, out: str | Path, lang: str = "en") -> Path:
    """Write the brief of a comparison folder to ``out`` (a new .html file)."""
    out = Path(out)
    out.write_text(brief_html(folder, lang), encoding="utf-8")
    return out
