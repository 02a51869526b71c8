"""Browser test of the calibration and discovery pages in Chinese (chromium via playwright)."""

import pytest
from browser_support import ARTIFACTS, chromium, served, watched_page
from test_browser import wait_graph

from sim.dashboard.app import create_app
from sim.results import catalog as cat


@pytest.fixture(scope="module")
def server(research_results):
    with served(create_app(research_results)) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    with chromium() as browser:
        yield watched_page(browser)


def test_calibration_page_in_chinese(page, server):
    page.goto(server + "/calibration?lang=zh")
    page.get_by_role("heading", name="参数校准", exact=True).wait_for()
    nav = page.locator(".nav").inner_text()
    assert "参数校准" in nav and "情景发现" in nav
    pairs = wait_graph(page, "cal-pairs", lambda d: [t["type"] for t in d].count("bar") == 2)
    assert any(t["name"] == cat.ui("cal_prior_bound", "zh") for t in pairs)
    gens = wait_graph(page, "cal-generations", lambda d: len(d) == 4)
    assert {t["name"] for t in gens} >= {"接受率", "容差 epsilon"}
    wait_graph(page, "cal-checks", lambda d: any(t["name"] == "观测值" for t in d))
    page.locator("#cal-params .ag-root").first.wait_for()
    text = page.locator("#page").inner_text()
    assert "后验中位数" in text and "事实 P4f" in text
    page.screenshot(path=str(ARTIFACTS / "calibration_zh.png"), full_page=True)
    assert not page.errors


def test_discovery_page_in_chinese(page, server):
    page.goto(server + "/discovery?lang=zh")
    page.get_by_role("heading", name="情景发现", exact=True).wait_for()
    wait_graph(page, "disc-trajectory", lambda d: len(d) == 2)
    page.locator("#disc-words").wait_for()
    first = page.locator("#disc-words").inner_text()
    assert "的运行中" in first
    page.locator("#disc-leaves .ag-root").first.wait_for()
    assert "杠杆取值范围" in page.locator("#disc-leaves").inner_text()
    # an impossible threshold answers a sentence, not a stack trace
    box = page.locator("#disc-threshold")
    box.fill("5")
    box.press("Enter")
    page.get_by_text(cat.ui("disc_no_outcome", "zh")).first.wait_for(timeout=15000)
    page.screenshot(path=str(ARTIFACTS / "discovery_zh.png"), full_page=True)
    assert not page.errors
