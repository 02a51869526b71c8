"""Running the benchmark: every command and case in a fresh process, medians, the record."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sim.experiments.bench.cases import SCENARIOS, sweep_spec_text
from sim.experiments.bench.report import fit_line, targets

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

# The sweep row is measured this many times in turn (reference, pool, Dask): a single sweep's
# ratio to its ideal moved by 0.2 between two bench runs on a quiet machine.
SWEEP_ROUNDS = 2

# Runs one command from a small, freshly started interpreter and reports its wall time and
# resource usage. Linux charges a child's peak resident set with the memory of the process it
# was forked from, so forking the measured command straight from this (larger) process would
# report at least this process's size; from the launcher it is at most the launcher's ~10 MB.
# The launcher is a child subreaper (Linux): processes the command leaves behind (a pool's fork
# server and its workers, a Dask cluster's) are re-parented to it, so it waits for them and
# counts their CPU too; the wall time ends when the command itself exits.
_LAUNCHER = """
import ctypes, json, os, sys, time
argv, result = json.loads(sys.argv[1]), sys.argv[2]
try:
    reaper = ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # SET_CHILD_SUBREAPER
except (OSError, AttributeError):
    reaper = False
t0 = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
cpu, maxrss, orphans = ru.ru_utime + ru.ru_stime, ru.ru_maxrss, 0
while reaper:
    try:
        _, _, ru = os.wait4(-1, 0)
    except ChildProcessError:
        break
    cpu, maxrss, orphans = cpu + ru.ru_utime + ru.ru_stime, max(maxrss, ru.ru_maxrss), orphans + 1
with open(result, "w") as f:
    json.dump({"wall": wall, "code": os.waitstatus_to_exitcode(status), "maxrss_kb": maxrss,
               "cpu": cpu, "orphans": orphans, "subreaper": reaper}, f)
"""


def run_process(argv: list[str], timeout: float = 1800) -> tuple[float, float, float, str]:
    """Run a command; returns (wall seconds, peak resident set MB, CPU seconds, stdout).

    The peak is the largest ``ru_maxrss`` of the command and its descendants, and the CPU time
    their user + system time, read with ``os.wait4`` by a small launcher process that also
    reaps what the command left running (CPU time is what load on a shared machine inflates
    least; the targets use wall time, which ends when the command exits).
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


PROCESS_KEYS = ("rss_mb", "wall_s", "cpu_s")  # what run_case adds about the case's process


def run_case(case: str, args: dict) -> dict:
    """Run one case in a fresh interpreter; its result plus the process's figures.

    The process's peak resident set, wall and CPU seconds are added as ``rss_mb``, ``wall_s``
    and ``cpu_s`` (start-up included).

    Raises:
        ValueError: the case's own result uses one of these names (it would be overwritten by
            the whole process's figure, as a sweep's wall time once was).
    """
    argv = [sys.executable, "-m", "sim.experiments.bench", case, json.dumps(args)]
    wall, rss, cpu, out = run_process(argv)
    result = json.loads(out.strip().splitlines()[-1])
    clash = sorted(set(result) & set(PROCESS_KEYS))
    if clash:
        raise ValueError(f"bench case {case!r} returns {clash}: names of the process's figures")
    result.update(rss_mb=rss, wall_s=wall, cpu_s=cpu)
    return result


def sweep_command(spec: Path, out: Path, workers: int, dask: str | None = None) -> list[str]:
    """The ``sim sweep`` command the benchmark times (as a user runs it)."""
    argv = [sys.executable, "-m", "sim", "sweep", str(spec), "--out", str(out)]
    argv += ["--workers", str(workers)]
    return argv if dask is None else [*argv, "--dask", dask]


def measure_sweep(
    runs: int, workers: int, days: int, dask: bool = True, step=None, rounds: int = 1
) -> dict:
    """Time the benchmark's sweep as ``sim sweep`` (pool, then ``--dask local``) and its ideal.

    Each sweep is the whole command in its own process (start-up, set-up, workers, writing,
    exit), as a user runs it; its CPU seconds include the workers it reaped. The ideal is the
    same runs one after another in another fresh process (:func:`.cases.case_sweep_reference`).
    With several ``rounds`` the three are measured in turn (reference, pool, Dask; again), so
    that load from elsewhere falls on all of them alike, and each figure is the median of its
    rounds.

    Returns:
        ``runs``, ``workers``, ``days``, ``rounds``; ``pool`` and ``dask``: the command's
        ``wall_s``, ``cpu_s`` and ``rss_mb`` (``dask`` None when not run); ``model_s_sum``,
        ``model_cpu_s_sum`` and ``summary_s_sum`` of the in-process runs.
    """
    say = step or (lambda _msg: None)
    out: dict[str, Any] = {"runs": runs, "workers": workers, "days": days, "rounds": rounds}
    refs: list[dict] = []
    sweeps: dict[str, list[dict]] = {"pool": [], "dask": []}
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.yaml"
        spec.write_text(sweep_spec_text(runs, days))
        for r in range(rounds):
            of = f" ({r + 1}/{rounds})" if rounds > 1 else ""
            say(f"sweep: {runs} Changgou runs in-process (the ideal){of}")
            ref = run_case("sweep_reference", {"runs": runs, "days": days})
            if ref["runs"] != runs:
                raise RuntimeError(f"bench sweep: {ref['runs']} runs in the spec, {runs} asked")
            refs.append({k: ref[k] for k in ("model_s_sum", "model_cpu_s_sum", "summary_s_sum")})
            for name, how in (("pool", None), ("dask", "local" if dask else None)):
                if name == "dask" and how is None:
                    continue
                say(f"sweep: sim sweep, {runs} runs on {workers} workers ({name}){of}")
                folder = Path(tmp) / f"{name}-{r}"
                wall, rss, cpu, _ = run_process(sweep_command(spec, folder, workers, how))
                done = len(list((folder / "runs" / "summary").glob("*.parquet")))
                if done != runs:
                    raise RuntimeError(f"bench sweep ({name}): {done} of {runs} runs written")
                sweeps[name].append({"wall_s": wall, "cpu_s": cpu, "rss_mb": rss})
    out.update(_median_of(refs))
    for name, rows in sweeps.items():
        out[name] = _median_of(rows) if rows else None
    return out


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


def sim_bytecode_cached() -> bool:
    """Whether ``sim``'s modules load from compiled bytecode (else each process compiles them).

    An editable install run with ``PYTHONDONTWRITEBYTECODE`` has no ``__pycache__`` and every
    ``sim`` command compiles its source again (~50 ms of start-up); a normal install has them.
    """
    import importlib.util

    import sim

    cached = importlib.util.cache_from_source(sim.__file__)
    return Path(cached).exists()


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
        # A reference, not a target: the same projects without word of mouth (no weekly
        # diffusion), to show what the other project stages cost on their own.
        still = {**xuanwu, "sets": [*xuanwu["sets"], "deliberation.diffusion_rate=0"]}
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
                ("xuanwu_projects_still", "model", {**still, "projects": True}),
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
        record["sweep"] = measure_sweep(
            sweep_runs, 2, days, dask=True, step=step, rounds=SWEEP_ROUNDS
        )
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
        "sim_bytecode_cached": sim_bytecode_cached(),
    }
    record["targets"] = targets(record)
    return record
