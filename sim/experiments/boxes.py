"""Scenario discovery algorithms: PRIM boxes and a small CART tree (used by :mod:`.discovery`).

The question: *under which combinations of levers does an outcome happen?* Each finished run is
one case; its outcome is ``metric >= threshold`` (or ``<=``); its inputs are the swept
parameters (``param:PATH`` columns that vary). Two methods answer it:

* **PRIM** (Friedman & Fisher 1999, as used in the EMA workbench): start from the box holding
  every case, repeatedly *peel* the ``alpha`` share of cases off one side of one parameter,
  choosing the peel that leaves the highest share of outcome cases (*density*), until the box
  holds fewer than ``min_mass`` of all cases. The peeling *trajectory* trades *coverage* (share
  of all outcome cases that fall inside the box) against *density*. The chosen box is the one
  with the highest coverage among those whose density reaches ``min_density`` (else the densest
  box); it is then *pasted*: bounds are widened again while that raises density.
* **CART**: a depth-limited binary classification tree (Gini impurity, numeric thresholds at
  midpoints), whose leaves are boxes too. Implemented here because scikit-learn is not one of
  the project's dependencies (it arrives only as a transitive dependency of pyabc) and the
  ``ema_workbench`` package pulls in matplotlib, seaborn, scikit-learn and platypus-opt.

Boxes are reported as lever ranges in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.messages import Msg


@dataclass
class Box:
    """A box over the inputs: per restricted parameter a closed ``[low, high]`` range.

    A side that is not restricted (at the edge of the data) is infinite; in JSON, ``None``.
    """

    limits: dict[str, tuple[float, float]]
    coverage: float
    density: float
    mass: float
    n: int

    def contains(self, X: pd.DataFrame) -> np.ndarray:
        """Which rows of ``X`` lie inside the box."""
        inside = np.ones(len(X), dtype=bool)
        for name, (lo, hi) in self.limits.items():
            x = X[name].to_numpy(dtype=float)
            inside &= (x >= lo) & (x <= hi)
        return inside

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "limits": {k: [_finite(lo), _finite(hi)] for k, (lo, hi) in self.limits.items()},
            "coverage": self.coverage,
            "density": self.density,
            "mass": self.mass,
            "n": self.n,
        }


@dataclass
class PrimResult:
    """The peeling trajectory, the chosen (pasted) box and the data ranges."""

    trajectory: list[Box]
    chosen: Box
    chosen_index: int
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)


def _finite(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _stats(y: np.ndarray, inside: np.ndarray) -> tuple[float, float, float, int]:
    n_in = int(inside.sum())
    hits = float(y[inside].sum())
    total = float(y.sum())
    coverage = hits / total if total else 0.0
    density = hits / n_in if n_in else 0.0
    return coverage, density, n_in / len(y), n_in


def _box(limits: dict, X: pd.DataFrame, y: np.ndarray, ranges: dict) -> Box:
    """A box with its statistics; a bound at the data's edge is open (infinite)."""
    kept = {}
    for k, (lo, hi) in limits.items():
        open_lo, open_hi = lo <= ranges[k][0], hi >= ranges[k][1]
        if not (open_lo and open_hi):
            kept[k] = (-np.inf if open_lo else lo, np.inf if open_hi else hi)
    b = Box(kept, 0.0, 0.0, 0.0, 0)
    b.coverage, b.density, b.mass, b.n = _stats(y, b.contains(X))
    return b


def prim(
    X: pd.DataFrame,
    y: np.ndarray,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_density: float = 0.8,
    paste: bool = True,
) -> PrimResult:
    """Patient rule induction: peel a box towards cases with ``y`` true.

    Args:
        X: numeric inputs, one column per parameter.
        y: boolean outcome per row.
        alpha: share of the box's cases removed by one peel (and added by one paste).
        min_mass: stop peeling when a box would hold less than this share of all cases.
        min_density: the chosen box is the most covering one with at least this density.
        paste: widen the chosen box again while that raises its density.

    Returns:
        The trajectory (first box: everything) and the chosen box.

    Raises:
        ValueError: no rows, or no outcome case at all.
    """
    y = np.asarray(y, dtype=bool)
    if len(X) == 0 or len(X) != len(y):
        raise ValueError(Msg("prim_rows"))
    if not y.any():
        raise ValueError(Msg("prim_no_case"))
    vals = {c: X[c].to_numpy(dtype=float) for c in X.columns}
    ranges = {c: (float(v.min()), float(v.max())) for c, v in vals.items()}
    limits = dict(ranges)
    inside = np.ones(len(y), dtype=bool)
    trajectory = [_box(limits, X, y, ranges)]
    while True:
        best = None
        for c, v in vals.items():
            xin = v[inside]
            lo, hi = limits[c]
            for side in ("low", "high"):
                if side == "low":
                    cut = float(np.quantile(xin, alpha))
                    keep = xin >= cut
                    if keep.all():  # quantile at the minimum: drop the minimum value's cases
                        above = xin[xin > lo]
                        if above.size == 0:
                            continue
                        cut = float(above.min())
                        keep = xin >= cut
                    new = (cut, hi)
                else:
                    cut = float(np.quantile(xin, 1 - alpha))
                    keep = xin <= cut
                    if keep.all():
                        below = xin[xin < hi]
                        if below.size == 0:
                            continue
                        cut = float(below.max())
                        keep = xin <= cut
                    new = (lo, cut)
                if keep.sum() < min_mass * len(y) or keep.sum() == 0:
                    continue
                dens = float(y[inside][keep].mean())
                # tie-break: prefer the peel that removes fewer cases (more patient)
                score = (dens, keep.sum())
                if best is None or score > best[0]:
                    best = (score, c, new)
        if best is None:
            break
        _, c, new = best
        limits[c] = new
        inside = np.all(
            [(vals[k] >= limits[k][0]) & (vals[k] <= limits[k][1]) for k in vals], axis=0
        )
        trajectory.append(_box(limits, X, y, ranges))
    ok = [i for i, b in enumerate(trajectory) if b.density >= min_density]
    if ok:
        idx = max(ok, key=lambda i: (trajectory[i].coverage, trajectory[i].density, -i))
    else:
        idx = max(range(len(trajectory)), key=lambda i: (trajectory[i].density, -i))
    chosen = trajectory[idx]
    if paste:
        chosen = _paste(chosen, X, y, vals, ranges, alpha)
    return PrimResult(trajectory, chosen, idx, ranges)


def quasi_p_values(box: Box, X: pd.DataFrame, y: np.ndarray) -> dict[str, float]:
    """Per restricted parameter, how surprising the box's density is without that restriction.

    One-sided binomial test (as in the EMA workbench): the chance of at least the box's
    outcome count among its runs if the outcome rate were that of the box with this one
    restriction removed. Small values: the restriction matters; large (> 0.05): it may be
    chance. Quasi, because the box was chosen on the same data.
    """
    from scipy.stats import binom

    y = np.asarray(y, dtype=bool)
    inside = box.contains(X)
    hits, n = int(y[inside].sum()), int(inside.sum())
    out = {}
    for name in box.limits:
        relaxed = Box({k: v for k, v in box.limits.items() if k != name}, 0, 0, 0, 0)
        r_in = relaxed.contains(X)
        rate = float(y[r_in].mean()) if r_in.any() else 0.0
        out[name] = float(binom.sf(hits - 1, n, rate)) if n else 1.0
    return out


def _paste(box: Box, X, y, vals, ranges, alpha) -> Box:
    """Widen the box's bounds one step at a time while that raises its density."""
    limits = {c: box.limits.get(c, ranges[c]) for c in vals}
    current = _box(limits, X, y, ranges)
    while True:
        best = None
        inside = current.contains(X)
        step = max(1, int(round(alpha * inside.sum())))
        for c, v in vals.items():
            lo, hi = limits[c]
            others = np.all(
                [(vals[k] >= limits[k][0]) & (vals[k] <= limits[k][1]) for k in vals if k != c]
                or [np.ones(len(y), dtype=bool)],
                axis=0,
            )
            for side in ("low", "high"):
                outside = v[others & ((v < lo) if side == "low" else (v > hi))]
                if outside.size == 0:
                    continue
                ordered = np.sort(outside)
                if side == "low":
                    new = (float(ordered[::-1][:step][-1]), hi)
                else:
                    new = (lo, float(ordered[:step][-1]))
                trial = _box({**limits, c: new}, X, y, ranges)
                if trial.density > current.density and (
                    best is None or trial.density > best[0].density
                ):
                    best = (trial, c, new)
        if best is None:
            return current
        current, c, new = best
        limits[c] = new


@dataclass
class Node:
    """A CART node: a split (``name <= threshold`` goes left) or a leaf."""

    n: int
    density: float
    name: str | None = None
    threshold: float | None = None
    left: Node | None = None
    right: Node | None = None


def _gini(p: np.ndarray) -> np.ndarray:
    return 2 * p * (1 - p)


def cart(X: pd.DataFrame, y: np.ndarray, max_depth: int = 3, min_leaf: int = 5) -> Node:
    """A binary classification tree grown by Gini impurity, depth-limited.

    Args:
        X: numeric inputs, one column per parameter.
        y: boolean outcome per row.
        max_depth: most splits on a path from the root to a leaf.
        min_leaf: fewest cases a leaf may hold.
    """
    y = np.asarray(y, dtype=float)
    vals = {c: X[c].to_numpy(dtype=float) for c in X.columns}
    return _grow(vals, y, np.arange(len(y)), max_depth, min_leaf)


def _grow(vals: dict, y: np.ndarray, idx: np.ndarray, depth: int, min_leaf: int) -> Node:
    yy = y[idx]
    node = Node(len(idx), float(yy.mean()) if len(idx) else 0.0)
    if depth == 0 or len(idx) < 2 * min_leaf or yy.min() == yy.max():
        return node
    parent = _gini(np.array(yy.mean())) * len(idx)
    best = None
    for c, v in vals.items():
        x = v[idx]
        order = np.argsort(x, kind="stable")
        xs, ys = x[order], yy[order]
        left_n = np.arange(1, len(xs))
        left_hits = np.cumsum(ys)[:-1]
        right_n = len(xs) - left_n
        right_hits = ys.sum() - left_hits
        cost = _gini(left_hits / left_n) * left_n + _gini(right_hits / right_n) * right_n
        valid = (xs[1:] > xs[:-1]) & (left_n >= min_leaf) & (right_n >= min_leaf)
        if not valid.any():
            continue
        cost = np.where(valid, cost, np.inf)
        i = int(np.argmin(cost))
        if best is None or cost[i] < best[0] - 1e-12:
            best = (float(cost[i]), c, float((xs[i] + xs[i + 1]) / 2))
    if best is None or best[0] >= parent - 1e-12:
        return node
    _, c, thr = best
    node.name, node.threshold = c, thr
    node.left = _grow(vals, y, idx[vals[c][idx] <= thr], depth - 1, min_leaf)
    node.right = _grow(vals, y, idx[vals[c][idx] > thr], depth - 1, min_leaf)
    return node


def leaves(node: Node, path: tuple = ()) -> list[tuple[tuple, Node]]:
    """Every leaf with its path of ``(name, "<=" or ">", threshold)`` conditions."""
    if node.name is None:
        return [(path, node)]
    return [
        *leaves(node.left, (*path, (node.name, "<=", node.threshold))),
        *leaves(node.right, (*path, (node.name, ">", node.threshold))),
    ]


def tree_dict(node: Node) -> dict[str, Any]:
    """Plain data for JSON."""
    out: dict[str, Any] = {"n": node.n, "density": node.density}
    if node.name is not None:
        out.update(
            name=node.name,
            threshold=node.threshold,
            left=tree_dict(node.left),
            right=tree_dict(node.right),
        )
    return out


def num(v: float) -> str:
    """A number for prose: whole numbers without decimals, else up to 3 significant digits."""
    return str(int(round(v))) if float(v).is_integer() else f"{v:.3g}"


def box_words(limits: dict[str, tuple[float, float]]) -> str:
    """A box's limits in words: ``a >= 2 and 0.1 <= b <= 0.3``."""
    parts = []
    for name, (lo, hi) in limits.items():
        lo_set, hi_set = np.isfinite(lo), np.isfinite(hi)
        if lo_set and hi_set and lo == hi:
            parts.append(f"{name} = {num(lo)}")
        elif lo_set and hi_set:
            parts.append(f"{num(lo)} <= {name} <= {num(hi)}")
        elif lo_set:
            parts.append(f"{name} >= {num(lo)}")
        elif hi_set:
            parts.append(f"{name} <= {num(hi)}")
    return " and ".join(parts) if parts else "for every lever setting swept"


def rule_limits(path: tuple) -> dict[str, tuple[float, float]]:
    """A CART leaf's path as box limits (open bounds are infinite)."""
    limits: dict[str, list[float]] = {}
    for name, op, thr in path:
        lo, hi = limits.get(name, [-np.inf, np.inf])
        limits[name] = [max(lo, thr), hi] if op == ">" else [lo, min(hi, thr)]
    return {k: (v[0], v[1]) for k, v in limits.items()}
