"""Scenario discovery over a finished sweep or LHS study (``sim discover``).

Each finished run is a case; the outcome is ``metric >= threshold`` (``above``) or
``metric <= threshold``; inputs are the swept parameters that vary (``param:PATH`` columns;
booleans as 0/1; text-valued parameters are left out and named in the result). Runs whose
metric is missing (e.g. a pass rate with no project) are left out and counted. PRIM and CART
come from :mod:`.boxes`. Results go to ``SWEEP/discovery/<metric>-<ge|le>-<threshold>.json``
and ``.md``: a folder no other sim command writes, so nothing of the sweep is overwritten.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.boxes import (
    box_words,
    cart,
    leaves,
    num,
    prim,
    quasi_p_values,
    rule_limits,
    tree_dict,
)
from sim.messages import Msg
from sim.results.paths import write_text_atomic
from sim.results.sweeps import runs_frame

PARAM = "param:"
WRITER = "sim discover"


def inputs(runs: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The varying numeric parameter columns (names without ``param:``) and those left out."""
    cols, skipped = {}, []
    for c in runs.columns:
        if not c.startswith(PARAM):
            continue
        s = runs[c]
        if s.dtype == bool:
            s = s.astype(int)
        if not pd.api.types.is_numeric_dtype(s):
            skipped.append(c[len(PARAM) :])
            continue
        if s.nunique(dropna=True) > 1:
            cols[c[len(PARAM) :]] = s.astype(float)
    return pd.DataFrame(cols), skipped


def discover(
    folder: str | Path,
    metric: str,
    threshold: float,
    above: bool = True,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_density: float = 0.8,
    max_depth: int = 3,
    min_leaf: int = 5,
) -> dict[str, Any]:
    """Run PRIM and CART on a sweep's runs; returns plain data (see :func:`markdown`).

    Raises:
        FileNotFoundError: not a sweep folder or no finished runs.
        ValueError: unknown metric, no varying parameter, or no run with the outcome.
    """
    runs = runs_frame(folder)
    if metric not in runs.columns:
        metrics = sorted(c for c in runs.columns if "." in c and not c.startswith(PARAM))
        raise ValueError(Msg("metric_not_in_runs", metric=repr(metric), metrics=metrics))
    values = pd.to_numeric(runs[metric], errors="coerce")
    known = values.notna().to_numpy()
    X, skipped = inputs(runs[known].reset_index(drop=True))
    if X.shape[1] == 0:
        raise ValueError(Msg("no_varying_parameter"))
    v = values[known].to_numpy(dtype=float)
    y = v >= threshold if above else v <= threshold
    if not y.any():
        op = ">=" if above else "<="
        raise ValueError(Msg("no_run_meets", metric=metric, op=op, threshold=num(threshold)))
    res = prim(X, y, alpha=alpha, min_mass=min_mass, min_density=min_density)
    tree = cart(X, y, max_depth=max_depth, min_leaf=min_leaf)
    rules = []
    for path, leaf in leaves(tree):
        limits = rule_limits(path)
        hits = int(round(leaf.density * leaf.n))
        rules.append(
            {
                "limits": {k: [_finite(lo), _finite(hi)] for k, (lo, hi) in limits.items()},
                "words": box_words(_snap(limits, X)),
                "n": leaf.n,
                "density": leaf.density,
                "coverage": hits / int(y.sum()),
            }
        )
    op = ">=" if above else "<="
    chosen = res.chosen
    return {
        "written_by": WRITER,
        "sweep": str(folder),
        "metric": metric,
        "threshold": threshold,
        "direction": op,
        "outcome": f"{metric} {op} {num(threshold)}",
        "runs": int(len(runs)),
        "runs_used": int(known.sum()),
        "runs_missing_metric": int((~known).sum()),
        "base_rate": float(y.mean()),
        "parameters": list(X.columns),
        "ranges": {k: list(r) for k, r in res.ranges.items()},
        "skipped_parameters": skipped,
        "settings": {
            "alpha": alpha,
            "min_mass": min_mass,
            "min_density": min_density,
            "max_depth": max_depth,
            "min_leaf": min_leaf,
        },
        "prim": {
            "trajectory": [b.to_dict() for b in res.trajectory],
            "chosen_index": res.chosen_index,
            "box": chosen.to_dict(),
            "quasi_p": quasi_p_values(chosen, X, y),
            "words": sentence(metric, op, threshold, chosen.density, box_words(chosen.limits)),
        },
        "cart": {"tree": tree_dict(tree), "rules": rules},
    }


def sentence(metric: str, op: str, threshold: float, density: float, where: str) -> str:
    """A box in plain words: ``x >= T in 85% of runs when a >= 2 and b <= 0.1``."""
    when = where if where.startswith("for every") else f"when {where}"
    return f"{metric} {op} {num(threshold)} in {density:.0%} of runs {when}"


def markdown(result: dict[str, Any]) -> str:
    """A short human-readable summary of a discovery result."""
    p = result["prim"]
    box = p["box"]
    lines = [
        f"# Scenario discovery: {result['outcome']}",
        "",
        f"Sweep `{result['sweep']}`: {result['runs_used']} runs used "
        f"({result['runs_missing_metric']} without the metric); the outcome holds in "
        f"{result['base_rate']:.0%} of them. Inputs: {', '.join(result['parameters'])}.",
        "",
        "## PRIM box",
        "",
        f"**{p['words']}** (coverage {box['coverage']:.0%}: share of all outcome runs inside "
        f"the box; density {box['density']:.0%}: share of runs inside the box with the "
        f"outcome; mass {box['mass']:.0%} of runs).",
        "",
        "Quasi-p-values of the restrictions (chance of the box's density if that one "
        "restriction did nothing; > 0.05: the restriction may be chance): "
        + (", ".join(f"{k} {v:.2g}" for k, v in p["quasi_p"].items()) or "none")
        + ".",
        "",
        "Peeling trajectory (each step trades coverage for density; * = chosen before pasting):",
        "",
        "| step | coverage | density | mass | restricted |",
        "|---:|---:|---:|---:|---|",
    ]
    for i, b in enumerate(p["trajectory"]):
        mark = " *" if i == p["chosen_index"] else ""
        limits = {k: _bounds(v) for k, v in b["limits"].items()}
        lines.append(
            f"| {i}{mark} | {b['coverage']:.2f} | {b['density']:.2f} | {b['mass']:.2f} | "
            f"{box_words(limits)} |"
        )
    lines += [
        "",
        "## CART leaves",
        "",
        "| leaf | runs | density | coverage |",
        "|---|---:|---:|---:|",
    ]
    for r in sorted(result["cart"]["rules"], key=lambda r: -r["density"]):
        lines.append(f"| {r['words']} | {r['n']} | {r['density']:.2f} | {r['coverage']:.2f} |")
    if result["skipped_parameters"]:
        lines += ["", f"Left out (not numeric): {', '.join(result['skipped_parameters'])}."]
    return "\n".join(lines) + "\n"


def default_stem(metric: str, threshold: float, above: bool) -> str:
    """File stem of a discovery result: ``projects.pass_rate-ge-0.8``."""
    return f"{metric}-{'ge' if above else 'le'}-{num(threshold)}"


def write(result: dict[str, Any], out: str | Path) -> tuple[Path, Path]:
    """Write ``discovery.json``-style files ``OUT.json`` and ``OUT.md`` (``out`` without suffix).

    Raises:
        FileExistsError: a file of that name exists and was not written by ``sim discover``.
    """
    out = Path(out)
    js, md = out.with_name(out.name + ".json"), out.with_name(out.name + ".md")
    for f in (js, md):
        if f.exists() and not _ours(f, js):
            raise FileExistsError(f"{f}: exists and was not written by sim discover")
    out.parent.mkdir(parents=True, exist_ok=True)
    for f, text in ((js, json.dumps(result, indent=2, default=_plain)), (md, markdown(result))):
        write_text_atomic(f, text)
    return js, md


def _ours(f: Path, js: Path) -> bool:
    """Whether an existing result pair was written by ``sim discover`` (its JSON says so)."""
    try:
        return json.loads(js.read_text()).get("written_by") == WRITER
    except (OSError, ValueError, AttributeError):
        return False


def _snap(limits: dict, X: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """A CART leaf's midpoint thresholds moved to the nearest values the sweep actually took."""
    out = {}
    for k, (lo, hi) in limits.items():
        x = X[k].to_numpy(dtype=float)
        lo = float(x[x >= lo].min()) if np.isfinite(lo) and (x >= lo).any() else lo
        hi = float(x[x <= hi].max()) if np.isfinite(hi) and (x <= hi).any() else hi
        out[k] = (lo, hi)
    return out


def _bounds(v: list) -> tuple[float, float]:
    """JSON bounds (``None`` = open) back to floats."""
    return (-np.inf if v[0] is None else v[0], np.inf if v[1] is None else v[1])


def _finite(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return str(v)
