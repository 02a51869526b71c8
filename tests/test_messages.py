"""Error messages in Chinese: every template has both languages, and bad inputs given with
``--lang zh`` (or ``SIM_LANG=zh``) are refused in Chinese, with no raw key or English sentence."""

import os
import re
import string
import subprocess
import sys

import pytest

from sim.messages import Msg, render, templates, translate_text

CJK = re.compile(r"[\u4e00-\u9fff]")
# Four lowercase English words in a row: a sentence left untranslated (paths, keys and option
# names are single tokens).
ENGLISH_RUN = re.compile(r"\b[a-z]{2,}(?: [a-z]{2,}){3}\b")


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_template_has_chinese_with_the_same_fields():
    for key, t in templates().items():
        assert t.get("en") and t.get("zh"), key
        # the Chinese uses the English fields, or their *_zh counterparts
        extra = {f for f in _fields(t["zh"]) if not f.endswith("_zh")} - _fields(t["en"])
        assert not extra, (key, extra)
        if t["zh"] != t["en"] and not t["zh"].startswith("{"):
            assert CJK.search(t["zh"]), key


def test_a_message_is_its_english_text_and_renders_in_chinese():
    m = Msg("no_file", path="a.yaml")
    assert m == "a.yaml: no such file; check the path"
    assert m.render("zh") == "a.yaml：文件不存在；请检查路径"
    nested = Msg("invalid_input", source="s.yaml", lines=[Msg("and_more", n=2)])
    assert render(nested, "zh") == "s.yaml：输入有误\n  ……另有 2 处错误"
    assert render(ValueError(m), "zh") == m.render("zh")
    # a plain message from a module that does not build a Msg goes through the patterns
    plain = "--out x: exists and is not a sweep folder; choose another --out"
    assert CJK.search(translate_text(plain, "zh"))
    assert translate_text(plain, "en") == plain


def _sim(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


BAD_SCENARIOS = {
    "unknown_key": "days: 10\nmeetigns:\n  council_per_month: 2\n",
    "syntax": "days: 10\nparty: density: 0.1\n",
    "duplicate": "days: 10\ndays: 20\n",
    "wrong_type": "days: many\n",
    "out_of_range": "party:\n  density: 2\n",
    "rule": "party:\n  density: 0\n  big_v: 3\n",
    "not_mapping": "- 1\n- 2\n",
    "tag": "days: !!python/object:os.system 1\n",
    "too_large": "seed: 99999999999999999999999999\n",
    "not_finite": "party:\n  density: .inf\n",
    "not_a_list": "compounds: 5\n",
    "choice": "property_firm:\n  kind: friendly\n",
    "layout": "compounds:\n  - name: A\n    buildings: 2\n    households: 100000\n",
}


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    for name, text in BAD_SCENARIOS.items():
        (d / f"{name}.yaml").write_text(text, encoding="utf-8")
    (d / "grid.yaml").write_text(
        "name: g\ndesign: grid\nreplicates: 1\nparameters:\n  party.density: {min: 0, max: 1}\n"
    )
    (d / "big.yaml").write_text(
        "name: b\ndesign: grid\nreplicates: 5\nparameters:\n  party.density: {values: [0, 1]}\n"
    )
    (d / "stranger").mkdir()
    (d / "stranger" / "notes.txt").write_text("mine")
    (d / "table.csv").write_text("name,floors\nA,6\n")
    return d


def _cases(d):
    cases = [("scenario", "check", str(d / f"{n}.yaml")) for n in BAD_SCENARIOS]
    return cases + [
        ("scenario", "check", str(d / "absent.yaml")),
        ("run", "--set", "days"),
        ("run", "--set", "days.x=1"),
        ("scenario", "from-buildings", str(d / "table.csv"), "--out", str(d / "o.yaml")),
        ("sweep", str(d / "grid.yaml")),
        ("sweep", str(d / "big.yaml"), "--max-runs", "2"),
        ("run", "--set", "days=5", "--out", str(d / "stranger")),
        ("compare",),
        ("target",),
        ("report", str(d / "absent")),
        ("run", "--nope"),
        ("runn",),
        ("sweep", "x", "--workers", "0"),
        ("sweep", "x", "--workers", "many"),
        ("run", "a", "b"),
        ("run", "--days"),
    ]


def test_bad_inputs_are_refused_in_chinese(bad_inputs):
    keys = set(templates())
    for args in _cases(bad_inputs):
        r = _sim("--lang", "zh", *args)
        err = r.stderr
        assert r.returncode != 0, (args, r.stdout)
        assert CJK.search(err), (args, err)
        text = re.sub(r"\S*" + re.escape(str(bad_inputs)) + r"\S*", "PATH", err)
        text = re.sub(r"用法：.*", "", text)  # the synopsis names commands and arguments
        assert not (keys & set(re.findall(r"\b[a-z_]+\b", text))), (args, err)
        assert not re.search(r"\{[a-z_]+\}", text), (args, err)
        assert not ENGLISH_RUN.search(text), (args, err)


def test_sim_lang_gives_chinese_and_english_stays_as_it_was(bad_inputs):
    path = str(bad_inputs / "unknown_key.yaml")
    zh = _sim("scenario", "check", path, env={"SIM_LANG": "zh"})
    assert "未知的键“meetigns”" in zh.stderr and "是不是“meetings”" in zh.stderr
    en = _sim("scenario", "check", path, env={"SIM_LANG": "en"})
    assert "unknown key 'meetigns'; did you mean 'meetings'?" in en.stderr
    assert not CJK.search(en.stderr)


def test_chinese_field_names_come_from_the_parameter_meanings(bad_inputs):
    r = _sim("--lang", "zh", "scenario", "check", str(bad_inputs / "out_of_range.yaml"))
    assert "有党员的住户比例（party.density）：应不大于 1（现为 2）" in r.stderr
