import json

import pandas as pd

from sim.model import NeighbourhoodModel
from sim.results import read_run, read_table, write_run
from sim.scenario import load_scenario


def run_to(tmp_path, name, seed):
    sc = load_scenario(sets=["days=200"])
    m = NeighbourhoodModel(sc, seed=seed)
    m.run()
    return read_run(write_run(m, tmp_path / name, seed))


def test_same_seed_identical_outputs_other_seed_differs(tmp_path):
    a = run_to(tmp_path, "a", 11)
    b = run_to(tmp_path, "b", 11)
    c = run_to(tmp_path, "c", 12)
    for table in ("timeseries", "disputes", "meetings"):
        pd.testing.assert_frame_equal(a[table], b[table])
    assert a["summary"] == b["summary"]
    assert not a["disputes"].equals(c["disputes"])
    assert a["summary"] != c["summary"]


def test_run_folder_contents(tmp_path):
    r = run_to(tmp_path, "r", 1)
    s = r["summary"]
    for key in (
        "disputes.total",
        "disputes.share_of_all.resolved",
        "disputes.share_of_all.resolved_in_building",
        "disputes.share_of_closed.resolved",
        "disputes.referred",
        "disputes.expired",
        "disputes.share_of_all.resolved_L1",
        "disputes.resolved_within_90d",
    ):
        assert key in s
    assert set(s["disputes.resolved_by_level"]) == {"L0", "L1", "L2", "L3"}
    assert r["manifest"]["seed"] == 1
    assert r["manifest"]["scenario"]["days"] == 200
    assert r["manifest"]["packages"]["mesa"].startswith("3.3")
    assert json.loads((tmp_path / "r" / "summary.json").read_text()) == s
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert read_table(tmp_path / "r", "disputes").equals(r["disputes"])


def test_meeting_calendar_changes_do_not_change_arrivals():
    a = NeighbourhoodModel(load_scenario(sets=["days=120"]), seed=3)
    b = NeighbourhoodModel(load_scenario(sets=["days=120", "meetings.council_per_month=0"]), seed=3)
    a.run()
    b.run()
    fa, fb = (
        a.ladder.book.frame(a.ladder.category_names),
        b.ladder.book.frame(b.ladder.category_names),
    )
    cols = ["category", "building", "household_a", "day_opened"]
    pd.testing.assert_frame_equal(fa[cols], fb[cols])


def test_manifest_names_the_installed_versions():
    """The manifest's package versions are the installed distributions' (import metadata)."""
    from importlib import metadata

    from sim.model import NeighbourhoodModel
    from sim.results.write import PACKAGES, manifest
    from sim.scenario import load_scenario

    model = NeighbourhoodModel(load_scenario(None, ["days=5"]))
    versions = manifest(model, 1)["packages"]
    assert set(versions) == set(PACKAGES)
    for pkg in PACKAGES:
        assert versions[pkg] == metadata.version(pkg)
