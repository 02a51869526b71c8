"""Performance benchmark: every printed target is measured, side by side, in fresh processes.

Each case runs in its own subprocess (``python -m sim.experiments.bench CASE ARGS``, or the
``sim`` command itself for start-up and end-to-end runs), so the peak memory of a case is that
process's resident set (``ru_maxrss`` from ``os.wait4``), and start-up is paid as a user pays
it. Cases are interleaved repetition by repetition, so a change in machine load hits them alike;
the targets are stated as ratios to figures measured in the same run: ``python -c pass``,
``import mesa``, Mesa's ``BoltzmannWealth`` and the floor of a year (365 mat-vecs over the tie
matrix plus the year's dispute arrivals drawn as one Poisson total and placed by
``searchsorted``). A target that was not run is reported "not measured", never "met".
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RECORDS = Path("benchmarks")
MET, MISSED, NOT_MEASURED = "met", "MISSED", "not measured"
MODES = {
    # days of our runs, BoltzmannWealth steps, repetitions, scaling sizes, city, sweep runs
    "quick": (365, 30, 1, [1000, 3000, 10000, 30000], False, 0),
    "default": (365, 365, 3, [1000, 5000, 15000, 60000, 150000], True, 100),
    "full": (
        365,
        365,
        3,
        [1000, 5000, 15000, 60000, 150000, 300000, 600000, 1200000],
        True,
        100,
    ),
}


# ------------------------------------------------------------------ child side (one case)
def _scenario(spec: dict):
    from sim.scenario import load_scenario

    path = spec.get("path")
    return load_scenario(None if path is None else Path(path), spec.get("sets", []))


def _with_projects(sc):
    """The scenario plus an elevator project per unit and a gas-pipe renewal per compound."""
    from sim.scenario import Scenario, scenario_dict

    data = scenario_dict(sc)
    data["projects"] = [
        {"name": "elevators", "type": "elevator", "ground_compensation": 20000},
        {
            "name": "gas",
            "type": "gas_pipe",
            "cost": 150000,
            "subsidy": 50000,
            "cost_sharing": "equal",
            "benefit": 2500,
            "utility_scale": 1500,
        },
    ]
    return Scenario.model_validate(data)


def floor_seconds(model, days: int) -> tuple[float, float]:
    """Wall and CPU seconds of a year's floor: ``days`` tie mat-vecs plus the arrivals.

    Arrivals are drawn as one Poisson total a day and placed on (building, category) cells by
    ``searchsorted`` over the cumulative rates: the least any model with these ties and these
    dispute rates must do.
    """
    import numpy as np

    w = model.world
    rng = np.random.default_rng(0)
    cum = np.cumsum(model.ladder.rates.ravel())
    total = float(cum[-1]) if len(cum) else 0.0
    x = w.trust.copy()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(days):
        x = w.ties @ x
        x /= max(float(x.max()), 1e-12)
        cells = np.searchsorted(cum, rng.random(rng.poisson(total)) * total)
        cells.sum()
    return time.perf_counter() - t0, time.process_time() - c0


def case_model(args: dict) -> dict:
    """Build and run one of our scenarios ``reps`` times; medians of build and run seconds."""
    from sim.model import NeighbourhoodModel

    sc = _scenario(args)
    if args.get("projects"):
        sc = _with_projects(sc)
    builds, runs, build_cpu, run_cpu = [], [], [], []
    model = None
    for _ in range(args.get("reps", 1)):
        model = None  # free the previous one before building the next
        t0, c0 = time.perf_counter(), time.process_time()
        model = NeighbourhoodModel(sc)
        t1, c1 = time.perf_counter(), time.process_time()
        model.run()
        runs.append(time.perf_counter() - t1)
        run_cpu.append(time.process_time() - c1)
        builds.append(t1 - t0)
        build_cpu.append(c1 - c0)
    out = {
        "households": model.world.n_households,
        "days": sc.days,
        "build_s": statistics.median(builds),
        "run_s": statistics.median(runs),
        "build_cpu_s": statistics.median(build_cpu),
        "run_cpu_s": statistics.median(run_cpu),
    }
    if args.get("floor"):
        out["floor_s"], out["floor_cpu_s"] = floor_seconds(model, sc.days)
    return out


def case_boltzmann(args: dict) -> dict:
    """Mesa's BoltzmannWealth example with ``n`` agents for ``steps`` steps (build and run)."""
    from mesa.examples import BoltzmannWealth

    n, steps = args["n"], args["steps"]
    side = math.ceil(math.sqrt(n))
    times = []
    for _ in range(args.get("reps", 1)):
        t0 = time.perf_counter()
        m = BoltzmannWealth(n=n, width=side, height=side, seed=1)
        for _ in range(steps):
            m.step()
        times.append(time.perf_counter() - t0)
    return {"agents": n, "steps": steps, "seconds": statistics.median(times)}


def case_sweep(args: dict) -> dict:
    """A Changgou sweep on ``workers`` processes, and the same runs' in-process model times."""
    import copy

    from sim.experiments.runner import execute, prepare
    from sim.model import NeighbourhoodModel
    from sim.scenario import Scenario
    from sim.scenario.loading import apply_overrides

    runs, workers, days = args["runs"], args["workers"], args["days"]
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.yaml"
        spec.write_text(
            f"name: bench\nscenario: {SCENARIOS / 'changgou_xincun.yaml'}\ndays: {days}\n"
            f"parameters:\n  party.density: {{values: [0.05, 0.1]}}\n"
            f"replicates: {runs // 2}\n"
        )
        t0 = time.perf_counter()
        _, tasks, _ = prepare(spec, Path(tmp) / "out")
        execute(tasks, workers)
        wall = time.perf_counter() - t0
    model_s = 0.0
    for task in tasks:
        sc = Scenario.model_validate(apply_overrides(copy.deepcopy(task["scenario"]), task["sets"]))
        t0 = time.perf_counter()
        NeighbourhoodModel(sc, seed=task["seed"]).run()
        model_s += time.perf_counter() - t0
    return {"runs": len(tasks), "workers": workers, "wall_s": wall, "model_s_sum": model_s}


CASES = {"model": case_model, "boltzmann": case_boltzmann, "sweep": case_sweep}


# ----------------------------------------------------------------- parent side (processes)
# Runs one command from a small, freshly started interpreter and reports its wall time and
# resource usage. Linux charges a child's peak resident set with the memory of the process it
# was forked from, so forking the measured command straight from this (larger) process would
# report at least this process's size; from the launcher it is at most the launcher's ~10 MB.
_LAUNCHER = """
import json, os, sys, time
argv, result = json.loads(sys.argv[1]), sys.argv[2]
t0 = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
with open(result, "w") as f:
    json.dump({"wall": wall, "code": os.waitstatus_to_exitcode(status),
               "maxrss_kb": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime}, f)
"""


def run_process(argv: list[str], timeout: float = 1800) -> tuple[float, float, float, str]:
    """Run a command; returns (wall seconds, peak resident set MB, CPU seconds, stdout).

    The peak is the command's own ``ru_maxrss`` and the CPU time its user + system time, read
    with ``os.wait4`` by a small launcher process (CPU time is what load on a shared machine
    inflates least; the targets use wall time).
    """
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        result = Path(tmp) / "result.json"
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, json.dumps(argv), str(result)]
        proc = subprocess.Popen(launcher, stdout=out, stderr=err, text=True, start_new_session=True)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            raise RuntimeError(f"{' '.join(argv)}: no result within {timeout:.0f} s") from None
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0 or not result.exists():
            raise RuntimeError(f"{' '.join(argv)}: launcher failed: {err.read()[-2000:]}")
        r = json.loads(result.read_text())
        if r["code"] != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({r['code']}): {err.read()[-2000:]}")
        return r["wall"], r["maxrss_kb"] / 1024.0, r["cpu"], out.read()


def run_case(case: str, args: dict) -> dict:
    """Run one case in a fresh interpreter; its result plus ``rss_mb`` and ``wall_s``."""
    argv = [sys.executable, "-m", "sim.experiments.bench", case, json.dumps(args)]
    wall, rss, cpu, out = run_process(argv)
    result = json.loads(out.strip().splitlines()[-1])
    result.update(rss_mb=rss, wall_s=wall, cpu_s=cpu)
    return result


def _median_of(rows: list[dict]) -> dict:
    """Field-wise median of repeated results."""
    out = dict(rows[0])
    for key, value in rows[0].items():
        if isinstance(value, float):
            out[key] = statistics.median(r[key] for r in rows)
    return out


def _scaling_args(n: int, days: int) -> dict:
    copies = max(1, round(n / 1008))  # copies of a 1,008-household compound
    sets = [
        f"days={days}",
        "compounds.0.households=null",
        "compounds.0.buildings=42",
        f"compounds.0.count={copies}",
    ]
    return {"path": None, "sets": sets, "reps": 1}


def measure(mode: str = "default", reps: int | None = None, on_step=None) -> dict:
    """Run the benchmark; returns the record (see :func:`targets` for what it checks)."""
    days, b_steps, default_reps, sizes, with_city, sweep_runs = MODES[mode]
    reps = reps or default_reps
    step = on_step or (lambda _msg: None)
    py = sys.executable
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "python_pass": [py, "-c", "pass"],
            "sim_help": [py, "-m", "sim", "--help"],
            "import_mesa": [py, "-c", "import mesa"],
            "sim_run_aoyuan": [py, "-m", "sim", "run", str(SCENARIOS / "aoyuan.yaml")],
        }
        if with_city:
            commands["sim_run_city"] = [py, "-m", "sim", "run", str(SCENARIOS / "city.yaml")]
        aoyuan = {"path": str(SCENARIOS / "aoyuan.yaml"), "sets": [f"days={days}"], "floor": True}
        xuanwu = {"path": str(SCENARIOS / "xuanwu_district.yaml"), "sets": [f"days={days}"]}
        per_rep: dict[str, list] = {}
        for r in range(reps):
            for name, argv in commands.items():
                step(f"{name} ({r + 1}/{reps})")
                if name.startswith("sim_run"):
                    argv = [*argv, "--out", str(Path(tmp) / f"{name}-{r}")]
                wall, rss, cpu, _ = run_process(argv)
                per_rep.setdefault(name, []).append({"wall_s": wall, "rss_mb": rss, "cpu_s": cpu})
            for name, case, args in (
                ("aoyuan", "model", aoyuan),
                ("xuanwu", "model", xuanwu),
                ("xuanwu_projects", "model", {**xuanwu, "projects": True}),
            ):
                step(f"{name} in-process ({r + 1}/{reps})")
                per_rep.setdefault(name, []).append(run_case(case, args))
            step(f"BoltzmannWealth ({r + 1}/{reps})")
            n_aoyuan = per_rep["aoyuan"][0]["households"]
            per_rep.setdefault("boltzmann", []).append(
                run_case("boltzmann", {"n": n_aoyuan, "steps": b_steps})
            )
    record: dict[str, Any] = {name: _median_of(rows) for name, rows in per_rep.items()}
    record["scaling"] = []
    for n in sizes:
        step(f"scaling: {n:,} households")
        record["scaling"].append(run_case("model", _scaling_args(n, days)))
    households = [s["households"] for s in record["scaling"]]
    record["scaling_fit"] = fit_line(households, [s["run_s"] for s in record["scaling"]])
    record["scaling_fit_cpu"] = fit_line(households, [s["run_cpu_s"] for s in record["scaling"]])
    record["sweep"] = None
    if sweep_runs:
        step(f"sweep: {sweep_runs} Changgou runs on 2 workers")
        record["sweep"] = run_case("sweep", {"runs": sweep_runs, "workers": 2, "days": days})
    record["meta"] = {
        "mode": mode,
        "reps": reps,
        "days": days,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "sim bench" + ("" if mode == "default" else f" --{mode}"),
        "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    record["targets"] = targets(record)
    return record


def fit_line(xs: list[float], ys: list[float]) -> dict:
    """Least-squares ``y = a + b x``; with R2 only when there are at least 4 points."""
    import numpy as np

    x, y = np.asarray(xs, float), np.asarray(ys, float)
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    r2 = float(1 - resid.var() / y.var()) if len(x) >= 4 and y.var() > 0 else None
    return {"intercept_s": float(intercept), "s_per_1k": float(slope * 1000), "r2": r2, "n": len(x)}


def _target(
    name: str, value: float | None, limit: float | None, unit: str = "s", at_least: bool = False
) -> dict:
    """One target: ``value <= limit`` (``>=`` with ``at_least``); unmeasured if either is None."""
    row = {"name": name, "value": value, "limit": limit, "unit": unit, "at_least": at_least}
    if value is None or limit is None:
        return {**row, "status": NOT_MEASURED}
    ok = value >= limit if at_least else value <= limit
    return {**row, "status": MET if ok else MISSED}


def targets(rec: dict) -> list[dict]:
    """The issue's targets, each from figures of this record (or "not measured")."""

    def get(*path):
        cur = rec
        for p in path:
            if cur is None or p not in cur:
                return None
            cur = cur[p]
        return cur

    pass_s, help_s = get("python_pass", "wall_s"), get("sim_help", "wall_s")
    mesa_s, run_s = get("import_mesa", "wall_s"), get("sim_run_aoyuan", "wall_s")
    a, x, xp = rec.get("aoyuan"), rec.get("xuanwu"), rec.get("xuanwu_projects")
    bz = rec.get("boltzmann")
    out = [
        _target(
            "sim --help <= 3 x (python -c pass) + 0.15 s",
            help_s,
            None if pass_s is None else 3 * pass_s + 0.15,
        ),
        _target(
            "sim run (Aoyuan year) <= (python -c 'import mesa') + 0.3 s",
            run_s,
            None if mesa_s is None else mesa_s + 0.3,
        ),
        _target(
            "Aoyuan year in-process <= 3 x floor",
            None if a is None else a["run_s"],
            None if a is None or "floor_s" not in a else 3 * a["floor_s"],
        ),
    ]
    builds = [r for r in [a, x, xp, *rec.get("scaling", [])] if r is not None]
    worst = max(builds, key=lambda r: r["build_s"] / r["run_s"], default=None)
    out.append(
        _target(
            "world + agents build <= the year's run, every scale (worst case shown)",
            None if worst is None else worst["build_s"],
            None if worst is None else worst["run_s"],
        )
    )
    city = rec.get("sim_run_city")
    out.append(
        _target("city year, build and write (sim run) <= 8 s", get("sim_run_city", "wall_s"), 8.0)
    )
    out.append(
        _target(
            "city peak resident set <= 1.5 GB",
            None if city is None else city["rss_mb"],
            1536.0,
            "MB",
        )
    )
    out.append(
        _target("district year <= 15 s", None if x is None else x["build_s"] + x["run_s"], 15.0)
    )
    out.append(
        _target(
            "district peak resident set <= 2 GB", None if x is None else x["rss_mb"], 2048.0, "MB"
        )
    )
    ratio = None
    if a is not None and bz is not None:
        ours = a["households"] * a["days"] / (a["build_s"] + a["run_s"])
        ratio = ours / (bz["agents"] * bz["steps"] / bz["seconds"])
    out.append(
        _target("throughput >= 10 x BoltzmannWealth (agent-steps/s)", ratio, 10.0, "x", True)
    )
    out.append(
        _target(
            "district with projects <= 3 x without (a year)",
            None if xp is None else xp["run_s"],
            None if x is None else 3 * x["run_s"],
        )
    )
    sw = rec.get("sweep")
    out.append(
        _target(
            "100-run sweep, 2 workers <= 1.3 x (sum of in-process model times) / 2",
            None if sw is None else sw["wall_s"],
            None if sw is None else 1.3 * sw["model_s_sum"] / 2,
        )
    )
    return out


# ------------------------------------------------------------------ records and comparison
def save_record(record: dict, path: Path | None = None) -> Path:
    """Write the record as JSON (default ``benchmarks/bench-<UTC time>.json``); never overwrites."""
    if path is None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        path = RECORDS / f"bench-{stamp}.json"
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path}: exists; give another --record file")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path


def records(folder: Path = RECORDS) -> list[Path]:
    """Benchmark records in ``folder``, oldest first (by their creation time)."""
    found = []
    for p in Path(folder).glob("bench-*.json"):
        try:
            created = json.loads(p.read_text())["meta"]["created"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found.append((created, p.name, p))
    return [p for *_, p in sorted(found)]


COMPARED = [
    ("sim --help (s)", ("sim_help", "wall_s")),
    ("sim run Aoyuan year (s)", ("sim_run_aoyuan", "wall_s")),
    ("sim run Aoyuan year, cpu (s)", ("sim_run_aoyuan", "cpu_s")),
    ("Aoyuan build (s)", ("aoyuan", "build_s")),
    ("Aoyuan year in-process (s)", ("aoyuan", "run_s")),
    ("Aoyuan year in-process, cpu (s)", ("aoyuan", "run_cpu_s")),
    ("Aoyuan floor (s)", ("aoyuan", "floor_s")),
    ("Aoyuan floor, cpu (s)", ("aoyuan", "floor_cpu_s")),
    ("district build (s)", ("xuanwu", "build_s")),
    ("district build, cpu (s)", ("xuanwu", "build_cpu_s")),
    ("district year (s)", ("xuanwu", "run_s")),
    ("district peak RSS (MB)", ("xuanwu", "rss_mb")),
    ("district + projects year (s)", ("xuanwu_projects", "run_s")),
    ("BoltzmannWealth (s)", ("boltzmann", "seconds")),
    ("city sim run (s)", ("sim_run_city", "wall_s")),
    ("city sim run, cpu (s)", ("sim_run_city", "cpu_s")),
    ("city peak RSS (MB)", ("sim_run_city", "rss_mb")),
    ("sweep wall (s)", ("sweep", "wall_s")),
    ("python -c pass (s)", ("python_pass", "wall_s")),
    ("import mesa (s)", ("import_mesa", "wall_s")),
]


def compare(old: dict, new: dict) -> list[tuple[str, str, str, str]]:
    """Rows (figure, old, new, new/old) for the figures both records measured."""
    rows = []
    for label, path in COMPARED:
        a, b = old, new
        for p in path:
            a = a.get(p) if isinstance(a, dict) else None
            b = b.get(p) if isinstance(b, dict) else None
        if isinstance(a, int | float) and isinstance(b, int | float) and a > 0:
            rows.append((label, f"{a:.3f}", f"{b:.3f}", f"{b / a:.2f}x"))
    return rows


def main(argv: list[str]) -> None:
    """Child entry point: ``python -m sim.experiments.bench CASE JSON``; prints one JSON line."""
    case, args = argv[0], json.loads(argv[1])
    sys.stdout.write(json.dumps(CASES[case](args)) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
