"""``sim scenario init | check | show | doc | from-buildings`` and ``sim doc outputs``."""

from __future__ import annotations

import sys
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
    catalog_ui,
    checked,
    doc_app,
    fail,
    lang,
    load,
    out_console,
    scenario_app,
)
from sim.messages import Msg


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
        fail(Msg("file_exists_force", path=path))
    checked("check_output_file", path, "scenario init", (".yaml", ".yml"))
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
        fail(Msg("doc_markers", path=write, error=exc))
    out_console.print(catalog_ui("cli_doc_updated" if changed else "cli_doc_current", path=write))


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
    out_console.print(catalog_ui("cli_doc_updated" if changed else "cli_doc_current", path=write))


@scenario_app.command("check")
def scenario_check(
    path: Annotated[Path, typer.Argument(help="Scenario YAML.")], set_: SetOpt = None
) -> None:
    """Validate a scenario; exit 2 with the field and fix if it is wrong."""
    sc = load(path, set_)
    out_console.print(
        catalog_ui(
            "cli_check_ok",
            path=path,
            name=sc.name,
            compounds=sc.n_compounds(),
            households=sc.total_households(),
            days=sc.days,
        )
    )


@scenario_app.command("show")
def scenario_show(path: ScenarioArg = None, set_: SetOpt = None) -> None:
    """Print the resolved scenario with every default filled in (YAML)."""
    import yaml

    from sim.scenario import scenario_dict

    sc = load(path, set_)
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
        fail(Msg("out_exists_force", path=out))
    checked("check_output_file", out, "--out", (".yaml", ".yml"))
    try:
        rows = read_buildings(table)
        base = read_yaml(DEFAULT_SCENARIO)
        data = scenario_from_buildings(rows, name or out.stem, base)
        sc = validate(Scenario, data, str(table))
    except InputError as exc:
        fail(exc)
    head = (
        f"# Scenario made from the buildings table {table.name} by `sim scenario from-buildings`;\n"
        "# every other section is the embedded default [Changgou]. Check it with\n"
        f"# `sim scenario check {out}` and run it with `sim run {out}`.\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    out.write_text(head + body, encoding="utf-8")
    n_buildings = sum(c.n_buildings() for c in sc.compounds)
    out_console.print(
        catalog_ui(
            "cli_buildings_wrote",
            path=out,
            compounds=sc.n_compounds(),
            buildings=n_buildings,
            households=sc.total_households(),
        )
    )
