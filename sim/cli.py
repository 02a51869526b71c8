"""Command line: ``sim run | scenario check/show/doc`` (and later sweep, dashboard, bench...)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
import yaml
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from sim.scenario import Scenario, load_scenario, scenario_dict
from sim.scenario.loading import InputError

app = typer.Typer(
    help="Agent-based simulator of neighbourhood deliberation in residential compounds.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
scenario_app = typer.Typer(help="Validate, show and document scenarios.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

ScenarioArg = Annotated[
    Path | None, typer.Argument(help="Scenario YAML (default: the packaged default scenario).")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a field by dotted path, e.g. party.density=0.1."),
]


def fail(message: str, code: int = 2) -> None:
    """Print an error without a traceback and exit with ``code`` (2: bad input)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def _load(path: Path | None, sets: list[str] | None) -> Scenario:
    try:
        return load_scenario(path, sets)
    except InputError as exc:
        fail(str(exc).replace("[", "\\["))
        raise  # unreachable; keeps type checkers content


@scenario_app.command("init")
def scenario_init(
    path: Annotated[Path, typer.Argument(help="The YAML file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a scenario with every field at its default, each explained in a comment."""
    from sim.scenario.docs import scenario_template

    if path.exists() and not force:
        fail(f"{path}: exists; choose another name or add --force to overwrite it")
    path.write_text(scenario_template(), encoding="utf-8")
    out_console.print(f"wrote {path}; edit it, then `sim scenario check {path}`")


@scenario_app.command("doc")
def scenario_doc(
    write: Annotated[
        Path | None, typer.Option(help="Rewrite the generated table inside this document.")
    ] = None,
) -> None:
    """Print the table of every scenario parameter (or update it in docs/ODD.md)."""
    from sim.scenario.docs import parameter_table, update_document

    if write is None:
        sys.stdout.write(parameter_table())
        return
    try:
        changed = update_document(write)
    except (OSError, ValueError) as exc:
        fail(f"{write}: {exc}; it needs the BEGIN/END PARAMETERS markers")
    out_console.print(f"{write}: {'updated' if changed else 'already up to date'}")


@app.command()
def run(
    scenario: ScenarioArg = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's).")] = None,
    days: Annotated[int | None, typer.Option(help="Days to simulate.")] = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: results/...).")] = None,
) -> None:
    """Run one scenario and write its results folder."""
    sets = list(set_ or [])
    if seed is not None:
        sets.append(f"seed={seed}")
    if days is not None:
        sets.append(f"days={days}")
    sc = _load(scenario, sets)
    if out is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = Path("results") / f"{sc.name}-s{sc.seed}-{stamp}"
    if out.exists() and not out.is_dir():
        fail(f"--out {out}: exists and is not a folder; choose another path")
    from sim.model import NeighbourhoodModel
    from sim.results import summarize, write_run

    model = NeighbourhoodModel(sc)
    try:
        with Progress(*_bar_columns("days"), console=err_console, transient=True) as progress:
            task = progress.add_task(f"{sc.name} (seed {sc.seed})", total=sc.days)
            model.run(on_day=lambda d: progress.update(task, completed=d))
    except KeyboardInterrupt:
        fail("interrupted before the end; nothing was written", 130)
    path = write_run(model, out, sc.seed)
    print_summary(summarize(model), f"{sc.name}: {model.world.n_households} households")
    out_console.print(
        f"results written to [bold]{path}[/]; explore them with `sim dashboard {path.parent}`"
    )


def print_summary(summary: dict, title: str) -> None:
    """Print the headline metrics as a table."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if isinstance(value, dict):
            value = "  ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, float):
            value = f"{value:.3f}"
        table.add_row(key, str(value))
    out_console.print(table)


@scenario_app.command("check")
def scenario_check(
    path: Annotated[Path, typer.Argument(help="Scenario YAML.")], set_: SetOpt = None
) -> None:
    """Validate a scenario; exit 2 with the field and fix if it is wrong."""
    sc = _load(path, set_)
    out_console.print(
        f"[green]ok[/] {path}: {sc.name}, {sc.n_compounds()} compounds, "
        f"{sc.total_households()} households, {sc.days} days"
    )


@scenario_app.command("show")
def scenario_show(path: ScenarioArg = None, set_: SetOpt = None) -> None:
    """Print the resolved scenario with every default filled in (YAML)."""
    sc = _load(path, set_)
    sys.stdout.write(yaml.safe_dump(scenario_dict(sc), sort_keys=False, allow_unicode=True))


OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Sweep folder (default: results/sweeps/NAME).")
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", help="Worker processes (default: all cores).")
]
DaskOpt = Annotated[
    str | None,
    typer.Option("--dask", help="Run on a Dask cluster: a scheduler address, or 'local'."),
]


def _run_sweep(
    spec_path: Path,
    out: Path | None,
    workers: int | None,
    dask: str | None,
    designs: tuple[str, ...] | None = None,
):
    from sim.experiments.runner import execute, prepare

    try:
        spec, tasks, out = prepare(spec_path, out, designs)
    except InputError as exc:
        fail(str(exc).replace("[", "\\["))
    total = len(list((out / "runs" / "summary").glob("*.parquet"))) + len(tasks)
    workers = workers or os.cpu_count() or 1
    try:
        with Progress(*_bar_columns("runs"), console=err_console) as progress:
            bar = progress.add_task(spec.name, total=total, completed=total - len(tasks))
            execute(tasks, workers, dask, on_done=lambda _: progress.advance(bar))
    except KeyboardInterrupt:
        done = len(list((out / "runs" / "summary").glob("*.parquet")))
        fail(
            f"interrupted: {done} of {total} runs were saved in {out}; run the same command "
            "again to finish the rest",
            130,
        )
    out_console.print(f"sweep {spec.name}: {total} runs in [bold]{out}[/]")
    return spec, out


@app.command()
def sweep(
    spec_or_report: Annotated[
        str, typer.Argument(help="A sweep spec YAML; or 'report' followed by a sweep folder.")
    ],
    folder: Annotated[Path | None, typer.Argument(help="With 'report': the sweep folder.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Sweep folder (default: results/sweeps/NAME).")
    ] = None,
    workers: WorkersOpt = None,
    dask: DaskOpt = None,
    metric: Annotated[
        list[str] | None, typer.Option(help="With 'report': metrics to show (default: spec's).")
    ] = None,
) -> None:
    """Run a parameter sweep (resumable), or report one: `sim sweep report DIR`."""
    if spec_or_report == "report":
        if folder is None:
            fail("sim sweep report DIR: give the sweep folder")
        _sweep_report(folder, metric)
        return
    if folder is not None:
        fail(f"unexpected argument {folder}; did you mean `sim sweep report {folder}`?")
    _run_sweep(Path(spec_or_report), out, workers, dask)


def _sweep_report(folder: Path, metrics: list[str] | None) -> None:
    from sim.experiments.analysis import report

    try:
        table = report(folder, metrics or None)
    except FileNotFoundError as exc:
        fail(str(exc))
    table.to_csv(folder / "report.csv", index=False)
    table.to_parquet(folder / "report.parquet", index=False)
    params = [c for c in table.columns if c not in REPORT_COLS]
    for m, g in table.groupby("metric", sort=False):
        t = Table(title=m, header_style="bold")
        for c in params:
            t.add_column(c)
        for c in ("mean", "95% CI", "n"):
            t.add_column(c, justify="right")
        for _, r in g.iterrows():
            ci = "-" if np.isnan(r.ci_low) else f"[{r.ci_low:.3f}, {r.ci_high:.3f}]"
            t.add_row(*[str(r[c]) for c in params], f"{r['mean']:.3f}", ci, str(r.n))
        out_console.print(t)
    out_console.print(f"report written to [bold]{folder / 'report.csv'}[/]")


REPORT_COLS = {"point", "metric", "mean", "sd", "ci_low", "ci_high", "n"}


@app.command()
def sensitivity(
    spec_path: Annotated[Path, typer.Argument(help="Sweep spec YAML with design morris/sobol.")],
    out: Annotated[
        Path | None, typer.Option(help="Sweep folder (default: results/sweeps/NAME).")
    ] = None,
    workers: WorkersOpt = None,
    dask: DaskOpt = None,
) -> None:
    """Run (or resume) a Morris or Sobol design and print ranked sensitivity indices."""
    from sim.experiments.analysis import sensitivity as analyse

    spec, out = _run_sweep(spec_path, out, workers, dask, designs=("morris", "sobol"))
    table = analyse(out, spec)
    table.to_csv(out / "sensitivity.csv", index=False)
    for m, g in table.groupby("metric", sort=False):
        t = Table(title=f"{m} ({spec.design})", header_style="bold")
        cols = ["rank", "parameter"] + (
            ["mu_star", "mu_star_conf", "sigma"]
            if spec.design == "morris"
            else ["S1", "S1_conf", "ST", "ST_conf"]
        )
        for c in cols:
            t.add_column(c, justify="right" if c not in ("parameter",) else "left")
        for _, r in g.iterrows():
            t.add_row(*[f"{r[c]:.4f}" if isinstance(r[c], float) else str(r[c]) for c in cols])
        out_console.print(t)
    out_console.print(f"indices written to [bold]{out / 'sensitivity.csv'}[/]")


@app.command()
def validate(
    fast: Annotated[bool, typer.Option("--fast", help="10 seeds per arm instead of 30.")] = False,
    seeds: Annotated[int | None, typer.Option(help="Seeds per arm.")] = None,
    workers: WorkersOpt = None,
) -> None:
    """Run the calibration patterns of the reported cases; exit 1 if any fails."""
    from sim.experiments.validation import PATTERNS, run_patterns, task_count

    n = seeds or (10 if fast else 30)
    with Progress(*_bar_columns("runs"), console=err_console, transient=True) as progress:
        bar = progress.add_task("patterns", total=task_count(PATTERNS, n))
        rows = run_patterns(
            PATTERNS, n, workers or os.cpu_count() or 1, on_done=lambda: progress.advance(bar)
        )
    t = Table(
        title=f"Validation patterns ({n} seeds per arm, mean and 95% CI)", header_style="bold"
    )
    for c in ("pattern", "source", "target", "model value", "result"):
        t.add_column(c, overflow="fold")
    for r in rows:
        verdict = "[green]pass[/]" if r["passed"] else "[red]FAIL[/]"
        t.add_row(r["pattern"], r["source"], r["target"], r["model"], verdict)
    out_console.print(t)
    failed = [r["pattern"] for r in rows if not r["passed"]]
    if failed:
        err_console.print(f"[red]failed:[/] {', '.join(failed)}")
        raise typer.Exit(1)


@app.command()
def bench(
    quick: Annotated[
        bool, typer.Option("--quick", help="Reduced sizes and steps (for CI).")
    ] = False,
    reps: Annotated[int | None, typer.Option(help="Repetitions (median reported).")] = None,
) -> None:
    """Time the Aoyuan and Xuanwu scenarios against Mesa's BoltzmannWealth; scaling; sweeps."""
    from sim.experiments import bench as b

    reps = reps or (1 if quick else 3)
    days = 30 if quick else 365
    aoyuan = load_scenario(b.SCENARIOS / "aoyuan.yaml", [f"days={days}"])
    xuanwu = load_scenario(b.SCENARIOS / "xuanwu_district.yaml", [f"days={days}"])
    results = []
    with err_console.status("benchmarking...") as status:
        status.update(f"Aoyuan, {aoyuan.total_households()} households x {days} days")
        results.append(b.bench_scenario("Aoyuan (sim)", aoyuan, reps))
        status.update(f"Xuanwu district, {xuanwu.total_households()} households")
        results.append(b.bench_scenario("Xuanwu district (sim)", xuanwu, reps))
        status.update("Mesa BoltzmannWealth at Aoyuan's size")
        results.append(b.bench_boltzmann(aoyuan.total_households(), days, reps))
        status.update("Xuanwu district with an elevator per unit and gas pipes")
        results.append(b.bench_scenario("Xuanwu + projects (sim)", b.with_projects(xuanwu), reps))
        status.update("scaling")
        sizes = [1000, 5000] if quick else [1000, 5000, 15000, 60000]
        scale = b.scaling(sizes, 365, reps)
        status.update("sweep")
        n_runs = 10 if quick else 100
        sweep_s = b.sweep_speed(n_runs, 2, days)
    t = Table(title=f"Benchmark ({days} steps, median of {reps})", header_style="bold")
    for c in ("model", "agents", "steps", "wall s", "agent-steps/s", "peak MB"):
        t.add_column(c, justify="right" if c != "model" else "left")
    for r in results:
        t.add_row(
            r.name,
            f"{r.agents:,}",
            str(r.steps),
            f"{r.seconds:.3f}",
            f"{r.agent_steps_per_s:,.0f}",
            f"{r.peak_mb:.0f}",
        )
    out_console.print(t)
    ratio = results[0].agent_steps_per_s / results[2].agent_steps_per_s
    out_console.print(
        f"throughput ratio sim / BoltzmannWealth at the same size: [bold]{ratio:.1f}x[/]"
    )
    st = Table(title="Scaling: seconds per simulated year", header_style="bold")
    for c in ("households", "s / year", "ms / year / 1k households"):
        st.add_column(c, justify="right")
    for n, sec in scale:
        st.add_row(f"{n:,}", f"{sec:.3f}", f"{1000 * sec / n * 1000:.1f}")
    out_console.print(st)
    n_arr, s_arr = np.array([n for n, _ in scale], float), np.array([v for _, v in scale])
    slope, intercept = np.polyfit(n_arr, s_arr, 1)
    resid = s_arr - (intercept + slope * n_arr)
    r2 = 1 - resid.var() / s_arr.var() if s_arr.var() > 0 else 1.0
    out_console.print(
        f"linear fit: {intercept:.3f} s + {slope * 1000:.4f} s per 1k households (R2 {r2:.3f})"
    )
    out_console.print(
        f"sweep: {n_runs} Changgou runs x {days} days on 2 workers: [bold]{sweep_s:.1f} s[/]"
    )
    targets = [
        ("Aoyuan year <= 1 s", results[0].seconds * 365 / days <= 1.0),
        ("district year <= 15 s", results[1].seconds * 365 / days <= 15.0),
        ("district peak memory <= 2 GB", results[1].peak_mb <= 2048),
        ("throughput >= 10x BoltzmannWealth", ratio >= 10),
        ("100-run sweep <= 60 s on 2 workers", quick or sweep_s <= 60),
    ]
    for name, ok in targets:
        out_console.print(f"  {'[green]met[/]' if ok else '[red]MISSED[/]'}  {name}")


@app.command()
def dashboard(
    results: Annotated[Path, typer.Argument(help="Folder of runs and sweeps.")] = Path("results"),
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8050,
) -> None:
    """Serve the interactive dashboard on 127.0.0.1 (read-only over RESULTS)."""
    from sim.dashboard.app import create_app

    if not results.is_dir():
        fail(f"{results}: no such folder; give the folder holding your runs and sweeps")
    app = create_app(results)
    cat = app.catalog
    msg = cat.message()
    if msg:
        err_console.print(f"[yellow]warning:[/] {msg}")
    for p in cat.problems:
        err_console.print(f"[yellow]warning:[/] {p}")
    out_console.print(
        f"{len(cat.runs())} runs, {len(cat.sweeps())} sweeps in {results}; "
        f"dashboard at [bold]http://127.0.0.1:{port}/[/] (Ctrl-C to stop)"
    )
    app.run(host="127.0.0.1", port=port, debug=False)


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(help="A run or sweep folder.")],
    html: Annotated[Path, typer.Option("--html", help="The HTML file to write.")],
) -> None:
    """Write a self-contained HTML report of a run or sweep (for sharing without a server)."""
    from sim.report import write_report

    try:
        out = write_report(folder, html)
    except FileNotFoundError as exc:
        fail(str(exc))
    out_console.print(f"report written to [bold]{out}[/]")


def _bar_columns(unit: str) -> list:
    return [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    ]


def main() -> None:  # pragma: no cover - console entry
    """Console entry point."""
    app()


@app.command()
def discover(
    folder: Annotated[Path, typer.Argument(help="A finished sweep or LHS study folder.")],
    metric: Annotated[str, typer.Option(help="Summary metric, e.g. projects.pass_rate.")],
    threshold: Annotated[float, typer.Option(help="The outcome: metric >= (or <=) this.")],
    above: Annotated[
        bool, typer.Option("--above/--below", help="Outcome is metric >= (or <=) threshold.")
    ] = True,
    min_density: Annotated[
        float, typer.Option(help="PRIM picks the most covering box at least this dense.")
    ] = 0.8,
    alpha: Annotated[float, typer.Option(help="PRIM peeling share per step.")] = 0.05,
    min_mass: Annotated[float, typer.Option(help="PRIM's smallest box (share of runs).")] = 0.05,
    depth: Annotated[int, typer.Option(help="CART tree depth.")] = 3,
    out: Annotated[
        Path | None,
        typer.Option(help="Result files without suffix (default: FOLDER/discovery/METRIC-ge-T)."),
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a self-contained HTML report.")
    ] = None,
) -> None:
    """Scenario discovery: under which lever ranges does an outcome happen (PRIM and CART)."""
    from sim.experiments import discovery as d

    for name, v in (("min-density", min_density), ("alpha", alpha), ("min-mass", min_mass)):
        if not 0 < v <= 1:
            fail(f"--{name} {v}: must be in (0, 1]")
    if depth < 1:
        fail(f"--depth {depth}: must be at least 1")
    try:
        result = d.discover(
            folder, metric, threshold, above, alpha, min_mass, min_density, max_depth=depth
        )
        stem = out or folder / "discovery" / d.default_stem(metric, threshold, above)
        js, md = d.write(result, stem)
    except (FileNotFoundError, FileExistsError, ValueError) as exc:
        fail(str(exc).replace("[", "\\["))
    p = result["prim"]
    out_console.print(f"[bold]PRIM:[/] {p['words']}", highlight=False)
    b = p["box"]
    out_console.print(
        f"  coverage {b['coverage']:.0%}, density {b['density']:.0%}, mass {b['mass']:.0%} "
        f"(base rate {result['base_rate']:.0%} of {result['runs_used']} runs)",
        highlight=False,
    )
    if p["quasi_p"]:
        qp = ", ".join(f"{k} {v:.2g}" for k, v in p["quasi_p"].items())
        out_console.print(f"  quasi-p-values of the restrictions: {qp}", highlight=False)
    t = Table(title="PRIM peeling trajectory", header_style="bold")
    for c in ("step", "coverage", "density", "mass"):
        t.add_column(c, justify="right")
    for i, box in enumerate(p["trajectory"]):
        mark = "*" if i == p["chosen_index"] else ""
        t.add_row(
            f"{i}{mark}", f"{box['coverage']:.2f}", f"{box['density']:.2f}", f"{box['mass']:.2f}"
        )
    out_console.print(t)
    t = Table(title="CART leaves", header_style="bold")
    for c in ("leaf", "runs", "density", "coverage"):
        t.add_column(c, justify="left" if c == "leaf" else "right")
    for r in sorted(result["cart"]["rules"], key=lambda r: -r["density"]):
        t.add_row(r["words"], str(r["n"]), f"{r['density']:.2f}", f"{r['coverage']:.2f}")
    out_console.print(t)
    out_console.print(f"written [bold]{js}[/] and [bold]{md}[/]")
    if html is not None:
        from sim.report.calibration import write_calibration_report

        out_console.print(f"report written to [bold]{write_calibration_report(js, html)}[/]")


@app.command()
def calibrate(
    spec: Annotated[Path, typer.Argument(help="A calibration spec YAML.")],
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: results/calibrations/NAME).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processes (default: the spec's workers).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No per-generation log.")] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a self-contained HTML report.")
    ] = None,
) -> None:
    """Calibrate free parameters by ABC-SMC (pyabc); resumable; posterior and checks."""
    from sim.experiments.calibrate import calibrate as run_calibration

    if workers is not None and workers < 1:
        fail(f"--workers {workers}: must be at least 1")
    try:
        result = run_calibration(
            spec, out, workers=workers, log=lambda m: err_console.print(m), quiet=quiet
        )
    except InputError as exc:
        fail(str(exc).replace("[", "\\["))
    except KeyboardInterrupt:
        fail("interrupted: finished generations are kept; run the same command to resume", 130)
    t = Table(title="Posterior (90% credible intervals)", header_style="bold")
    for c in ("parameter", "prior 90%", "median", "posterior 90%", "width vs prior"):
        t.add_column(c, justify="left" if c == "parameter" else "right")
    for p in result["parameters"]:
        flag = "" if p["identified"] else " [red]not identified[/]"
        t.add_row(
            p["parameter"],
            f"[{p['prior_q05']:.4g}, {p['prior_q95']:.4g}]",
            f"{p['posterior_median']:.4g}",
            f"[{p['posterior_q05']:.4g}, {p['posterior_q95']:.4g}]",
            f"{p['width_ratio']:.0%}{flag}",
        )
    out_console.print(t)
    t = Table(title="Posterior-predictive check", header_style="bold")
    for c in ("statistic", "role", "observed", "median", "90% interval", "inside"):
        t.add_column(c, justify="left" if c in ("statistic", "role") else "right")
    for c in result["predictive"]:
        obs = "-" if c["observed"] is None else f"{c['observed']:.4g}"
        inside = {None: "-", True: "[green]yes[/]", False: "[red]no[/]"}[c["inside_90"]]
        t.add_row(
            c["statistic"],
            c["role"],
            obs,
            f"{c['median']:.4g}",
            f"[{c['q05']:.4g}, {c['q95']:.4g}]",
            inside,
        )
    out_console.print(t)
    for p in result["pattern_checks"]:
        verdict = "[green]pass[/]" if p["passed"] else "[red]FAIL[/]"
        out_console.print(f"held-out {p['pattern']}: {p['model']}: {verdict}", highlight=False)
    for w in result["warnings"]:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
    out_console.print(f"calibration written to [bold]{result['out']}[/]")
    if html is not None:
        from sim.report.calibration import write_calibration_report

        report = write_calibration_report(result["out"], html)
        out_console.print(f"report written to [bold]{report}[/]")
