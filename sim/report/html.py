"""Self-contained HTML reports by kind: a run, a grid sweep, a Morris/Sobol study, a comparison.

Words come from the catalogue in the chosen language. Every table keeps every row (long ones
are split into pages, never cut); metrics that do not vary across a sweep are left out, and
the report says which.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import pandas as pd

from sim.dashboard import figures as fg
from sim.dashboard.catalog import discover, load_report, load_run, load_sensitivity, sweep_design
from sim.dashboard.tables import display_frame
from sim.dashboard.widgets import graph_config
from sim.experiments.analysis import grid_matrix, report_parameters, varying_metrics
from sim.results import catalog as ct
from sim.results.planner import planner_lines
from sim.results.sweeps import is_sweep

PAGE_ROWS = 100
STYLE = (
    "body{font-family:'Noto Sans CJK SC','Noto Sans SC',system-ui,sans-serif;max-width:1200px;"
    "margin:20px auto;color:#222}table.t{border-collapse:collapse;font-size:12px;margin:6px 0}"
    "table.t td,table.t th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:right}"
    "table.t td:first-child,table.t th:first-child{text-align:left}.muted{color:#666}"
    "details{margin:4px 0}"
)


class _Figures:
    """Collects figures; plotly.js is inlined once, with the first; toolbar in ``lang``."""

    def __init__(self, lang: str = "en") -> None:
        self.first = True
        self.config = graph_config(lang)

    def html(self, fig) -> str:
        out = fig.to_html(full_html=False, include_plotlyjs=bool(self.first), config=self.config)
        self.first = False
        return out


def _esc(x) -> str:
    return html.escape(str(x))


def _table(df: pd.DataFrame, lang: str, key_of=None, name: str = "") -> str:
    """A table with every row; more than :data:`PAGE_ROWS` rows are split into pages."""
    if df is None or df.empty:
        return f"<p class='muted'>{_esc(ct.ui('none', lang))}</p>"
    heads = [ct.label(key_of(c), lang) if key_of else str(c) for c in df.columns]
    tips = [ct.describe(key_of(c), lang) if key_of else "" for c in df.columns]
    head = "".join(
        f"<th title='{_esc(t)}'>{_esc(h)}</th>" for h, t in zip(heads, tips, strict=True)
    )

    def rows(part: pd.DataFrame) -> str:
        body = "".join(
            "<tr>" + "".join(f"<td>{_esc('—' if v is None else v)}</td>" for v in r) + "</tr>"
            for r in part.itertuples(index=False)
        )
        return f"<table class='t'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    n = len(df)
    if n <= PAGE_ROWS:
        return rows(df)
    pages = math.ceil(n / PAGE_ROWS)
    out = [
        f"<p class='muted'>{_esc(ct.ui('rows_total', lang, n=n, pages=pages, size=PAGE_ROWS))}</p>"
    ]
    for i in range(pages):
        part = df.iloc[i * PAGE_ROWS : (i + 1) * PAGE_ROWS]
        label = ct.ui("page_n", lang, i=i + 1, pages=pages)
        out.append(f"<details{' open' if i == 0 else ''}><summary>{_esc(label)}</summary>")
        out.append(rows(part) + "</details>")
    return "".join(out)


def _result_table(name: str, df: pd.DataFrame | None, lang: str) -> str:
    if df is None or df.empty:
        return _table(df, lang)
    return _table(display_frame(name, df, lang), lang, lambda c: f"{name}/{c}")


def _thresholds(r: dict) -> dict[str, float]:
    projects = r.get("manifest", {}).get("scenario", {}).get("projects", []) or []
    return {f"support:{p['name']}": fg.vote_threshold(p.get("matter")) for p in projects}


def run_report(path: Path, lang: str = "en") -> tuple[str, list[str]]:
    """Title and HTML sections of a run folder: planner's summary, figures, every table."""
    r = load_run(path)
    ts = r["timeseries"]
    figs = _Figures(lang)
    lines = planner_lines(r["summary"], lang)
    groups = [
        ln.group if i == 0 or ln.group != lines[i - 1].group else "" for i, ln in enumerate(lines)
    ]
    summary = pd.DataFrame(
        [(g, ln.label, ln.value, ln.meaning) for g, ln in zip(groups, lines, strict=True)],
        columns=["", ct.ui("col_what", lang), ct.ui("col_value", lang), ct.ui("col_meaning", lang)],
    )
    sections = [f"<h2>{_esc(ct.ui('summary', lang))}</h2>{_table(summary, lang)}"]
    metrics = [m for m in ("open_disputes", "resolved_L1", "resolved_L2", "expired") if m in ts]
    metrics += [c for c in ts.columns if c.startswith("support:")]
    sections.append(figs.html(fg.timeseries_figure(ts, metrics, path.name, lang, _thresholds(r))))
    b = r.get("buildings")
    if b is not None and not b.empty:
        last = int(ts.day.max())
        values = fg.open_disputes_by_building(r["disputes"], len(b), last).astype(float)
        date = ct.fmt("date", pd.Timestamp(ts.date.iloc[-1]).date(), lang) if "date" in ts else None
        sections.append(
            figs.html(fg.network_figure(b, r["network"], values, "open_disputes", last, lang, date))
        )
    for name in ("projects", "votes", "meetings", "disputes"):
        df = r.get(name)
        if df is not None and not df.empty:
            heading = (
                ct.label("section/projects", lang) if name == "projects" else ct.ui(name, lang)
            )
            sections.append(f"<h2>{_esc(heading)}</h2>")
            sections.append(_result_table(name, df, lang))
    return ct.ui("report_of_run", lang, name=path.name), sections


def _cell(metric: str, cell: tuple, lang: str) -> str:
    mean, lo, hi, n = cell
    if n == 0 or mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "—"
    ci = (
        ""
        if lo is None or math.isnan(lo)
        else f" [{ct.fmt(metric, lo, lang)}, {ct.fmt(metric, hi, lang)}]"
    )
    return f"{ct.fmt(metric, mean, lang)}{ci} n={int(n)}"


def matrix_html(rep: pd.DataFrame, metric: str, x: str, y: str, lang: str) -> str:
    """The matrix of a metric over the two main levers, each cell with its interval and n."""
    m = grid_matrix(rep, metric, x, y)
    xl, yl = ct.label(f"param:{x}", lang), ct.label(f"param:{y}", lang)
    title = ct.ui("matrix", lang, metric=ct.label(metric, lang), x=xl, y=yl)
    head = f"<th>{_esc(yl)} ↓ · {_esc(xl)} →</th>" + "".join(
        f"<th>{_esc(fg.level_text(v))}</th>" for v in m.columns
    )
    body = "".join(
        f"<tr><td>{_esc(fg.level_text(yv))}</td>"
        + "".join(f"<td>{_esc(_cell(metric, c, lang))}</td>" for c in row)
        + "</tr>"
        for yv, row in zip(m.index, m.itertuples(index=False), strict=True)
    )
    return f"<h3>{_esc(title)}</h3><table class='t'><tr>{head}</tr>{body}</table>"


def _left_out(rep: pd.DataFrame, kept: list[str], lang: str) -> str:
    dropped = [m for m in dict.fromkeys(rep.metric) if m not in kept]
    if not dropped:
        return ""
    names = ", ".join(ct.label(m, lang) for m in dropped)
    return f"<p class='muted'>{_esc(ct.ui('constant_left_out', lang, metrics=names))}</p>"


def _report_table(rep: pd.DataFrame, metrics: list[str], lang: str) -> str:
    r = rep[rep.metric.isin(metrics)].copy()
    r["metric"] = [ct.label(m, lang) for m in r.metric]
    for c in ("mean", "sd", "ci_low", "ci_high"):
        r[c] = r[c].round(4)
    params = report_parameters(rep)
    for c in params:
        r[c] = [fg.level_text(v) for v in r[c]]
    return _table(
        r,
        lang,
        lambda c: f"param:{c}" if c in params else f"report/{c}",
    )


def sweep_report(path: Path, lang: str = "en") -> tuple[str, list[str]]:
    """Title and HTML sections of a sweep folder, by its design."""
    design = sweep_design(path)
    rep = load_report(path)
    params = report_parameters(rep)
    metrics = varying_metrics(rep)
    figs = _Figures(lang)
    sections = [_left_out(rep, metrics, lang)]
    title = ct.ui(
        "report_of_sweep", lang, name=path.name, design=ct.value_label("design", design, lang)
    )
    if design in ("morris", "sobol"):
        table = load_sensitivity(path)
        reading = ct.ui("sobol_reading" if design == "sobol" else "morris_reading", lang)
        sections.append(f"<p>{_esc(reading)}</p>")
        for metric in dict.fromkeys(table.metric if not table.empty else []):
            t = table[table.metric == metric].sort_values("rank")
            cols = ["rank", "parameter"] + (
                ["mu_star", "mu_star_conf", "sigma"]
                if design == "morris"
                else ["S1", "S1_conf", "ST", "ST_conf"]
            )
            t = t[cols].copy()
            t["parameter"] = [ct.label(f"param:{p}", lang) for p in t.parameter]
            for c in cols[2:]:
                t[c] = t[c].round(4)
            sections.append(f"<h2>{_esc(ct.label(metric, lang))}</h2>")
            sections.append(_table(t, lang, lambda c: f"sensitivity/{c}"))
            sections.append(figs.html(fg.sensitivity_figure(table, metric, lang)))
    else:
        for metric in metrics:
            sections.append(f"<h2>{_esc(ct.label(metric, lang))}</h2>")
            sections.append(f"<p class='muted'>{_esc(ct.describe(metric, lang))}</p>")
            if len(params) >= 2 and design == "grid":
                sections.append(matrix_html(rep, metric, params[0], params[1], lang))
                sections.append(
                    figs.html(fg.heatmap_figure(rep, params[0], params[1], metric, None, lang))
                )
            if params:
                series = params[1] if len(params) > 1 else None
                sections.append(
                    figs.html(fg.line_figure(rep, params[0], metric, series, None, lang))
                )
    sections.append(
        f"<h2>{_esc(ct.ui('report_table', lang))}</h2>{_report_table(rep, metrics, lang)}"
    )
    return title, sections


def compare_report(folder: Path, lang: str = "en") -> tuple[str, list[str]]:
    """Title and HTML sections comparing every run found under ``folder``."""
    c = discover(folder)
    runs = {e.label: load_run(e.path) for e in c.runs()}
    keys = [k for k in dict.fromkeys(k for r in runs.values() for k in r["summary"]) if ct.has(k)]
    rows = [
        [ct.label(k, lang)] + [ct.fmt(k, r["summary"].get(k), lang) for r in runs.values()]
        for k in keys
    ]
    table = pd.DataFrame(rows, columns=[ct.ui("col_what", lang), *runs])
    figs = _Figures(lang)
    shares = [k for k in keys if ct.kind(k) == "share"]
    sections = [
        _table(table, lang),
        figs.html(fg.compare_figure({n: r["summary"] for n, r in runs.items()}, shares, lang)),
        figs.html(
            fg.compare_series_figure(
                {n: r["timeseries"] for n, r in runs.items()}, "open_disputes", lang
            )
        ),
    ]
    return ct.ui("comparison", lang), sections


def write_report(source: str | Path, target: str | Path, lang: str = "en") -> Path:
    """Write a self-contained HTML report of a run, a sweep, or a folder of runs (comparison).

    Raises:
        FileNotFoundError: ``source`` is not a run or sweep folder and holds fewer than two runs.
    """
    src = Path(source)
    lang = ct.check_lang(lang)
    if is_sweep(src):
        title, sections = sweep_report(src, lang)
    elif (src / "summary.json").exists():
        title, sections = run_report(src, lang)
    elif src.is_dir() and len(discover(src).runs()) >= 2:
        title, sections = compare_report(src, lang)
    else:
        raise FileNotFoundError(
            f"{src}: neither a run folder (summary.json), a sweep folder, nor a folder of runs"
        )
    html_lang = "zh-CN" if lang == "zh" else "en"
    page = (
        f"<!DOCTYPE html><html lang='{html_lang}'><head><meta charset='utf-8'>"
        f"<title>{_esc(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{_esc(title)}</h1><p class='muted'>{_esc(src.resolve())}</p>"
        + "\n".join(s for s in sections if s)
        + "</body></html>"
    )
    out = Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
