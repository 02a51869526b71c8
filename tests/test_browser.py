"""Browser tests: Debian's chromium driven by playwright (headless, --no-sandbox).

A missing browser fails these tests; they are never skipped.
"""

import pytest
from browser_support import ARTIFACTS, chromium, served, watched_page
from dashboard_fixtures import make_results

from sim.dashboard.app import create_app


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    results = make_results(tmp_path_factory.mktemp("browser"))
    with served(create_app(results)) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    with chromium() as browser:
        yield watched_page(browser)


def graph_data(page, graph_id):
    return page.evaluate(
        f"() => {{ const g = document.querySelector('#{graph_id} .js-plotly-plot');"
        " return g && g.data ? g.data.map(t => ({name: t.name, type: t.type,"
        " n: (t.y || t.z || []).length,"
        " z: t.z ? (t.z._inputArray || t.z) : null})) : null; }"
    )


def wait_graph(page, graph_id, predicate=lambda d: d, timeout=20000):
    page.wait_for_function(
        f"() => {{ const g = document.querySelector('#{graph_id} .js-plotly-plot');"
        " return g && g.data && g.data.length > 0; }",
        timeout=timeout,
    )
    data = graph_data(page, graph_id)
    assert predicate(data), data
    return data


def pick(page, dropdown_id, option_text):
    """Open a dropdown, search for an option and take it."""
    page.locator(f"#{dropdown_id}").click()
    search = page.locator(".dash-dropdown-search")
    search.wait_for(state="visible")
    search.fill(option_text)
    page.get_by_role("option", name=option_text, exact=True).click()
    page.keyboard.press("Escape")


def test_home_lists_results(page, server):
    page.goto(server + "/")
    page.get_by_text("2 runs").wait_for()
    page.get_by_text("2 sweeps").wait_for()
    page.screenshot(path=str(ARTIFACTS / "home.png"))


def test_run_page_and_metric_picker(page, server):
    page.goto(server + "/run")
    before = wait_graph(page, "run-series")
    wait_graph(page, "run-network")
    page.locator("#run-disputes .ag-root").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "run.png"), full_page=True)
    names = [t["name"] for t in before]
    assert "Open disputes" in names
    # clear the metric picker, then pick one metric: the figure follows
    page.locator("#run-metrics .dash-dropdown-clear").click()
    page.wait_for_function(
        "() => { const g = document.querySelector('#run-series .js-plotly-plot');"
        " return g && g.data.length === 0; }",
        timeout=15000,
    )
    pick(page, "run-metrics", "Mean trust")
    page.wait_for_function(
        "() => { const g = document.querySelector('#run-series .js-plotly-plot');"
        " return g && g.data.length === 1 && g.data[0].name === 'Mean trust'; }",
        timeout=15000,
    )
    assert graph_data(page, "run-series") != before
    assert not page.errors


def test_sweep_page_heatmap_and_metric_change(page, server):
    page.goto(server + "/sweep")
    heat = wait_graph(page, "sweep-heatmap", lambda d: d[0]["type"] == "heatmap")
    wait_graph(page, "sweep-line")
    page.screenshot(path=str(ARTIFACTS / "sweep.png"), full_page=True)
    pick(page, "sweep-metric", "Resolved at L2 compound council")
    page.wait_for_function(
        "() => { const g = document.querySelector('#sweep-heatmap .js-plotly-plot');"
        " return g && g.layout.title.text === 'Resolved at L2 compound council'; }",
        timeout=15000,
    )
    after = graph_data(page, "sweep-heatmap")
    assert after[0]["z"] != heat[0]["z"]
    # no councils -> no L2 resolutions: the first column is zero
    assert all(row[0] == 0 for row in after[0]["z"])


def test_sensitivity_page(page, server):
    page.goto(server + "/sensitivity")
    names = {"mu* (mean absolute effect)", "sigma (spread of effects)"}
    data = wait_graph(page, "sens-graph", lambda d: {t["name"] for t in d} == names)
    assert data[0]["n"] == 3
    page.screenshot(path=str(ARTIFACTS / "sensitivity.png"), full_page=True)


def test_compare_page(page, server):
    page.goto(server + "/compare")
    bars = wait_graph(page, "cmp-bars", lambda d: len(d) == 2)
    wait_graph(page, "cmp-series", lambda d: len(d) == 2)
    page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)
    assert {t["name"] for t in bars} == {"run-default", "run-projects"}


def test_html_report_opens_in_the_browser(page, tmp_path_factory):
    from sim.report import write_report

    base = tmp_path_factory.mktemp("report")
    results = make_results(base)
    out = write_report(results / "sweeps" / "grid", base / "grid.html")
    page.goto(out.as_uri())
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot').length >= 2"
        " && document.querySelector('.js-plotly-plot').data.length > 0",
        timeout=20000,
    )
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
    assert not page.errors


def _has_chinese(text: str) -> bool:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text) >= 10


def test_every_page_switches_to_chinese(page, server):
    for path, heading in (
        ("/", "结果"),
        ("/run", "运行结果"),
        ("/sweep", "参数扫描"),
        ("/sensitivity", "敏感性分析"),
        ("/compare", "比较运行结果"),
        ("/workbench", "政策试验台"),
    ):
        page.goto(server + path)
        page.locator("#lang-switch").click()  # the 中文 link
        page.wait_for_function("() => document.documentElement.lang === 'zh-CN'", timeout=15000)
        page.get_by_role("heading", name=heading, exact=True).first.wait_for()
        assert "lang=zh" in page.url
        nav = page.locator(".nav").inner_text()
        assert "首页" in nav and "运行" in nav and "English" in nav
        # the page's own words (labels, figures, notes) in Chinese, not only the heading
        page.wait_for_function(
            "() => (document.querySelector('#page').innerText.match(/[\\u4e00-\\u9fff]/g)"
            " || []).length >= 10",
            timeout=20000,
        )
        assert _has_chinese(page.locator("#page").inner_text()), path
    page.screenshot(path=str(ARTIFACTS / "compare_zh.png"), full_page=True)
    assert not page.errors


def test_chinese_run_page_figures_and_tables(page, server):
    page.goto(server + "/run?lang=zh")
    wait_graph(page, "run-series")
    page.locator("#run-disputes .ag-root").first.wait_for()
    layout = page.evaluate(
        "() => { const g = document.querySelector('#run-series .js-plotly-plot');"
        " return {x: g.layout.xaxis.title.text, y: g.layout.yaxis.title.text,"
        " names: g.data.map(t => t.name), xtype: g._fullLayout.xaxis.type,"
        " yr: g._fullLayout.yaxis.range}; }"
    )
    assert layout["x"] == "日期" and layout["xtype"] == "date"
    assert layout["y"].startswith("数量") and layout["yr"][0] == 0
    assert "未结纠纷" in layout["names"]
    headers = page.locator("#run-disputes .ag-header-cell-text").all_inner_texts()
    assert "结果" in headers and "类别" in headers
    page.screenshot(path=str(ARTIFACTS / "run_zh.png"), full_page=True)
    page.goto(server + "/sweep?lang=zh")
    wait_graph(page, "sweep-heatmap", lambda d: d[0]["type"] == "heatmap")
    heat = page.evaluate(
        "() => { const g = document.querySelector('#sweep-heatmap .js-plotly-plot');"
        " return {x: g.layout.xaxis.title.text, zmin: g.data[0].zmin, zmax: g.data[0].zmax,"
        " bar: g.data[0].colorbar.title.text}; }"
    )
    assert heat["x"] == "每月（4 周）召开小区议事会次数"
    assert (heat["zmin"], heat["zmax"]) == (0, 1) and heat["bar"] == "社区内化解比例 (比例 0-1)"
    assert not page.errors


def test_chinese_widgets_speak_chinese(page, server):
    """Plotly's toolbar and the dropdowns' own texts (placeholder, search, no match) in Chinese."""
    page.goto(server + "/run?lang=zh")
    wait_graph(page, "run-series")
    page.locator("#run-series").hover()
    titles = page.evaluate(
        "() => [...document.querySelectorAll('#run-series .modebar-btn')]"
        ".map(b => b.getAttribute('data-title'))"
    )
    assert "下载为 PNG 图片" in titles and "缩放" in titles and "复原坐标轴" in titles, titles
    assert not any("Zoom" in (t or "") or "Download" in (t or "") for t in titles), titles
    page.locator("#run-metrics .dash-dropdown-clear").click()
    placeholder = page.locator("#run-metrics .dash-dropdown-placeholder")
    placeholder.wait_for()
    assert placeholder.inner_text() == "请选择……"
    page.locator("#run-metrics").click()
    search = page.locator(".dash-dropdown-search")
    search.wait_for(state="visible")
    assert search.get_attribute("placeholder") == "搜索"
    search.fill("没有这个指标")
    page.get_by_text("没有匹配的选项").wait_for()
    page.keyboard.press("Escape")
    page.screenshot(path=str(ARTIFACTS / "widgets_zh.png"), full_page=False)
    page.goto(server + "/run?lang=en")
    wait_graph(page, "run-series")
    titles = page.evaluate(
        "() => [...document.querySelectorAll('#run-series .modebar-btn')]"
        ".map(b => b.getAttribute('data-title'))"
    )
    assert "Download plot as a PNG" in titles, titles
    assert not page.errors
