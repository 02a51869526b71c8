"""The calibration and discovery pages' views, without a browser (Chinese and English)."""

import plotly.graph_objects as go

from sim.dashboard.catalog import discover
from sim.dashboard.research_pages import (
    box_text,
    calibration_page,
    calibration_view,
    discovery_controls,
    discovery_page,
    discovery_view,
    find_calibrations,
)
from sim.results import catalog as cat


def _text(component) -> str:
    """All strings inside a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    out = _text(getattr(component, "children", None))
    for attr in ("rowData", "columnDefs"):
        out += " " + str(getattr(component, attr, ""))
    return out


def test_calibrations_are_found_by_key_only(research_results, tmp_path):
    found = find_calibrations(research_results)
    assert list(found) == ["calibrations/small"]
    assert find_calibrations(tmp_path / "nowhere") == {}
    c = discover(research_results)
    msg = calibration_view(c, "../../etc", lang="zh")[0]
    assert "请选择参数校准结果" in _text(msg)


def test_calibration_view_in_chinese(research_results):
    c = discover(research_results)
    page = calibration_page(c, "zh")
    assert "参数校准" in _text(page) and "后验预测检验" in _text(page)
    warns, params, pairs, gens, rows, checks = calibration_view(c, "calibrations/small", lang="zh")
    table = _text(params)
    assert "后验中位数" in table and "先验 90% 区间" in table
    assert cat.label("param:grid.wish_rate", "zh") in table
    assert "是" in table or "否" in table
    assert "参数" in _text(warns)  # identified or not, a sentence from the catalogue
    # pairs: two weighted histograms on the diagonal, one particle cloud below it
    assert isinstance(pairs, go.Figure)
    kinds = [t.type for t in pairs.data if t.x is not None and t.x[0] is not None]
    assert kinds.count("bar") == 2 and kinds.count("scatter") == 1
    assert pairs.layout.title.text == cat.ui("cal_pairs_title", "zh")
    lines = [s for s in pairs.layout.shapes if s.line.dash == "dash"]
    assert sorted({s.x0 for s in lines}) == [0.1, 1.0, 10.0, 80.0]  # the priors' bounds
    names = {t.name for t in gens.data}
    assert names == {
        cat.ui(k, "zh")
        for k in ("cal_acceptance", "cal_epsilon", "cal_distance_median", "cal_distance_q90")
    }
    assert list(gens.data[0].x) == [0, 1]
    # every fitted and held-out statistic has a panel; observed values where known
    assert len(checks.layout.annotations) == 4
    observed = [t for t in checks.data if t.name == cat.ui("cal_observed", "zh")]
    assert len(observed) == 3
    assert "事实 P4f" in _text(rows) and ("通过" in _text(rows) or "未通过" in _text(rows))
    en = calibration_view(c, "calibrations/small", lang="en")
    assert "Posterior median" in _text(en[1])


def test_discovery_controls_and_view(research_results):
    c = discover(research_results)
    assert "情景发现" in _text(discovery_page(c, "zh"))
    opts, metric, threshold = discovery_controls(c, "sweeps/levers", lang="zh")
    values = [o["value"] for o in opts]
    assert metric in values and metric.startswith("disputes.share_of_all.resolved")
    assert 0 <= threshold <= 1
    box, fig, leaves = discovery_view(c, "sweeps/levers", metric, threshold, "above", lang="zh")
    words = _text(box)
    assert "的运行中" in words and "覆盖度" in words
    assert len(fig.data) == 2 and fig.layout.xaxis.title.text == "覆盖度"
    rows = leaves.rowData
    assert sum(r["runs"] for r in rows) == 16  # the CART leaves partition every run
    headers = {d["headerName"] for d in leaves.columnDefs}
    assert headers == {"杠杆取值范围", "运行次数", "密度", "覆盖度"}
    none = discovery_view(c, "sweeps/levers", metric, 2.0, "above", lang="zh")
    assert cat.ui("disc_no_outcome", "zh") in _text(none[0])
    below = discovery_view(c, "sweeps/levers", metric, threshold, "below", lang="en")
    assert "<=" not in _text(below[0]) and " of runs" in _text(below[0])
    assert "请选择" in _text(discovery_view(c, "nope", metric, 0.5, "above", lang="zh")[0])


def test_box_text_uses_parameter_labels():
    limits = {"meetings.council_per_month": (2.0, None), "party.density": (0.05, 0.2)}
    zh = box_text(limits, "zh")
    assert cat.label("param:meetings.council_per_month", "zh") + " ≥ 2" in zh
    assert "0.05 ≤ " in zh and "且" in zh
    assert " and " in box_text(limits, "en")
