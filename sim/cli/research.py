"""``sim discover`` (scenario discovery) and ``sim calibrate`` (ABC-SMC)."""

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
    lang,
    out_console,
)
from sim.messages import Msg


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
            fail(Msg("must_be_fraction", name=name, value=v))
    if depth < 1:
        fail(Msg("depth_at_least_one", value=depth))
    try:
        result = d.discover(
            folder, metric, threshold, above, alpha, min_mass, min_density, max_depth=depth
        )
        stem = out or folder / "discovery" / d.default_stem(metric, threshold, above)
        js, md = d.write(result, stem)
    except (FileNotFoundError, FileExistsError, ValueError) as exc:
        fail(exc)
    p = result["prim"]
    names = [metric, *(result["prim"]["box"].get("limits") or {})]
    names += [n for r in result["cart"]["rules"] for n in (r.get("limits") or {})]
    out_console.print(f"[bold]PRIM:[/] {_labelled(p['words'], names)}", highlight=False)
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
        t.add_row(
            _labelled(r["words"], names), str(r["n"]), f"{r['density']:.2f}", f"{r['coverage']:.2f}"
        )
    out_console.print(t)
    out_console.print(f"written [bold]{js}[/] and [bold]{md}[/]")
    if html is not None:
        from sim.report.calibration import write_calibration_report

        out_console.print(f"report written to [bold]{write_calibration_report(js, html)}[/]")


def _labelled(words: str, keys: list[str]) -> str:
    """Words of a box with each result or lever key given its label: ``Label (key)``."""
    from sim.results import catalog

    language = lang()
    for key in sorted(set(keys), key=len, reverse=True):
        name = key if catalog.has(key) else f"param:{key}"
        if catalog.has(name) and key in words:
            label = catalog.label(name, language)
            words = words.replace(
                key, f"{label}（{key}）" if language == "zh" else f"{label} ({key})"
            )
    return words


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
        fail(Msg("workers_at_least_one", value=workers))
    try:
        result = run_calibration(
            spec, out, workers=workers, log=lambda m: err_console.print(m), quiet=quiet
        )
    except InputError as exc:
        fail(exc)
    except KeyboardInterrupt:
        fail(Msg("calibrate_interrupted"), 130)
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
