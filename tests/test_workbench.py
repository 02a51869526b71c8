"""The workbench's plain functions and server routes (no browser: see test_browser_workbench)."""

import base64
import json
import subprocess
import sys
import time

import pytest
import yaml

from sim.dashboard import workbench as wb
from sim.dashboard.app import create_app
from sim.dashboard.jobs import Jobs
from sim.dashboard.workbench_results import comparison_view, folder_of, target_view

TINY = {"name": "tiny", "days": 30, "compounds": [{"name": "a", "buildings": 3, "households": 60}]}


def upload(name: str, raw: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(raw).decode()


def texts(component) -> str:
    """Every string inside a Dash component tree."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(texts(c) for c in component)
    out = []
    for attr in ("children", "title", "value"):
        v = getattr(component, attr, None)
        if v is not None:
            out.append(texts(v))
    return " ".join(out)


def test_levers_carry_label_unit_range_and_the_scenario_value():
    text = wb.scenario_from_source("default")
    rows = wb.lever_controls(text, "zh")
    assert len(rows) == len(wb.LEVERS)
    label = rows[0].children[0].children
    assert "议事会" in label and "次 / 4 周" in label and "0–28" in label
    control = rows[0].children[1]
    assert control.min == 0 and control.max == 28
    assert control.value == wb.check_scenario(text).meetings.council_per_month
    # bools and text values are dropdowns with words
    adhoc = rows[wb.LEVERS.index("meetings.adhoc")].children[1]
    assert {o["label"] for o in adhoc.options} == {"是", "否"}


def test_projects_add_their_own_levers():
    text = wb.scenario_from_source("yongyuan41_elevator")
    paths = wb.lever_paths(wb.check_scenario(text))
    assert "projects.0.subsidy" in paths and "projects.0.rule" in paths
    rows = wb.lever_controls(text, "en")
    rule = rows[paths.index("projects.0.rule")].children[1]
    assert any("Civil Code" in o["label"] for o in rule.options)


def test_changes_are_what_moved_and_unknown_levers_are_refused():
    text = yaml.safe_dump(TINY)
    ids = [
        {"type": "wb-lever", "path": p} for p in ("meetings.council_per_month", "meetings.adhoc")
    ]
    assert wb.changes(text, ids, [4, "true"]) == []
    assert wb.changes(text, ids, [8, "false"]) == [
        "meetings.council_per_month=8",
        "meetings.adhoc=false",
    ]
    with pytest.raises(wb.WorkbenchInput):
        wb.changes(text, [{"type": "wb-lever", "path": "name"}], ["x"])
    with pytest.raises(wb.WorkbenchInput):
        wb.changes(text, ids[:1], [None])


def test_variant_out_of_range_gets_the_loaders_message():
    text = yaml.safe_dump(TINY)
    with pytest.raises(wb.WorkbenchInput, match="council_per_month"):
        wb.check_scenario(text, "variant", ["meetings.council_per_month=99"])


def test_uploaded_yaml_gets_the_same_message_as_the_cli(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nparty:\n  density: 2\n", encoding="utf-8")
    cli = subprocess.run(
        [sys.executable, "-m", "sim", "scenario", "check", str(bad)],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 2
    with pytest.raises(wb.WorkbenchInput) as info:
        wb.scenario_from_upload(upload("bad.yaml", bad.read_bytes()), "bad.yaml")
    # the same sentence, naming the field and the fix (the CLI prefixes the path it was given)
    core = " ".join(str(info.value).split(":", 1)[1].split())
    assert core and core in " ".join(cli.stderr.split())


def test_upload_limits_and_kinds():
    from sim.messages import render

    big = b"x" * (wb.MAX_UPLOAD + 10)
    with pytest.raises(wb.WorkbenchInput, match="larger") as info:
        wb.scenario_from_upload(upload("big.yaml", big), "big.yaml")
    assert "超过 2 MB" in render(info.value, "zh")  # the page shows it in its language
    with pytest.raises(wb.WorkbenchInput) as info:
        wb.scenario_from_upload(upload("d.yaml", b"party:\n  density: 3\n"), "d.yaml")
    assert "party.density" in render(info.value, "zh") and "请" in render(info.value, "zh")
    with pytest.raises(wb.WorkbenchInput, match="csv"):
        wb.scenario_from_upload(upload("x.exe", b"MZ"), "x.exe")
    with pytest.raises(wb.WorkbenchInput):
        wb.scenario_from_upload("data:;base64,!!!", "a.yaml")
    with pytest.raises(wb.WorkbenchInput, match="tag"):
        wb.scenario_from_upload(upload("t.yaml", b"name: !!python/none x\n"), "t.yaml")


def test_buildings_table_in_gb18030_becomes_a_scenario_with_coordinates():
    table = (
        "楼栋,小区,层数,单元数,户数,x,y\n1号楼,长沟新村,6,2,20,0,0\n2号楼,长沟新村,6,3,30,40,10\n"
    )
    text = wb.scenario_from_upload(upload("t.csv", table.encode("gb18030")), "长沟.csv")
    sc = wb.check_scenario(text)
    assert sc.total_households() == 50
    layout = sc.compounds[0].layout
    assert [b.name for b in layout] == ["1号楼", "2号楼"] and layout[1].x == 40
    assert "2 栋楼" in wb.describe_scenario(sc, "zh")


def test_target_levers_start_at_the_scenario_and_go_up():
    text = yaml.safe_dump({**TINY, "party": {"density": 0.05}})
    levers = wb.target_levers(text, ["party.density", "meetings.council_per_month"])
    assert levers["party.density"] == [0.05, 0.1, 0.2]
    assert levers["meetings.council_per_month"] == [4.0, 8]
    with pytest.raises(wb.WorkbenchInput):
        wb.target_levers(text, ["name"])


@pytest.mark.parametrize("name", ["../x", "a/b", "", None, 3, "x" * 200, "..", "a b"])
def test_folder_names_from_the_browser_never_leave_the_workbench(tmp_path, name):
    assert folder_of(tmp_path, name) is None


def _wait(job, timeout=180):
    t0 = time.time()
    while job.state() == "running" and time.time() - t0 < timeout:
        time.sleep(0.2)
    return job.state()


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    root = tmp_path_factory.mktemp("wb") / "results"
    root.mkdir()
    jobs = Jobs(root)
    job = jobs.start("s", yaml.safe_dump(TINY), ["meetings.council_per_month=8"], replicates=3)
    assert _wait(job) == "finished", job.error()
    return root, jobs, job


def test_comparison_view_shows_intervals_sentences_and_the_brief_link(finished):
    root, _, job = finished
    view = comparison_view(job.folder, "zh")
    words = texts(view)
    assert "议事会" in words and "→" in words and "区间" in words
    assert "：4 → 8" in words  # settings as a planner writes them, not 4.0 → 8.0
    assert f"/workbench/brief/{job.folder.name}?lang=zh" in json.dumps(
        view.to_plotly_json(), default=str
    )
    record = json.loads((job.folder / "comparison.json").read_text())
    assert record["reproduce"]["variant"][0].startswith("sim run ")


def test_brief_route_session_cookie_and_hosts(finished):
    root, jobs, job = finished
    app = create_app(root, jobs=jobs, allowed_host="lab.example")
    client = app.server.test_client()
    first = client.get("/workbench?lang=zh", headers={"Host": "127.0.0.1"})
    assert "sim_session" in first.headers.get("Set-Cookie", "")
    ok = client.get(f"/workbench/brief/{job.folder.name}?lang=zh", headers={"Host": "127.0.0.1"})
    assert ok.status_code == 200 and "社区议事简报" in ok.get_data(as_text=True)
    # an escaped path does not match the brief route at all (Dash's page shell answers)
    sneaky = client.get("/workbench/brief/..%2F..%2Fworkbench?lang=zh")
    assert "社区议事简报" not in sneaky.get_data(as_text=True)
    assert client.get("/workbench/brief/nothing").status_code == 404
    assert client.get("/", headers={"Host": "lab.example:8050"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 403
    # the brief was written under workbench/ only
    assert (root / "workbench" / "briefs" / f"{job.folder.name}-zh.html").exists()


def test_target_job_and_its_view(tmp_path):
    jobs = Jobs(tmp_path)
    job = jobs.start_target(
        "s",
        yaml.safe_dump(TINY),
        "disputes.share_of_all.resolved",
        0.0,
        {"meetings.council_per_month": [0.0, 4.0]},
        replicates=2,
    )
    assert _wait(job) == "finished", job.error()
    record = job.record()
    assert record["finished"] and record["best"] == {"meetings.council_per_month": 0.0}
    assert job.done_runs() == 1
    words = texts(target_view(record, 60, "zh"))
    assert "每年 0 次会议" in words and "是" in words


def test_dashboard_host_option_warns_and_bad_hosts_are_refused(tmp_path):
    import socket

    bad = subprocess.run(
        [sys.executable, "-m", "sim", "dashboard", str(tmp_path), "--host", "a b;c"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--host" in bad.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "dashboard",
            str(tmp_path),
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert "warning" in line and "0.0.0.0" in line
