import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments.analysis import report, sensitivity
from sim.experiments.runner import execute, prepare
from sim.experiments.spec import load_spec, points, run_seeds
from sim.results.sweeps import open_sweep, runs_frame
from sim.scenario.loading import InputError

SPEC = """
name: small
days: 120
parameters:
  meetings.council_per_month: {values: [0, 4]}
  party.density: {values: [0.0, 0.1]}
replicates: 3
base_seed: 7
"""


def write_spec(tmp_path, text=SPEC, name="spec.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def run_sweep(spec_path, out, workers=2, dask=None):
    _, tasks, out = prepare(spec_path, out)
    execute(tasks, workers, dask)
    return runs_frame(out)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ref")
    spec = write_spec(tmp)
    return spec, run_sweep(spec, tmp / "out")


def test_grid_points_and_unique_seeds():
    spec, _ = load_spec(write_spec(Path(os.environ.get("TMPDIR", "/tmp")), name="_s.yaml"))
    pts = points(spec)
    assert len(pts) == 4 and {"meetings.council_per_month", "party.density"} <= set(pts[0])
    seeds = run_seeds(7, 500, 20)
    assert len(np.unique(seeds)) == seeds.size
    assert np.array_equal(seeds, run_seeds(7, 500, 20))


def test_sweep_results_database(reference):
    spec, df = reference
    assert len(df) == 12 and df.run_id.is_unique
    out = spec.parent / "out"
    con = open_sweep(out)
    n_days = con.execute("SELECT count(*) FROM series WHERE run_id = 'p00000-r0000'").fetchone()
    assert n_days[0] == 120
    # no councils -> no L2 resolutions, whatever the party density
    no_council = df[df["param:meetings.council_per_month"] == 0]
    assert (no_council["disputes.resolved_by_level.L2"] == 0).all()


def test_a_run_can_be_rerun_alone(reference, tmp_path):
    import json
    import shlex

    spec, df = reference
    seeds = pd.read_parquet(spec.parent / "out" / "seeds.parquet").set_index("run_id")
    row = df.iloc[5]
    cmd = shlex.split(seeds.loc[row.run_id, "command"])
    assert cmd[:2] == ["sim", "run"] and str(int(row.seed)) in cmd
    out = tmp_path / "alone"
    r = subprocess.run(
        [sys.executable, "-m", "sim", *cmd[1:], "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["disputes.total"] == row["disputes.total"]
    assert summary["disputes.share_of_all.resolved"] == pytest.approx(
        row["disputes.share_of_all.resolved"]
    )


def test_report_ci_matches_hand_computation(reference):
    spec, df = reference
    rep = report(spec.parent / "out")
    r = rep[(rep.point == 1) & (rep.metric == "disputes.share_of_all.resolved")].iloc[0]
    v = df[df.point == 1]["disputes.share_of_all.resolved"].to_numpy()
    # A fraction of many cases per run: percentile bootstrap of the mean, by hand.
    rng = np.random.Generator(np.random.Philox(20240101))
    means = v[rng.integers(0, len(v), size=(2000, len(v)))].mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    assert r.n == 3 and r.method == "bootstrap"
    assert r["mean"] == pytest.approx(v.mean())
    assert r.ci_low == pytest.approx(lo)
    assert r.ci_high == pytest.approx(hi)
    assert v.min() <= r.ci_low <= r.ci_high <= v.max()
    assert (rep.ci_low.dropna() >= 0).all()


def test_killed_sweep_resumes_with_exactly_the_missing_runs(reference, tmp_path):
    spec_path, ref = reference
    spec = write_spec(tmp_path, SPEC.replace("days: 120", "days: 120"))
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "sim", "sweep", str(spec), "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(
        cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    summary_dir = out / "runs" / "summary"
    deadline = time.time() + 120
    while time.time() < deadline:
        if summary_dir.exists() and len(list(summary_dir.glob("*.parquet"))) >= 3:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(list(summary_dir.glob("*.parquet")))
    assert 3 <= partial < 12
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    resumed = runs_frame(out)
    assert len(resumed) == 12 and resumed.run_id.is_unique
    pd.testing.assert_frame_equal(resumed.reset_index(drop=True), ref.reset_index(drop=True))


def test_changed_spec_under_existing_folder_is_refused(reference, tmp_path):
    spec_path, _ = reference
    changed = write_spec(tmp_path, SPEC.replace("replicates: 3", "replicates: 4"))
    with pytest.raises(InputError, match="different spec"):
        prepare(changed, spec_path.parent / "out")


def test_dask_local_cluster_gives_identical_results(reference, tmp_path):
    spec_path, ref = reference
    df = run_sweep(spec_path, tmp_path / "dask", workers=2, dask="local")
    pd.testing.assert_frame_equal(df.reset_index(drop=True), ref.reset_index(drop=True))


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("parameters: {}\n", "at least one"),
        ("parameters:\n  party.densty: {values: [0.1]}\n", "did you mean 'density'"),
        ("parameters:\n  party.density: {values: [2.0]}\n", "party.density"),
        ("parameters:\n  party.density: {min: 0, max: 0.2}\n", "design grid needs values"),
        ("design: anova\nparameters:\n  party.density: {values: [0.1]}\n", "design"),
        ("scenario: nope.yaml\nparameters:\n  party.density: {values: [0.1]}\n", "nope.yaml"),
    ],
)
def test_bad_specs(tmp_path, text, expect):
    with pytest.raises(InputError) as err:
        load_spec(write_spec(tmp_path, text))
    assert expect in str(err.value)


def test_morris_ranks_a_lever_that_does_nothing_last(tmp_path):
    spec_path = write_spec(
        tmp_path,
        """
name: morris
days: 150
design: morris
samples: 8
levels: 4
replicates: 2
base_seed: 3
common_seeds: true
metrics: [disputes.resolved_by_level.L2, disputes.resolved_by_level.L1]
parameters:
  meetings.council_per_month: {min: 0, max: 8}
  party.density: {min: 0, max: 0.3}
  trust.gain_project: {min: 0, max: 1}
""",
    )
    spec, tasks, out = prepare(spec_path, tmp_path / "m")
    execute(tasks, 2)
    table = sensitivity(out, spec)
    assert set(table.columns) >= {"metric", "parameter", "mu_star", "mu_star_conf", "sigma"}
    assert len(table) == 2 * 3
    l2 = table[table.metric == "disputes.resolved_by_level.L2"].sort_values("rank")
    assert l2.parameter.iloc[-1] == "trust.gain_project"
    assert l2.parameter.iloc[0] == "meetings.council_per_month"
    # Councils compete with building mediators for the cases waiting at both levels, so both
    # real levers move L1; the no-op lever must still rank last.
    l1 = table[table.metric == "disputes.resolved_by_level.L1"].sort_values("rank")
    assert l1.parameter.iloc[-1] == "trust.gain_project"
    # Common seeds: every point sees the same disputes, so the no-op's effects are exactly 0
    # (with a seed per point its rank among weak levers depended on seed noise).
    assert (table[table.parameter == "trust.gain_project"].mu_star == 0).all()


def test_results_module_opens_sweeps(reference):
    from sim.results import open_sweep as open_from_results

    spec, df = reference
    con = open_from_results(spec.parent / "out")
    n = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert n == len(df)
    assert con.execute("SELECT count(*) FROM points").fetchone()[0] == 4


def test_sobol_sensitivity_shape(tmp_path):
    spec_path = write_spec(
        tmp_path,
        """
name: sobol
days: 180
design: sobol
samples: 16
replicates: 1
metrics: [disputes.resolved_by_level.L2]
parameters:
  meetings.council_per_month: {min: 0, max: 8}
  trust.gain_project: {min: 0, max: 1}
""",
    )
    spec, tasks, out = prepare(spec_path, tmp_path / "s")
    assert len(tasks) == 16 * (2 + 2)
    execute(tasks, 2)
    table = sensitivity(out, spec)
    assert set(table.columns) >= {"S1", "S1_conf", "ST", "ST_conf", "rank"}
    assert len(table) == 2
    top = table.sort_values("rank").iloc[0]
    assert top.parameter == "meetings.council_per_month"


def test_dask_scheduler_address(reference, tmp_path):
    from distributed import LocalCluster

    spec_path, ref = reference
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        df = run_sweep(spec_path, tmp_path / "remote", workers=2, dask=cluster.scheduler_address)
    pd.testing.assert_frame_equal(df.reset_index(drop=True), ref.reset_index(drop=True))


def test_batches_cover_every_run_in_order():
    from sim.experiments.runner import batches

    tasks = [{"i": i} for i in range(103)]
    for workers in (1, 2, 8):
        got = batches(tasks, workers)
        assert [t for b in got for t in b] == tasks
        assert max(len(b) for b in got) <= 16
        assert len(got) >= min(len(tasks), 4 * workers)
        sizes = [len(b) for b in got]
        assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 1  # shrinking to one run
    assert batches([], 2) == []


def test_the_sweep_parent_never_imports_the_model():
    code = (
        "import sys, sim.experiments.runner, sim.experiments.pool; "
        "print(sorted(m for m in ('mesa', 'sim.model.model', 'sim.experiments.sweep_worker') "
        "if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def _worker_state(_):
    return os.getppid(), "sim.model.model" in sys.modules and "pyarrow.parquet" in sys.modules


def test_pool_workers_start_with_the_model_imported():
    from concurrent.futures import ProcessPoolExecutor

    from sim.experiments.pool import pool_context, warm_up

    assert warm_up()  # Linux: a fork server preloads the worker module
    with ProcessPoolExecutor(2, mp_context=pool_context()) as ex:
        states = list(ex.map(_worker_state, range(4)))
    assert all(ready for _, ready in states)
    assert all(ppid != os.getpid() for ppid, _ in states)  # forked from the server


@pytest.mark.parametrize(
    ("argv", "kind"),
    [
        (["sweep", "s.yaml"], "pool"),
        (["sweep", "s.yaml", "--workers", "2", "--out", "o"], "pool"),
        (["--lang", "zh", "sweep", "s.yaml"], "pool"),
        (["sweep", "--lang=zh", "s.yaml", "--dask", "local"], "dask"),
        (["sensitivity", "s.yaml", "--dask=local"], "dask"),
        (["sweep", "s.yaml", "--dask", "tcp://10.0.0.1:8786"], None),
        (["sweep", "report", "results/sweeps/x"], None),
        (["sweep", "s.yaml", "--help"], None),
        (["sweep", "-h"], None),
        (["sweep"], None),
        (["run", "s.yaml"], None),
        (["--lang", "sweep", "run"], None),  # "sweep" is --lang's value here
        ([], None),
    ],
)
def test_sim_knows_before_parsing_which_sweep_workers_to_start(argv, kind):
    from sim.experiments.pool import sweep_executor, warm_up_for

    assert sweep_executor(argv) == kind
    if kind is None:
        assert not warm_up_for(argv)


def _dask_setting(key):
    import dask

    return dask.config.get(key)


def test_local_dask_workers_run_without_background_sampling():
    """The local cluster's workers get LOCAL_DASK_CONFIG (no stack profiler, rare wake-ups)."""
    from sim.experiments.runner import LOCAL_DASK_CONFIG, make_executor

    with make_executor(1, "local") as ex:
        seen = {k: ex.submit(_dask_setting, k).result() for k in LOCAL_DASK_CONFIG}
    assert seen == LOCAL_DASK_CONFIG
    assert seen["distributed.worker.profile.enabled"] is False


def test_intervals_stay_inside_the_possible_range():
    import numpy as np

    from sim.experiments.analysis import interval

    share = interval(np.array([1.0, 1.0, 0.9, 1.0]), "share")
    assert 0.9 <= share[2] <= share[0] <= share[3] <= 1 and share[4] == 4
    assert share[5] == "bootstrap"
    runs = interval(np.array([1.0, 0.0, 1.0, 1.0]), "share")  # an event per run
    assert runs[5] == "wilson" and 0 < runs[2] < runs[0] < runs[3] < 1
    assert interval(np.array([1.0, 1.0]), "share")[2] < 1  # never a zero-width interval
    counts = interval(np.array([0.0, 0.0, 0.0, 21.0]), "count")
    assert counts[2] >= 0 and counts[3] <= 21 and counts[5] == "bootstrap"
    zeros = interval(np.array([0.0, 0.0, 0.0]), "count")
    assert zeros[2] == 0 and zeros[3] > 0 and zeros[5] == "poisson"
    days = interval(np.array([3.0, 50.0, 4.0]), "days")
    assert 3 <= days[2] <= days[3] <= 50
    assert interval(np.array([3.0, 50.0, 4.0]), "days") == days  # seeded bootstrap


def test_common_seeds_give_every_point_the_same_replicates():
    from sim.experiments.spec import run_seeds

    common = run_seeds(7, 4, 3, common=True)
    assert (common == common[0]).all() and len(set(common[0])) == 3
    own = run_seeds(7, 4, 3)
    assert (own[0] == common[0]).all() and len({tuple(r) for r in own}) == 4


def test_keep_events_writes_each_runs_event_tables_only_when_asked(tmp_path):
    spec_text = "name: ev\ndays: 40\nparameters:\n  party.density: {values: [0.05]}\n"
    spec_path = write_spec(tmp_path, spec_text + "replicates: 2\nbase_seed: 5\n")
    r = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(spec_path), "--out", str(tmp_path / "plain")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "plain" / "runs" / "events").exists()
    kept = tmp_path / "kept"
    r = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(spec_path), "--out", str(kept), "--keep-events"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    names = {p.name for p in (kept / "runs" / "events").iterdir()}
    for rep in range(2):
        for table in ("disputes", "meetings", "projects", "votes"):  # the default has projects
            assert f"p00000-r{rep:04d}.{table}.parquet" in names
    assert all(n.split(".")[1] in ("disputes", "meetings", "projects", "votes") for n in names)
    disputes = pd.read_parquet(kept / "runs" / "events" / "p00000-r0001.disputes.parquet")
    summary = runs_frame(kept).set_index("replicate").loc[1]
    assert len(disputes) == summary["disputes.total"]
