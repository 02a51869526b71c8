"""Headline metrics over 30+ seeds, recorded as test data before any optimisation.

``python benchmarks/reference.py`` rewrites ``tests/data/reference_metrics.json``; do it only
when a change of the model's behaviour is intended (recalibration), never to make a failing
distribution test pass after an optimisation.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "default": ("sim/scenario/data/default.yaml", []),
    "elevator_and_gas": ("scenarios/elevator_and_gas.yaml", ["days=365"]),
}
METRICS = [
    "disputes.total",
    "disputes.share_of_all.resolved",
    "disputes.share_of_all.resolved_in_building",
    "disputes.resolved_within_90d",
    "trust.mean_final",
    "projects.pass_rate",
    "projects.mean_final_support",
]
SEEDS = range(1000, 1064)


def collect(case: str, seeds=SEEDS) -> dict[str, list[float]]:
    """Run one case over the seeds and return each metric's values."""
    from sim.model import NeighbourhoodModel
    from sim.results import summarize
    from sim.scenario import load_scenario

    path, sets = CASES[case]
    out: dict[str, list[float]] = {m: [] for m in METRICS}
    for seed in seeds:
        model = NeighbourhoodModel(load_scenario(ROOT / path, sets), seed=seed)
        model.run()
        s = summarize(model)
        for m in METRICS:
            if s.get(m) is not None:
                out[m].append(float(s[m]))
    return {m: v for m, v in out.items() if v}


if __name__ == "__main__":
    data = {case: collect(case) for case in CASES}
    target = ROOT / "tests" / "data" / "reference_metrics.json"
    target.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {target}")
