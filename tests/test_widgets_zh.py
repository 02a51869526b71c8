"""The dashboard's and reports' own widget texts follow the language (no browser needed here;
tests/test_browser.py checks them drawn)."""

import re

from dashboard_fixtures import make_results

from sim.dashboard.widgets import dropdown, dropdown_labels, graph, graph_config
from sim.report import write_report

CJK = re.compile(r"[\u4e00-\u9fff]")
TOOLBAR = ("Zoom", "Pan", "Autoscale", "Reset axes", "Download plot as a PNG", "Zoom in")


def test_chinese_graph_config_carries_the_plotly_locale():
    config = graph_config("zh")
    locale = config["locales"][config["locale"]]
    for msgid in TOOLBAR:
        assert CJK.search(locale["dictionary"][msgid]), msgid
    assert len(locale["format"]["months"]) == 12
    assert "locale" not in graph_config("en")
    assert graph("zh", id="g").config["locale"] == "zh-CN"


def test_dropdowns_have_their_own_texts_in_both_languages():
    for text in dropdown_labels("zh").values():
        assert CJK.search(text)
    assert dropdown_labels("en")["no_options_found"] == "No options found"
    assert dropdown_labels("zh")["selected_count"].count("{num_selected}") == 1
    d = dropdown("zh", id="d")
    assert d.placeholder == "请选择……" and CJK.search(d.labels["search"])


def test_chinese_html_report_figures_use_the_locale(tmp_path):
    results = make_results(tmp_path)
    zh = write_report(results / "sweeps" / "grid", tmp_path / "zh.html", "zh").read_text()
    en = write_report(results / "sweeps" / "grid", tmp_path / "en.html", "en").read_text()
    assert '"locale": "zh-CN"' in zh and '"locale": "zh-CN"' not in en
