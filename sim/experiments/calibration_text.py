"""The human-readable summary (``summary.md``) of a calibration folder."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.experiments.calibration import CalibrationSpec


def _g(v: Any) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    return f"{v:.4g}"


def summary_markdown(spec: CalibrationSpec, result: dict[str, Any]) -> str:
    """A markdown summary: generations, parameters, identifiability, predictive checks."""
    lines = [
        f"# Calibration: {spec.name}",
        "",
        f"ABC-SMC (pyabc), {spec.population} particles per generation, "
        f"{len(result['generations'])} generation(s), {spec.replicates} run(s) per particle. "
        f"Fitted: {', '.join(s.name for s in spec.statistics)}. "
        f"Held out: {', '.join(s.name for s in spec.held_out) or 'none'}.",
        "",
        "## Generations",
        "",
        "| generation | epsilon | evaluations | acceptance | distance median | q90 |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for g in result["generations"]:
        lines.append(
            f"| {g['generation']} | {_g(g['epsilon'])} | {g['evaluations']} | "
            f"{g['acceptance_rate']:.1%} | {_g(g['distance_median'])} | {_g(g['distance_q90'])} |"
        )
    lines += [
        "",
        "## Parameters (90% intervals)",
        "",
        "| parameter | prior | posterior median | posterior | width vs prior | identified |",
        "|---|---|---:|---|---:|---|",
    ]
    for p in result["parameters"]:
        lines.append(
            f"| {p['parameter']} | {p['prior']} [{_g(p['prior_q05'])}, {_g(p['prior_q95'])}] | "
            f"{_g(p['posterior_median'])} | [{_g(p['posterior_q05'])}, "
            f"{_g(p['posterior_q95'])}] | {p['width_ratio']:.0%} | "
            f"{'yes' if p['identified'] else '**no**'} |"
        )
    for w in result["warnings"]:
        lines += ["", f"> warning: {w}"]
    corr = result["correlations"]
    names = list(corr)
    pairs = [(a, b, corr[b][a]) for i, a in enumerate(names) for b in names[i + 1 :]]
    if pairs:
        lines += [
            "",
            "Posterior correlations: "
            + "; ".join(f"{a} ~ {b}: {_g(c)}" for a, b, c in pairs)
            + ".",
        ]
    lines += [
        "",
        "## Posterior-predictive check",
        "",
        "| statistic | role | observed | median | 90% interval | inside |",
        "|---|---|---:|---:|---|---|",
    ]
    for c in result["predictive"]:
        inside = "-" if c["inside_90"] is None else ("yes" if c["inside_90"] else "**no**")
        lines.append(
            f"| {c['statistic']} | {c['role']} | {_g(c['observed'])} | {_g(c['median'])} | "
            f"[{_g(c['q05'])}, {_g(c['q95'])}] | {inside} |"
        )
    if result["pattern_checks"]:
        lines += ["", "Held-out facts rows, checked over the posterior-predictive draws:", ""]
        for p in result["pattern_checks"]:
            verdict = "pass" if p["passed"] else "FAIL"
            lines.append(f"- {p['pattern']} {p['source']}: {p['target']}: {p['model']}: {verdict}")
    return "\n".join(lines) + "\n"
