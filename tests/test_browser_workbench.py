"""The workbench and the map in a real browser (Debian's chromium driven by playwright).

A planner's whole path: change a lever, run, watch progress, read the comparison with its
interval and the brief in Chinese; cancel a second job; upload a buildings table; find the new
runs on the Run page without a restart; play the map over days and click a building.
"""

from pathlib import Path

import pytest
from browser_support import ARTIFACTS, chromium, served, watched_page
from test_browser import wait_graph

from sim.dashboard.app import create_app
from sim.dashboard.jobs import Jobs
from sim.model import NeighbourhoodModel
from sim.results import write_run
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
LONG = 240_000  # ms: a comparison of the default scenario on a loaded 2-core machine


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    results = tmp_path_factory.mktemp("wb-browser") / "results"
    sc = load_scenario(ROOT / "scenarios" / "yongyuan41_elevator.yaml", ["days=120"])
    m = NeighbourhoodModel(sc)
    m.run()
    write_run(m, results / "yongyuan", sc.seed)
    app = create_app(results, refresh_seconds=0.5, jobs=Jobs(results, max_jobs=2))
    with served(app) as url:
        yield url, results
    app.jobs.shutdown()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 2200})
    yield watched_page(context)
    context.close()


def lever(page, path):
    return page.locator(f"input[id*='\"{path}\"']")


def open_workbench(page, url):
    page.goto(url + "/workbench?lang=zh")
    page.locator(".lever-row").first.wait_for(timeout=30000)
    page.get_by_text("个小区").first.wait_for()


def test_change_a_lever_run_compare_and_brief_in_chinese(page, server):
    url, results = server
    open_workbench(page, url)
    assert "议事会" in page.locator("#wb-levers").inner_text()
    council = lever(page, "meetings.council_per_month")
    council.fill("8")
    council.press("Tab")
    page.locator("input#wb-replicates").fill("2")
    page.click("#workbench-run")
    page.get_by_text("已开始").wait_for()
    # progress: an HTML progress element that counts runs, then the comparison
    page.wait_for_function(
        "() => document.querySelector('#wb-progress-text').innerText.includes('/ 4')"
    )
    page.locator("#wb-compare-table").wait_for(timeout=LONG)
    assert page.locator("#workbench-progress").get_attribute("value") == "4"
    table = page.locator("#wb-compare-table").inner_text()
    assert "社区内化解比例" in table and "个百分点" in table
    data = wait_graph(page, "wb-compare-figure")
    assert data and data[0]["n"] >= 1
    errors = page.evaluate(
        "() => document.querySelector('#wb-compare-figure .js-plotly-plot').data[0].error_x"
    )
    assert errors["array"] and errors["arrayminus"]  # every difference carries its interval
    assert "区间" in page.locator("#wb-sentences").inner_text()
    assert "8" in page.locator("#wb-question").inner_text()
    page.screenshot(path=str(ARTIFACTS / "workbench_zh.png"), full_page=True)
    with page.expect_popup() as popup:
        page.click("#workbench-brief")
    brief = popup.value
    brief.wait_for_load_state()
    assert brief.evaluate("() => document.documentElement.lang") == "zh-CN"
    assert "社区议事简报" in brief.content() and "<svg" in brief.content()
    brief.screenshot(path=str(ARTIFACTS / "brief_zh.png"), full_page=True)
    # the runs are ordinary run folders, reproducible with `sim run`
    runs = list((results / "workbench").glob("*/variant/seed-*/summary.json"))
    assert len(runs) == 2
    assert not page.errors


def test_cancel_a_second_job_and_see_the_new_runs_on_the_run_page(page, server):
    url, _ = server
    open_workbench(page, url)
    lever(page, "party.density").fill("0.2")
    lever(page, "party.density").press("Tab")
    page.locator("input#wb-replicates").fill("30")
    page.click("#workbench-run")
    page.get_by_text("运行中").wait_for(timeout=60000)
    page.click("#workbench-cancel")
    page.get_by_text("已取消").first.wait_for(timeout=60000)
    page.wait_for_function(
        "() => document.querySelector('#wb-progress-text').innerText.includes('已取消')"
    )
    # runs written by the workbench appear on the Run page without a restart
    page.goto(url + "/run?lang=zh")
    page.locator("#run-select").click()
    page.locator(".dash-dropdown-search").fill("workbench")
    assert page.get_by_role("option").filter(has_text="workbench").count() >= 2
    assert not page.errors


def test_upload_a_buildings_table(page, server, tmp_path):
    url, _ = server
    table = tmp_path / "我们的小区.csv"
    table.write_text(
        "楼栋,小区,层数,单元数,户数,x,y\n1号楼,和平里,6,2,24,0,0\n2号楼,和平里,6,2,20,50,0\n"
        "3号楼,和平里,5,3,30,0,40\n",
        encoding="gb18030",
    )
    open_workbench(page, url)
    page.locator("#wb-upload input[type=file]").set_input_files(str(table))
    page.get_by_text("3 栋楼").wait_for(timeout=30000)
    assert "74 户" in page.locator("#wb-status").inner_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text("party:\n  density: 3\n", encoding="utf-8")
    page.locator("#wb-upload input[type=file]").set_input_files(str(bad))
    page.get_by_text("无法使用").wait_for(timeout=30000)
    assert "party.density" in page.locator("#wb-status").inner_text()


def test_map_plays_over_days_marks_the_series_and_opens_a_building(page, server):
    url, _ = server
    page.goto(url + "/run?lang=zh")
    page.locator("#run-select").click()
    page.locator(".dash-dropdown-search").fill("yongyuan")
    page.get_by_role("option").filter(has_text="yongyuan").first.click()
    page.keyboard.press("Escape")
    wait_graph(page, "run-network", lambda d: len(d) == 2)
    marker = (
        "() => { const g = document.querySelector('#run-series .js-plotly-plot');"
        " return g && g.layout.shapes && g.layout.shapes.length ? g.layout.shapes[0].x0 : null; }"
    )
    page.wait_for_function(marker)
    first = page.evaluate(marker)
    page.click("#run-play")
    page.wait_for_function(f"() => ({marker})() !== {first!r}", timeout=30000)
    page.click("#run-play")  # pause: stays paused (a tick in flight must not restart it)
    page.wait_for_function("() => document.querySelector('#run-play').innerText.includes('播放')")
    page.wait_for_timeout(1000)  # a tick already on its way may still land once
    paused = page.evaluate(marker)
    page.wait_for_timeout(2000)
    assert page.evaluate(marker) == paused
    # compound outline and name on the map
    shapes = page.evaluate(
        "() => document.querySelector('#run-network .js-plotly-plot').layout.shapes.length"
    )
    assert shapes >= 1
    point = page.locator("#run-network .scatterlayer .trace").last.locator(".point").first
    box = point.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=8)
    page.mouse.click(x, y)
    page.locator("#run-building h4").wait_for(timeout=30000)
    panel = page.locator("#run-building").inner_text()
    assert "户" in panel and "该楼的纠纷" in panel
    wait_graph(page, "run-building-support")
    page.screenshot(path=str(ARTIFACTS / "map_building_zh.png"), full_page=True)
    assert not page.errors
