"""The planner's workbench: start from a scenario, move levers, run in the background, compare.

Plain functions of their inputs (tested without a browser); :mod:`sim.dashboard.workbench_app`
registers them as callbacks. Nothing here touches the file system except through
:class:`sim.dashboard.jobs.Jobs`, which writes under ``RESULTS/workbench/`` only; a scenario
from the browser (a shipped name, an uploaded YAML or buildings table) is parsed with the same
safe loader and validated with the same messages as the command line.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import typing
from pathlib import Path
from typing import Any

import annotated_types as at
import yaml
from dash import dcc, html

from sim.dashboard.widgets import dropdown
from sim.messages import Msg
from sim.results import catalog as cat

# Levers a planner moves, in the order the page shows them.
LEVERS = (
    "meetings.council_per_month",
    "meetings.joint_per_month",
    "meetings.adhoc",
    "party.density",
    "party.big_v",
    "party.canvass_per_week",
    "grid.households_per_worker",
    "grid.visits_per_week",
    "property_firm.kind",
    "property_firm.repair_capacity",
    "owners_committee.exists",
)
PROJECT_LEVERS = ("subsidy", "ground_compensation", "rule")
STEPS = {"party.density": 0.01, "subsidy": 10_000, "ground_compensation": 1_000}
# Words for the values of text-valued levers (catalogue kind of each field).
VALUE_KIND = {"kind": "firm_kind", "rule": "vote_rule"}
MAX_UPLOAD = 2_000_000  # bytes, the loader's limit for a scenario file
REPLICATES = 10
# Settings "what would it take?" may try for a lever, from least to most effort.
TARGET_STEPS = {
    "meetings.council_per_month": (0, 1, 2, 4, 8),
    "meetings.joint_per_month": (0, 1, 2, 4),
    "party.density": (0, 0.02, 0.05, 0.1, 0.2),
    "party.big_v": (0, 1, 2, 4),
    "grid.visits_per_week": (5, 10, 20, 40),
}
TARGET_METRICS = (
    "disputes.share_of_all.resolved",
    "disputes.resolved_within_90d",
    "disputes.share_of_closed.resolved",
    "projects.pass_rate",
)


class WorkbenchInput(ValueError):
    """Input from the page that cannot be used; the message says why (in the page's language)."""


# ------------------------------------------------------------------------------ scenarios
def shipped_scenarios() -> dict[str, Path]:
    """Scenarios a planner can start from: the embedded default and the repository's ones."""
    from sim.scenario import DEFAULT_SCENARIO

    found = {"default": Path(DEFAULT_SCENARIO)}
    folder = Path(__file__).resolve().parents[2] / "scenarios"
    if folder.is_dir():
        for p in sorted(folder.glob("*.yaml")):
            found[p.stem] = p
    return found


def scenario_from_source(name: str | None) -> str:
    """The YAML text of a shipped scenario (by name only: no path from the browser)."""
    table = shipped_scenarios()
    if not isinstance(name, str) or name not in table:
        raise WorkbenchInput(Msg("wb_unknown_scenario", name=name))
    return table[name].read_text(encoding="utf-8")


def scenario_from_upload(contents: str | None, filename: str | None) -> str:
    """YAML text of an uploaded scenario (.yaml) or buildings table (.csv, .xlsx).

    Raises:
        WorkbenchInput: too large, unknown kind, or what the loader says of it.
    """
    from sim.scenario.buildings import read_buildings_bytes, scenario_from_buildings
    from sim.scenario.loading import InputError

    if not isinstance(contents, str) or "," not in contents or not isinstance(filename, str):
        raise WorkbenchInput(Msg("wb_no_file"))
    name = Path(filename).name[:120] or "upload"
    payload = contents.split(",", 1)[1]
    if len(payload) * 3 // 4 > MAX_UPLOAD:
        raise WorkbenchInput(Msg("wb_too_large", path=name, mb=MAX_UPLOAD // 1_000_000))
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise WorkbenchInput(Msg("wb_unreadable", path=name)) from None
    suffix = Path(name).suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            text = raw.decode("utf-8")
            check_scenario(text, name)
            return text
        if suffix in (".csv", ".xlsx", ".xlsm"):
            table = read_buildings_bytes(raw, name)
            base = _default_raw()
            base.pop("compounds", None)
            data = scenario_from_buildings(table, name=Path(name).stem or "upload", base=base)
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            check_scenario(text, name)
            return text
    except UnicodeDecodeError:
        raise WorkbenchInput(Msg("wb_not_utf8", path=name)) from None
    except InputError as exc:
        raise WorkbenchInput(exc.args[0] if len(exc.args) == 1 else str(exc)) from None
    raise WorkbenchInput(Msg("wb_kind", path=name))


def _default_raw() -> dict[str, Any]:
    from sim.scenario import DEFAULT_SCENARIO
    from sim.scenario.loading import read_yaml

    return read_yaml(DEFAULT_SCENARIO)


def check_scenario(text: str, source: str = "scenario", sets: list[str] | None = None):
    """Validate YAML text (with ``--set``-style changes) as the CLI does; the Scenario.

    Raises:
        WorkbenchInput: the loader's message (same words as ``sim scenario check``).
    """
    from sim.scenario import Scenario
    from sim.scenario.loading import InputError, apply_overrides, parse_yaml, validate

    if not isinstance(text, str) or len(text.encode("utf-8")) > MAX_UPLOAD:
        raise WorkbenchInput(Msg("wb_too_large", path=source, mb=MAX_UPLOAD // 1_000_000))
    try:
        data = parse_yaml(text, source)
        apply_overrides(data, list(sets or []))
        return validate(Scenario, data, source)
    except InputError as exc:
        raise WorkbenchInput(exc.args[0] if len(exc.args) == 1 else str(exc)) from None


def describe_scenario(scenario, lang: str) -> str:
    """One line: name, compounds, buildings and households."""
    buildings = sum(
        (len(c.layout) if c.layout else c.buildings) * c.count for c in scenario.compounds
    )
    return cat.ui(
        "wb_scenario_line",
        lang,
        name=scenario.name,
        compounds=scenario.n_compounds(),
        buildings=buildings,
        households=cat.fmt("households", scenario.total_households(), lang),
        projects=len(scenario.projects),
    )


# ------------------------------------------------------------------------------ levers
def lever_paths(scenario) -> list[str]:
    """The levers of a scenario: the common ones and each project's subsidy/compensation/rule."""
    paths = list(LEVERS)
    for i in range(len(scenario.projects)):
        paths += [f"projects.{i}.{name}" for name in PROJECT_LEVERS]
    return paths


def field_of(path: str):
    """The schema field at a dotted parameter path (list indices skipped)."""
    from sim.scenario import Scenario
    from sim.scenario.loading import model_of

    model: Any = Scenario
    field = None
    for part in path.split("."):
        if part.isdigit():
            continue
        model = model_of(model)
        if model is None or part not in model.model_fields:
            raise KeyError(path)
        field = model.model_fields[part]
        model = field.annotation
    return field


def _choices(annotation) -> list | None:
    """The allowed values of a bool or Literal (optional) field, else None."""
    if annotation is bool:
        return [True, False]
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return list(args)
    for arg in args:
        if typing.get_origin(arg) is typing.Literal:
            return list(typing.get_args(arg))
    return None


def bounds(field) -> tuple[float | None, float | None]:
    """The declared lower and upper bounds of a numeric field."""
    lo = hi = None
    for m in field.metadata:
        if isinstance(m, at.Ge | at.Gt):
            lo = float(getattr(m, "ge", getattr(m, "gt", None)))
        if isinstance(m, at.Le | at.Lt):
            hi = float(getattr(m, "le", getattr(m, "lt", None)))
    return lo, hi


def value_at(data: dict, path: str) -> Any:
    """The value at a dotted path of resolved scenario data."""
    node: Any = data
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def choice_label(path: str, value: Any, lang: str) -> str:
    """Words for a bool or text value of a lever."""
    if isinstance(value, bool):
        return cat.ui("answer_yes" if value else "answer_no", lang)
    if value is None:
        return cat.ui("wb_rule_auto", lang)
    kind = VALUE_KIND.get(path.rsplit(".", 1)[-1], "")
    return cat.value_label(kind, value, lang)


def lever_label(path: str, lang: str) -> str:
    """Label, unit and valid range of a lever, as the page shows it above the control."""
    from sim.scenario.base import field_meta

    field = field_of(path)
    name = cat.label(f"param:{path}", lang)
    unit = cat.param_unit(field_meta(field)["unit"], lang)
    if _choices(field.annotation) is not None:
        return name
    lo, hi = bounds(field)
    span = f"{lo:g}–{hi:g}" if lo is not None and hi is not None else f"≥ {lo:g}" if lo else ""
    extra = ", ".join(x for x in (unit, span) if x)
    return f"{name} ({extra})" if extra else name


def lever_control(path: str, value: Any, lang: str) -> html.Div:
    """A labelled control for one lever, holding the baseline value."""
    field = field_of(path)
    cid = {"type": "wb-lever", "path": path}
    choices = _choices(field.annotation)
    if choices is not None:
        if None in typing.get_args(field.annotation) or type(None) in typing.get_args(
            field.annotation
        ):
            choices = [None, *choices]
        control = dropdown(
            lang,
            id=cid,
            options=[
                {"label": choice_label(path, v, lang), "value": json.dumps(v)} for v in choices
            ],
            value=json.dumps(value),
            clearable=False,
        )
    else:
        lo, hi = bounds(field)
        integer = field.annotation is int
        step = STEPS.get(path, STEPS.get(path.rsplit(".", 1)[-1], 1 if integer else "any"))
        control = dcc.Input(
            id=cid,
            type="number",
            value=value,
            min=lo,
            max=hi,
            step=step,
            debounce=True,
            className="lever",
        )
    return html.Div(
        [html.Label(lever_label(path, lang), title=cat.describe(f"param:{path}", lang)), control],
        className="lever-row",
    )


def lever_controls(text: str, lang: str) -> list:
    """The lever controls of a scenario (YAML text), each at the scenario's own value."""
    from sim.scenario import scenario_dict

    scenario = check_scenario(text)
    data = scenario_dict(scenario)
    return [lever_control(p, value_at(data, p), lang) for p in lever_paths(scenario)]


def changes(text: str, ids: list[dict], values: list[Any]) -> list[str]:
    """``PATH=VALUE`` for every lever the planner moved away from the scenario's value.

    Raises:
        WorkbenchInput: a lever the scenario does not have, or an empty number.
    """
    from sim.scenario import scenario_dict

    scenario = check_scenario(text)
    data = scenario_dict(scenario)
    allowed = set(lever_paths(scenario))
    out = []
    for cid, raw in zip(ids or [], values or [], strict=False):
        path = cid.get("path") if isinstance(cid, dict) else None
        if path not in allowed:
            raise WorkbenchInput(Msg("wb_unknown_lever", path=path))
        if raw is None or raw == "":
            raise WorkbenchInput(Msg("wb_empty_lever", path=path))
        value = json.loads(raw) if isinstance(raw, str) else raw
        base = value_at(data, path)
        if isinstance(value, float) and value.is_integer() and isinstance(base, int):
            value = int(value)
        if value != base:
            out.append(f"{path}={json.dumps(value)}")
    return out


def apply_changes(text: str, sets: list[str]) -> dict:
    """The raw scenario mapping with the changes applied (for the target search)."""
    from sim.scenario.loading import apply_overrides, parse_yaml

    return apply_overrides(copy.deepcopy(parse_yaml(text)), sets)


def target_levers(text: str, chosen: list[str] | None) -> dict[str, list[float]]:
    """Candidate settings of the chosen levers, from the scenario's value up (effort order)."""
    from sim.scenario import scenario_dict

    data = scenario_dict(check_scenario(text))
    out = {}
    for path in chosen or []:
        if path not in TARGET_STEPS:
            raise WorkbenchInput(Msg("wb_unknown_lever", path=path))
        now = float(value_at(data, path))
        out[path] = [now, *(v for v in TARGET_STEPS[path] if v > now)]
    return out
