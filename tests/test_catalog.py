"""The catalogue of meanings: every key an output shows has a label in both languages."""

import json

import numpy as np
import pandas as pd
import pytest
from babel.numbers import format_currency, format_decimal, format_percent
from dashboard_fixtures import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import NeighbourhoodModel
from sim.results import catalog, numbers, write_run
from sim.scenario import load_scenario
from sim.scenario.docs import rows


@pytest.fixture(scope="module")
def run_folders(tmp_path_factory):
    base = tmp_path_factory.mktemp("catalog")
    out = {}
    for name, path, sets in [
        ("default", None, ["days=60"]),
        ("projects", ROOT / "scenarios" / "elevator_and_gas.yaml", ["days=60"]),
    ]:
        sc = load_scenario(path, sets)
        m = NeighbourhoodModel(sc)
        m.run()
        out[name] = write_run(m, base / name, sc.seed)
    return out


def _flat_keys(summary: dict) -> list[str]:
    keys = []
    for k, v in summary.items():
        keys.append(k)
        if isinstance(v, dict):
            keys += [f"{k}.{s}" for s in v]
    return keys


@pytest.mark.parametrize("name", ["default", "projects"])
def test_every_output_key_has_an_entry(run_folders, name):
    folder = run_folders[name]
    summary = json.loads((folder / "summary.json").read_text())
    keys = _flat_keys(summary)
    keys += list(pd.read_parquet(folder / "timeseries.parquet").columns)
    for table in ("disputes", "meetings", "projects", "votes", "buildings", "network"):
        cols = pd.read_parquet(folder / f"{table}.parquet").columns
        assert len(cols), f"{table} has no columns"
        keys += [f"{table}/{c}" for c in cols]
    assert catalog.missing(keys) == []


def test_every_scenario_parameter_has_a_chinese_meaning():
    from sim.scenario.projects import Project

    paths = [r[0] for r in rows()] + [f"projects[].{r[0]}" for r in rows(Project)]
    assert [p for p in paths if not catalog.param_description(p, "zh")] == []


def test_missing_keys_are_found():
    assert catalog.missing(["disputes.no_such_thing"]) == ["disputes.no_such_thing"]
    assert catalog.label("disputes.no_such_thing", "zh") == "disputes.no_such_thing"


def test_labels_units_and_definitions():
    assert catalog.label("disputes.share_of_closed.resolved", "zh") == "已结纠纷中的化解比例"
    assert "÷" in catalog.describe("disputes.share_of_closed.resolved", "en")
    assert catalog.unit("projects.median_days_to_pass", "zh") == "天"
    # keys older runs wrote still read (legacy section), but are not documented as outputs
    assert catalog.label("disputes.resolution_rate", "zh") == "化解率"
    assert catalog.label("support:elevators", "zh") == "支持度：elevators"
    assert "L1" in catalog.label("disputes.share_of_all.resolved_L1", "en")
    assert catalog.label("param:party.density", "zh").startswith("有党员的住户比例")
    assert "noise" in catalog.label("param:disputes.categories.noise.rate", "en")


def test_formats_follow_the_language():
    assert catalog.fmt("disputes.share_of_closed.resolved", 0.9523, "en") == "95.2%"
    assert catalog.fmt("grid.visits_made", 1357, "en") == "1,357"
    assert catalog.fmt("projects.median_days_to_pass", 11.0, "zh") == "11天"
    assert catalog.fmt("projects.median_days_to_pass", None, "en") == "—"
    assert catalog.fmt("projects/compensation", 20000, "zh") == "¥20,000.00"
    levels = catalog.fmt("disputes.resolved_by_level", {"L0": 1, "L1": 2}, "zh")
    assert "邻里" in levels and "{" not in levels


def test_result_files_use_nulls_not_sentinels(run_folders):
    d = pd.read_parquet(run_folders["default"] / "disputes.parquet")
    assert str(d.day_outcome.dtype) == "Int32"
    assert d.day_outcome.isna().any() or (d.status != "open").all()
    assert (d.day_outcome.dropna() >= 0).all()
    m = pd.read_parquet(run_folders["default"] / "meetings.parquet")
    assert "cases_heard" in m.columns and "items" not in m.columns
    p = pd.read_parquet(run_folders["default"] / "projects.parquet")
    assert p.empty and "day_passed" in p.columns
    p = pd.read_parquet(run_folders["projects"] / "projects.parquet")
    assert str(p.day_passed.dtype) == "Int32" and (p.day_passed.dropna() >= 0).all()


def test_outputs_doc_is_current():
    from sim.results.outputs_doc import outputs_markdown

    doc = ROOT / "docs" / "outputs.md"
    assert doc.read_text(encoding="utf-8") == outputs_markdown(), (
        "run: sim doc outputs --write docs/outputs.md"
    )


def test_every_interface_string_the_code_asks_for_exists_in_both_languages():
    import re

    asked = set()
    for path in (ROOT / "sim").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        asked |= set(re.findall(r"\bui\(\s*\"([a-z0-9_]+)\"", text))
        asked |= set(re.findall(r"\bui\(\s*'([a-z0-9_]+)'", text))
        asked |= set(re.findall(r"\"((?:sobol|morris)_reading|filter_(?:axis|all))\"", text))
    asked |= {f"validation_{c}" for c in ("pattern", "source", "target", "model_value", "result")}
    assert len(asked) > 40
    assert catalog.missing([f"ui/{k}" for k in sorted(asked)]) == []
    for key in asked:
        e = catalog.find(f"ui/{key}")
        fields_en = set(re.findall(r"{(\w+)}", e.en))
        assert fields_en == set(re.findall(r"{(\w+)}", e.zh)), key


def test_every_parameter_unit_has_a_chinese_form():
    from sim.scenario.projects import Project

    units = {r[3] for r in rows()} | {r[3] for r in rows(Project)}
    untranslated = sorted(u for u in units - {"", "0-1"} if catalog.param_unit(u, "zh") == u)
    assert not untranslated, f"add these units to param_units in catalog.yaml: {untranslated}"
    assert catalog.param_unit("meetings / 4 weeks", "en") == "meetings / 4 weeks"


def test_documented_summary_keys_are_what_runs_write(run_folders):
    """docs/outputs.md lists the catalogue's summary section: every key there is written by a
    run of the default or the projects scenario (no stale documentation)."""
    import yaml

    written = set()
    for folder in run_folders.values():
        written |= set(_flat_keys(json.loads((folder / "summary.json").read_text())))
    documented = yaml.safe_load(
        (ROOT / "sim" / "results" / "catalog.yaml").read_text(encoding="utf-8")
    )["summary"]
    assert [k for k in documented if "*" not in k and k not in written] == []


def test_tables_read_back_as_written_by_pandas(tmp_path):
    """pyarrow's writer (write_frame) keeps what to_parquet kept: names, dtypes, nulls."""
    from sim.results.write import tables, write_frame

    m = NeighbourhoodModel(load_scenario(ROOT / "scenarios" / "elevator_and_gas.yaml", ["days=90"]))
    m.run()
    nullable = 0
    for name, df in tables(m).items():
        write_frame(df, tmp_path / f"{name}.arrow.parquet")
        df.to_parquet(tmp_path / f"{name}.pandas.parquet", index=False)
        ours = pd.read_parquet(tmp_path / f"{name}.arrow.parquet")
        pd.testing.assert_frame_equal(ours, pd.read_parquet(tmp_path / f"{name}.pandas.parquet"))
        assert list(ours.columns) == list(df.columns)
        nullable += sum(str(t) == "Int32" for t in ours.dtypes)
    assert nullable >= 2  # disputes' and projects' day columns came back as nullable Int32


_FORMATS = {  # kind -> babel's call for it
    "share": lambda v, loc: format_percent(v, format="#,##0.0%", locale=loc),
    "count_int": lambda v, loc: format_decimal(int(v), locale=loc),
    "count": lambda v, loc: format_decimal(v, format="#,##0.0", locale=loc),
    "days": lambda v, loc: format_decimal(v, format="#,##0.#", locale=loc),
    "cny": lambda v, loc: format_currency(v, "CNY", locale=loc),
    "score": lambda v, loc: format_decimal(v, format="#,##0.###", locale=loc),
}
_OURS = {
    "share": lambda v, lang: numbers.number(v, 1, 1, scale=2, affix="%"),
    "count_int": lambda v, lang: numbers.number(int(v), 0, 3),
    "count": lambda v, lang: numbers.number(v, 1, 1),
    "days": lambda v, lang: numbers.number(v, 0, 1),
    "cny": lambda v, lang: numbers.number(v, 2, 2, affix=numbers.CNY_SIGN[lang]),
    "score": lambda v, lang: numbers.number(v, 0, 3),
}


@settings(max_examples=400, deadline=None)
@given(
    value=st.one_of(
        st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.sampled_from([0.0, -0.0, 0.05, 0.15, 0.25, 2.675, 0.0005, -0.04, 1e-7, 999999.95]),
        st.integers(0, 10**6).map(np.int64),
        st.floats(-1e6, 1e6, allow_nan=False).map(np.float64),
        st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False),
    ),
    kind=st.sampled_from(sorted(_FORMATS)),
    lang=st.sampled_from(["en", "zh"]),
)
def test_numbers_are_formatted_as_babel_formats_them(value, kind, lang):
    assert _OURS[kind](value, lang) == _FORMATS[kind](value, catalog.LOCALES[lang])


def test_fmt_uses_the_babel_patterns_of_each_kind():
    for lang in ("en", "zh"):
        loc = catalog.LOCALES[lang]
        assert catalog.fmt("disputes.share_of_closed.resolved", 0.12345, lang) == _FORMATS["share"](
            0.12345, loc
        )
        assert catalog.fmt("projects/compensation", -1234.565, lang) == _FORMATS["cny"](
            -1234.565, loc
        )
        assert catalog.fmt("grid.visits_made", 1357.0, lang) == _FORMATS["count_int"](1357, loc)
        assert catalog.fmt("grid.visits_made", 1357.25, lang) == _FORMATS["count"](1357.25, loc)
