import subprocess
import sys

from sim.experiments.compare import compare
from sim.report.brief import brief_html, changed_settings, sentence
from sim.scenario import load_scenario, scenario_dict

SMALL = ["days=60", "compounds.0.buildings=4", "compounds.0.households=90"]


def test_brief_of_a_comparison_in_both_languages(tmp_path):
    base = scenario_dict(load_scenario(None, SMALL))
    var = scenario_dict(load_scenario(None, [*SMALL, "meetings.council_per_month=1"]))
    rec = compare(base, var, tmp_path / "c", replicates=2, workers=1)
    assert changed_settings(rec) == [("meetings.council_per_month", 4.0, 1.0)]
    zh = brief_html(tmp_path / "c", "zh")
    assert 'lang="zh-CN"' in zh and "社区议事简报" in zh and "<svg" in zh
    assert "每月" in zh  # the lever in Chinese words, not its key
    en = brief_html(tmp_path / "c", "en")
    assert "Brief for the community meeting" in en and "meetings.council_per_month" not in en


def test_sentences_follow_the_interval():
    up = {"difference": [0.1, 0.05, 0.15]}
    down = {"difference": [-0.1, -0.15, -0.05]}
    flat = {"difference": [0.01, -0.02, 0.04]}
    key = "disputes.share_of_all.resolved"
    assert "rises" in sentence(key, up, "en") and "10.0 points" in sentence(key, up, "en")
    assert "falls" in sentence(key, down, "en")
    assert "no clear change" in sentence(key, flat, "en")
    assert "上升" in sentence(key, up, "zh")


def test_cli_brief_of_a_run_and_refusals(tmp_path):
    run = tmp_path / "run"
    sets = [a for s in SMALL for a in ("--set", s)]
    r = subprocess.run(
        [sys.executable, "-m", "sim", "run", *sets, "--out", str(run)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    out = tmp_path / "b.html"
    r = subprocess.run(
        [sys.executable, "-m", "sim", "brief", str(run), "--html", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "<table>" in out.read_text()
    r = subprocess.run(
        [sys.executable, "-m", "sim", "brief", str(tmp_path), "--html", str(tmp_path / "x.html")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "not a comparison or run folder" in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "sim", "brief", str(run), "--html", str(run / "summary.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
