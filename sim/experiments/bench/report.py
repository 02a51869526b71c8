"""Targets, records and comparisons of benchmark results (no measuring here)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

RECORDS = Path("benchmarks")
MET, MISSED, NOT_MEASURED = "met", "MISSED", "not measured"


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


def sweep_ideal(sweep: dict | None) -> float | None:
    """The sweep's ideal wall time: the runs' in-process model time split over the workers."""
    if not sweep or sweep.get("model_s_sum") is None or not sweep.get("workers"):
        return None
    return sweep["model_s_sum"] / sweep["workers"]


def sweep_least(sweep: dict | None, import_s: float | None) -> float | None:
    """The least wall time any sweep of these runs can take on this machine.

    No run can start before a worker has imported the model (at least ``import mesa``,
    ``import_s``, measured in the same benchmark), and after that the workers still have the
    runs' model time and their summaries to do, split over them. Nothing about how runs are
    handed out or written can go below this.

    Args:
        sweep: the record's sweep (``model_s_sum``, ``summary_s_sum``, ``workers``).
        import_s: wall seconds of ``python -c "import mesa"`` in the same benchmark.

    Returns:
        Seconds, or None when a figure is missing.
    """
    ideal = sweep_ideal(sweep)
    if ideal is None or import_s is None or sweep.get("summary_s_sum") is None:
        return None
    return import_s + ideal + sweep["summary_s_sum"] / sweep["workers"]


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
    sw = rec.get("sweep") or {}
    ideal = sweep_ideal(sw)
    pool_s = (sw.get("pool") or {}).get("wall_s")
    out.append(
        _target(
            "100-run sweep (sim sweep), 2 workers <= 1.3 x (sum of in-process model times) / 2",
            pool_s,
            None if ideal is None else 1.3 * ideal,
        )
    )
    dask_s = (sw.get("dask") or {}).get("wall_s")
    out.append(
        _target(
            "sim sweep --dask local <= 1.15 x the process pool (same sweep, same 2 workers)",
            dask_s,
            None if pool_s is None else 1.15 * pool_s,
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
    ("district + projects, no diffusion, year (s)", ("xuanwu_projects_still", "run_s")),
    ("BoltzmannWealth (s)", ("boltzmann", "seconds")),
    ("city sim run (s)", ("sim_run_city", "wall_s")),
    ("city sim run, cpu (s)", ("sim_run_city", "cpu_s")),
    ("city peak RSS (MB)", ("sim_run_city", "rss_mb")),
    ("sim sweep, 100 runs, pool (s)", ("sweep", "pool", "wall_s")),
    ("sim sweep, 100 runs, pool, cpu (s)", ("sweep", "pool", "cpu_s")),
    ("sim sweep, 100 runs, Dask (s)", ("sweep", "dask", "wall_s")),
    ("sim sweep, 100 runs, Dask, cpu (s)", ("sweep", "dask", "cpu_s")),
    ("sweep runs in-process, model (s)", ("sweep", "model_s_sum")),
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
