import json
import os
import subprocess
import sys

import pytest

SIM = [sys.executable, "-m", "sim"]


def sim(*args, cwd=None):
    env = {**os.environ, "COLUMNS": "240"}  # wide enough that table cells do not wrap
    return subprocess.run(
        [*SIM, *args], capture_output=True, text=True, cwd=cwd, timeout=300, env=env
    )


def test_run_default_end_to_end(tmp_path):
    out = tmp_path / "run"
    r = sim("run", "--out", str(out), "--days", "90")
    assert r.returncode == 0, r.stderr
    for f in ("manifest.json", "timeseries.parquet", "disputes.parquet", "meetings.parquet"):
        assert (out / f).exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["days"] == 90
    assert "Share resolved in the community" in r.stdout and "disputes opened" in r.stdout
    assert "disputes.share_of_all" not in r.stdout  # plain words, not keys
    assert f"sim --lang en dashboard {out.parent}" in r.stdout


def test_run_summary_in_chinese(tmp_path):
    out = tmp_path / "run"
    r = sim("run", "--out", str(out), "--days", "60", "--lang", "zh")
    assert r.returncode == 0, r.stderr
    assert "社区内化解比例" in r.stdout and "全部发生的纠纷" in r.stdout
    assert "Share resolved" not in r.stdout


def test_version_and_flags_in_help():
    r = sim("--version")
    assert r.returncode == 0 and r.stdout.startswith("sim ")
    r = sim("validate", "--help")
    assert "--fast" in r.stdout and "<bool>" not in r.stdout
    r = sim("run", "--help")
    assert "repeat" in r.stdout
    assert sim("--lang", "fr", "scenario", "doc").returncode == 2


def test_run_without_meetings_resolves_nothing_above_l1(tmp_path):
    out = tmp_path / "run"
    sets = ["meetings.council_per_month=0", "meetings.joint_per_month=0", "meetings.adhoc=false"]
    args = [a for s in sets for a in ("--set", s)]
    r = sim("run", *args, "--out", str(out))
    assert r.returncode == 0, r.stderr
    by = json.loads((out / "summary.json").read_text())["disputes.resolved_by_level"]
    assert by["L2"] == 0 and by["L3"] == 0


BAD = [
    ("days: [1\n", [], "YAML syntax error"),
    ("meetigns: {}\n", [], "did you mean 'meetings'"),
    ("party:\n  density: 1.5\n", [], "party.density"),
    ("compounds:\n  - households: -3\n", [], "compounds.0.households"),
    ("party:\n  big_v: 99\n", [], "party.big_v"),
    ("a: !!python/object/apply:os.system ['touch pwned']\n", [], "not allowed"),
    ("days: 10\n", ["meetings.council_per_month=lots"], "meetings.council_per_month"),
]


@pytest.mark.parametrize(("text", "sets", "expect"), BAD)
def test_bad_input_exits_2_without_traceback_or_output(tmp_path, text, sets, expect):
    scen = tmp_path / "s.yaml"
    scen.write_text(text)
    out = tmp_path / "out"
    args = [a for s in sets for a in ("--set", s)]
    r = sim("run", str(scen), *args, "--out", str(out), cwd=tmp_path)
    assert r.returncode == 2
    assert expect in r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert not out.exists()
    assert not (tmp_path / "pwned").exists()
    assert not (tmp_path / "results").exists()


def test_missing_file_exits_2(tmp_path):
    r = sim("scenario", "check", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_scenario_check_and_show(tmp_path):
    scen = tmp_path / "s.yaml"
    scen.write_text("name: mini\ndays: 5\n")
    r = sim("scenario", "check", str(scen))
    assert r.returncode == 0 and "ok" in r.stdout
    r = sim("scenario", "show", str(scen))
    assert r.returncode == 0
    assert "council_per_month: 4.0" in r.stdout and "name: mini" in r.stdout


def test_sweep_report_sensitivity_and_html_report_from_the_cli(tmp_path):
    spec = tmp_path / "m.yaml"
    spec.write_text(
        "name: m\ndays: 40\ndesign: morris\nsamples: 2\nreplicates: 1\n"
        "metrics: [disputes.share_of_all.resolved]\nparameters:\n"
        "  meetings.council_per_month: {min: 0, max: 8}\n"
        "  party.density: {min: 0, max: 0.2}\n"
    )
    out = tmp_path / "sweep"
    r = sim("sensitivity", str(spec), "--out", str(out), "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert "mu* (mean absolute effect)" in r.stdout and (out / "sensitivity.csv").exists()
    assert "How to read it" in r.stdout
    r = sim("sweep", "report", str(out))
    assert r.returncode == 0, r.stderr
    assert "95% interval" in r.stdout and (out / "report.csv").exists()
    assert "Share resolved" in r.stdout and "disputes.share_of_all" not in r.stdout
    r = sim("report", str(out), "--html", str(tmp_path / "r.html"))
    assert r.returncode == 0 and (tmp_path / "r.html").stat().st_size > 100_000
    r = sim("report", str(tmp_path), "--html", str(tmp_path / "x.html"))
    assert r.returncode == 2 and "neither a run" in r.stderr


def test_sweep_cli_errors(tmp_path):
    r = sim("sweep", "report", str(tmp_path))
    assert r.returncode == 2 and "not a sweep folder" in r.stderr
    spec = tmp_path / "bad.yaml"
    spec.write_text("parameters:\n  party.densty: {values: [0.1]}\n")
    r = sim("sweep", str(spec), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "did you mean 'density'" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "o").exists()
    r = sim("sensitivity", str(spec))
    assert r.returncode == 2


def test_scenario_doc_prints_the_parameter_table():
    r = sim("scenario", "doc")
    assert r.returncode == 0
    assert "| `meetings.council_per_month` |" in r.stdout
    assert "| `projects[].rule` |" in r.stdout


def test_scenario_init_writes_a_valid_commented_template(tmp_path):
    from sim.scenario import load_scenario

    path = tmp_path / "mine.yaml"
    r = sim("scenario", "init", str(path))
    assert r.returncode == 0, r.stderr
    text = path.read_text()
    assert "# Share of households with a party member." in text
    assert load_scenario(path) == load_scenario(None)  # exactly the embedded default
    assert sim("scenario", "init", str(path)).returncode == 2  # no silent overwrite
    # the example project, switched on as the template says, validates too
    lines = [ln for ln in text.splitlines() if not ln.startswith("projects: []")]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("# projects:"))
    lines[start:] = [ln[2:] for ln in lines[start:]]
    path.write_text("\n".join(lines) + "\n")
    s = load_scenario(path)
    assert s.projects[0].type == "elevator" and s.projects[0].scope == "unit"


def test_sensitivity_refuses_a_grid_design_before_making_anything(tmp_path):
    spec = tmp_path / "g.yaml"
    spec.write_text("days: 10\nparameters:\n  party.density: {values: [0.1]}\n")
    r = sim("sensitivity", str(spec), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "needs morris or sobol" in r.stderr
    assert not (tmp_path / "o").exists()


def test_scenario_init_in_chinese(tmp_path):
    from sim.scenario import load_scenario

    path = tmp_path / "zh.yaml"
    r = sim("scenario", "init", str(path), "--lang", "zh")
    assert r.returncode == 0, r.stderr
    text = path.read_text(encoding="utf-8")
    assert "# 有党员的住户比例" in text and "# 每百户每年新发纠纷数" in text
    assert "Share of households" not in text
    assert load_scenario(path) == load_scenario(None)


def test_sweep_report_prints_a_lever_matrix_for_a_grid(tmp_path):
    spec = tmp_path / "g.yaml"
    spec.write_text(
        "name: g\ndays: 30\nreplicates: 2\nmetrics: [disputes.total]\nparameters:\n"
        "  meetings.council_per_month: {values: [0, 4]}\n"
        "  party.density: {values: [0.0, 0.1]}\n"
    )
    out = tmp_path / "sweep"
    assert sim("sweep", str(spec), "--out", str(out), "--workers", "2").returncode == 0
    r = sim("sweep", "report", str(out), "--lang", "zh")
    assert r.returncode == 0, r.stderr
    assert "发生的纠纷：有党员的住户比例（纵）×每月（4 周）召开小区议事会次数（横）" in r.stdout
    assert "n=2" in r.stdout
