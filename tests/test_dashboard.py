import json
import shutil

import pytest
import yaml
from dashboard_fixtures import make_results

from sim.dashboard import app as dapp
from sim.dashboard.catalog import discover
from sim.report import write_report


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return make_results(tmp_path_factory.mktemp("dash"))


@pytest.fixture(scope="module")
def cat(results):
    return discover(results)


def snapshot(folder):
    return sorted(
        (str(p.relative_to(folder)), p.stat().st_mtime_ns, p.stat().st_size)
        for p in folder.rglob("*")
    )


def test_catalog_finds_runs_and_sweeps(cat):
    assert {e.key for e in cat.runs()} == {"run-default", "run-projects"}
    assert {e.key for e in cat.sweeps()} == {"sweeps/grid", "sweeps/morris"}
    assert cat.message() is None and cat.problems == []


def test_lookups_never_leave_the_catalogue(cat):
    for key in ("../", "..", "/etc", "../../etc/passwd", "sweeps/grid", None, ""):
        assert cat.get(key, "run") is None
    assert cat.get("sweeps/grid", "sweep") is not None
    fig_ts = dapp.run_series(cat, "../../etc", ["open_disputes"])
    assert "unknown run" in json.dumps(fig_ts.to_plotly_json())
    assert "unknown run" in json.dumps(dapp.run_network(cat, "..", None, 0).to_plotly_json())


def test_run_callbacks(cat):
    opts, chosen, colours, colour, day_max, day = dapp.run_controls(cat, "run-projects")
    assert "open_disputes" in chosen and day_max == 89
    assert any(c["value"] == "support:elevators" for c in colours)
    ts = dapp.run_series(cat, "run-projects", ["open_disputes"])
    net = dapp.run_network(cat, "run-projects", "open_disputes", 30)
    disputes, meetings, votes, scenario = dapp.run_tables(cat, "run-projects")
    assert [t.name for t in ts.data] == ["Open disputes"]
    assert ts.layout.xaxis.title.text == "Date" and ts.data[0].x[0] is not None
    assert "Jan 31, 2024" in net.layout.title.text  # day 30 as a date (start 2024-01-01)
    assert net.data[1].marker.cmin == 0  # counts on a sequential scale from 0
    ts2 = dapp.run_series(cat, "run-projects", ["mean_trust", "expired"])
    net2 = dapp.run_network(cat, "run-projects", "support:elevators", 80)
    assert [t.name for t in ts2.data][:2] == ["Expired", "Mean trust"]
    assert ts2.layout.yaxis2.range == (0, 1)  # trust (0-1) on its own fixed axis
    assert "Support" in net2.layout.title.text
    assert (net2.data[1].marker.cmin, net2.data[1].marker.cmax) == (0, 1)
    assert any("threshold 75.0%" in t for t in net2.data[1].marker.colorbar.ticktext)
    zh = dapp.run_series(cat, "run-projects", ["open_disputes", "support:elevators"], lang="zh")
    assert [t.name for t in zh.data][:2] == ["未结纠纷", "支持度：elevators"]
    assert "表决门槛" in zh.data[2].name and zh.layout.xaxis.title.text == "日期"
    assert list(net.data[1].marker.color) != list(net2.data[1].marker.color)
    assert yaml.safe_load(scenario)["name"] == "elevator_and_gas"


def test_sweep_callbacks(cat):
    m_opts, metric, x_opts, x, y_opts, y, filters = dapp.sweep_controls(cat, "sweeps/grid")
    assert x == "meetings.council_per_month" and y == "party.density"
    heat, line = dapp.sweep_view(cat, "sweeps/grid", metric, x, y, [], [])
    assert heat.data[0].z.shape == (2, 2)
    assert "95% interval" in heat.data[0].customdata[0][0]
    assert (heat.data[0].zmin, heat.data[0].zmax) == (0, 1)  # a share: fixed 0-1
    assert heat.layout.xaxis.title.text.startswith("Compound councils per 4-week month")
    assert len(line.data) == 4  # band + line for each of the two party densities
    heat2, _ = dapp.sweep_view(cat, "sweeps/grid", "disputes.resolved_by_level.L2", x, y, [], [])
    # no councils -> no L2 resolutions: the x=0 column is zero
    assert (heat2.data[0].z[:, 0] == 0).all()
    ids = [{"type": "sweep-filter", "param": "party.density"}]
    _, line_f = dapp.sweep_view(cat, "sweeps/grid", metric, x, x, ["0.1"], ids)
    assert len(line_f.data) == 2


RESOLVED = "disputes.share_of_all.resolved"


def test_sensitivity_and_compare_callbacks(cat):
    opts, metric = dapp.sensitivity_controls(cat, "sweeps/morris")
    assert metric == "disputes.resolved_by_level.L2"  # the table's first metric (by name)
    assert {o["value"] for o in opts} == {"disputes.resolved_by_level.L2", RESOLVED}
    fig = dapp.sensitivity_view(cat, "sweeps/morris", metric)
    assert {t.name for t in fig.data} == {"mu* (mean absolute effect)", "sigma (spread of effects)"}
    assert len(fig.data[0].y) == 3
    bars, lines = dapp.compare_view(
        cat, ["run-default", "run-projects"], ["disputes.share_of_all.resolved"], "open_disputes"
    )
    assert len(bars.data) == 2 and len(lines.data) == 2


def test_empty_missing_and_malformed_folders(tmp_path):
    assert "No runs or sweeps" in discover(tmp_path).message()
    assert "does not exist" in discover(tmp_path / "nope").message()
    bad = tmp_path / "broken"
    bad.mkdir()
    (bad / "summary.json").write_text("{not json")
    cat = discover(tmp_path)
    assert cat.problems and "broken" in cat.problems[0]
    page = dapp.run_page(cat)
    assert "No runs" in str(page) or "No runs" in json.dumps(page.to_plotly_json(), default=str)


def test_app_serves_pages_without_writing_or_leaking(results, tmp_path):
    before = snapshot(results)
    app = dapp.create_app(results)
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/run").status_code == 200
    for url in (
        "/assets/../../pyproject.toml",
        "/_dash-component-suites/../../../etc/passwd",
        "/../summary.json",
        "/assets/%2e%2e/%2e%2e/pyproject.toml",
    ):
        r = client.get(url)
        body = r.get_data(as_text=True)
        assert "mesa" not in body and "root:" not in body
    for key, kind in (
        ("run-projects", "run"),
        ("sweeps/grid", "sweep"),
        ("sweeps/morris", "sweep"),
    ):
        entry = app.catalog.get(key, kind)
        if kind == "run":
            dapp.run_series(app.catalog, key, ["open_disputes"])
            dapp.run_network(app.catalog, key, "open_disputes", 10)
            dapp.run_tables(app.catalog, key)
        else:
            dapp.sweep_controls(app.catalog, key)
            dapp.sensitivity_controls(app.catalog, key)
        assert entry is not None
    assert snapshot(results) == before


def test_cli_dashboard_rejects_a_missing_folder(tmp_path):
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "sim", "dashboard", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "no such folder" in r.stderr and "Traceback" not in r.stderr


def test_html_reports_are_self_contained(results, tmp_path):
    for src in (
        results / "run-projects",
        results / "sweeps" / "grid",
        results / "sweeps" / "morris",
    ):
        out = write_report(src, tmp_path / f"{src.name}.html")
        text = out.read_text()
        assert text.count("<script") >= 2 and "plotly" in text.lower()
        assert '<script src="http' not in text  # plotly.js is inlined, nothing loaded
        assert len(text) > 1_000_000
    with pytest.raises(FileNotFoundError):
        write_report(tmp_path, tmp_path / "x.html")
    shutil.rmtree(tmp_path)


def test_sobol_sensitivity_figure():
    import pandas as pd

    from sim.dashboard.figures import sensitivity_figure

    t = pd.DataFrame(
        {
            "metric": ["m", "m"],
            "parameter": ["a", "b"],
            "S1": [0.6, 0.1],
            "S1_conf": [0.05, 0.02],
            "ST": [0.7, 0.2],
            "ST_conf": [0.05, 0.03],
            "rank": [1, 2],
        }
    )
    fig = sensitivity_figure(t, "m")
    assert [tr.name for tr in fig.data] == ["First-order index S1", "Total index ST"]
    assert "Sobol" in fig.layout.title.text


def test_unreadable_results_give_a_message_not_a_trace(results, tmp_path):
    broken = tmp_path / "results"
    shutil.copytree(results, broken)
    (broken / "run-projects" / "timeseries.parquet").write_text("not parquet")
    for p in (broken / "sweeps" / "grid" / "runs" / "summary").glob("*.parquet"):
        p.write_text("garbage")
    cat = discover(broken)
    ts = dapp.run_series(cat, "run-projects", ["open_disputes"])
    assert "could not read" in json.dumps(ts.to_plotly_json())
    *_, filters = dapp.sweep_controls(cat, "sweeps/grid")
    assert "could not read" in json.dumps(filters[0].to_plotly_json(), default=str)
    heat, _ = dapp.sweep_view(
        cat,
        "sweeps/grid",
        "disputes.share_of_all.resolved",
        "party.density",
        "meetings.council_per_month",
        [],
        [],
    )
    assert "could not read" in json.dumps(heat.to_plotly_json())


def test_long_tables_are_capped_with_a_note():
    import pandas as pd

    out = dapp._table("disputes-table", pd.DataFrame({"a": range(dapp.TABLE_LIMIT + 5)}))
    text = json.dumps(out.to_plotly_json(), default=str)
    assert "first 2,000 of 2,005 rows" in text and "disputes.parquet" in text


def test_filters_cannot_be_set_on_an_axis_parameter(cat):
    *_, x, _, y, filters = dapp.sweep_controls(cat, "sweeps/grid")
    dropdowns = [f.children[1] for f in filters]
    assert all(d.disabled for d in dropdowns)  # both grid parameters are on the axes
    ids = [{"type": "sweep-filter", "param": p} for p in (x, y)]
    disabled, values, _ = dapp.filter_state(x, x, ids, ["4", "0.1"])
    assert disabled == [True, False] and values == [None, "0.1"]


def test_tables_show_words_and_nulls(cat):
    disputes, meetings, votes, _ = dapp.run_tables(cat, "run-projects", lang="zh")
    headers = [c["headerName"] for c in disputes.columnDefs]
    assert "结果" in headers and "day_outcome" not in headers
    rows = disputes.rowData
    assert all(r["day_outcome"] is None or r["day_outcome"] >= 0 for r in rows)
    assert {r["status"] for r in rows} <= {"未结", "已化解", "转出社区", "当事人放弃", "超期未结"}
    assert "会议类型" in [c["headerName"] for c in meetings.columnDefs]


def test_every_page_speaks_chinese(cat):
    for page in (dapp.home_page, dapp.run_page, dapp.sweep_page, dapp.sensitivity_page):
        text = json.dumps(page(cat, "zh").to_plotly_json(), default=str, ensure_ascii=False)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), page.__name__


def test_reports_by_kind(results, tmp_path):
    grid = write_report(results / "sweeps" / "grid", tmp_path / "g.html").read_text()
    assert "(down) × Compound councils per 4-week month (across)" in grid  # the lever matrix
    assert (
        "Left out because they do not vary across this sweep" in grid and "Days simulated" in grid
    )
    morris = write_report(results / "sweeps" / "morris", tmp_path / "m.html", "zh").read_text()
    assert "<html lang='zh-CN'>" in morris and "mu*（平均绝对效应）" in morris
    assert "解读：mu*" in morris and '"z":[[' not in morris  # no fake heatmap
    assert "2.666666666666667" not in morris  # rounded levels
    # every row of the report table is kept: pages, not a cut
    from sim.dashboard.catalog import load_report
    from sim.experiments.analysis import varying_metrics

    rep = load_report(results / "sweeps" / "morris")
    n = int(rep.metric.isin(varying_metrics(rep)).sum())
    assert morris.count("<tr><td>") >= n
    cmp = write_report(results, tmp_path / "c.html", "zh").read_text()
    assert "运行结果比较" in cmp and "run-default" in cmp and "run-projects" in cmp


def test_no_heatmap_of_sampled_points(cat):
    heat, line = dapp.sweep_view(
        cat,
        "sweeps/morris",
        "disputes.share_of_all.resolved",
        "meetings.council_per_month",
        "party.density",
        [],
        [],
    )
    assert not heat.data and "grid design" in heat.layout.annotations[0].text
    assert line.data


def test_runs_written_while_the_dashboard_is_up_appear(tmp_path):
    from sim.model import NeighbourhoodModel
    from sim.results import write_run
    from sim.scenario import load_scenario

    sets = ["days=20", "compounds.0.buildings=3", "compounds.0.households=50"]

    def write(name):
        sc = load_scenario(None, sets)
        m = NeighbourhoodModel(sc)
        m.run()
        write_run(m, tmp_path / name, sc.seed)

    write("first")
    app = dapp.create_app(tmp_path, refresh_seconds=0.0)
    assert [e.key for e in app.catalog.runs()] == ["first"]
    write("second")
    assert [e.key for e in app.catalog.runs()] == ["first", "second"]
    page = str(dapp.run_page(app.catalog, "en"))
    assert "second" in page
    slow = dapp.create_app(tmp_path, refresh_seconds=3600.0)
    write("third")
    assert "third" not in [e.key for e in slow.catalog.runs()]  # looks again only when due
