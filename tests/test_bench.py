"""The benchmark's bookkeeping: targets, records and comparisons (no timing asserted)."""

import json
from pathlib import Path

import pytest

from sim.experiments import bench as b


def _record(**over):
    rec = {
        "python_pass": {"wall_s": 0.05, "rss_mb": 10.0},
        "sim_help": {"wall_s": 0.2, "rss_mb": 30.0},
        "import_mesa": {"wall_s": 1.0, "rss_mb": 150.0},
        "sim_run_aoyuan": {"wall_s": 1.5, "rss_mb": 200.0},
        "aoyuan": {"households": 5000, "days": 365, "build_s": 0.03, "run_s": 0.2, "floor_s": 0.1},
        "xuanwu": {"households": 60000, "days": 365, "build_s": 0.2, "run_s": 0.8, "rss_mb": 300.0},
        "xuanwu_projects": {"households": 60000, "days": 365, "build_s": 0.2, "run_s": 2.0},
        "boltzmann": {"agents": 5000, "steps": 365, "seconds": 8.0},
        "scaling": [],
        "sim_run_city": None,
        "sweep": None,
        "meta": {"created": "2026-01-01T00:00:00+00:00", "load_before": [0, 0, 0]},
    }
    rec.update(over)
    return rec


def test_unmeasured_targets_are_never_met():
    rows = {t["name"]: t for t in b.targets(_record())}
    city = [t for n, t in rows.items() if "city" in n]
    sweep = [t for n, t in rows.items() if "sweep" in n]
    assert city and sweep
    assert all(t["status"] == b.NOT_MEASURED for t in city + sweep)
    assert rows["sim --help <= 3 x (python -c pass) + 0.15 s"]["status"] == b.MET
    assert rows["Aoyuan year in-process <= 3 x floor"]["status"] == b.MET
    slow = b.targets(_record(sim_help={"wall_s": 0.5, "rss_mb": 30.0}))
    assert slow[0]["status"] == b.MISSED


def test_build_target_takes_the_worst_scale():
    scaling = [{"households": 1000, "days": 365, "build_s": 0.5, "run_s": 0.1}]
    rows = {t["name"]: t for t in b.targets(_record(scaling=scaling))}
    build = next(t for n, t in rows.items() if n.startswith("world + agents build"))
    assert build["status"] == b.MISSED and build["value"] == 0.5


def test_fit_needs_four_points_for_r2():
    assert b.fit_line([1, 2], [1, 2])["r2"] is None
    fit = b.fit_line([1000, 2000, 3000, 4000], [1.0, 2.0, 3.0, 4.1])
    assert fit["n"] == 4 and 0.99 < fit["r2"] <= 1 and abs(fit["s_per_1k"] - 1.03) < 0.01


def test_records_are_kept_and_compared(tmp_path):
    old = _record()
    new = _record(sim_help={"wall_s": 0.1, "rss_mb": 30.0})
    new["meta"] = {"created": "2026-02-01T00:00:00+00:00", "load_before": [0, 0, 0]}
    p_old = b.save_record(old, tmp_path / "bench-a.json")
    p_new = b.save_record(new, tmp_path / "bench-b.json")
    with pytest.raises(FileExistsError):
        b.save_record(new, p_new)
    assert b.records(tmp_path) == [p_old, p_new]
    rows = {r[0]: r for r in b.compare(json.loads(p_old.read_text()), new)}
    assert rows["sim --help (s)"][3] == "0.50x"
    assert "city sim run (s)" not in rows  # measured in neither


def test_cli_compare_prints_ratios_of_the_two_newest_records(tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "benchmarks"
    b.save_record(_record(), folder / "bench-1.json")
    newer = _record(sim_run_aoyuan={"wall_s": 3.0, "rss_mb": 200.0})
    newer["meta"] = {"created": "2026-03-01T00:00:00+00:00", "load_before": [1, 1, 1]}
    b.save_record(newer, folder / "bench-2.json")
    r = subprocess.run(
        [sys.executable, "-m", "sim", "bench", "--compare"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "sim run Aoyuan year" in r.stdout and "2.00x" in r.stdout
    alone = subprocess.run(
        [sys.executable, "-m", "sim", "bench", "--compare"],
        capture_output=True,
        text=True,
        cwd=tmp_path / "benchmarks",
        timeout=120,
    )
    assert alone.returncode == 2 and "needs two" in alone.stderr


def _sweep(pool_s, dask_s=None, model_s=20.0):
    return {
        "runs": 100,
        "workers": 2,
        "days": 365,
        "model_s_sum": model_s,
        "model_cpu_s_sum": model_s,
        "summary_s_sum": 0.5,
        "pool": None if pool_s is None else {"wall_s": pool_s, "cpu_s": 25.0, "rss_mb": 200.0},
        "dask": None if dask_s is None else {"wall_s": dask_s, "cpu_s": 27.0, "rss_mb": 220.0},
    }


def _sweep_rows(sweep):
    rows = b.targets(_record(sweep=sweep))
    return [t for t in rows if "sweep" in t["name"]]


def test_sweep_target_is_the_sim_sweep_wall_against_half_the_in_process_model_time():
    pool, dask = _sweep_rows(_sweep(12.0, 13.5))
    assert pool["value"] == 12.0 and pool["limit"] == pytest.approx(1.3 * 20.0 / 2)
    assert pool["status"] == b.MET
    assert dask["limit"] == pytest.approx(1.15 * 12.0) and dask["status"] == b.MET
    pool, dask = _sweep_rows(_sweep(14.0, 17.0))
    assert pool["status"] == b.MISSED and dask["status"] == b.MISSED


def test_a_sweep_not_run_is_not_measured_and_says_so():
    from sim.cli.bench_cmd import sweep_lines

    pool, dask = _sweep_rows(_sweep(12.0, None))
    assert pool["status"] == b.MET and dask["status"] == b.NOT_MEASURED
    assert all(t["status"] == b.NOT_MEASURED for t in _sweep_rows(None))
    assert sweep_lines(None, b.sweep_ideal) == ["sweep: not measured (--quick runs no sweep)"]
    lines = sweep_lines(_sweep(13.0, None), b.sweep_ideal)
    assert "ideal on 2 workers = model time / 2 = 10.0 s" in lines[0]
    assert "wall 13.0 s = 1.30x the ideal" in lines[1]
    assert lines[2] == "sim sweep --dask local: not measured"


def test_the_least_a_sweep_can_take_adds_the_import_to_the_ideal_and_summaries():
    from sim.cli.bench_cmd import sweep_lines

    sw = _sweep(13.0, None)  # model 20 s, summaries 0.5 s, 2 workers
    assert b.sweep_least(sw, 0.75) == pytest.approx(0.75 + 10.0 + 0.25)
    assert b.sweep_least(sw, None) is None and b.sweep_least(None, 0.7) is None
    lines = sweep_lines(sw, b.sweep_ideal, b.sweep_least(sw, 0.75))
    assert "= 11.0 s = 1.10x the ideal" in lines[1]
    assert "wall 13.0 s = 1.30x the ideal" in lines[2]


def test_a_case_cannot_return_a_figure_the_process_measure_overwrites(monkeypatch):
    import importlib

    measure = importlib.import_module("sim.experiments.bench.measure")  # the package's measure()

    monkeypatch.setattr(measure, "run_process", lambda argv: (40.0, 100.0, 60.0, '{"wall_s": 13}'))
    with pytest.raises(ValueError, match="wall_s"):
        measure.run_case("sweep_reference", {})
    monkeypatch.setattr(measure, "run_process", lambda argv: (40.0, 100.0, 60.0, '{"x": 1.0}'))
    assert measure.run_case("sweep_reference", {}) == {
        "x": 1.0,
        "rss_mb": 100.0,
        "wall_s": 40.0,
        "cpu_s": 60.0,
    }


def test_the_bench_sweep_runs_sim_sweep_and_its_in_process_reference():
    from sim.experiments.bench.measure import measure_sweep

    sw = measure_sweep(4, 2, 20, dask=False)
    assert sw["runs"] == 4 and sw["dask"] is None
    assert sw["model_s_sum"] > 0 and sw["model_cpu_s_sum"] > 0
    assert set(sw["pool"]) == {"wall_s", "cpu_s", "rss_mb"} and sw["pool"]["cpu_s"] > 0


def test_the_bench_sweep_rounds_take_turns_and_report_medians(monkeypatch):
    import importlib

    measure = importlib.import_module("sim.experiments.bench.measure")
    calls = []
    walls = iter([10.0, 11.0, 14.0, 12.0, 9.0, 13.0])  # pool, dask, pool, dask, pool, dask

    def fake_case(case, args):
        calls.append("reference")
        m = 20.0 + len(calls)
        return {"runs": args["runs"], "model_s_sum": m, "model_cpu_s_sum": m, "summary_s_sum": 1}

    def fake_process(argv):
        out = Path(argv[argv.index("--out") + 1])
        calls.append("dask" if "--dask" in argv else "pool")
        (out / "runs" / "summary").mkdir(parents=True)
        for i in range(4):
            (out / "runs" / "summary" / f"r{i}.parquet").write_text("")
        wall = next(walls)
        return wall, 100.0, 2 * wall, ""

    monkeypatch.setattr(measure, "run_case", fake_case)
    monkeypatch.setattr(measure, "run_process", fake_process)
    sw = measure.measure_sweep(4, 2, 20, dask=True, rounds=3)
    assert calls == ["reference", "pool", "dask"] * 3
    assert sw["rounds"] == 3 and sw["model_s_sum"] == 24.0  # of 21, 24, 27
    assert sw["pool"] == {"wall_s": 10.0, "cpu_s": 20.0, "rss_mb": 100.0}  # of 10, 14, 9
    assert sw["dask"]["wall_s"] == 12.0  # of 11, 12, 13


def test_bench_records_whether_sim_bytecode_is_cached(monkeypatch, tmp_path):
    import importlib.util

    from sim.experiments.bench.measure import sim_bytecode_cached

    there = tmp_path / "sim.cpython-311.pyc"
    there.write_bytes(b"")
    monkeypatch.setattr(importlib.util, "cache_from_source", lambda _source: str(there))
    assert sim_bytecode_cached() is True
    missing = tmp_path / "none.pyc"
    monkeypatch.setattr(importlib.util, "cache_from_source", lambda _source: str(missing))
    assert sim_bytecode_cached() is False


def test_projects_lines_give_ratios_and_the_reference_without_diffusion():
    from sim.cli.bench_cmd import projects_lines

    assert projects_lines(_record(xuanwu_projects=None)) == ["district with projects: not measured"]
    lines = projects_lines(_record())  # 2.0 s with projects, 0.8 s without
    assert "2.00 s = 2.5x" in lines[0] and lines[1] == "without weekly diffusion: not measured"
    still = {"households": 60000, "days": 365, "build_s": 0.2, "run_s": 1.6}
    lines = projects_lines(_record(xuanwu_projects_still=still))
    assert "1.60 s = 2.0x" in lines[1]
    assert "stages add ~0.80 s" in lines[1] and "diffusion ~0.40 s" in lines[1]
