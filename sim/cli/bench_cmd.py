"""``sim bench``: every performance target measured in fresh processes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Heavy modules (numpy, pydantic, mesa, pandas, pyarrow, duckdb, dash...) are imported inside
# the commands that use them, so `sim --help` and `sim CMD --help` start fast
# (tests/test_imports.py).
if TYPE_CHECKING:
    pass

from sim.cli.common import (
    app,
    err_console,
    fail,
    out_console,
)
from sim.messages import Msg


@app.command()
def bench(
    quick: Annotated[
        bool, typer.Option("--quick", help="Small sizes, no city and no sweep (for CI).")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Scaling table up to 1.2 million households.")
    ] = False,
    reps: Annotated[
        int | None, typer.Option(min=1, max=1000, help="Repetitions (median reported).")
    ] = None,
    record: Annotated[
        Path | None,
        typer.Option(help="JSON record to write (default: benchmarks/bench-<UTC time>.json)."),
    ] = None,
    compare: Annotated[
        bool,
        typer.Option("--compare", help="Only compare the two newest records in benchmarks/."),
    ] = False,
) -> None:
    """Measure every performance target in fresh processes; write a JSON record; compare."""
    import json

    from rich.table import Table

    from sim.experiments import bench as b

    if compare:
        found = b.records()
        if len(found) < 2:
            fail(Msg("bench_needs_two", path=b.RECORDS))
        _print_comparison(b, found[-2], json.loads(found[-1].read_text()))
        return
    if quick and full:
        fail(Msg("quick_full_exclusive"))
    mode = "quick" if quick else "full" if full else "default"
    previous = b.records()
    with err_console.status("benchmarking...") as status:
        rec = b.measure(mode, reps, on_step=lambda msg: status.update(f"benchmarking: {msg}"))
    meta = rec["meta"]
    out_console.print(
        f"[bold]{meta['command']}[/]: {meta['cpus']} cores, load {meta['load_before']} before, "
        f"{meta['load_after']} after; medians of {meta['reps']}; each case in its own process; "
        + (
            "sim's bytecode cached"
            if meta["sim_bytecode_cached"]
            else "sim's source compiled by "
            "each process (no __pycache__: PYTHONDONTWRITEBYTECODE with an editable install)"
        )
    )
    t = Table(title="Start-up and end-to-end commands", header_style="bold")
    for c in ("command", "wall s", "cpu s", "peak MB"):
        t.add_column(c, justify="left" if c == "command" else "right")
    for key, label in (
        ("python_pass", "python -c pass"),
        ("sim_help", "sim --help"),
        ("import_mesa", "python -c 'import mesa'"),
        ("sim_run_aoyuan", "sim run scenarios/aoyuan.yaml"),
        ("sim_run_city", "sim run scenarios/city.yaml"),
    ):
        r = rec.get(key)
        cells = (
            ("not measured", "", "") if r is None else _fmt(r["wall_s"], r["cpu_s"], r["rss_mb"])
        )
        t.add_row(label, *cells)
    out_console.print(t)
    t = Table(title=f"Models in-process ({meta['days']} days)", header_style="bold")
    for c in ("model", "agents", "build s", "run s", "run cpu s", "floor s", "peak MB"):
        t.add_column(c, justify="left" if c == "model" else "right")
    for key, label in (
        ("aoyuan", "Aoyuan (sim)"),
        ("xuanwu", "Xuanwu district (sim)"),
        ("xuanwu_projects", "Xuanwu + elevator per unit + gas (sim)"),
        ("xuanwu_projects_still", "Xuanwu + projects, no diffusion (ref.)"),
    ):
        r = rec.get(key)
        if r is None:
            t.add_row(label, "not measured", *[""] * 5)
            continue
        floor = f"{r['floor_s']:.3f} (cpu {r['floor_cpu_s']:.3f})" if "floor_s" in r else ""
        t.add_row(
            label,
            f"{r['households']:,}",
            f"{r['build_s']:.3f}",
            f"{r['run_s']:.3f}",
            f"{r['run_cpu_s']:.3f}",
            floor,
            f"{r['rss_mb']:.0f}",
        )
    bz = rec["boltzmann"]
    t.add_row(
        f"BoltzmannWealth (mesa.examples), {bz['steps']} steps",
        f"{bz['agents']:,}",
        "",
        f"{bz['seconds']:.3f}",
        f"{bz['cpu_s']:.3f}",
        "",
        f"{bz['rss_mb']:.0f}",
    )
    out_console.print(t)
    for line in projects_lines(rec):
        out_console.print(line)
    st = Table(title="Scaling: one simulated year", header_style="bold")
    for c in ("households", "build s", "run s", "run cpu s", "build / run", "peak MB"):
        st.add_column(c, justify="right")
    for r in rec["scaling"]:
        st.add_row(
            f"{r['households']:,}",
            f"{r['build_s']:.3f}",
            f"{r['run_s']:.3f}",
            f"{r['run_cpu_s']:.3f}",
            f"{r['build_s'] / r['run_s']:.2f}",
            f"{r['rss_mb']:.0f}",
        )
    out_console.print(st)
    for key, what in (("scaling_fit", "run s"), ("scaling_fit_cpu", "run cpu s")):
        f = rec[key]
        r2 = "n/a" if f["r2"] is None else f"{f['r2']:.3f}"
        out_console.print(
            f"linear fit of {what} on {f['n']} sizes: {f['intercept_s']:.3f} s + "
            f"{f['s_per_1k']:.4f} s per 1k households (R2 {r2})"
        )
    least = b.sweep_least(rec.get("sweep"), (rec.get("import_mesa") or {}).get("wall_s"))
    for line in sweep_lines(rec.get("sweep"), b.sweep_ideal, least):
        out_console.print(line)
    tt = Table(title="Targets", header_style="bold")
    for c in ("", "target", "measured", "limit"):
        tt.add_column(c, justify="right" if c in ("measured", "limit") else "left")
    colour = {b.MET: "green", b.MISSED: "red", b.NOT_MEASURED: "yellow"}
    for tg in rec["targets"]:
        value = "" if tg["value"] is None else f"{tg['value']:.3f} {tg['unit']}"
        limit = "" if tg["limit"] is None else f"{tg['limit']:.3f} {tg['unit']}"
        status = f"[{colour[tg['status']]}]{tg['status']}[/]"
        tt.add_row(status, tg["name"], value, limit)
    out_console.print(tt)
    path = b.save_record(rec, record)
    out_console.print(f"record written to [bold]{path}[/]")
    if previous:
        _print_comparison(b, previous[-1], rec)


def projects_lines(rec: dict) -> list[str]:
    """The projects' cost as ratios to the district year without them, with the reference.

    The reference runs the same projects with ``deliberation.diffusion_rate`` 0: no weekly
    diffusion, every other project stage as usual (its opinions, and so its votes, differ).
    It shows what those other stages cost on their own against the 3x target.
    """
    base, full = rec.get("xuanwu"), rec.get("xuanwu_projects")
    if base is None or full is None:
        return ["district with projects: not measured"]
    year = base["run_s"]
    line = f"district with projects: a year {full['run_s']:.2f} s = {full['run_s'] / year:.1f}x"
    line += f" the year without them ({year:.2f} s; target 3x)"
    still = rec.get("xuanwu_projects_still")
    if still is None:
        return [line, "without weekly diffusion: not measured"]
    return [
        line,
        f"without weekly diffusion (deliberation.diffusion_rate 0): {still['run_s']:.2f} s = "
        f"{still['run_s'] / year:.1f}x: the other project stages add ~{still['run_s'] - year:.2f}"
        f" s, weekly diffusion ~{full['run_s'] - still['run_s']:.2f} s",
    ]


def sweep_lines(sw: dict | None, ideal_of, least: float | None = None) -> list[str]:
    """The sweep's figures: each ``sim sweep`` against the ideal, as ratios, or "not measured".

    With ``least`` (:func:`sim.experiments.bench.report.sweep_least`), also the least any sweep
    could take here, as a ratio to the ideal: what the 1.3x target leaves to the machinery.
    """
    if sw is None:
        return ["sweep: not measured (--quick runs no sweep)"]
    ideal = ideal_of(sw)
    runs, workers = sw["runs"], sw["workers"]
    lines = [
        f"sweep: {runs} Changgou runs in-process one after another: {sw['model_s_sum']:.1f} s "
        f"of model time (cpu {sw['model_cpu_s_sum']:.1f} s) + {sw['summary_s_sum']:.1f} s of "
        f"summaries; ideal on {workers} workers = model time / {workers} = {ideal:.1f} s"
    ]
    if least is not None:
        lines.append(
            f"least any sweep can take here: import mesa + ideal + summaries / {workers} = "
            f"{least:.1f} s = {least / ideal:.2f}x the ideal (no run starts before the import)"
        )
    pool, dask = sw.get("pool"), sw.get("dask")
    for label, r in (("sim sweep (process pool)", pool), ("sim sweep --dask local", dask)):
        if r is None:
            lines.append(f"{label}: not measured")
            continue
        lines.append(
            f"{label}: wall {r['wall_s']:.1f} s = {r['wall_s'] / ideal:.2f}x the ideal "
            f"(target 1.3x); cpu {r['cpu_s']:.1f} s = {r['cpu_s'] / sw['model_cpu_s_sum']:.2f}x "
            f"the runs' in-process model cpu; peak {r['rss_mb']:.0f} MB (largest process)"
        )
    if pool is not None and dask is not None:
        lines.append(
            f"Dask / process pool: wall {dask['wall_s'] / pool['wall_s']:.2f}x (target 1.15x), "
            f"cpu {dask['cpu_s'] / pool['cpu_s']:.2f}x"
        )
    return lines


def _fmt(wall: float, cpu: float, rss: float) -> tuple[str, str, str]:
    return f"{wall:.3f}", f"{cpu:.3f}", f"{rss:.0f}"


def _print_comparison(b, old_path: Path, new: dict) -> None:
    """Print the change from an older record to ``new`` as ratios."""
    import json

    from rich.table import Table

    old = json.loads(old_path.read_text())
    meta = old["meta"]
    t = Table(
        title=f"Change since {old_path} ({meta['created']}, load {meta['load_before']})",
        header_style="bold",
    )
    for c in ("figure", "before", "now", "now / before"):
        t.add_column(c, justify="left" if c == "figure" else "right")
    for row in b.compare(old, new):
        t.add_row(*row)
    out_console.print(t)
