import subprocess
import sys

import pandas as pd
import pytest

from sim.model import NeighbourhoodModel
from sim.scenario import InputError, Scenario
from sim.scenario.buildings import normalise, read_buildings, scenario_from_buildings

CSV = """楼栋,小区,层数,单元数,户数,x,y
1号楼,长沟新村,6,2,22,0,0
2号楼,长沟新村,6,2,24,30,0
3号楼,长沟新村,5,1,9,200,5
甲栋,东苑,7,3,40,500,100
乙栋,东苑,7,3,38,530,110
"""


def _table(tmp_path, text=CSV, name="b.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_table_becomes_a_world_with_its_buildings(tmp_path):
    rows = read_buildings(_table(tmp_path))
    data = scenario_from_buildings(rows, "ours", {"days": 30})
    sc = Scenario.model_validate(data)
    assert [c.name for c in sc.compounds] == ["长沟新村", "东苑"]
    assert sc.total_households() == 22 + 24 + 9 + 40 + 38
    m = NeighbourhoodModel(sc, seed=1)
    w = m.world
    assert w.b_names == ["1号楼", "2号楼", "3号楼", "甲栋", "乙栋"]
    assert list(w.b_size) == [22, 24, 9, 40, 38]
    assert w.b_pos[3].tolist() == [500.0, 100.0]
    # Geography decides adjacency: building 3 (x=200) is nearer 2 than 1 is to 3.
    adjacent = {
        tuple(sorted(e))
        for e, k in zip(
            w.building_graph.edges,
            [d for _, _, d in w.building_graph.edges(data="kind")],
            strict=True,
        )
        if k == "adjacent"
    }
    assert (3, 4) in adjacent and (0, 1) in adjacent


def test_english_headers_and_no_coordinates(tmp_path):
    text = "name,compound,floors,units,households\nA,c1,6,2,20\nB,c1,6,2,24\n"
    rows = read_buildings(_table(tmp_path, text))
    sc = Scenario.model_validate(scenario_from_buildings(rows))
    assert sc.compounds[0].layout[0].name == "A"
    assert sc.total_households() == 44


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("name,compound,floors\nA,c,6\n", "missing column"),
        ("name,compound,floors,units,households\nA,c,six,2,20\n", "row 2, column floors"),
        ("name,compound,floors,units,households\nA,c,6,2,-1\n", "row 2, column households"),
        ("name,compound,floors,units,households\n,c,6,2,1\n", "needs a name"),
        ("name,compound,floors,units,households,x,y\nA,c,6,2,1,east,1\n", "column x"),
        ("name,compound,floors,units,households\n", "no buildings"),
    ],
)
def test_bad_tables_name_the_cell(tmp_path, text, expect):
    with pytest.raises(InputError, match=expect):
        read_buildings(_table(tmp_path, text))


def test_households_beyond_flats_is_refused():
    rows = normalise(
        pd.DataFrame(
            {"name": ["A"], "compound": ["c"], "floors": ["2"], "units": ["1"], "households": ["9"]}
        )
    )
    data = scenario_from_buildings(rows)
    data["compounds"][0]["layout"][0]["households_per_floor"] = 2
    with pytest.raises(ValueError, match="exceeds"):
        Scenario.model_validate(data)


def test_cli_from_buildings_writes_a_scenario_that_runs(tmp_path):
    table = _table(tmp_path)
    out = tmp_path / "ours.yaml"
    r = subprocess.run(
        [sys.executable, "-m", "sim", "scenario", "from-buildings", str(table), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "5 buildings" in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "sim", "scenario", "from-buildings", str(table), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "exists" in r.stderr
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(out),
            "--days",
            "20",
            "--out",
            str(tmp_path / "run"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    b = pd.read_parquet(tmp_path / "run" / "buildings.parquet")
    assert b["name"].tolist()[:2] == ["1号楼", "2号楼"]
