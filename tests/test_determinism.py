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


def _days_run(path, days, steps=None, *sets):
    m = NeighbourhoodModel(load_scenario(path, sets=[f"days={days}", *sets]), seed=5)
    m.run(steps)
    return m


def test_a_short_run_is_the_start_of_a_longer_one():
    """Blocks of 28 days (arrivals, rounds, the firm's capacity) end where a run ends: the
    first 59 days of a 120-day run are a 59-day run, case by case and meeting by meeting."""
    from sim.results.write import tables

    for path in ("scenarios/aoyuan.yaml", "scenarios/changgou_xincun.yaml"):
        short, long_ = _days_run(path, 59), _days_run(path, 120, 59)
        assert short.firm.present and short.firm.repairs > 0  # the firm's blocks are exercised
        a, b = tables(short), tables(long_)
        for name in ("timeseries", "disputes", "meetings"):
            assert len(a[name]) > 0
            pd.testing.assert_frame_equal(a[name], b[name])


def test_a_days_firm_capacity_does_not_depend_on_earlier_days():
    """The firm draws a block from its first day's key: its days asked in any order give the
    same capacities (common random numbers across scenarios), and blocks differ."""
    import numpy as np

    from sim.model.streams import DRAW_BLOCK_DAYS

    def capacities(days_asked):
        m = _days_run("scenarios/aoyuan.yaml", 120, 0)
        n = m.world.n_compounds
        got = {d: m.firm.daily_capacity(d, n, m.ladder.firm_day) for d in days_asked}
        return np.array([got[d] for d in sorted(got)])

    days = list(range(DRAW_BLOCK_DAYS, 3 * DRAW_BLOCK_DAYS))
    ascending = capacities(days)
    assert ascending.sum() > 0
    assert np.array_equal(ascending, capacities(days[::-1]))
    assert np.array_equal(ascending, capacities(days[10:] + days[:10]))
    # Each block has its own key: the two blocks' days are not the same numbers.
    assert not np.array_equal(ascending[:DRAW_BLOCK_DAYS], ascending[DRAW_BLOCK_DAYS:])


def test_every_day_draw_lookup_equals_a_fresh_keyed_draw(monkeypatch):
    """The ladder looks up the day's common case draws (drawn for the cases open at the day's
    start) by position: each lookup must give the numbers a fresh keyed draw gives."""
    import numpy as np

    from sim.model.disputes import ladder as ladder_module
    from sim.model.streams import keyed_uniform_streams

    original = ladder_module.Ladder.case_draws
    looked_up = []

    def checked(self, idx, streams, day):
        got = original(self, idx, streams, day)
        fresh = keyed_uniform_streams(self.case_key, idx, day, streams)
        assert all(np.array_equal(g, f) for g, f in zip(got, fresh, strict=True))
        looked_up.append(self.day_of_draws == (day, self.book.n))
        return got

    monkeypatch.setattr(ladder_module.Ladder, "case_draws", checked)
    for sets in (
        [],
        ["disputes.lower_levels_while_waiting=false"],
        ["meetings.adhoc=true"],
        ["party.l1_mediator=nearest"],
    ):
        _days_run("scenarios/aoyuan.yaml", 100, None, *sets)
    assert sum(looked_up) > 500  # the lookup path is the one taken
