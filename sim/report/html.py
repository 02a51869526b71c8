"""Self-contained HTML report of a run or a sweep, with the dashboard's figures."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from sim.dashboard import figures as fg
from sim.dashboard.catalog import load_report, load_run, load_sensitivity, sweep_design
from sim.results.sweeps import is_sweep


def _fig_html(fig, first: bool) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=bool(first))


def _table_html(df: pd.DataFrame, rows: int = 30) -> str:
    if df is None or df.empty:
        return "<p>none</p>"
    return df.head(rows).to_html(index=False, border=0, classes="t", float_format="%.3f")


def run_report(path: Path) -> tuple[str, list[str]]:
    """Title and HTML sections of a run folder."""
    r = load_run(path)
    ts = r["timeseries"]
    metrics = [
        m for m in ("open_disputes", "resolved_L1", "resolved_L2", "failed") if m in ts.columns
    ]
    metrics += [c for c in ts.columns if c.startswith("support:")]
    figs = [fg.timeseries_figure(ts, metrics, "Daily series")]
    b = r.get("buildings")
    if b is not None and not b.empty:
        last = int(ts.day.max())
        values = fg.open_disputes_by_building(r["disputes"], len(b), last).astype(float)
        figs.append(fg.network_figure(b, r["network"], values, "open disputes", last))
    summary = pd.DataFrame([{"metric": k, "value": str(v)} for k, v in r["summary"].items()])
    sections = [f"<h2>Summary</h2>{_table_html(summary, 100)}"]
    sections += [_fig_html(f, i == 0) for i, f in enumerate(figs)]
    for name in ("projects", "votes", "meetings", "disputes"):
        df = r.get(name)
        if df is not None and not df.empty:
            sections.append(f"<h2>{name.capitalize()} (first rows)</h2>{_table_html(df)}")
    return f"Run {path.name}", sections


def sweep_report(path: Path) -> tuple[str, list[str]]:
    """Title and HTML sections of a sweep folder."""
    rep = load_report(path)
    params = [
        c
        for c in rep.columns
        if c not in {"point", "metric", "mean", "sd", "ci_low", "ci_high", "n", "method"}
    ]
    sections = []
    first = True
    for metric in dict.fromkeys(rep.metric):
        if len(params) >= 2:
            others = {p: rep[p].iloc[0] for p in params[2:]}
            sections.append(
                _fig_html(fg.heatmap_figure(rep, params[0], params[1], metric, others), first)
            )
            first = False
        if params:
            series = params[1] if len(params) > 1 else None
            others = {p: rep[p].iloc[0] for p in params[2:]}
            sections.append(
                _fig_html(fg.line_figure(rep, params[0], metric, series, others), first)
            )
            first = False
    if sweep_design(path) in ("morris", "sobol"):
        table = load_sensitivity(path)
        for metric in dict.fromkeys(table.metric):
            sections.append(_fig_html(fg.sensitivity_figure(table, metric), first))
            first = False
    sections.append(f"<h2>Report table</h2>{_table_html(rep, 500)}")
    return f"Sweep {path.name}", sections


def write_report(source: str | Path, target: str | Path) -> Path:
    """Write a self-contained HTML report of a run or sweep folder.

    Raises:
        FileNotFoundError: ``source`` is neither a run nor a sweep folder.
    """
    src = Path(source)
    if is_sweep(src):
        title, sections = sweep_report(src)
    elif (src / "summary.json").exists():
        title, sections = run_report(src)
    else:
        raise FileNotFoundError(f"{src}: neither a run folder (summary.json) nor a sweep folder")
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:1200px;margin:20px auto;color:#222}"
        "table.t{border-collapse:collapse;font-size:12px}table.t td,table.t th"
        "{border-bottom:1px solid #ddd;padding:2px 8px}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(str(src.resolve()))}</p>"
        + "\n".join(sections)
        + "</body></html>"
    )
    out = Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
