"""ABC-SMC calibration with pyabc, resumable, and its output folder (``sim calibrate``).

The output folder holds pyabc's history database ``abc.db`` (so a killed calibration resumes
from its last finished generation) and, once done:

* ``posterior.parquet``: the last generation's particles, their weights and distances;
* ``generations.csv``: per generation epsilon, particles, model evaluations, acceptance rate
  and distance quantiles;
* ``predictive.parquet`` / ``predictive.csv``: a posterior-predictive check, every fitted and
  held-out statistic over ``predictive`` posterior draws, with its 90% interval and whether the
  observed value falls inside; held-out facts rows are also checked as ``sim validate`` does;
* ``parameters.csv`` (prior and posterior 90% intervals, their width ratio, an identifiability
  warning when the posterior is no narrower than the prior) and ``correlations.csv``;
* ``calibrated.yaml``: the scenario with posterior medians, spread in a header comment;
* ``calibration.json`` (everything above in one file) and ``summary.md``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.experiments.abc_sampler import make_sampler, map_ordered, seed_evaluation
from sim.experiments.analysis import interval
from sim.experiments.calibration import (
    CalibrationSpec,
    Simulator,
    distance,
    fingerprint,
    load,
)
from sim.experiments.runner import override
from sim.results.paths import write_text_atomic
from sim.scenario.loading import InputError, apply_overrides

NARROWING = 0.9  # posterior 90% interval at least this share of the prior's: not identified
META = "calibration.json"


def wquantile(x: np.ndarray, w: np.ndarray, q: float | list[float]) -> np.ndarray:
    """Weighted quantiles (inverse of the weighted empirical CDF, midpoint rule)."""
    order = np.argsort(x)
    x, w = np.asarray(x, float)[order], np.asarray(w, float)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, x)


def _abc(spec: CalibrationSpec, sim: Simulator):
    import pyabc

    priors = {}
    for name, p in spec.parameters.items():
        dist, args, kw = p.scipy()
        priors[name] = pyabc.RV(dist, *args, **kw)
    fitted = spec.statistics

    def model(params) -> dict:
        return sim.run(dict(params), fitted)

    sampler = make_sampler(spec.base_seed, spec.workers)
    eps = (
        pyabc.epsilon.ListEpsilon(spec.epsilons)
        if spec.epsilons is not None
        else pyabc.epsilon.QuantileEpsilon(alpha=0.5)
    )
    return pyabc.ABCSMC(
        model,
        pyabc.Distribution(**priors),
        distance(fitted),
        population_size=spec.population,
        sampler=sampler,
        eps=eps,
    )


def calibrate(
    spec_path: str | Path,
    out: str | Path | None = None,
    patterns: list | None = None,
    workers: int | None = None,
    log: Callable[[str], None] | None = None,
    quiet: bool = False,
) -> dict[str, Any]:
    """Run (or resume) a calibration and write its output folder; returns ``calibration.json``.

    Args:
        spec_path: the calibration spec YAML.
        out: the output folder (default ``results/calibrations/NAME``).
        patterns: the facts table (default: :data:`sim.experiments.validation.PATTERNS`).
        workers: override the spec's worker count (does not change the result's fingerprint).
        log: called with a line of progress per step.
        quiet: silence pyabc's per-generation log lines.

    Raises:
        InputError: bad spec, or ``out`` holds another calibration or other files.
    """
    spec, data, pats = load(spec_path, patterns)
    if workers is not None:
        spec.workers = workers
    say = log or (lambda _: None)
    out = Path("results") / "calibrations" / spec.name if out is None else Path(out)
    fp = fingerprint(spec, data)
    meta_path = out / META
    if meta_path.exists():
        if json.loads(meta_path.read_text()).get("fingerprint") != fp:
            raise InputError(
                f"{out}: holds a calibration of a different spec or scenario; use another --out"
            )
    elif out.exists() and any(out.iterdir()):
        raise InputError(f"{out}: exists and is not a calibration folder; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    meta = {"fingerprint": fp, "spec_file": str(spec_path), "spec": spec.model_dump(mode="json")}
    if not meta_path.exists():
        write_text_atomic(meta_path, json.dumps({**meta, "status": "running"}, indent=2))
    sim = Simulator(spec, data, pats)
    history = _run_abc(spec, sim, out, say, quiet)
    result = {"name": spec.name, "out": str(out), **_outputs(spec, data, sim, history, out, say)}
    write_text_atomic(
        meta_path, json.dumps({**meta, "status": "done", **result}, indent=2, default=_j)
    )
    return result


def _run_abc(spec: CalibrationSpec, sim: Simulator, out: Path, say, quiet: bool) -> Any:
    import pyabc  # noqa: F401  (its import sets the "ABC" logger's level)

    logging.getLogger("ABC").setLevel(logging.WARNING if quiet else logging.INFO)
    url = "sqlite:///" + str((out / "abc.db").resolve())
    # pyabc draws its proposals from numpy's legacy global stream: the sampler seeds it per
    # evaluation (abc_sampler), so any worker count repeats exactly. Model runs never use it.
    seed_evaluation(spec.base_seed, -2, 0)
    abc = _abc(spec, sim)
    observed = {s.name: float(s.observed) for s in spec.statistics}
    if (out / "abc.db").exists():
        history = abc.load(url, 1)
        done = history.max_t + 1
        say(f"resuming after {done} finished generation(s)")
    else:
        history = abc.new(url, observed)
        done = 0
    last_eps = _last_epsilon(history)
    if done < spec.generations and not (done and last_eps <= spec.min_epsilon):
        history = abc.run(
            minimum_epsilon=spec.min_epsilon, max_nr_populations=spec.generations - done
        )
    return history


def _last_epsilon(history) -> float:
    pops = history.get_all_populations()
    pops = pops[pops.t >= 0]
    return float(pops.epsilon.iloc[-1]) if len(pops) else np.inf


def _outputs(spec, data, sim: Simulator, history, out: Path, say) -> dict[str, Any]:
    names = list(spec.parameters)
    post, w = history.get_distribution(m=0, t=history.max_t)
    post = post[names].reset_index(drop=True)
    w = np.asarray(w, float) / np.sum(w)
    dists = history.get_weighted_distances(t=history.max_t)
    frame = post.copy()
    frame["weight"] = w
    frame["distance"] = dists["distance"].to_numpy()
    frame.to_parquet(out / "posterior.parquet", index=False)
    gens = _generations(history)
    gens.to_csv(out / "generations.csv", index=False)
    params = _parameters(spec, post, w)
    params.to_csv(out / "parameters.csv", index=False)
    corr = _correlations(post, w)
    corr.to_csv(out / "correlations.csv")
    say("posterior-predictive check")
    pred, checks, patterns = _predictive(spec, sim, post, w)
    pred.to_parquet(out / "predictive.parquet", index=False)
    checks.to_csv(out / "predictive.csv", index=False)
    medians = {r.parameter: r.posterior_median for r in params.itertuples()}
    _calibrated_yaml(spec, data, sim, medians, params, out / "calibrated.yaml")
    result = {
        "generations": gens.to_dict("records"),
        "parameters": params.to_dict("records"),
        "correlations": corr.to_dict(),
        "predictive": checks.astype(object).where(checks.notna(), None).to_dict("records"),
        "pattern_checks": patterns,
        "warnings": [
            f"{r.parameter}: posterior 90% interval is {r.width_ratio:.0%} of the prior's; "
            "the statistics do not identify it"
            for r in params.itertuples()
            if not r.identified
        ],
    }
    from sim.experiments.calibration_text import summary_markdown

    write_text_atomic(out / "summary.md", summary_markdown(spec, result))
    return result


def _generations(history) -> pd.DataFrame:
    pops = history.get_all_populations()
    pops = pops[pops.t >= 0].reset_index(drop=True)
    rows = []
    for r in pops.itertuples():
        d = history.get_weighted_distances(t=int(r.t))
        rows.append(
            {
                "generation": int(r.t),
                "epsilon": float(r.epsilon),
                "particles": int(r.particles),
                "evaluations": int(r.samples),
                "acceptance_rate": float(r.particles) / float(r.samples) if r.samples else 0.0,
                "distance_median": float(wquantile(d.distance, d.w, 0.5)),
                "distance_q90": float(wquantile(d.distance, d.w, 0.9)),
            }
        )
    return pd.DataFrame(rows)


def _parameters(spec, post: pd.DataFrame, w: np.ndarray) -> pd.DataFrame:
    rows = []
    for name, p in spec.parameters.items():
        prior = p.frozen()
        plo, pmed, phi = prior.ppf([0.05, 0.5, 0.95])
        lo, med, hi = wquantile(post[name].to_numpy(), w, [0.05, 0.5, 0.95])
        ratio = float((hi - lo) / (phi - plo)) if phi > plo else np.nan
        rows.append(
            {
                "parameter": name,
                "prior": p.prior,
                "prior_q05": float(plo),
                "prior_median": float(pmed),
                "prior_q95": float(phi),
                "posterior_q05": float(lo),
                "posterior_median": float(med),
                "posterior_q95": float(hi),
                "posterior_mean": float(np.sum(w * post[name].to_numpy())),
                "width_ratio": ratio,
                "identified": bool(ratio < NARROWING),
            }
        )
    return pd.DataFrame(rows)


def _correlations(post: pd.DataFrame, w: np.ndarray) -> pd.DataFrame:
    x = post.to_numpy(float)
    mu = w @ x
    cov = ((x - mu) * w[:, None]).T @ (x - mu)
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    return pd.DataFrame(corr, index=post.columns, columns=post.columns)


def _predictive(spec, sim: Simulator, post, w) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    rng = np.random.default_rng(np.random.SeedSequence([spec.base_seed, 1]))
    idx = rng.choice(len(post), size=spec.predictive, p=w)
    statistics = [*spec.statistics, *spec.held_out]
    # every arm of a held-out facts row is simulated, so the row's own check can run
    extra = []
    for s in spec.held_out:
        if s.pattern is not None:
            for arm in sim.patterns[s.pattern].arms:
                name = f"{s.pattern}:{arm}"
                if name not in {t.name for t in [*statistics, *extra]}:
                    extra.append(s.model_copy(update={"arm": arm, "minus": None, "observed": None}))
    draws = [(draw, post.iloc[i].to_dict()) for draw, i in enumerate(idx)]
    rows = map_ordered(_predict_one, draws, spec.workers, (sim, [*statistics, *extra]))
    pred = pd.DataFrame(rows)
    checks = []
    for role, items in (("fitted", spec.statistics), ("held_out", spec.held_out)):
        for s in items:
            v = pred[s.name].to_numpy(float)
            v = v[np.isfinite(v)]
            lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95]) if v.size else (np.nan,) * 3
            obs = s.observed
            checks.append(
                {
                    "statistic": s.name,
                    "role": role,
                    "observed": obs,
                    "scale": s.scale,
                    "median": float(med),
                    "q05": float(lo),
                    "q95": float(hi),
                    "draws": int(v.size),
                    "inside_90": None if obs is None else bool(lo <= obs <= hi),
                }
            )
    patterns = []
    for key in dict.fromkeys(s.pattern for s in spec.held_out if s.pattern is not None):
        p = sim.patterns[key]
        arms = {a: interval(pred[f"{key}:{a}"].to_numpy(float), "score")[:5] for a in p.arms}
        patterns.append(
            {
                "pattern": key,
                "source": p.source,
                "target": p.target,
                "model": p.show(arms),
                "passed": bool(p.check(arms)),
            }
        )
    return pred, pd.DataFrame(checks), patterns


def _predict_one(item: tuple[int, dict], sim: Simulator, statistics: list) -> dict:
    draw, params = item
    return {"draw": draw, **params, **sim.run(params, statistics, stream=1 + draw)}


def _calibrated_yaml(spec, data, sim: Simulator, medians, params, path: Path) -> None:
    # medians to 4 significant digits: finer digits are noise next to the credible interval
    values = {
        k: v if isinstance(v, int) else float(f"{v:.4g}") for k, v in sim.values(medians).items()
    }
    calibrated = apply_overrides(
        json.loads(json.dumps(data)), [override(k, v) for k, v in values.items()]
    )
    head = [
        f"# Calibrated by `sim calibrate` ({spec.name}): free parameters at their posterior",
        "# medians; 90% credible interval and its width as a share of the prior's:",
    ]
    for r in params.itertuples():
        flag = "" if r.identified else "  NOT IDENTIFIED (posterior ~ prior)"
        head.append(
            f"#   {r.parameter} = {values[r.parameter]:.4g}  "
            f"[{r.posterior_q05:.4g}, {r.posterior_q95:.4g}], {r.width_ratio:.0%} of prior{flag}"
        )
    if spec.set or spec.days is not None:
        head.append(f"# Fixed during calibration: set {list(spec.set)}, days {spec.days}.")
    write_text_atomic(path, "\n".join(head) + "\n" + yaml.safe_dump(calibrated, sort_keys=False))


def _j(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return str(v)
