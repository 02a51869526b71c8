"""``sim compare`` (baseline vs variant on common seeds) and ``sim target``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# Heavy modules (numpy, pydantic, mesa, pandas, pyarrow, duckdb, dash...) are imported inside
# the commands that use them, so `sim --help` and `sim CMD --help` start fast
# (tests/test_imports.py).
if TYPE_CHECKING:
    pass

from sim.cli.common import (
    ScenarioArg,
    SetOpt,
    WorkersOpt,
    app,
    bar_columns,
    catalog_ui,
    checked,
    err_console,
    fail,
    lang,
    load,
    out_console,
    spawn_context,
)
from sim.messages import Msg


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
        fail(Msg("compare_needs_variant"))
    sets = list(set_ or [])
    base = load(scenario, sets)
    variant = load(against if against is not None else scenario, [*sets, *(change or [])])
    if out is None:
        from sim.results.paths import safe_name

        label = f"{base.name}-vs-{variant.name}"
        if change:
            label += "-" + "-".join(c.split("=")[0] for c in change)
        out = Path("results") / "compare" / safe_name(label)
    checked("check_creatable", out / "comparison.json", "--out", out)
    source = str(scenario) if scenario is not None else "(default)"
    commands = {
        "baseline": (source, sets),
        "variant": (str(against) if against is not None else source, [*sets, *(change or [])]),
    }
    try:
        with Progress(*bar_columns("runs"), console=err_console, transient=True) as progress:
            bar = progress.add_task(catalog_ui("cli_compare_task"), total=2 * replicates)
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
        fail(exc)
    except KeyboardInterrupt:
        fail(Msg("compare_interrupted", out=out), 130)
    t = Table(title=catalog_ui("cli_compare_title", n=replicates), header_style="bold")
    for c in ("metric", "baseline", "variant", "difference"):
        t.add_column(catalog_ui(f"cli_col_{c}"), justify="left" if c == "metric" else "right")
    for key, row in record["metrics"].items():
        if not key.startswith(("disputes.", "projects.")):
            continue
        cells = [_mean_ci_text(row[arm]) for arm in ("baseline", "variant", "difference")]
        t.add_row(metric_label(key), *cells)
    out_console.print(t)
    out_console.print(catalog_ui("cli_compare_written", path=out))


def _is_target_record(path: Path) -> bool:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8")).get("kind") == "target"
    except (OSError, ValueError, AttributeError):
        return False


def _write_json(path: Path, data: dict) -> None:
    import json

    from sim.results.paths import write_text_atomic

    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, default=str))


def _mean_ci_text(triple: list[float]) -> str:
    import math

    mean, lo, hi = triple
    if mean is None or not math.isfinite(mean):
        return "-"
    if not (math.isfinite(lo) and math.isfinite(hi)):  # one run: no interval
        return f"{mean:.3f}"
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
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json", help="Also write the trials to this new .json file (rewritten after each)."
        ),
    ] = None,
    workers: WorkersOpt = None,
) -> None:
    """What would it take? The least effort on the levers that reaches a target."""
    from concurrent.futures import ProcessPoolExecutor

    from rich.table import Table

    from sim.experiments.target import (
        Lever,
        Target,
        combinations,
        planner_cost,
        result_record,
        run_summary,
        search,
    )
    from sim.scenario import DEFAULT_SCENARIO
    from sim.scenario.loading import apply_overrides, read_yaml

    if not metric or (at_least is None) == (at_most is None):
        fail(Msg("target_needs_metric"))
    if not lever:
        fail(Msg("target_needs_lever"))
    try:
        levers = [Lever.parse(x) for x in lever]
    except ValueError as exc:
        fail(exc)
    if json_out is not None:
        checked("check_output_file", json_out, "--json", (".json",))
        if json_out.exists() and not _is_target_record(json_out):
            fail(Msg("target_json_foreign", path=json_out))
    sc = load(scenario, list(set_ or []))
    for lv in levers:  # every setting must validate before anything runs
        for v in lv.values:
            load(scenario, [*(set_ or []), f"{lv.path}={v}"])
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
    planned = min(max_trials, len(combinations(levers)))
    trials_so_far = []

    def record(trial) -> None:
        trials_so_far.append(trial)
        status.update(catalog_ui("cli_tried", settings=trial.settings))
        if json_out is not None:
            from sim.experiments.target import SearchResult

            partial = SearchResult(goal, list(trials_so_far))
            _write_json(json_out, result_record(partial, levers, planned))

    t = Table(
        title=catalog_ui("cli_target_title", metric=metric_label(metric)), header_style="bold"
    )
    t.add_column(catalog_ui("cli_col_effort"))
    for lv in levers:
        t.add_column(lever_label(lv.path))
    t.add_column(catalog_ui("cli_col_estimate"))
    t.add_column(catalog_ui("cli_col_reached"))
    with (
        ProcessPoolExecutor(max_workers=n, mp_context=spawn_context()) as ex,
        err_console.status(catalog_ui("cli_searching")) as status,
    ):
        result = search(
            raw,
            levers,
            goal,
            lambda tasks: list(ex.map(run_summary, tasks)),
            replicates=replicates,
            max_trials=max_trials,
            on_trial=record,
        )
    if json_out is not None:
        _write_json(json_out, {**result_record(result, levers, planned), "finished": True})
    for tr in result.trials:
        mean, lo, hi = tr.estimate
        t.add_row(
            str(tr.effort),
            *(f"{tr.settings[lv.path]:g}" for lv in levers),
            f"{mean:.3f} [{lo:.3f}, {hi:.3f}]",
            catalog_ui("cli_yes" if tr.reached else "cli_no"),
        )
    out_console.print(t)
    best = result.best
    if best is None:
        out_console.print(catalog_ui("cli_target_none"))
        raise typer.Exit(1)
    costs = "，" if lang() == "zh" else ", "
    costs = costs.join(
        planner_cost(k, v, sc.total_households(), lang()) for k, v in best.settings.items()
    )
    out_console.print(catalog_ui("cli_target_best", costs=costs))


def metric_label(key: str) -> str:
    """A result key's label in the chosen language (with the key, for researchers, in English)."""
    from sim.results import catalog

    if lang() == "zh" and catalog.has(key):
        return catalog.label(key, "zh")
    return key


def lever_label(path: str) -> str:
    """A lever's label (scenario parameter) in the chosen language."""
    from sim.results import catalog

    if lang() == "zh" and catalog.has(f"param:{path}"):
        return catalog.label(f"param:{path}", "zh")
    return path
