"""Stylised facts on upgrade projects (elevator retrofits, gas pipes).

Each row is a distribution over seeds (mean and 95% CI). Roles: ``fitted`` rows were used to
set the parameters they check (``elevator_typical``'s infeasible share and concern weight, the
Kening benefit); ``held_out`` rows were not used to set anything.
"""

from __future__ import annotations

import numpy as np

from sim.experiments.validation.core import Arm, Pattern, _fmt

TYPICAL = "elevator_typical.yaml"
KENING = "kening_tianyuancheng_gas.yaml"
YONGYUAN = "yongyuan41_elevator.yaml"
NO_CANVASSING = ("party.canvass_per_week=0", "party.sign_first=false")
NO_COUNCILS = ("meetings.council_per_month=0",)


def _built_within(days: int):
    def stat(run: dict) -> float:
        p = run["projects"]
        ok = [
            0 <= d - s <= days for d, s in zip(p["day_delivered"], p["day_proposed"], strict=True)
        ]
        return float(np.mean([o and d >= 0 for o, d in zip(ok, p["day_delivered"], strict=True)]))

    return stat


def _passed(run: dict) -> float:
    return float(np.mean(run["projects"]["passed"]))


def _median_attended(run: dict) -> float:
    m = [x for x in run["projects"]["meetings_attended_to_pass"] if x >= 0]
    return float(np.median(m)) if m else np.nan


PROJECT_FACTS: list[Pattern] = [
    Pattern(
        "P1",
        "[facts §5]",
        "ordinary old compound (monthly joint meeting, no councils, no extra party effort): "
        "few elevators built within 2 years (Shanghai < 3% of 660 enquiries; Nanjing 16 of 428 "
        "approved, 8 installed)",
        "share of units built within 730 d: mean in [0.005, 0.06]",
        {"typical": Arm(TYPICAL)},
        _built_within(730),
        lambda a: 0.005 <= a["typical"][0] <= 0.06,
        lambda a: _fmt(a, "typical", digits=3),
        role="fitted",
        description_zh="普通老旧小区（每月一次联席会议，无议事会，党员不额外投入）：两年内加装的"
        "电梯很少（上海 660 次咨询中不到 3%；南京 428 部中获批 16 部、建成 8 部）",
        target_zh="730 天内建成的单元比例：均值在 [0.005, 0.06] 之间",
    ),
    Pattern(
        "P2",
        "[Yongyuan-41]",
        "with its reported effort (~10 councils, canvassing, party members signing first, the "
        "firm involved early) all 13 units get elevators",
        "share of units built within 730 d >= 0.9",
        {"effort": Arm(YONGYUAN)},
        _built_within(730),
        lambda a: a["effort"][0] >= 0.9,
        lambda a: _fmt(a, "effort"),
        role="fitted",
        description_zh="按报告中的投入（约 10 次议事会、上门动员、党员带头签字、物业提前介入），"
        "13 个单元全部加装电梯",
        target_zh="730 天内建成的单元比例 ≥ 0.9",
    ),
    Pattern(
        "P2b",
        "[Yongyuan-41]",
        "without canvassing and signing first, clearly fewer units get elevators",
        "share built within 730 d at least 0.15 below the full effort, CIs apart",
        {"effort": Arm(YONGYUAN), "no canvassing": Arm(YONGYUAN, NO_CANVASSING)},
        _built_within(730),
        lambda a: (
            a["no canvassing"][0] <= a["effort"][0] - 0.15
            and a["no canvassing"][3] < a["effort"][2]
        ),
        lambda a: _fmt(a, "effort", "no canvassing"),
        description_zh="不上门动员、党员不带头签字时，加装电梯的单元明显减少",
        target_zh="730 天内建成比例比完整投入低至少 0.15，且两者的置信区间不重叠",
    ),
    Pattern(
        "P2m",
        "[Yongyuan-41], [facts §5]",
        "meetings before a unit passes: ~10 councils for 13 units; one Shanghai building ~30 "
        "meetings in a year",
        "median over seeds of the per-run median of meetings attended to pass in [5, 30]",
        {"effort": Arm(YONGYUAN, (), _median_attended)},
        _median_attended,
        lambda a: 5 <= a["effort"][0] <= 30,
        lambda a: _fmt(a, "effort", digits=1),
        description_zh="一个单元通过前开的会：13 个单元约 10 次议事会；上海一栋楼一年约 30 次会议",
        target_zh="各随机种子“通过前参加的会议数”中位数的中位数在 [5, 30] 之间",
    ),
    Pattern(
        "P3",
        "[Kening]",
        "gas-pipe renewal stalls without councils; weekly councils with the gas company and "
        "the street office answer concerns and it passes",
        "passed within the year: weekly >= 0.7; no councils <= 0.3",
        {"weekly": Arm(KENING), "no councils": Arm(KENING, NO_COUNCILS)},
        _passed,
        lambda a: a["weekly"][0] >= 0.7 and a["no councils"][0] <= 0.3,
        lambda a: _fmt(a, "weekly", "no councils"),
        role="fitted",
        description_zh="没有议事会时燃气管道更新停滞；每周与燃气公司和街道办召开议事会、回应顾虑后"
        "得以通过",
        target_zh="一年内通过的比例：每周议事 ≥ 0.7；无议事会 ≤ 0.3",
    ),
    Pattern(
        "P3b",
        "[Kening]",
        "pass probability rises with council frequency, smoothly: no setting decides it alone",
        "pass rate at 0, 1, 2 councils a month (density 0.05) non-decreasing, one strictly "
        "between 0.05 and 0.95",
        {
            f"{c}/month": Arm(KENING, (f"meetings.council_per_month={c}", "party.density=0.05"))
            for c in (0, 1, 2)
        },
        _passed,
        lambda a: (
            a["0/month"][0] <= a["1/month"][0] <= a["2/month"][0]
            and any(0.05 < a[k][0] < 0.95 for k in a)
        ),
        lambda a: _fmt(a, "0/month", "1/month", "2/month"),
        description_zh="通过概率随议事会频次平滑上升：没有哪一个取值单独决定结果",
        target_zh="每月 0、1、2 次议事会（党员住户比例 0.05）时通过率不下降，且至少一个严格介于"
        " 0.05 和 0.95 之间",
    ),
]
