"""Pass probability of upgrade projects over councils x party density (issue: projects).

For Yongyuan-41, Kening's gas pipes and an ordinary compound (``elevator_typical``) it runs
every cell of councils a month {0, 1, 2, 4} x party density {0, .05, .1, .2} over ``seeds``
seeds and writes a heat map per scenario and the table behind it::

    .venv/bin/python -m sim.experiments.figures_projects [--seeds 10] [--out docs/figures]

The statistic is the share of the scenario's project instances built within its horizon
(elevators: units; gas pipes: the compound), averaged over seeds; it is a pass probability.
"""

from __future__ import annotations

import argparse
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = {
    "yongyuan41_elevator": "Yongyuan-41 elevators (13 units)",
    "kening_tianyuancheng_gas": "Kening gas-pipe renewal (1 compound)",
    "elevator_typical": "Ordinary compound, elevators (18 units)",
}
COUNCILS = (0, 1, 2, 4)
DENSITIES = (0.0, 0.05, 0.1, 0.2)


def cell(task: tuple[str, int, float, int]) -> dict:
    """Run one scenario at one lever setting and seed; the share of instances built."""
    from sim.model import NeighbourhoodModel
    from sim.scenario import load_scenario

    name, councils, density, seed = task
    sets = [f"meetings.council_per_month={councils}", f"party.density={density}"]
    model = NeighbourhoodModel(load_scenario(ROOT / "scenarios" / f"{name}.yaml", sets), seed=seed)
    model.run()
    p = model.projects.tables()["projects"]
    return {
        "scenario": name,
        "councils": councils,
        "density": density,
        "seed": seed,
        "built": float((p.day_delivered >= 0).mean()),
        "passed": float(p.passed.mean()),
    }


def surface(seeds: int = 10, workers: int = 2, scenarios=tuple(SCENARIOS)) -> pd.DataFrame:
    """All runs of the councils x density grid: one row per scenario, cell and seed."""
    tasks = [
        (n, c, d, s) for n in scenarios for c in COUNCILS for d in DENSITIES for s in range(seeds)
    ]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
        return pd.DataFrame(list(ex.map(cell, tasks, chunksize=4)))


def table(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean share built and its seed count per scenario and cell."""
    g = runs.groupby(["scenario", "councils", "density"]).built
    return g.agg(["mean", "std", "count"]).reset_index()


def plot(cells: pd.DataFrame, path: Path) -> None:
    """One heat map per scenario: councils (rows) x party density (columns)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(cells.scenario))
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.8), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        t = cells[cells.scenario == name].pivot(index="councils", columns="density", values="mean")
        ax.imshow(t.values, vmin=0, vmax=1, cmap="viridis", origin="lower", aspect="auto")
        for (i, j), v in np.ndenumerate(t.values):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="w" if v < 0.6 else "k")
        ax.set_xticks(range(len(t.columns)), [f"{d:g}" for d in t.columns])
        ax.set_yticks(range(len(t.index)), [str(c) for c in t.index])
        ax.set_xlabel("party-member density")
        ax.set_ylabel("councils a month")
        ax.set_title(SCENARIOS.get(name, name), fontsize=9)
    fig.suptitle("Share of project instances built within the horizon (mean over seeds)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    """Command line: run the grid, write ``projects_pass_rate.png`` and ``.csv``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "figures")
    args = ap.parse_args(argv)
    cells = table(surface(args.seeds, args.workers))
    args.out.mkdir(parents=True, exist_ok=True)
    cells.to_csv(args.out / "projects_pass_rate.csv", index=False, float_format="%.3f")
    plot(cells, args.out / "projects_pass_rate.png")
    for name in dict.fromkeys(cells.scenario):
        t = cells[cells.scenario == name].pivot(index="councils", columns="density", values="mean")
        print(name)
        print(t.round(2).to_string())
    print(f"wrote {args.out / 'projects_pass_rate.png'}")


if __name__ == "__main__":
    main()
