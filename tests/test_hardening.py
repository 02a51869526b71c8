"""Regression tests of issue #10: no data loss, hang or traceback on careless or hostile input."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.results.paths import clean_stale_temps, safe_name
from sim.scenario import InputError, load_scenario

SIM = [sys.executable, "-m", "sim"]


def sim(*args, cwd=None, timeout=120):
    return subprocess.run([*SIM, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


def refused(r, expect: str = "") -> None:
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert expect in r.stderr, r.stderr


# ------------------------------------------------------------------ output safety


def test_out_never_deletes_a_foreign_folder(tmp_path):
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "thesis.txt").write_text("years of work")
    refused(sim("run", "--days", "3", "--out", str(keep), cwd=tmp_path), "not a sim run folder")
    refused(sim("run", "--days", "3", "--out", ".", cwd=keep), "not a sim run folder")
    assert (keep / "thesis.txt").read_text() == "years of work"
    assert sorted(p.name for p in keep.iterdir()) == ["thesis.txt"]


def test_out_file_and_results_root_are_refused(tmp_path):
    (tmp_path / "f.txt").write_text("x")
    refused(sim("run", "--days", "3", "--out", "f.txt", cwd=tmp_path), "not a folder")
    refused(sim("run", "--days", "3", "--out", "f.txt/sub", cwd=tmp_path), "not a folder")
    (tmp_path / "results" / "old").mkdir(parents=True)
    refused(sim("run", "--days", "3", "--out", "results", cwd=tmp_path), "not a sim run folder")
    assert (tmp_path / "results" / "old").is_dir()


def test_replacing_a_run_needs_force_and_keeps_foreign_files(tmp_path):
    assert sim("run", "--days", "3", "--out", "r", cwd=tmp_path).returncode == 0
    (tmp_path / "r" / "notes.txt").write_text("mine")
    refused(sim("run", "--days", "3", "--out", "r", cwd=tmp_path), "--force")
    r = sim("run", "--days", "4", "--out", "r", "--force", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["days"] == 4
    assert (tmp_path / "r" / "notes.txt").read_text() == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_default_folder_name_is_sanitised_and_inside_results(tmp_path):
    r = sim("run", "--days", "3", "--set", 'name="../../escape/东区 x"', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    made = [p for p in tmp_path.rglob("summary.json")]
    assert len(made) == 1 and made[0].parent.parent == tmp_path / "results"
    assert "东区" in made[0].parent.name and ".." not in made[0].parent.name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


@pytest.mark.parametrize(
    "name", ["../../x", "/etc/passwd", "a\x00b", "..", "", "x" * 500, "中文/小区", " .hidden"]
)
def test_safe_name(name):
    out = safe_name(name)
    assert out and "/" not in out and "\x00" not in out and ".." not in out
    assert not out.startswith(".") and len(out) <= 80


def test_report_refuses_to_overwrite_run_files(tmp_path):
    assert sim("run", "--days", "3", "--out", "r", cwd=tmp_path).returncode == 0
    before = (tmp_path / "r" / "summary.json").read_bytes()
    for target in ("r/summary.json", "r/manifest.json", "r/timeseries.parquet"):
        refused(sim("report", "r", "--html", target, cwd=tmp_path), "refusing to overwrite")
    refused(sim("report", "r", "--html", "r", cwd=tmp_path), "is a folder")
    (tmp_path / "data.csv").write_text("a,b\n")
    refused(sim("report", "r", "--html", "data.csv", cwd=tmp_path), "not a .html")
    assert (tmp_path / "r" / "summary.json").read_bytes() == before
    assert (tmp_path / "data.csv").read_text() == "a,b\n"
    r = sim("report", "r", "--html", "r/report.html", cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_unwritable_outputs_are_refused_before_the_simulation(tmp_path):
    (tmp_path / "f").write_text("x")
    t0 = time.monotonic()
    refused(sim("run", "--out", "f/run", cwd=tmp_path), "not a folder")
    refused(sim("report", "x", "--html", "f/r.html", cwd=tmp_path), "not a folder")
    refused(sim("scenario", "init", "f/s.yaml", cwd=tmp_path), "not a folder")
    assert time.monotonic() - t0 < 60  # a full default year is never simulated first


def test_scenario_init_refuses_a_folder(tmp_path):
    refused(sim("scenario", "init", str(tmp_path)), "exists")
    refused(sim("scenario", "init", str(tmp_path), "--force"), "is a folder")


def test_stale_temp_folders_are_cleaned_only_when_sim_made_them(tmp_path):
    old = time.time() - 3600
    ours = tmp_path / ".run.abcd1234"
    ours.mkdir()
    (ours / "timeseries.parquet").write_bytes(b"x")
    theirs = tmp_path / ".cache.abcd1234"
    theirs.mkdir()
    (theirs / "photo.jpg").write_bytes(b"x")
    other = tmp_path / ".config"
    other.mkdir()
    for p in (ours, theirs, other):
        os.utime(p, (old, old))
    assert clean_stale_temps(tmp_path) == [ours]
    assert theirs.is_dir() and other.is_dir() and not ours.exists()


def test_a_killed_runs_temp_folder_is_removed_by_the_next_run(tmp_path):
    results = tmp_path / "results"
    left = results / ".r.zz99zz99"
    left.mkdir(parents=True)
    (left / "summary.json").write_text("{}")
    old = time.time() - 3600
    os.utime(left, (old, old))
    assert sim("run", "--days", "3", "--out", "results/r", cwd=tmp_path).returncode == 0
    assert not left.exists()


# ------------------------------------------------------------------ resource limits

LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10) if i else '1, 1, 1, 1, 1, 1, 1, 1, 1, 1'}]\n"
    for i in range(9)
)

BAD_SCENARIOS = [
    ("party:\n  density: 0.1\nparty:\n  big_v: 0\n", "duplicate key 'party'"),
    ("meetings: {council_per_month: 1, council_per_month: 2}\n", "duplicate key"),
    ("start_date: 2024-02-30\n", "start_date"),
    ("start_date: 1066-10-14\n", "start_date"),
    ("compounds:\n  - layout: [{count: 1000000000}]\n", "compounds.0.layout.0.count"),
    (
        "compounds:\n  - layout: [{count: 5000, floors: 60, units: 50, "
        "households_per_floor: 20}]\n",
        "at most 2,000,000",
    ),
    ("compounds:\n  - count: 100000\n", "compounds.0.count"),
    ("days: 100000000\n", "days"),
    ("population:\n  area_mean: .inf\n", "population.area_mean: inf is not a finite number"),
    ("trust:\n  initial_mean: .nan\n", "not a finite number"),
    ("a: " + "[" * 400 + "]" * 400 + "\n", "nested"),
    ("a: " + "{b: " * 40 + "1" + "}" * 40 + "\n", "nested deeper"),
    (LAUGHS, "aliases"),
    ('name: "' + "x" * 300 + '"\n', "shorten the name"),
    ('name: "a\\0b"\n', "control characters"),
    ('compounds:\n  - name: "a\\x07"\n', "control characters"),
    ("projects: [" + ", ".join(["{type: greening}"] * 1001) + "]\n", "projects"),
]


@pytest.mark.parametrize(("text", "expect"), BAD_SCENARIOS)
def test_bad_scenarios_are_messages(tmp_path, text, expect):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=re.escape(expect)):
        load_scenario(path)


def test_size_limit_and_non_regular_files(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("description: " + "x" * (3 * 1024 * 1024) + "\n")
    with pytest.raises(InputError, match="2 MB limit"):
        load_scenario(big)
    with pytest.raises(InputError, match="not a regular file"):
        load_scenario("/dev/zero")
    refused(sim("scenario", "check", "/dev/zero"), "not a regular file")


def test_set_values_are_checked_like_files():
    with pytest.raises(InputError, match="not a finite number"):
        load_scenario(sets=["population.area_mean=.inf"])
    with pytest.raises(InputError, match="not valid YAML"):
        load_scenario(sets=["meetings={a: 1, a: 2}"])


def test_chinese_names_are_fine():
    sc = load_scenario(sets=["name=长沟新村", "compounds.0.name=东区"])
    assert sc.name == "长沟新村"


SPEC_OK = "name: t\nparameters:\n  party.density: {values: [0.0, 0.1]}\nreplicates: 2\ndays: 5\n"

BAD_SPECS = [
    (
        "name: t\nparameters:\n  party.density: {values: &v [0.0, 0.1]}\n"
        "  meetings.council_per_month: {values: *v}\n",
        "anchors and aliases",
    ),
    (SPEC_OK + "replicates: 3\n", "duplicate key 'replicates'"),
    (SPEC_OK.replace("replicates: 2", "replicates: 10000"), "exceed the limit of 10,000"),
    (
        "name: t\ndesign: sobol\nsamples: 100000\nparameters:\n"
        "  party.density: {min: 0, max: 0.2}\n  trust.initial_mean: {min: 0.1, max: 0.9}\n",
        "exceed the limit",
    ),
    ("name: t\nparameters:\n  party.density: {min: 0, max: .inf}\ndesign: lhs\n", "finite"),
    ("# pad\n" * 200_000 + SPEC_OK, "1 MB limit"),
]


@pytest.mark.parametrize(("text", "expect"), BAD_SPECS)
def test_bad_specs_are_messages_before_any_design(tmp_path, text, expect):
    from sim.experiments.runner import prepare

    path = tmp_path / "spec.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=re.escape(expect)):
        prepare(path, tmp_path / "sweep")
    assert not (tmp_path / "sweep").exists()


def test_max_runs_raises_the_limit(tmp_path):
    from sim.experiments.runner import prepare

    path = tmp_path / "spec.yaml"
    path.write_text(SPEC_OK.replace("replicates: 2", "replicates: 6"))
    with pytest.raises(InputError, match="--max-runs 12"):
        prepare(path, tmp_path / "sweep", max_runs=10)
    _, tasks, _ = prepare(path, tmp_path / "sweep", max_runs=12)
    assert len(tasks) == 12


# ------------------------------------------------------------------ every error is a message


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["sweep", "x.yaml", "--workers", "-2"], "--workers"),
        (["sweep", "x.yaml", "--workers", "0"], "--workers"),
        (["sensitivity", "x.yaml", "--workers", "0"], "--workers"),
        (["validate", "--seeds", "0"], "--seeds"),
        (["validate", "--seeds", "-3"], "--seeds"),
        (["validate", "--workers", "0"], "--workers"),
        (["bench", "--reps", "0"], "--reps"),
        (["bench", "--reps", "-1"], "--reps"),
        (["dashboard", "--port", "70000"], "--port"),
        (["dashboard", "--port", "0"], "--port"),
        (["sweep", "x.yaml", "--max-runs", "0"], "--max-runs"),
    ],
)
def test_bad_option_values_are_refused(tmp_path, args, expect):
    refused(sim(*args, cwd=tmp_path), expect)


def test_corrupt_results_are_messages(tmp_path):
    assert sim("run", "--days", "3", "--out", "r", cwd=tmp_path).returncode == 0
    shutil.copytree(tmp_path / "r", tmp_path / "r2")
    (tmp_path / "r2" / "timeseries.parquet").write_bytes(b"not parquet")
    refused(sim("report", "r2", "--html", "a.html", cwd=tmp_path), "timeseries.parquet")
    (tmp_path / "r" / "manifest.json").write_text("{")
    refused(sim("report", "r", "--html", "a.html", cwd=tmp_path), "manifest.json")
    assert not (tmp_path / "a.html").exists()


def test_too_large_whole_numbers_are_refused(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("projects:\n  - {type: greening, deadline_days: 100000000000000000000}\n")
    with pytest.raises(InputError, match="too large"):
        load_scenario(path)


def test_unreachable_dask_scheduler_is_a_message(tmp_path, monkeypatch):
    from sim.experiments import runner

    monkeypatch.setattr(runner, "DASK_TIMEOUT_S", 2)
    with pytest.raises(InputError, match="cannot reach a Dask scheduler"):  # noqa: SIM117
        with runner.make_executor(1, "tcp://127.0.0.1:9"):
            pass


def test_top_level_handler_messages():
    from sim.errors import error_message

    assert "out of memory" in error_message(MemoryError())
    msg = error_message(PermissionError(13, "Permission denied", "/x/y"))
    assert msg.startswith("/x/y: Permission denied")
    assert "out of range" in error_message(OverflowError("int too large"))


# ------------------------------------------------------------------ sweeps that always resume


def test_half_made_sweep_folder_is_completed(tmp_path):
    from sim.experiments.runner import prepare

    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC_OK)
    out = tmp_path / "sw"
    (out / "runs" / "summary").mkdir(parents=True)
    (out / "points.parquet").write_bytes(b"half written")
    (out / ".sweep.json.tmp").write_text("{")
    (out / "runs" / "summary" / ".p00000-r0000.parquet.123.tmp").write_bytes(b"x")
    _, tasks, _ = prepare(spec, out)
    assert len(tasks) == 4 and (out / "sweep.json").exists()
    assert not (out / ".sweep.json.tmp").exists()
    assert not list((out / "runs" / "summary").iterdir())
    _, again, _ = prepare(spec, out)
    assert len(again) == 4


def test_folder_with_foreign_files_is_not_taken_for_a_half_made_sweep(tmp_path):
    from sim.experiments.runner import prepare

    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC_OK)
    out = tmp_path / "sw"
    out.mkdir()
    (out / "points.parquet").write_bytes(b"x")
    (out / "mine.txt").write_text("keep")
    with pytest.raises(InputError, match="not a sweep folder"):
        prepare(spec, out)
    assert (out / "points.parquet").read_bytes() == b"x"


def test_second_concurrent_writer_is_refused(tmp_path):
    from filelock import FileLock

    from sim.experiments.runner import prepare

    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC_OK)
    out = tmp_path / "sw"
    out.mkdir()
    holder = FileLock(out / ".lock")
    holder.acquire()
    try:
        with pytest.raises(InputError, match="another sim sweep is writing"):
            prepare(spec, out)
        refused(sim("sweep", str(spec), "--out", str(out)), "another sim sweep")
    finally:
        holder.release()


@pytest.mark.parametrize("dask", [[], ["--dask", "local"]], ids=["pool", "dask-local"])
def test_workers_exit_when_the_parent_is_killed(tmp_path, dask):
    import psutil

    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SPEC_OK.replace("days: 5", "days: 36500").replace("replicates: 2", "replicates: 8")
    )
    proc = subprocess.Popen(
        [*SIM, "sweep", str(spec), "--out", str(tmp_path / "sw"), "--workers", "2", *dask],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    parent = psutil.Process(proc.pid)
    deadline = time.time() + 120
    workers = []
    while time.time() < deadline and len(workers) < 3:
        # Pool processes: spawned workers, or the fork server and the workers forked from it,
        # and multiprocessing's resource tracker; at least two workers and one more.
        workers = [
            c for c in parent.children(recursive=True) if "multiprocessing" in " ".join(c.cmdline())
        ]
        time.sleep(0.2)
    assert len(workers) >= 3
    time.sleep(1.0)  # the runs have started
    proc.kill()
    proc.wait()
    gone, alive = psutil.wait_procs(workers, timeout=30)
    for p in alive:
        p.kill()
    assert not alive


# ------------------------------------------------------------------ dashboard and sweep report


@pytest.fixture(scope="module")
def small_results(tmp_path_factory):
    from sim.experiments.runner import execute, prepare
    from sim.model import NeighbourhoodModel
    from sim.results import write_run

    res = tmp_path_factory.mktemp("hard") / "results"
    model = NeighbourhoodModel(load_scenario(sets=["days=5"]))
    model.run()
    write_run(model, res / "good", 42)
    spec = res.parent / "spec.yaml"
    spec.write_text(SPEC_OK)
    _, tasks, out = prepare(spec, res / "sweeps" / "ok")
    execute(tasks, 1)
    return res


def test_sweep_report_refuses_unknown_metrics_before_writing(small_results):
    sweep = small_results / "sweeps" / "ok"
    r = sim("sweep", "report", str(sweep), "--metric", "nope")
    refused(r, "--metric nope")
    assert not (sweep / "report.csv").exists()
    r = sim("sweep", "report", str(sweep), "--metric", "disputes.share_of_all.resolved")
    assert r.returncode == 0, r.stderr
    refused(sim("report", str(sweep), "--html", str(sweep / "sweep.json")), "refusing")
    refused(sim("report", str(sweep), "--html", str(sweep / "runs" / "x.html")), "refusing")


def test_dashboard_starts_on_malformed_entries(small_results, tmp_path):
    from sim.dashboard import app as dapp

    res = tmp_path / "results"
    shutil.copytree(small_results, res)
    (res / "listspec").mkdir()
    (res / "listspec" / "sweep.json").write_text('{"spec": [1, 2]}')
    (res / "strjson").mkdir()
    (res / "strjson" / "sweep.json").write_text('"just a string"')
    shutil.copytree(res / "good", res / "corrupt")
    (res / "corrupt" / "timeseries.parquet").write_bytes(b"garbage")
    shutil.copytree(res / "sweeps" / "ok", res / "badmeta")
    meta = json.loads((res / "badmeta" / "sweep.json").read_text())
    meta["spec"]["metrics"] = "not a list"
    (res / "badmeta" / "sweep.json").write_text(json.dumps(meta))
    app = dapp.create_app(res)
    cat = app.catalog
    assert cat.get("good", "run") is not None
    assert any("listspec" in p for p in cat.problems)
    assert any("strjson" in p for p in cat.problems)
    fig = dapp.run_series(cat, "corrupt", ["open_disputes"])
    assert "timeseries.parquet" in json.dumps(fig.to_plotly_json())
    *_, filters = dapp.sweep_controls(cat, "badmeta")
    assert "could not read" in json.dumps(filters[0].to_plotly_json(), default=str)
    client = app.server.test_client()
    for page in ("/", "/run", "/sweep", "/sensitivity", "/compare"):
        assert client.get(page).status_code == 200


def test_dashboard_discovery_is_bounded(tmp_path, monkeypatch):
    from sim.dashboard import catalog

    for i in range(30):
        (tmp_path / f"d{i}").mkdir()
    monkeypatch.setattr(catalog, "MAX_FOLDERS", 10)
    cat = catalog.discover(tmp_path)
    assert any("stopped looking" in p for p in cat.problems)
    monkeypatch.setattr(catalog, "MAX_FOLDERS", 2000)
    catalog.discover("/")  # returns, whatever the machine holds


def test_dashboard_checks_the_host_header(small_results):
    from sim.dashboard import app as dapp

    client = dapp.create_app(small_results).server.test_client()
    for host in ("127.0.0.1:8050", "localhost", "[::1]:9000", "LOCALHOST:1"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "127.0.0.1.evil.example", "localhost.evil:80", "10.0.0.1"):
        assert client.get("/", headers={"Host": host}).status_code == 403, host


def test_wrong_typed_callback_inputs_answer_a_message(small_results):
    from sim.dashboard import app as dapp

    app = dapp.create_app(small_results)
    cat = app.catalog
    fig = dapp.run_network(cat, "good", "open_disputes", "not a day")
    assert "could not read" in json.dumps(fig.to_plotly_json())
    dapp.run_series(cat, ["good"], 7)
    dapp.compare_view(cat, "good", 5, ["x"])
    client = app.server.test_client()
    body = {
        "output": "..page.children...nav.children...lang.data..",
        "outputs": [
            {"id": "page", "property": "children"},
            {"id": "nav", "property": "children"},
            {"id": "lang", "property": "data"},
        ],
        "inputs": [
            {"id": "url", "property": "pathname", "value": {"a": [1]}},
            {"id": "url", "property": "search", "value": 7},
        ],
        "changedPropIds": ["url.pathname"],
    }
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200


# ------------------------------------------------------------------ fresh machine

ROOT = Path(__file__).resolve().parents[1]


def test_readme_quick_start_is_two_commands_and_ci_runs_the_test_script():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert len(commands) == 2
    assert "sim run" in commands[0]
    assert commands[1] == "bash scripts/test.sh"
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_test_script_names_the_packages_when_it_may_not_install(tmp_path):
    env = {
        **os.environ,
        "CHROMIUM": str(tmp_path / "no-chromium"),
        "APT_GET": str(tmp_path / "no-apt-get"),
    }
    r = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test.sh"), "--co", "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 1
    assert "chromium fonts-noto-cjk" in r.stderr
    assert "collected" not in r.stdout  # stopped before pytest


def test_sweep_default_folder_stays_inside_results(tmp_path, monkeypatch):
    from sim.experiments.runner import prepare

    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC_OK.replace("name: t", "name: ../../escape"))
    _, _, out = prepare(spec)
    assert out.resolve().parent == (tmp_path / "results" / "sweeps").resolve()
    spec.write_text(SPEC_OK.replace("name: t", 'name: "a\\0b"'))
    with pytest.raises(InputError, match="control characters"):
        prepare(spec)


def test_an_interrupted_replacement_can_be_replaced_again(tmp_path):
    from sim.results.paths import check_run_out

    run = tmp_path / "r"
    run.mkdir()
    (run / "manifest.json").write_text("{}")
    (run / "timeseries.parquet").write_bytes(b"x")  # summary.json was removed first
    with pytest.raises(InputError, match="--force"):
        check_run_out(run, False)
    check_run_out(run, True)
    (run / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not a sim run folder"):
        check_run_out(run, True)
