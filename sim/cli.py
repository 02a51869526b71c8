"""Command line: ``sim run | scenario check/show/doc`` (and later sweep, dashboard, bench...)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

# Heavy modules (numpy, pydantic, mesa, pandas, pyarrow, duckdb, dash...) are imported inside
# the commands that use them, so `sim --help` and `sim CMD --help` start fast
# (tests/test_imports.py).
if TYPE_CHECKING:
    from sim.scenario import Scenario

app = typer.Typer(
    help="Agent-based simulator of neighbourhood deliberation in residential compounds.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
scenario_app = typer.Typer(help="Validate, show and document scenarios.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
doc_app = typer.Typer(help="Generated documentation.", no_args_is_help=True)
app.add_typer(doc_app, name="doc")

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

LANG = {"value": "en"}  # the chosen output language, set by the global --lang option


def lang() -> str:
    """The output language chosen with ``--lang`` or ``SIM_LANG`` (``en`` or ``zh``)."""
    return LANG["value"]


def _show_version(value: bool) -> None:
    if value:
        from sim import __version__

        out_console.print(f"sim {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    language: Annotated[
        str,
        typer.Option(
            "--lang",
            envvar="SIM_LANG",
            help="Language of the output: en or zh (also SIM_LANG); may follow any command.",
            metavar="en|zh",
        ),
    ] = "en",
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Agent-based simulator of neighbourhood deliberation in residential compounds."""
    language = language.strip().lower()[:2]
    if language not in ("en", "zh"):
        fail(f"--lang {language}: choose en or zh")
    LANG["value"] = language


ScenarioArg = Annotated[
    Path | None, typer.Argument(help="Scenario YAML (default: the packaged default scenario).")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a field by dotted path, e.g. party.density=0.1; repeat for more fields.",
        metavar="PATH=VALUE",
    ),
]


def fail(message: str, code: int = 2) -> None:
    """Print an error without a traceback and exit with ``code`` (2: bad input)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def _checked(check: str, *args) -> None:
    """Run an output-path check of ``sim.results.paths``; an InputError becomes exit 2."""
    from sim.results import paths
    from sim.scenario import InputError

    try:
        getattr(paths, check)(*args)
    except InputError as exc:
        fail(str(exc).replace("[", "\\["))


def _load(path: Path | None, sets: list[str] | None) -> Scenario:
    from sim.scenario import InputError, load_scenario

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
    from sim.results import catalog
    from sim.scenario import load_scenario
    from sim.scenario.docs import scenario_template

    if path.exists() and not force:
        fail(f"{path}: exists; choose another name or add --force to overwrite it")
    _checked("check_output_file", path, "scenario init", (".yaml", ".yml"))
    language = lang()

    def describe(field: str, english: str) -> str:
        return catalog.param_description(field, language) if language != "en" else english

    text = scenario_template(load_scenario(None), describe, language)
    path.write_text(text, encoding="utf-8")
    out_console.print(catalog.ui("wrote_template", language, path=path), highlight=False)


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


@doc_app.command("outputs")
def doc_outputs(
    write: Annotated[
        Path | None, typer.Option(help="Write the document here (e.g. docs/outputs.md).")
    ] = None,
) -> None:
    """Print (or write) docs/outputs.md: every output key's labels, unit and definition."""
    from sim.results.outputs_doc import outputs_markdown, write_outputs_doc

    if write is None:
        sys.stdout.write(outputs_markdown())
        return
    changed = write_outputs_doc(write)
    out_console.print(f"{write}: {'updated' if changed else 'already up to date'}")


@app.command()
def run(
    scenario: ScenarioArg = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's).")] = None,
    days: Annotated[int | None, typer.Option(help="Days to simulate.")] = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: results/...).")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the earlier run in --out (a sim run folder).")
    ] = False,
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
        from sim.results.paths import default_run_folder

        out = default_run_folder(sc.name, sc.seed, stamp)
    _checked("check_run_out", out, force)
    from rich.progress import Progress

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
    print_planner_summary(summarize(model), sc, model.world.n_households, path)


def print_planner_summary(summary: dict, sc: Scenario, households: int, path: Path) -> None:
    """The planner's summary: groups of plain-word lines with their meaning, then the files."""
    from rich.table import Table

    from sim.results import catalog
    from sim.results.planner import planner_lines

    language = lang()
    title = catalog.ui(
        "summary_title", language, name=sc.name, households=households, days=sc.days, seed=sc.seed
    )
    table = Table(title=title, show_header=True, header_style="bold", show_lines=False)
    table.add_column(catalog.ui("col_what", language), overflow="fold")
    table.add_column(catalog.ui("col_value", language), justify="right", overflow="fold")
    table.add_column(catalog.ui("col_meaning", language), overflow="fold", style="dim")
    group = None
    for line in planner_lines(summary, language):
        if line.group != group:
            group = line.group
            table.add_row(f"[bold]{group}[/]", "", "")
        table.add_row("  " + line.label, line.value, line.meaning)
    out_console.print(table)
    if not summary.get("projects.total"):
        out_console.print(catalog.ui("no_projects", language))
    out_console.print(catalog.ui("files_at", language, path=path), highlight=False)
    out_console.print(catalog.ui("files_list", language), highlight=False)
    out_console.print(
        catalog.ui("open_dashboard", language, root=path.parent, name=path.name), highlight=False
    )
    out_console.print(catalog.ui("open_report", language, path=path), highlight=False)


def print_summary(summary: dict, title: str) -> None:
    """Print the headline metrics as a table."""
    from rich.table import Table

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
    import yaml

    from sim.scenario import scenario_dict

    sc = _load(path, set_)
    sys.stdout.write(yaml.safe_dump(scenario_dict(sc), sort_keys=False, allow_unicode=True))


@scenario_app.command("from-buildings")
def scenario_from_buildings(
    table: Annotated[
        Path, typer.Argument(help="Buildings table (.csv or .xlsx), one row per building.")
    ],
    out: Annotated[Path, typer.Option(help="The scenario YAML to write.")] = Path(
        "my-community.yaml"
    ),
    name: Annotated[str | None, typer.Option(help="Scenario name (default: the file's).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a scenario from a buildings table (name, compound, floors, units, households, x, y)."""
    import yaml

    from sim.scenario import DEFAULT_SCENARIO, InputError
    from sim.scenario.buildings import read_buildings, scenario_from_buildings
    from sim.scenario.loading import read_yaml, validate
    from sim.scenario.schema import Scenario

    if out.exists() and not force:
        fail(f"--out {out}: exists; choose another name or add --force to overwrite it")
    _checked("check_output_file", out, "--out", (".yaml", ".yml"))
    try:
        rows = read_buildings(table)
        base = read_yaml(DEFAULT_SCENARIO)
        data = scenario_from_buildings(rows, name or out.stem, base)
        sc = validate(Scenario, data, str(table))
    except InputError as exc:
        fail(str(exc).replace("[", "\\["))
    head = (
        f"# Scenario made from the buildings table {table.name} by `sim scenario from-buildings`;\n"
        "# every other section is the embedded default [Changgou]. Check it with\n"
        f"# `sim scenario check {out}` and run it with `sim run {out}`.\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    out.write_text(head + body, encoding="utf-8")
    n_buildings = sum(c.n_buildings() for c in sc.compounds)
    out_console.print(
        f"wrote {out}: {sc.n_compounds()} compounds, {n_buildings} buildings, "
        f"{sc.total_households()} households"
    )


OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Sweep folder (default: results/sweeps/NAME).")
]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", min=1, max=1024, help="Worker processes (default: all cores)."),
]
DaskOpt = Annotated[
    str | None,
    typer.Option("--dask", help="Run on a Dask cluster: a scheduler address, or 'local'."),
]
MaxRunsOpt = Annotated[
    int,
    typer.Option(
        "--max-runs", min=1, max=10_000_000, help="Largest run count accepted (default 10000)."
    ),
]


def _run_sweep(
    spec_path: Path,
    out: Path | None,
    workers: int | None,
    dask: str | None,
    designs: tuple[str, ...] | None = None,
    max_runs: int = 10_000,
):
    from rich.progress import Progress

    from sim.experiments.runner import execute, prepare
    from sim.scenario import InputError

    try:
        spec, tasks, out = prepare(spec_path, out, designs, max_runs)
    except InputError as exc:
        fail(str(exc).replace("[", "\\["))
    total = len(list((out / "runs" / "summary").glob("*.parquet"))) + len(tasks)
    workers = workers or os.cpu_count() or 1
    err_console.print(
        f"{spec.name}: {total:,} runs, {total - len(tasks):,} already done, "
        f"{len(tasks):,} to run on {workers} workers"
    )
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
    max_runs: MaxRunsOpt = 10_000,
) -> None:
    """Run a parameter sweep (resumable), or report one: `sim sweep report DIR`."""
    if spec_or_report == "report":
        if folder is None:
            fail("sim sweep report DIR: give the sweep folder")
        _sweep_report(folder, metric)
        return
    if folder is not None:
        fail(f"unexpected argument {folder}; did you mean `sim sweep report {folder}`?")
    _run_sweep(Path(spec_or_report), out, workers, dask, max_runs=max_runs)


def _sweep_report(folder: Path, metrics: list[str] | None) -> None:
    from sim.experiments.analysis import metric_columns, report
    from sim.results.sweeps import runs_frame

    try:
        df = runs_frame(folder)
    except FileNotFoundError as exc:
        fail(str(exc))
    known = metric_columns(df)
    unknown = [m for m in metrics or [] if m not in known]
    if unknown:
        fail(
            f"--metric {', '.join(unknown)}: not a metric of {folder}; "
            f"choose among: {', '.join(known)}"
        )
    table = report(folder, metrics or None, df)
    if table.empty:
        fail(f"{folder}: none of the spec's metrics are in its runs; name them with --metric")
    _checked("check_creatable", folder / "report.csv", "sim sweep report")
    _atomic_write(table, folder / "report.csv", lambda t, p: t.to_csv(p, index=False))
    _atomic_write(table, folder / "report.parquet", lambda t, p: t.to_parquet(p, index=False))
    print_sweep_tables(table, folder)
    out_console.print(catalog_ui("report_written", path=folder / "report.csv"), highlight=False)


def catalog_ui(key: str, **fields) -> str:
    """An interface string from the catalogue in the chosen language."""
    from sim.results import catalog

    return catalog.ui(key, lang(), **fields)


def print_sweep_tables(table, folder: Path) -> None:
    """A lever matrix per metric for a two-parameter grid; otherwise one table per metric.

    Labels, units and numbers come from the catalogue in the chosen language; metrics that do
    not vary across the sweep are left out and named.
    """
    import numpy as np
    from rich.table import Table

    from sim.dashboard.figures import level_text
    from sim.experiments.analysis import grid_matrix, report_parameters, varying_metrics
    from sim.results import catalog
    from sim.results.sweeps import sweep_meta

    language = lang()
    params = report_parameters(table)
    kept = varying_metrics(table)
    try:
        design = sweep_meta(folder)["spec"]["design"]
    except (OSError, KeyError, ValueError):
        design = ""
    dropped = [m for m in dict.fromkeys(table.metric) if m not in kept]
    if dropped:
        names = ", ".join(catalog.label(m, language) for m in dropped)
        out_console.print(catalog.ui("constant_left_out", language, metrics=names))

    def cell(m, mean, lo, hi, n) -> str:
        if not n or np.isnan(mean):
            return "—"
        ci = (
            ""
            if np.isnan(lo)
            else f" [{catalog.fmt(m, lo, language)}, {catalog.fmt(m, hi, language)}]"
        )
        return f"{catalog.fmt(m, mean, language)}{ci} n={int(n)}"

    for m in kept:
        title = catalog.label(m, language)
        if design == "grid" and len(params) == 2:
            x, y = params
            mat = grid_matrix(table, m, x, y)
            xl, yl = catalog.label(f"param:{x}", language), catalog.label(f"param:{y}", language)
            t = Table(
                title=catalog.ui("matrix", language, metric=title, x=xl, y=yl),
                header_style="bold",
            )
            t.add_column(f"{yl} ↓ · {xl} →")
            for xv in mat.columns:
                t.add_column(level_text(xv), justify="right")
            for yv, row in zip(mat.index, mat.itertuples(index=False), strict=True):
                t.add_row(level_text(yv), *[cell(m, *c) for c in row])
            out_console.print(t)
            continue
        t = Table(title=title, header_style="bold")
        for c in params:
            t.add_column(catalog.label(f"param:{c}", language))
        t.add_column(catalog.label("report/mean", language), justify="right")
        t.add_column(catalog.ui("interval95", language), justify="right")
        t.add_column(catalog.label("report/n", language), justify="right")
        for _, r in table[table.metric == m].iterrows():
            ci = "—"
            if not np.isnan(r.ci_low):
                ci = (
                    f"[{catalog.fmt(m, r.ci_low, language)}, {catalog.fmt(m, r.ci_high, language)}]"
                )
            t.add_row(
                *[level_text(r[c]) for c in params],
                catalog.fmt(m, r["mean"], language),
                ci,
                str(r.n),
            )
        out_console.print(t)


def _atomic_write(table, path: Path, writer) -> None:
    """Write a file under a temporary name, then rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        writer(table, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


REPORT_COLS = {"point", "metric", "mean", "sd", "ci_low", "ci_high", "n", "method"}


@app.command()
def sensitivity(
    spec_path: Annotated[Path, typer.Argument(help="Sweep spec YAML with design morris/sobol.")],
    out: Annotated[
        Path | None, typer.Option(help="Sweep folder (default: results/sweeps/NAME).")
    ] = None,
    workers: WorkersOpt = None,
    dask: DaskOpt = None,
    max_runs: MaxRunsOpt = 10_000,
) -> None:
    """Run (or resume) a Morris or Sobol design and print ranked sensitivity indices."""
    from rich.table import Table

    from sim.experiments.analysis import sensitivity as analyse

    spec, out = _run_sweep(spec_path, out, workers, dask, ("morris", "sobol"), max_runs)
    table = analyse(out, spec)
    table.to_csv(out / "sensitivity.csv", index=False)
    from sim.results import catalog

    language = lang()
    reading = "sobol_reading" if spec.design == "sobol" else "morris_reading"
    out_console.print(catalog.ui(reading, language), highlight=False)
    for m, g in table.groupby("metric", sort=False):
        design = catalog.value_label("design", spec.design, language)
        t = Table(title=f"{catalog.label(m, language)} ({design})", header_style="bold")
        cols = ["rank", "parameter"] + (
            ["mu_star", "mu_star_conf", "sigma"]
            if spec.design == "morris"
            else ["S1", "S1_conf", "ST", "ST_conf"]
        )
        for c in cols:
            head = catalog.label(f"sensitivity/{c}", language)
            t.add_column(head, justify="right" if c not in ("parameter",) else "left")
        for _, r in g.iterrows():
            t.add_row(
                *[
                    f"{r[c]:.4f}"
                    if isinstance(r[c], float)
                    else catalog.label(f"param:{r[c]}", language)
                    if c == "parameter"
                    else str(r[c])
                    for c in cols
                ]
            )
        out_console.print(t)
    out_console.print(f"indices written to [bold]{out / 'sensitivity.csv'}[/]")


@app.command()
def validate(
    fast: Annotated[bool, typer.Option("--fast", help="10 seeds per arm instead of 30.")] = False,
    seeds: Annotated[int | None, typer.Option(min=1, max=10000, help="Seeds per arm.")] = None,
    workers: WorkersOpt = None,
) -> None:
    """Run the calibration patterns of the reported cases; exit 1 if any fails."""
    from rich.markup import escape
    from rich.progress import Progress
    from rich.table import Table

    from sim.experiments.validation import PATTERNS, run_patterns, task_count

    n = seeds or (10 if fast else 30)
    with Progress(*_bar_columns("runs"), console=err_console, transient=True) as progress:
        bar = progress.add_task("patterns", total=task_count(PATTERNS, n))
        rows = run_patterns(
            PATTERNS, n, workers or os.cpu_count() or 1, on_done=lambda: progress.advance(bar)
        )
    from sim.results import catalog

    language = lang()
    t = Table(title=catalog.ui("validation_title", language, n=n), header_style="bold")
    columns = ("pattern", "source", "role", "target", "model value", "result")
    for c in columns:
        t.add_column(catalog.ui(f"validation_{c.replace(' ', '_')}", language), overflow="fold")
    for r in rows:
        verdict = (
            f"[green]{catalog.ui('validation_pass', language)}[/]"
            if r["passed"]
            else f"[red]{catalog.ui('validation_fail', language)}[/]"
        )
        cells = [escape(str(r[c])) for c in ("pattern", "source", "role", "target", "model")]
        t.add_row(*cells, verdict)
    out_console.print(t)
    failed = [r["pattern"] for r in rows if not r["passed"]]
    if failed:
        err_console.print(f"[red]failed:[/] {', '.join(failed)}")
        raise typer.Exit(1)


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
            fail(f"{b.RECORDS}: needs two bench-*.json records to compare; run `sim bench`")
        _print_comparison(b, found[-2], json.loads(found[-1].read_text()))
        return
    if quick and full:
        fail("--quick and --full exclude each other; choose one")
    mode = "quick" if quick else "full" if full else "default"
    previous = b.records()
    with err_console.status("benchmarking...") as status:
        rec = b.measure(mode, reps, on_step=lambda msg: status.update(f"benchmarking: {msg}"))
    meta = rec["meta"]
    out_console.print(
        f"[bold]{meta['command']}[/]: {meta['cpus']} cores, load {meta['load_before']} before, "
        f"{meta['load_after']} after; medians of {meta['reps']}; each case in its own process"
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
    ):
        r = rec[key]
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
    sw = rec["sweep"]
    if sw is None:
        out_console.print("sweep: not measured (--quick)")
    else:
        out_console.print(
            f"sweep: {sw['runs']} Changgou runs on {sw['workers']} workers {sw['wall_s']:.1f} s; "
            f"the same runs in-process {sw['model_s_sum']:.1f} s of model time"
        )
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


@app.command()
def dashboard(
    results: Annotated[Path, typer.Argument(help="Folder of runs and sweeps.")] = Path("results"),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8050,
) -> None:
    """Serve the interactive dashboard on 127.0.0.1 (read-only over RESULTS)."""
    from sim.dashboard.app import create_app

    if not results.is_dir():
        fail(f"{results}: no such folder; give the folder holding your runs and sweeps")
    app = create_app(results, lang())
    cat = app.catalog
    msg = cat.message(lang())
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
    folder: Annotated[
        Path, typer.Argument(help="A run or sweep folder, or a folder of runs to compare.")
    ],
    html: Annotated[Path, typer.Option("--html", help="The HTML file to write.")],
) -> None:
    """Write a self-contained HTML report of a run or sweep (for sharing without a server)."""
    from sim.report import write_report

    _checked("check_output_file", html, "--html", (".html", ".htm"))
    try:
        out = write_report(folder, html, lang())
    except FileNotFoundError as exc:
        fail(str(exc))
    out_console.print(f"report written to [bold]{out}[/]")


@app.command()
def brief(
    folder: Annotated[
        Path, typer.Argument(help="A comparison folder (sim compare, the workbench) or a run.")
    ],
    html: Annotated[Path, typer.Option("--html", help="The HTML file to write.")],
) -> None:
    """Write a printable one-page brief for a community meeting (self-contained HTML)."""
    from sim.report.brief import write_brief

    if not ((folder / "comparison.json").exists() or (folder / "summary.json").exists()):
        fail(f"{folder}: not a comparison or run folder; make one with `sim compare` or `sim run`")
    _checked("check_output_file", html, "--html", (".html", ".htm"))
    out = write_brief(folder, html, lang())
    out_console.print(f"brief written to [bold]{out}[/]")


def _bar_columns(unit: str) -> list:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    ]


@app.command()
def compare(
    scenario: ScenarioArg = None,
    change: Annotated[
        list[str] | None,
        typer.Option(
            "--change",
            help="What the variant changes, KEY.PATH=VALUE (repeat for several changes).",
        ),
    ] = None,
    against: Annotated[
        Path | None, typer.Option(help="A second scenario YAML as the variant.")
    ] = None,
    set_: SetOpt = None,
    replicates: Annotated[int, typer.Option(min=1, max=1000, help="Seeds per arm.")] = 10,
    seed: Annotated[int, typer.Option(min=0, help="Base seed of the paired seeds.")] = 0,
    out: Annotated[
        Path | None, typer.Option(help="Comparison folder (default: results/compare/NAME).")
    ] = None,
    workers: WorkersOpt = None,
) -> None:
    """Compare a baseline with a variant on the same seeds (paired differences with 95% CIs)."""
    from rich.progress import Progress
    from rich.table import Table

    from sim.experiments.compare import ComparisonFolderError
    from sim.experiments.compare import compare as run_compare
    from sim.scenario import scenario_dict

    if not change and against is None:
        fail("give the variant: --change KEY.PATH=VALUE (repeatable) or --against OTHER.yaml")
    sets = list(set_ or [])
    base = _load(scenario, sets)
    variant = _load(against if against is not None else scenario, [*sets, *(change or [])])
    if out is None:
        from sim.results.paths import safe_name

        label = f"{base.name}-vs-{variant.name}"
        if change:
            label += "-" + "-".join(c.split("=")[0] for c in change)
        out = Path("results") / "compare" / safe_name(label)
    _checked("check_creatable", out / "comparison.json", "--out", out)
    source = str(scenario) if scenario is not None else "(default)"
    commands = {
        "baseline": (source, sets),
        "variant": (str(against) if against is not None else source, [*sets, *(change or [])]),
    }
    try:
        with Progress(*_bar_columns("runs"), console=err_console, transient=True) as progress:
            bar = progress.add_task("baseline vs variant", total=2 * replicates)
            record = run_compare(
                scenario_dict(base),
                scenario_dict(variant),
                out,
                replicates=replicates,
                base_seed=seed,
                workers=workers or os.cpu_count() or 1,
                commands=commands,
                on_done=lambda: progress.advance(bar),
            )
    except ComparisonFolderError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail(f"interrupted; finished runs are kept in {out}: run the same command to finish", 130)
    t = Table(
        title=f"variant minus baseline, {replicates} paired seeds (95% bootstrap CI)",
        header_style="bold",
    )
    for c in ("metric", "baseline", "variant", "difference"):
        t.add_column(c, justify="left" if c == "metric" else "right")
    for key, row in record["metrics"].items():
        if not key.startswith(("disputes.", "projects.")):
            continue
        cells = [_mean_ci_text(row[arm]) for arm in ("baseline", "variant", "difference")]
        t.add_row(key, *cells)
    out_console.print(t)
    out_console.print(f"comparison written to [bold]{out}[/] (runs in baseline/ and variant/)")


def _mean_ci_text(triple: list[float]) -> str:
    import math

    mean, lo, hi = triple
    if mean is None or not math.isfinite(mean):
        return "-"
    return f"{mean:.3f} [{lo:.3f}, {hi:.3f}]"


@app.command()
def target(
    scenario: ScenarioArg = None,
    metric: Annotated[str, typer.Option(help="Summary metric to reach, e.g. a share.")] = "",
    at_least: Annotated[float | None, typer.Option(help="The metric must reach this.")] = None,
    at_most: Annotated[float | None, typer.Option(help="The metric must stay at or below.")] = None,
    in_share: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="Require the threshold in this share of runs (e.g. 0.67)."
        ),
    ] = None,
    confident: Annotated[
        bool, typer.Option("--confident", help="Judge by the 95% interval's bound, not the mean.")
    ] = False,
    lever: Annotated[
        list[str] | None,
        typer.Option(help="PATH=v1,v2,... settings from least to most effort (repeatable)."),
    ] = None,
    set_: SetOpt = None,
    replicates: Annotated[int, typer.Option(min=1, max=200, help="Seeds per setting.")] = 5,
    max_trials: Annotated[int, typer.Option(min=1, max=1000, help="Settings tried at most.")] = 60,
    workers: WorkersOpt = None,
) -> None:
    """What would it take? The least effort on the levers that reaches a target."""
    from concurrent.futures import ProcessPoolExecutor

    from rich.table import Table

    from sim.experiments.target import Lever, Target, planner_cost, run_summary, search
    from sim.scenario import DEFAULT_SCENARIO
    from sim.scenario.loading import apply_overrides, read_yaml

    if not metric or (at_least is None) == (at_most is None):
        fail("give --metric and exactly one of --at-least / --at-most")
    if not lever:
        fail("give at least one --lever PATH=v1,v2,... (settings from least to most effort)")
    try:
        levers = [Lever.parse(x) for x in lever]
    except ValueError as exc:
        fail(str(exc))
    sc = _load(scenario, list(set_ or []))
    for lv in levers:  # every setting must validate before anything runs
        for v in lv.values:
            _load(scenario, [*(set_ or []), f"{lv.path}={v}"])
    # Levers apply to the file as written (not the resolved scenario), as `sim run --set` does.
    raw = apply_overrides(read_yaml(scenario or DEFAULT_SCENARIO), list(set_ or []))
    goal = Target(
        metric,
        at_least if at_least is not None else at_most,
        at_least is not None,
        in_share,
        confident,
    )
    n = workers or os.cpu_count() or 1
    t = Table(title=f"what would it take: {metric}", header_style="bold")
    for c in ("effort", *(lv.path for lv in levers), "estimate [95% CI]", "reached"):
        t.add_column(c)
    with (
        ProcessPoolExecutor(max_workers=n, mp_context=_spawn()) as ex,
        err_console.status("searching...") as status,
    ):
        result = search(
            raw,
            levers,
            goal,
            lambda tasks: list(ex.map(run_summary, tasks)),
            replicates=replicates,
            max_trials=max_trials,
            on_trial=lambda tr: status.update(f"tried {tr.settings}"),
        )
    for tr in result.trials:
        mean, lo, hi = tr.estimate
        t.add_row(
            str(tr.effort),
            *(f"{tr.settings[lv.path]:g}" for lv in levers),
            f"{mean:.3f} [{lo:.3f}, {hi:.3f}]",
            "yes" if tr.reached else "no",
        )
    out_console.print(t)
    best = result.best
    if best is None:
        out_console.print("no setting on this grid reaches the target; widen the levers' ranges")
        raise typer.Exit(1)
    costs = ", ".join(planner_cost(k, v, sc.total_households()) for k, v in best.settings.items())
    out_console.print(f"cheapest setting that reaches the target: [bold]{costs}[/]")


def _spawn():
    import multiprocessing

    return multiprocessing.get_context("spawn")


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
    from rich.table import Table

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
    from rich.table import Table

    from sim.experiments.calibrate import calibrate as run_calibration
    from sim.scenario import InputError

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


def hoist_lang(argv: list[str]) -> list[str]:
    """Move ``--lang X`` (or ``--lang=X``) to the front so it may follow any command."""
    rest, front, i = [], [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--lang" and i + 1 < len(argv):
            front = [a, argv[i + 1]]
            i += 2
            continue
        if a.startswith("--lang="):
            front = ["--lang", a.split("=", 1)[1]]
        else:
            rest.append(a)
        i += 1
    return front + rest


def _flag_type_hidden(self, ctx):
    """Boolean flags show as ``--fast``, not ``--fast <bool>`` (typer's rich help)."""
    if getattr(self, "is_flag", False) and not getattr(self, "count", False):
        return None
    return _typer_display_type_rich(self, ctx)


try:  # typer >= 0.16 renders a type for every option; a flag takes no value
    from typer.core import TyperOption

    _typer_display_type_rich = TyperOption.display_type_rich
    TyperOption.display_type_rich = _flag_type_hidden
except (ImportError, AttributeError):  # pragma: no cover - other typer versions
    pass


def main(argv: list[str] | None = None) -> None:
    """Console entry point: ``--lang`` may follow any command; every error is a message (exit 2)."""
    args = hoist_lang(list(sys.argv[1:] if argv is None else argv))
    try:
        app(args=args, prog_name="sim")
    except KeyboardInterrupt:
        err_console.print("interrupted", highlight=False)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one top-level handler
        from sim.errors import error_message

        if os.environ.get("SIM_DEBUG"):
            raise
        message = error_message(exc).replace("[", "\\[")
        err_console.print(f"[bold red]error:[/] {message}", highlight=False)
        sys.exit(2)
