"""Self-contained HTML reports of a calibration folder and of a discovery result."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots


def _table(df: pd.DataFrame) -> str:
    if df is None or df.empty:
        return "<p>none</p>"
    return df.to_html(index=False, border=0, classes="t", float_format="%.4g", na_rep="-")


def _fig(fig: go.Figure, first: bool) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=bool(first))


def _page(title: str, source: Path, sections: list[str]) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:1200px;margin:20px auto;color:#222}"
        "table.t{border-collapse:collapse;font-size:12px}table.t td,table.t th"
        "{border-bottom:1px solid #ddd;padding:2px 8px}.warn{color:#a40}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(str(source.resolve()))}</p>"
        + "\n".join(sections)
        + "</body></html>"
    )


def calibration_sections(folder: Path) -> tuple[str, list[str]]:
    """Title and HTML sections of a calibration folder (see :mod:`sim.experiments.calibrate`)."""
    meta = json.loads((folder / "calibration.json").read_text())
    gens = pd.read_csv(folder / "generations.csv")
    params = pd.read_csv(folder / "parameters.csv")
    post = pd.read_parquet(folder / "posterior.parquet")
    checks = pd.read_csv(folder / "predictive.csv")
    names = list(params.parameter)
    sections = [f"<h2>Generations</h2>{_table(gens)}"]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("epsilon and distances", "acceptance"))
    for col in ("epsilon", "distance_median", "distance_q90"):
        fig.add_trace(go.Scatter(x=gens.generation, y=gens[col], name=col), row=1, col=1)
    fig.add_trace(
        go.Bar(x=gens.generation, y=gens.acceptance_rate, name="acceptance rate"), row=1, col=2
    )
    fig.update_layout(height=320, margin={"t": 40})
    sections.append(_fig(fig, True))
    sections.append(f"<h2>Parameters (90% intervals)</h2>{_table(params)}")
    for w in meta.get("warnings", []):
        sections.append(f"<p class='warn'>warning: {html.escape(w)}</p>")
    n = len(names)
    fig = make_subplots(rows=n, cols=n, horizontal_spacing=0.04, vertical_spacing=0.04)
    size = 4 + 20 * post.weight / post.weight.max()
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i == j:
                fig.add_trace(
                    go.Histogram(
                        x=post[a], histfunc="sum", y=post.weight, nbinsx=20, showlegend=False
                    ),
                    row=i + 1,
                    col=j + 1,
                )
                r = params.iloc[i]
                for v in (r.prior_q05, r.prior_q95):
                    fig.add_vline(x=v, line_dash="dot", line_color="grey", row=i + 1, col=j + 1)
            else:
                fig.add_trace(
                    go.Scatter(
                        x=post[b],
                        y=post[a],
                        mode="markers",
                        marker={"size": size},
                        showlegend=False,
                    ),
                    row=i + 1,
                    col=j + 1,
                )
            if i == n - 1:
                fig.update_xaxes(title_text=b, row=i + 1, col=j + 1)
            if j == 0:
                fig.update_yaxes(title_text=a, row=i + 1, col=j + 1)
    fig.update_layout(
        height=260 * n + 60,
        title="Posterior: weighted histograms (dotted: prior 90% interval) and pairs",
    )
    sections.append(_fig(fig, False))
    corr = pd.read_csv(folder / "correlations.csv", index_col=0)
    sections.append(f"<h2>Posterior correlations</h2>{_table(corr.reset_index(names=''))}")
    fig = go.Figure()
    scaled = checks[checks.observed.notna()]
    if "scale" in scaled:
        for role, colour in (("fitted", "#1f77b4"), ("held_out", "#d62728")):
            c = scaled[scaled.role == role]
            z = {q: (c[q] - c.observed) / c.scale for q in ("median", "q05", "q95")}
            fig.add_trace(
                go.Scatter(
                    x=z["median"],
                    y=c.statistic,
                    mode="markers",
                    name=f"{role}: predictive median and 90%",
                    marker={"color": colour, "size": 9},
                    error_x={
                        "type": "data",
                        "symmetric": False,
                        "array": z["q95"] - z["median"],
                        "arrayminus": z["median"] - z["q05"],
                    },
                )
            )
        fig.add_vline(x=0, line_color="black", annotation_text="observed")
    fig.update_layout(
        height=160 + 40 * len(scaled),
        title="Posterior-predictive check, in scales from the observed value",
        xaxis_title="(simulated - observed) / scale",
    )
    sections.append("<h2>Posterior-predictive check</h2>" + _table(checks) + _fig(fig, False))
    pats = meta.get("pattern_checks", [])
    if pats:
        sections.append(f"<h2>Held-out facts rows</h2>{_table(pd.DataFrame(pats))}")
    yaml_text = (folder / "calibrated.yaml").read_text()
    head = "\n".join(line for line in yaml_text.splitlines() if line.startswith("#"))
    sections.append(f"<h2>Calibrated scenario</h2><pre>{html.escape(head)}</pre>")
    return f"Calibration {meta['spec'].get('name', folder.name)}", sections


def discovery_sections(result: dict) -> tuple[str, list[str]]:
    """Title and HTML sections of a discovery result (the JSON of ``sim discover``)."""
    p = result["prim"]
    traj = pd.DataFrame(p["trajectory"])
    fig = go.Figure(
        go.Scatter(
            x=traj.coverage,
            y=traj.density,
            mode="markers+lines",
            text=[f"step {i}, mass {m:.2f}" for i, m in enumerate(traj.mass)],
            marker={"color": traj.mass, "colorscale": "Viridis", "showscale": True},
            name="peeling trajectory",
        )
    )
    box = p["box"]
    fig.add_trace(
        go.Scatter(
            x=[box["coverage"]],
            y=[box["density"]],
            mode="markers",
            marker={"symbol": "star", "size": 16, "color": "red"},
            name="chosen box (pasted)",
        )
    )
    fig.update_layout(
        xaxis_title="coverage", yaxis_title="density", height=420, title="PRIM trade-off"
    )
    rules = pd.DataFrame(result["cart"]["rules"])[["words", "n", "density", "coverage"]]
    traj["restricted"] = [", ".join(b) or "-" for b in traj.limits]
    sections = [
        f"<p>Outcome <b>{html.escape(result['outcome'])}</b> in "
        f"{result['base_rate']:.0%} of {result['runs_used']} runs.</p>",
        f"<h2>PRIM box</h2><p><b>{html.escape(p['words'])}</b> (coverage "
        f"{box['coverage']:.0%}, density {box['density']:.0%}, mass {box['mass']:.0%}). "
        "Quasi-p-values of the restrictions: "
        + html.escape(", ".join(f"{k} {v:.2g}" for k, v in p.get("quasi_p", {}).items()))
        + "</p>",
        _fig(fig, True),
        _table(traj[["coverage", "density", "mass", "n", "restricted"]].reset_index(names="step")),
        "<h2>CART leaves</h2>" + _table(rules.sort_values("density", ascending=False)),
    ]
    return f"Scenario discovery: {result['outcome']}", sections


def write_calibration_report(source: str | Path, target: str | Path) -> Path:
    """Write a self-contained HTML report of a calibration folder or a discovery JSON file.

    Raises:
        FileNotFoundError: ``source`` is neither.
    """
    src = Path(source)
    if src.is_dir() and (src / "posterior.parquet").exists():
        title, sections = calibration_sections(src)
    elif src.is_file() and src.suffix == ".json":
        result = json.loads(src.read_text())
        if result.get("written_by") != "sim discover":
            raise FileNotFoundError(f"{src}: not a discovery result of sim discover")
        title, sections = discovery_sections(result)
    else:
        raise FileNotFoundError(
            f"{src}: neither a finished calibration folder nor a discovery .json file"
        )
    out = Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_page(title, src, sections), encoding="utf-8")
    return out


__all__ = ["write_calibration_report", "calibration_sections", "discovery_sections"]
