"""`sim validate --lang zh`: every row's description, target, role, model value and the column
headers are in Chinese (checked on the rows' own texts, without running the model)."""

import re

from sim.cli.sweep_cmds import validation_cells
from sim.experiments.validation import PATTERNS
from sim.experiments.validation.core import table_row
from sim.results import catalog

CJK = re.compile(r"[\u4e00-\u9fff]")


def _row(p):
    return table_row(p, {name: (0.5, 0.1, 0.4, 0.6, 10) for name in p.arms})


def test_every_validation_row_reads_in_chinese():
    for p in PATTERNS:
        row = _row(p)
        _, description, _, role, target, model = validation_cells(row, "zh")
        for text in (description, role, target):
            assert CJK.search(text), (p.key, text)
        for name in p.arms:  # arm names are shown in Chinese
            assert f"{name}: " not in model, (p.key, model)
            assert CJK.search(model), (p.key, model)
        assert validation_cells(row, "en")[1] == p.description


def test_validation_headers_and_verdicts_have_chinese():
    keys = ["title", "pattern", "description", "source", "role", "target", "model_value"]
    keys += ["result", "pass", "fail", "failed", "role_fitted", "role_held_out", "role_sanity"]
    for k in keys:
        assert CJK.search(catalog.ui(f"validation_{k}", "zh", n=3)), k


def test_the_odd_table_has_a_chinese_meaning_for_every_parameter():
    from sim.scenario.docs import parameter_table

    lines = parameter_table().splitlines()
    assert lines[0].endswith("| meaning | 中文 |")
    for line in lines[2:]:
        chinese = line.rstrip(" |").rsplit(" | ", 1)[-1]
        assert CJK.search(chinese), line
