import hashlib
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.experiments.calibrate import _parameters, calibrate, wquantile
from sim.experiments.calibration import (
    CalibrationSpec,
    Simulator,
    _simulate,
    base_data,
    fingerprint,
    load,
    particle_seeds,
)
from sim.experiments.validation import Arm, Pattern
from sim.scenario import DEFAULT_SCENARIO, load_scenario
from sim.scenario.loading import InputError, read_yaml

TRUE = {"grid.visits_per_week": 40, "grid.wish_rate": 0.6}
SMALL = ["compounds.0.buildings=6", "compounds.0.households=120"]


def spec_text(observed, generations=3, population=40, workers=2, predictive=20):
    return f"""
name: recover
days: 90
set: {json.dumps(SMALL)}
parameters:
  grid.visits_per_week: {{prior: uniform, min: 10, max: 80, integer: true}}
  grid.wish_rate: {{prior: uniform, min: 0.1, max: 1.0}}
statistics:
  - {{key: grid.visits_made, observed: {observed["grid.visits_made"]}, scale: 50}}
  - {{key: grid.wishes_collected, observed: {observed["grid.wishes_collected"]}, scale: 4}}
held_out:
  - {{key: grid.revisits, observed: {observed["grid.revisits"]}, scale: 2}}
population: {population}
generations: {generations}
predictive: {predictive}
base_seed: 11
workers: {workers}
"""


def synthetic_observation():
    """A run at known parameter values: the 'observed' data the calibration must explain."""
    data = read_yaml(DEFAULT_SCENARIO)
    spec = CalibrationSpec.model_validate(
        {
            "days": 90,
            "set": SMALL,
            "parameters": {"grid.wish_rate": {"min": 0, "max": 1}},
            "statistics": [{"key": "days", "observed": 1}],
        }
    )
    sets = [f"{k}={v}" for k, v in TRUE.items()]
    return _simulate(base_data(data, spec), sets, seed=2024)["flat"]


@pytest.fixture(scope="module")
def recovered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cal")
    spec = tmp / "spec.yaml"
    spec.write_text(spec_text(synthetic_observation()))
    result = calibrate(spec, tmp / "out", quiet=True)
    return spec, tmp / "out", result


def test_recovers_known_parameters(recovered):
    _, out, result = recovered
    for p in result["parameters"]:
        assert p["posterior_q05"] <= TRUE[p["parameter"]] <= p["posterior_q95"], p
    visits = next(p for p in result["parameters"] if p["parameter"] == "grid.visits_per_week")
    assert visits["identified"] and visits["width_ratio"] < 0.5
    gens = pd.read_csv(out / "generations.csv")
    assert list(gens.generation) == [0, 1, 2]
    assert (np.diff(gens.epsilon) < 0).all()  # the tolerance shrinks
    assert ((gens.acceptance_rate > 0) & (gens.acceptance_rate <= 1)).all()
    post = pd.read_parquet(out / "posterior.parquet")
    assert len(post) == 40 and abs(post.weight.sum() - 1) < 1e-9
    assert post["grid.wish_rate"].between(0.1, 1.0).all()


def test_outputs_predictive_and_calibrated_scenario(recovered):
    _, out, result = recovered
    checks = pd.read_csv(out / "predictive.csv")
    held = checks[checks.role == "held_out"].iloc[0]
    assert held.statistic == "grid.revisits" and held.q05 <= held["median"] <= held.q95
    assert set(checks.role) == {"fitted", "held_out"}
    text = (out / "calibrated.yaml").read_text()
    assert text.startswith("# Calibrated by `sim calibrate`")
    scen = load_scenario(out / "calibrated.yaml")
    med = {p["parameter"]: p["posterior_median"] for p in result["parameters"]}
    assert scen.grid.visits_per_week == round(med["grid.visits_per_week"])
    assert scen.grid.wish_rate == pytest.approx(med["grid.wish_rate"], rel=1e-3)
    corr = pd.read_csv(out / "correlations.csv", index_col=0)
    assert corr.shape == (2, 2) and np.allclose(np.diag(corr), 1)
    assert "## Posterior-predictive check" in (out / "summary.md").read_text()
    assert json.loads((out / "calibration.json").read_text())["status"] == "done"


def test_resume_and_extend(recovered, tmp_path):
    spec, out, result = recovered
    before = pd.read_csv(out / "generations.csv")
    again = calibrate(spec, out, quiet=True)  # nothing left to do: same generations
    assert [g["evaluations"] for g in again["generations"]] == list(before.evaluations)
    longer = tmp_path / "spec.yaml"
    longer.write_text(spec.read_text().replace("generations: 3", "generations: 4"))
    ext = calibrate(longer, out, quiet=True, workers=1)
    assert len(ext["generations"]) == 4
    assert ext["generations"][:3] == again["generations"]
    other = tmp_path / "other.yaml"
    other.write_text(spec.read_text().replace("scale: 50", "scale: 40"))
    with pytest.raises(InputError, match="different spec"):
        calibrate(other, out, quiet=True)


def test_identifiability_flags_a_posterior_as_wide_as_its_prior():
    spec = CalibrationSpec.model_validate(
        {
            "parameters": {"a": {"min": 0, "max": 1}, "b": {"prior": "normal", "mean": 0, "sd": 1}},
            "statistics": [{"key": "x", "observed": 0}],
        }
    )
    rng = np.random.default_rng(0)
    post = pd.DataFrame({"a": rng.uniform(0, 1, 4000), "b": rng.normal(0.2, 0.1, 4000)})
    table = _parameters(spec, post, np.full(4000, 1 / 4000)).set_index("parameter")
    assert not table.loc["a", "identified"] and table.loc["a", "width_ratio"] > 0.9
    assert table.loc["b", "identified"] and table.loc["b", "width_ratio"] < 0.2
    assert wquantile(np.array([1.0, 2, 3]), np.array([0.0, 1, 0]), 0.5) == 2


def test_seeds_follow_parameters():
    a = particle_seeds(1, {"x": 0.5, "y": 2.0}, 3)
    assert a == particle_seeds(1, {"y": 2.0, "x": 0.5}, 3) and len(set(a)) == 3
    assert a != particle_seeds(1, {"x": 0.5000001, "y": 2.0}, 3)
    assert a != particle_seeds(2, {"x": 0.5, "y": 2.0}, 3)


FACTS = [
    Pattern(
        "F1",
        "[test]",
        "a fitted row",
        "meetings held > 0",
        {
            "default": Arm("changgou_xincun.yaml"),
            "none": Arm("changgou_xincun.yaml", ("meetings.council_per_month=0",)),
        },
        lambda run: float(run["summary"]["meetings.held"]),
        lambda a: a["default"][0] > a["none"][0],
        lambda a: f"{a['default'][0]:.0f} vs {a['none'][0]:.0f}",
        role="fitted",
    ),
    Pattern(
        "H1",
        "[test]",
        "a held-out row",
        "more meetings with councils",
        {
            "default": Arm("changgou_xincun.yaml"),
            "none": Arm("changgou_xincun.yaml", ("meetings.council_per_month=0",)),
        },
        lambda run: float(run["summary"]["meetings.held"]),
        lambda a: a["default"][0] > a["none"][0],
        lambda a: f"{a['default'][0]:.0f} vs {a['none'][0]:.0f}",
        role="held_out",
    ),
]


def test_pattern_statistics_and_roles(tmp_path):
    base = """
days: 20
parameters: {meetings.joint_per_month: {min: 0, max: 2}}
"""
    ok = tmp_path / "ok.yaml"
    ok.write_text(base + "statistics: [{pattern: F1, observed: 5}]\nheld_out: [{pattern: H1}]\n")
    spec, data, pats = load(ok, FACTS)
    assert spec.statistics[0].name == "F1:default" and set(pats) == {"F1", "H1"}
    sim = Simulator(spec, data, pats)
    vals = sim.run({"meetings.joint_per_month": 1.0}, [*spec.statistics, spec.held_out[0]])
    none = spec.held_out[0].model_copy(update={"arm": "none"})
    zero = sim.run({"meetings.joint_per_month": 0.0}, [none])
    assert vals["F1:default"] > zero["H1:none"] >= 0
    for text, msg in [
        ("statistics: [{pattern: H1, observed: 1}]\n", "held out in the facts table"),
        (
            "statistics: [{pattern: F1, observed: 1}]\nheld_out: [{pattern: F1, arm: none}]\n",
            "role fitted",
        ),
        ("statistics: [{pattern: ZZ, observed: 1}]\n", "not in the facts table"),
        ("statistics: [{pattern: F1, arm: nope, observed: 1}]\n", "has no arm"),
        ("statistics: [{key: grid.visits_made}]\n", "needs observed"),
    ]:
        bad = tmp_path / "bad.yaml"
        bad.write_text(base + text)
        with pytest.raises(InputError, match=msg):
            load(bad, FACTS)


def test_prior_support_is_checked(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "parameters: {grid.wish_rate: {prior: normal, mean: 0.5, sd: 1}}\n"
        "statistics: [{key: grid.visits_made, observed: 1}]\n"
    )
    with pytest.raises(InputError, match="prior reaches"):
        load(bad)


def test_cli(tmp_path):
    obs = {"grid.visits_made": 500, "grid.wishes_collected": 12, "grid.revisits": 4}
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(obs, generations=1, population=10, workers=1, predictive=4))
    sim = [sys.executable, "-m", "sim", "calibrate"]
    html = tmp_path / "r.html"
    r = subprocess.run(
        [*sim, str(spec), "--out", str(tmp_path / "o"), "--quiet", "--html", str(html)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert "Posterior-predictive check" in r.stdout and "grid.revisits" in r.stdout
    assert (tmp_path / "o" / "abc.db").exists()
    yaml.safe_load((tmp_path / "o" / "calibrated.yaml").read_text())
    page = html.read_text()
    assert "Posterior-predictive check" in page and "grid.wish_rate" in page
    spec.write_text("parameters: {}\n")
    r = subprocess.run([*sim, str(spec)], capture_output=True, text=True)
    assert r.returncode == 2 and "statistics: required" in r.stderr


def test_calibration_repeats_exactly_whatever_the_worker_count(tmp_path):
    """Proposals are seeded per evaluation and kept in index order: 1 or 2 workers, same result."""
    obs = {"grid.visits_made": 500, "grid.wishes_collected": 12, "grid.revisits": 4}
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(obs, generations=2, population=10, workers=1, predictive=3))
    a = calibrate(spec, tmp_path / "a", quiet=True)
    b = calibrate(spec, tmp_path / "b", quiet=True, workers=2)
    pa = pd.read_parquet(tmp_path / "a" / "posterior.parquet")
    assert pa.equals(pd.read_parquet(tmp_path / "b" / "posterior.parquet"))
    assert a["generations"] == b["generations"] and a["predictive"] == b["predictive"]
    other = spec.read_text().replace("base_seed: 11", "base_seed: 12")
    spec.write_text(other)
    c = calibrate(spec, tmp_path / "c", quiet=True, workers=2)
    assert not pa.equals(pd.read_parquet(tmp_path / "c" / "posterior.parquet"))
    assert c["generations"] != a["generations"] or c["parameters"] != a["parameters"]


def test_contrast_of_two_arms_on_common_seeds(tmp_path):
    base = """
days: 20
parameters: {meetings.joint_per_month: {min: 0, max: 2}}
"""
    ok = tmp_path / "ok.yaml"
    ok.write_text(base + "statistics: [{pattern: F1, minus: none, observed: 5}]\n")
    spec, data, pats = load(ok, FACTS)
    stat = spec.statistics[0]
    assert stat.name == "F1:default - none"
    sim = Simulator(spec, data, pats)
    params = {"meetings.joint_per_month": 1.0}
    arms = [stat.model_copy(update={"minus": None, "arm": a}) for a in ("default", "none")]
    each = sim.run(params, arms)
    diff = sim.run(params, [stat])["F1:default - none"]
    assert diff == each["F1:default"] - each["F1:none"] and diff > 0
    for text, msg in [
        ("statistics: [{pattern: F1, minus: nope, observed: 1}]\n", "has no arm 'nope'"),
        ("statistics: [{pattern: F1, arm: none, minus: none, observed: 1}]\n", "another arm"),
        ("statistics: [{key: grid.visits_made, minus: none, observed: 1}]\n", "go with pattern"),
    ]:
        bad = tmp_path / "bad.yaml"
        bad.write_text(base + text)
        with pytest.raises(InputError, match=msg):
            load(bad, FACTS)


def test_shipped_calibration_specs_load():
    """The real calibrations name fitted rows only under statistics, held-out rows after."""
    from pathlib import Path

    for name in ("calibration_disputes.yaml", "calibration_projects.yaml"):
        spec, _, pats = load(Path(__file__).parents[1] / "experiments" / name)
        assert {pats[s.pattern].role for s in spec.statistics} == {"fitted"}
        assert {pats[s.pattern].role for s in spec.held_out} == {"held_out"}


def _recording_simulate(calls):
    """A stand-in for one model run: records (councils a month, seed), returns seed-made values."""

    def fake(data, sets, seed):
        councils = data["meetings"]["council_per_month"]
        calls.append((councils, seed))
        held = float(seed % 997 + councils)
        return {"summary": {"meetings.held": held}, "flat": {"meetings.held": held}}

    return fake


def test_statistic_replicates_average_distinct_common_seeds(tmp_path, monkeypatch):
    """replicates: N on one statistic: N distinct seeded runs per arm, the same seeds in both."""
    import sim.experiments.calibration as calibration

    ok = tmp_path / "ok.yaml"
    ok.write_text(
        "days: 20\nparameters: {meetings.joint_per_month: {min: 0, max: 2}}\n"
        "statistics:\n  - {key: meetings.held, observed: 1}\n"
        "  - {pattern: F1, minus: none, observed: 4, replicates: 5}\n"
        "held_out: [{pattern: H1, replicates: 2}]\n"
    )
    spec, data, pats = load(ok, FACTS)
    assert [s.replicates for s in spec.statistics] == [None, 5] and spec.replicates == 1
    calls = []
    monkeypatch.setattr(calibration, "_simulate", _recording_simulate(calls))
    sim = Simulator(spec, data, pats)
    params = {"meetings.joint_per_month": 1.0}
    out = sim.run(params, spec.statistics, stream=3)
    seeds = particle_seeds(spec.base_seed, params, 5, stream=3)
    assert len(set(seeds)) == 5
    by_arm = {}
    for councils, seed in calls:
        by_arm.setdefault(councils, []).append(seed)
    # the key runs the scenario once (spec default); each arm of the contrast five times
    assert sorted(by_arm) == [0, 4] and len(calls) == 1 + 5 + 5
    assert by_arm[0] == seeds and sorted(by_arm[4]) == sorted([seeds[0], *seeds])
    assert out["meetings.held"] == seeds[0] % 997 + 4
    assert out["F1:default - none"] == pytest.approx(4.0)  # run by run on common seeds
    # the held-out row with 2 replicates: the first 2 of the same seeds, both arms
    calls.clear()
    held = sim.run(params, [spec.held_out[0]], stream=3)
    assert sorted(calls) == sorted([(4, s) for s in seeds[:2]])
    assert held["H1:default"] == pytest.approx(np.mean([s % 997 + 4 for s in seeds[:2]]))
    # the same call repeats exactly; another stream draws other seeds
    calls.clear()
    assert sim.run(params, spec.statistics, stream=3) == out
    assert sim.run(params, spec.statistics, stream=4) != out
    # seeds for n runs are the first n of seeds for more: raising replicates keeps runs
    assert particle_seeds(spec.base_seed, params, 2, stream=3) == seeds[:2]


def test_statistic_replicates_are_checked_and_fingerprinted(tmp_path):
    base = "days: 20\nparameters: {meetings.joint_per_month: {min: 0, max: 2}}\n"
    for bad_value in ("0", "2.5", "101"):
        bad = tmp_path / "bad.yaml"
        bad.write_text(
            base + f"statistics: [{{pattern: F1, observed: 1, replicates: {bad_value}}}]\n"
        )
        with pytest.raises(InputError, match="replicates"):
            load(bad, FACTS)
    prints = []
    for extra in ("", ", replicates: 1", ", replicates: 3"):
        ok = tmp_path / "ok.yaml"
        ok.write_text(base + f"statistics: [{{pattern: F1, observed: 1{extra}}}]\n")
        spec, data, _ = load(ok, FACTS)
        prints.append(fingerprint(spec, data))
    # unset adds nothing to the fingerprint (older folders resume); a value changes runs
    assert prints[0] != prints[2] and prints[1] != prints[2]
    # the hash as it was before statistics had replicates: spec without the field
    ok.write_text(base + "statistics: [{pattern: F1, observed: 1}]\n")
    spec, data, _ = load(ok, FACTS)
    dumped = spec.model_dump(
        mode="json",
        exclude={"workers", "generations", "min_epsilon", "predictive"},
    )
    for s in dumped["statistics"]:
        del s["replicates"]
    blob = json.dumps({"spec": dumped, "scenario": data}, sort_keys=True, default=str)
    assert prints[0] == hashlib.sha256(blob.encode()).hexdigest()[:16]
