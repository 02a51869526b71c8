"""Calibration specs, priors and the simulator seen by ABC (``sim calibrate SPEC``).

A spec names a scenario, the free parameters with their priors (by dotted path), the
statistics to fit (summary keys with an observed value and a scale, or rows of the
stylised-facts table by pattern key and arm) and those held out for a posterior-predictive
check. The ABC-SMC run itself lives in :mod:`.calibrate`.

Every model run takes an integer seed derived with ``numpy.random.SeedSequence`` from the
spec's ``base_seed`` and the particle's parameter values, so any evaluation can be repeated
alone and the same parameters always give the same statistics.
"""

from __future__ import annotations

import copy
import hashlib
import json
import struct
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator
from scipy import stats

from sim.experiments.runner import flatten, override
from sim.scenario import DEFAULT_SCENARIO, Scenario
from sim.scenario.base import Spec
from sim.scenario.loading import InputError, apply_overrides, read_yaml, validate

Prior = Literal["uniform", "normal", "lognormal"]
MISSING_PENALTY = 100.0  # distance (in scales) of a statistic the model could not compute


class FreeParameter(Spec):
    """A free parameter and its prior."""

    prior: Prior = Field("uniform", description="uniform, normal or lognormal.")
    min: float | None = Field(None, description="Lower bound (uniform; truncates a normal).")
    max: float | None = Field(None, description="Upper bound (uniform; truncates a normal).")
    mean: float | None = Field(None, description="Mean of a normal prior.")
    sd: float | None = Field(None, gt=0, description="Standard deviation of a normal prior.")
    mu: float | None = Field(None, description="Mean of log(value) for a lognormal prior.")
    sigma: float | None = Field(None, gt=0, description="SD of log(value) for a lognormal.")
    integer: bool = Field(False, description="Round to a whole number before each run.")

    @model_validator(mode="after")
    def _check(self) -> FreeParameter:
        if self.prior == "uniform" and (self.min is None or self.max is None):
            raise ValueError("a uniform prior needs min and max")
        if self.prior == "normal" and (self.mean is None or self.sd is None):
            raise ValueError("a normal prior needs mean and sd (min/max optional)")
        if self.prior == "lognormal":
            if self.mu is None or self.sigma is None:
                raise ValueError("a lognormal prior needs mu and sigma (of log value)")
            if self.min is not None or self.max is not None:
                raise ValueError("a lognormal prior takes no min/max; use a normal or uniform")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError("min must be below max")
        return self

    def scipy(self) -> tuple[str, tuple, dict]:
        """The prior as a scipy.stats name, positional and keyword arguments."""
        if self.prior == "uniform":
            return "uniform", (self.min, self.max - self.min), {}
        if self.prior == "normal":
            if self.min is None and self.max is None:
                return "norm", (self.mean, self.sd), {}
            a = -np.inf if self.min is None else (self.min - self.mean) / self.sd
            b = np.inf if self.max is None else (self.max - self.mean) / self.sd
            return "truncnorm", (a, b, self.mean, self.sd), {}
        return "lognorm", (self.sigma, 0.0, float(np.exp(self.mu))), {}

    def frozen(self) -> Any:
        """The prior as a frozen scipy distribution."""
        name, args, kw = self.scipy()
        return getattr(stats, name)(*args, **kw)


class Statistic(Spec):
    """A statistic: a summary key, or a row (pattern key and arm) of the stylised-facts table."""

    key: str | None = Field(None, description="Summary metric, e.g. grid.visits_made.")
    pattern: str | None = Field(None, description="Stylised-facts row key, e.g. P4.")
    arm: str | None = Field(None, description="The pattern's arm (default: its first).")
    minus: str | None = Field(
        None,
        description="Another arm of the same pattern: the statistic is arm - minus on the same "
        "seeds (a lever's effect, e.g. councils=8 minus councils=0).",
    )
    observed: float | None = Field(None, description="Observed value (needed to fit).")
    scale: float = Field(1.0, gt=0, description="Distance unit: a typical discrepancy.")
    replicates: int | None = Field(
        None,
        ge=1,
        le=100,
        description="Runs averaged for this statistic (default: the spec's replicates); a "
        "contrast's arms share each replicate's seed.",
    )

    @model_validator(mode="after")
    def _one(self) -> Statistic:
        if (self.key is None) == (self.pattern is None):
            raise ValueError("give either key: (a summary metric) or pattern: (a facts row)")
        if self.key is not None and (self.arm is not None or self.minus is not None):
            raise ValueError("arm: and minus: go with pattern:, not with key:")
        return self

    @property
    def name(self) -> str:
        """Column name: the key, ``PATTERN:ARM`` or ``PATTERN:ARM - MINUS``."""
        if self.key is not None:
            return self.key
        return f"{self.pattern}:{self.arm}" + ("" if self.minus is None else f" - {self.minus}")


class CalibrationSpec(Spec):
    """An ABC-SMC calibration."""

    name: str = Field("calibration", description="Name of the calibration.")
    scenario: str | None = Field(
        None, description="Scenario YAML, relative to this file (default: packaged default)."
    )
    set: list[str] = Field(
        default_factory=list, description="Fixed overrides KEY=VALUE (also on pattern arms)."
    )
    days: int | None = Field(None, ge=1, le=36500, description="Days per run (override).")
    parameters: dict[str, FreeParameter] = Field(description="Free parameters by dotted path.")
    statistics: list[Statistic] = Field(description="Statistics fitted (observed needed).")
    held_out: list[Statistic] = Field(
        default_factory=list, description="Statistics kept out of the fit and checked after."
    )
    replicates: int = Field(1, ge=1, le=100, description="Runs per particle (averaged).")
    population: int = Field(100, ge=5, le=100000, description="Particles per generation.")
    generations: int = Field(5, ge=1, le=100, description="Most ABC-SMC generations.")
    epsilons: list[float] | None = Field(
        None, description="Fixed epsilon schedule (default: median of the last distances)."
    )
    min_epsilon: float = Field(0.0, ge=0, description="Stop once epsilon falls below this.")
    predictive: int = Field(50, ge=2, le=10000, description="Posterior-predictive draws.")
    base_seed: int = Field(12345, ge=0, description="Root of every run's seed.")
    workers: int = Field(2, ge=1, le=1024, description="Processes (1: single-core sampler).")

    @model_validator(mode="after")
    def _check(self) -> CalibrationSpec:
        if not self.parameters:
            raise ValueError("parameters: name at least one free parameter")
        if not self.statistics:
            raise ValueError("statistics: name at least one statistic to fit")
        for s in self.statistics:
            if s.observed is None:
                raise ValueError(f"statistics: {s.key or s.pattern} needs observed: to be fitted")
        names = [s.name for s in [*self.statistics, *self.held_out] if s.key is not None]
        if len(set(names)) != len(names):
            raise ValueError("a statistic appears twice (fitted and held out?)")
        if self.epsilons is not None and len(self.epsilons) < self.generations:
            raise ValueError("epsilons: give one value per generation")
        return self


def resolve_patterns(spec: CalibrationSpec, patterns: list | None = None) -> dict[str, Any]:
    """Check the pattern rows a spec names and fill in default arms; returns key -> Pattern.

    A row the facts table marks ``held_out`` must not be fitted, and a row marked ``fitted``
    is no held-out evidence: both raise.
    """
    if patterns is None:
        from sim.experiments.validation import PATTERNS as patterns
    table = {p.key: p for p in patterns}
    used = {}
    for where, items in (("statistics", spec.statistics), ("held_out", spec.held_out)):
        for s in items:
            if s.pattern is None:
                continue
            p = table.get(s.pattern)
            if p is None:
                raise InputError(f"{where}: pattern {s.pattern!r} is not in the facts table")
            if s.arm is None:
                s.arm = next(iter(p.arms))
            for arm in (s.arm, s.minus):
                if arm is not None and arm not in p.arms:
                    raise InputError(
                        f"{where}: {s.pattern} has no arm {arm!r}; arms: {list(p.arms)}"
                    )
            if s.minus == s.arm:
                raise InputError(f"{where}: {s.pattern}: minus: must name another arm")
            if where == "statistics" and p.role == "held_out":
                raise InputError(
                    f"statistics: {s.pattern} is held out in the facts table; fitting it would "
                    "spend held-out evidence: move it to held_out:"
                )
            if where == "held_out" and p.role == "fitted":
                raise InputError(
                    f"held_out: {s.pattern} was used to fit parameters (role fitted); it is "
                    "no held-out evidence"
                )
            used[p.key] = p
    return used


def load(path: str | Path, patterns: list | None = None) -> tuple[CalibrationSpec, dict, dict]:
    """Load and check a calibration spec: its scenario and every prior's support.

    Returns:
        The spec, the scenario's raw mapping (spec overrides applied) and the patterns used.

    Raises:
        InputError: naming the field and the fix.
    """
    path = Path(path)
    spec = validate(CalibrationSpec, read_yaml(path), str(path))
    scen = DEFAULT_SCENARIO if spec.scenario is None else path.parent / spec.scenario
    if spec.scenario is not None and not scen.exists():
        raise InputError(f"{path}: scenario: {scen} does not exist; fix the path")
    data = base_data(read_yaml(scen), spec)
    validate(Scenario, data, str(scen))
    for name, p in spec.parameters.items():
        lo, hi = p.frozen().ppf([0.001, 0.999])
        for v in (lo, hi):
            v = int(round(v)) if p.integer else float(v)
            trial = apply_overrides(copy.deepcopy(data), [override(name, v)])
            try:
                validate(Scenario, trial, f"{path}: parameters.{name} (prior reaches {v:g})")
            except InputError as exc:
                hint = "add integer: true" if "integer" in str(exc) else "narrow the prior"
                raise InputError(f"{exc}\n  fix: {hint} (min/max truncate a normal)") from None
    return spec, data, resolve_patterns(spec, patterns)


def base_data(data: dict, spec: CalibrationSpec) -> dict:
    """A scenario's raw data with the spec's fixed overrides and days applied."""
    data = apply_overrides(copy.deepcopy(data), list(spec.set))
    if spec.days is not None:
        data["days"] = spec.days
    return data


def particle_seeds(base_seed: int, params: dict[str, float], n: int, stream: int = 0) -> list:
    """``n`` integer seeds from ``SeedSequence`` keyed by the base seed and parameter values."""
    words = [base_seed, stream]
    for k in sorted(params):
        words += list(struct.unpack("<II", struct.pack("<d", float(params[k]))))
    children = np.random.SeedSequence(words).spawn(n)
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]


def fingerprint(spec: CalibrationSpec, data: dict) -> str:
    """Hash of what determines a calibration's generations (spec and scenario).

    Workers, the number of generations, the stopping epsilon and the predictive draws are left
    out: a calibration can be resumed with more workers, extended by more generations, and its
    outputs rewritten with more predictive draws.
    """
    free = {"workers", "generations", "min_epsilon", "predictive"}
    dumped = spec.model_dump(mode="json", exclude=free)
    for key in ("statistics", "held_out"):
        for s in dumped[key]:
            # a statistic's own replicates change its runs; unset, it adds nothing (so folders
            # written before the field existed still resume)
            if s.get("replicates") is None:
                s.pop("replicates", None)
    blob = json.dumps(
        {"spec": dumped, "scenario": data},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class Simulator:
    """Runs the model for one parameter set and returns the named statistics (picklable).

    Args:
        spec: the calibration spec.
        data: the scenario's raw data (spec overrides applied).
        patterns: the facts rows used, by key.
    """

    def __init__(self, spec: CalibrationSpec, data: dict, patterns: dict[str, Any]):
        self.spec, self.data, self.patterns = spec, data, patterns

    def values(self, params: dict[str, float]) -> dict[str, Any]:
        """Parameter values as they enter the scenario (integers rounded)."""
        out = {}
        for name, p in self.spec.parameters.items():
            v = float(params[name])
            out[name] = int(round(v)) if p.integer else v
        return out

    def replicates(self, s: Statistic) -> int:
        """Runs averaged for a statistic: its own ``replicates`` or the spec's."""
        return self.spec.replicates if s.replicates is None else s.replicates

    def run(
        self, params: dict[str, float], statistics: list[Statistic], stream: int = 0
    ) -> dict[str, float]:
        """Mean of each statistic over its replicates (NaN when it cannot be computed).

        Replicate ``i`` of every scenario variant runs on the same seed, the ``i``-th of
        :func:`particle_seeds` for these parameters and ``stream``; a variant is run as often
        as the statistic that needs it most, and a statistic with ``n`` replicates averages the
        first ``n`` runs. A contrast is taken run by run, so its arms share every seed.
        """
        from sim.experiments.validation.core import SCENARIOS

        sets = [override(k, v) for k, v in self.values(params).items()]
        variants: dict[tuple, dict] = {}
        needed: dict[tuple, int] = {}
        for s in statistics:
            keys = [("", ())] if s.key is not None else []
            if s.key is not None:
                variants.setdefault(("", ()), self.data)
            for arm in self._arms(s):
                key = (arm.scenario, arm.sets)
                keys.append(key)
                if key not in variants:
                    raw = read_yaml(SCENARIOS / arm.scenario)
                    variants[key] = apply_overrides(base_data(raw, self.spec), arm.sets)
            for key in keys:
                needed[key] = max(needed.get(key, 0), self.replicates(s))
        seeds = particle_seeds(self.spec.base_seed, params, max(needed.values(), default=0), stream)
        runs = {
            v: [_simulate(d, sets, seed) for seed in seeds[: needed[v]]]
            for v, d in variants.items()
        }
        out = {}
        for s in statistics:
            n = self.replicates(s)
            if s.key is not None:
                vals = [r["flat"].get(s.key, np.nan) if r else np.nan for r in runs[("", ())][:n]]
                vals = np.array([np.nan if v is None else v for v in vals], dtype=float)
            else:
                p = self.patterns[s.pattern]
                per_arm = []
                for arm in self._arms(s):
                    stat = arm.statistic or p.statistic
                    v = [stat(r) if r else np.nan for r in runs[(arm.scenario, arm.sets)][:n]]
                    per_arm.append(np.array([np.nan if x is None else x for x in v], float))
                # a contrast is taken run by run: the arms share each replicate's seed
                vals = per_arm[0] if len(per_arm) == 1 else per_arm[0] - per_arm[1]
            out[s.name] = float(np.nanmean(vals)) if np.isfinite(vals).any() else np.nan
        return out

    def _arms(self, s: Statistic) -> list:
        """The facts-table arms a statistic needs (arm, then minus), none for a summary key."""
        if s.pattern is None:
            return []
        arms = self.patterns[s.pattern].arms
        return [arms[a] for a in (s.arm, s.minus) if a is not None]


def _simulate(data: dict, sets: list[str], seed: int) -> dict | None:
    """One model run: summary (nested and flat) and project table; None if invalid."""
    from sim.model import NeighbourhoodModel
    from sim.results import summarize

    raw = apply_overrides(copy.deepcopy(data), sets)
    try:
        scenario = Scenario.model_validate(raw)
    except ValueError:
        return None
    model = NeighbourhoodModel(scenario, seed=seed)
    model.run()
    summary = summarize(model)
    return {
        "summary": summary,
        "flat": flatten(summary),
        "projects": model.projects.tables()["projects"].to_dict("list"),
    }


def distance(fitted: list[Statistic]):
    """Root mean squared scaled discrepancy over the fitted statistics (a picklable callable)."""
    scales = {s.name: s.scale for s in fitted}

    def dist(x: dict, x0: dict) -> float:
        terms = []
        for name, scale in scales.items():
            d = (x[name] - x0[name]) / scale
            terms.append(MISSING_PENALTY**2 if not np.isfinite(d) else d * d)
        return float(np.sqrt(np.mean(terms)))

    return dist
