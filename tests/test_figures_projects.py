import pandas as pd

from sim.experiments import figures_projects as fp


def test_cell_reports_shares_of_one_run():
    r = fp.cell(("yongyuan41_elevator", 0, 0.0, 1))
    assert r["councils"] == 0 and r["density"] == 0.0
    assert 0.0 <= r["built"] <= r["passed"] <= 1.0


def test_table_and_heat_map_are_written(tmp_path):
    runs = pd.DataFrame(
        [
            {"scenario": "elevator_typical", "councils": c, "density": d, "seed": s, "built": v}
            for c in fp.COUNCILS
            for d in fp.DENSITIES
            for s, v in enumerate((0.0, 0.5))
        ]
    )
    cells = fp.table(runs)
    assert len(cells) == 16 and (cells["mean"] == 0.25).all() and (cells["count"] == 2).all()
    fp.plot(cells, tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000
