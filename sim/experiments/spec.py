"""Sweep specs, their design points and per-run seeds.

A spec names a scenario, parameters over values or ranges, a design and replicates.

Seeds come from ``numpy.random.SeedSequence(base_seed).spawn``: run ``(point, replicate)``
gets child ``point * replicates + replicate``, so any run can be re-run alone with
``sim run SCENARIO --seed S --set ...``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from sim.messages import Msg
from sim.scenario import DEFAULT_SCENARIO, Scenario
from sim.scenario.base import Spec
from sim.scenario.loading import (
    SPEC_MAX_BYTES,
    InputError,
    apply_overrides,
    read_yaml,
    validate,
)
from sim.scenario.schema import plain_name

Design = Literal["grid", "lhs", "morris", "sobol"]


class Parameter(Spec):
    """One swept parameter: a list of values, or a numeric range."""

    values: list[Any] | None = Field(
        None, max_length=1000, description="Values to take (grid) or choose from."
    )
    min: float | None = Field(None, description="Lower bound of a numeric range.")
    max: float | None = Field(None, description="Upper bound of a numeric range.")
    integer: bool = Field(False, description="Round range samples to whole numbers.")

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        has_range = self.min is not None or self.max is not None
        if self.values is None and not has_range:
            raise ValueError(Msg("spec_values_or_range"))
        if self.values is not None and has_range:
            raise ValueError(Msg("spec_values_and_range"))
        if has_range and (self.min is None or self.max is None or self.min >= self.max):
            raise ValueError(Msg("spec_range_order"))
        if self.values is not None and len(self.values) == 0:
            raise ValueError(Msg("spec_values_empty"))
        return self


class SweepSpec(Spec):
    """A sweep or sensitivity experiment."""

    name: str = Field("sweep", description="Name of the experiment.")
    scenario: str | None = Field(
        None, description="Scenario YAML, relative to this file (default: packaged default)."
    )
    set: list[str] = Field(default_factory=list, description="Fixed overrides KEY=VALUE.")
    days: int | None = Field(None, ge=1, le=36500, description="Days per run (override).")
    design: Design = Field("grid", description="grid, lhs, morris or sobol.")
    parameters: dict[str, Parameter] = Field(
        max_length=100, description="Swept parameters by dotted path."
    )
    samples: int = Field(
        16, ge=1, le=100000, description="lhs points; morris trajectories; sobol base N."
    )
    levels: int = Field(4, ge=2, le=20, description="Morris grid levels.")
    replicates: int = Field(10, ge=1, le=10000, description="Runs per point (seeds).")
    base_seed: int = Field(12345, ge=0, description="Root of every run's seed.")
    common_seeds: bool = Field(
        False,
        description="Every point uses the same replicate seeds (common random numbers): points "
        "differ only in their parameters, so differences between points are not seed noise.",
    )
    metrics: list[str] = Field(
        default_factory=lambda: [
            "disputes.share_of_all.resolved",
            "disputes.share_of_all.resolved_in_building",
            "disputes.share_of_closed.resolved",
            "disputes.resolved_within_90d",
            "projects.pass_rate",
        ],
        description="Summary metrics reported and analysed.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return plain_name(v, "name")

    @model_validator(mode="after")
    def _check(self) -> SweepSpec:
        if not self.parameters:
            raise ValueError(Msg("spec_no_parameters"))
        if self.design == "grid":
            ranged = [k for k, p in self.parameters.items() if p.values is None]
            if ranged:
                raise ValueError(Msg("spec_grid_needs_values", ranged=ranged))
        return self


def load_spec(path: str | Path) -> tuple[SweepSpec, dict]:
    """Load a sweep spec and its scenario's raw data; every parameter is checked.

    Returns:
        The spec and the scenario's raw mapping (with the spec's fixed overrides applied).

    Raises:
        InputError: naming the field and the fix.
    """
    path = Path(path)
    spec = validate(SweepSpec, read_yaml(path, max_bytes=SPEC_MAX_BYTES, aliases=False), str(path))
    scen_path = DEFAULT_SCENARIO if spec.scenario is None else (path.parent / spec.scenario)
    if spec.scenario is not None and not scen_path.exists():
        raise InputError(Msg("spec_scenario_missing", path=path, scenario=scen_path))
    data = apply_overrides(read_yaml(scen_path), list(spec.set))
    if spec.days is not None:
        data["days"] = spec.days
    validate(Scenario, data, str(scen_path))
    # Every parameter path must exist and accept every value it can take.
    for name, p in spec.parameters.items():
        probes = p.values if p.values is not None else [p.min, p.max]
        for v in probes:
            trial = json.loads(json.dumps(data))
            apply_overrides(trial, [f"{name}={json.dumps(v)}"])
            validate(Scenario, trial, f"{path}: parameters.{name}={v!r}")
    return spec, data


DEFAULT_MAX_RUNS = 10_000


def count_points(spec: SweepSpec) -> int:
    """Number of design points, counted without generating the design."""
    k = len(spec.parameters)
    if spec.design == "grid":
        return math.prod(len(p.values or []) for p in spec.parameters.values())
    if spec.design == "morris":
        return (k + 1) * spec.samples
    if spec.design == "sobol":
        return (k + 2) * spec.samples
    return spec.samples


def check_size(spec: SweepSpec, source: str, max_runs: int = DEFAULT_MAX_RUNS) -> int:
    """The sweep's run count; refused above ``max_runs`` before any design is generated.

    Raises:
        InputError: with the count and how to raise the limit.
    """
    n_points = count_points(spec)
    runs = n_points * spec.replicates
    if runs > max_runs:
        raise InputError(
            Msg(
                "spec_too_many_runs",
                source=source,
                runs=f"{runs:,}",
                points=f"{n_points:,}",
                replicates=spec.replicates,
                limit=f"{max_runs:,}",
                raw=runs,
            )
        )
    return runs


def problem(spec: SweepSpec) -> dict:
    """SALib problem definition; a values list is sampled by index over [0, len)."""
    names = list(spec.parameters)
    bounds = []
    for p in spec.parameters.values():
        bounds.append([p.min, p.max] if p.values is None else [0.0, float(len(p.values))])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design_matrix(spec: SweepSpec) -> np.ndarray:
    """Raw design points (rows) in the SALib problem's units (for morris/sobol analysis)."""
    prob = problem(spec)
    if spec.design == "morris":
        from SALib.sample import morris

        return morris.sample(prob, spec.samples, num_levels=spec.levels, seed=spec.base_seed)
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(prob, spec.samples, calc_second_order=False, seed=spec.base_seed)
    if spec.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=prob["num_vars"], seed=spec.base_seed).random(spec.samples)
        lo = np.array([b[0] for b in prob["bounds"]])
        hi = np.array([b[1] for b in prob["bounds"]])
        return lo + unit * (hi - lo)
    raise ValueError("grid designs have no matrix")


def points(spec: SweepSpec) -> list[dict[str, Any]]:
    """The parameter points of the design, as {path: value} mappings."""
    names = list(spec.parameters)
    if spec.design == "grid":
        grids = [spec.parameters[n].values for n in names]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grids)]
    out = []
    for row in design_matrix(spec):
        point = {}
        for n, raw in zip(names, row, strict=True):
            p = spec.parameters[n]
            if p.values is not None:
                point[n] = p.values[min(int(raw), len(p.values) - 1)]
            elif p.integer:
                point[n] = int(round(float(raw)))
            else:
                point[n] = float(raw)
        out.append(point)
    return out


def run_seeds(base_seed: int, n_points: int, replicates: int, common: bool = False) -> np.ndarray:
    """Seed of each run, shape (points, replicates), from ``SeedSequence(base_seed).spawn``.

    With ``common``, every point gets the seeds of point 0 (common random numbers).
    """
    children = np.random.SeedSequence(base_seed).spawn((1 if common else n_points) * replicates)
    seeds = [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]
    out = np.array(seeds, dtype=np.int64).reshape(-1, replicates)
    return np.repeat(out, n_points, axis=0) if common else out


def fingerprint(spec: SweepSpec, scenario_data: dict) -> str:
    """Hash of everything that determines a sweep's runs (spec and scenario)."""
    blob = json.dumps(
        {"spec": spec.model_dump(mode="json"), "scenario": scenario_data},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
