"""Loading YAML input files (scenarios, sweep specs) with one clear message per mistake.

Every failure raises :class:`InputError`, whose text names the file, the field path and the fix.
The CLI prints it and exits with status 2; nothing is written before inputs validate.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError


class InputError(Exception):
    """Bad user input: the message names the field and the fix."""


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping with ``yaml.safe_load``.

    Args:
        path: the file to read.

    Returns:
        The top-level mapping (empty for an empty file).

    Raises:
        InputError: missing file, syntax error (with line and column), a YAML tag, or a
            top level that is not a mapping.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file; check the path")
    if p.is_dir():
        raise InputError(f"{p}: is a folder; give a YAML file")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot be read as UTF-8 text ({exc})") from None
    return parse_yaml(text, str(p))


def parse_yaml(text: str, source: str = "<input>") -> dict[str, Any]:
    """Parse YAML text into a mapping; see :func:`read_yaml` for the errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(
            f"{source}{where}: YAML tags such as '{_tag_of(exc)}' are not allowed; "
            "inputs are plain data (mappings, lists, numbers, strings): remove the tag"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(
            f"{source}{where}: YAML syntax error: {exc.problem}; fix the YAML at that place"
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: YAML error: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(
            f"{source}: the top level must be a mapping of keys (e.g. 'days: 365'), "
            f"not a {type(data).__name__}"
        )
    return data


def _tag_of(exc: yaml.constructor.ConstructorError) -> str:
    problem = exc.problem or ""
    start = problem.find("'")
    end = problem.find("'", start + 1)
    tag = problem[start + 1 : end] if 0 <= start < end else "!!tag"
    return tag.replace("tag:yaml.org,2002:", "!!")


def apply_overrides(data: dict[str, Any], sets: list[str] | None) -> dict[str, Any]:
    """Apply ``key.path=value`` overrides to raw input data (values parsed as YAML scalars).

    Args:
        data: raw mapping (changed in place and returned).
        sets: overrides such as ``meetings.council_per_month=0`` or ``compounds.0.buildings=5``.

    Raises:
        InputError: malformed override or a path through a non-mapping.
    """
    for item in sets or []:
        if "=" not in item:
            raise InputError(f"--set {item!r}: expected KEY.PATH=VALUE, e.g. party.density=0.1")
        key, raw = item.split("=", 1)
        parts = [k for k in key.strip().split(".") if k]
        if not parts:
            raise InputError(f"--set {item!r}: empty key path")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            raise InputError(f"--set {item!r}: the value is not valid YAML") from None
        set_path(data, parts, value, item)
    return data


def set_path(data: dict[str, Any], parts: list[str], value: Any, label: str = "") -> None:
    """Set ``value`` at a dotted path inside nested mappings and lists."""
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise InputError(
                    f"--set {label}: '{'.'.join(parts[:i])}' is a list of {len(node)}; "
                    f"use an index 0-{len(node) - 1} instead of '{part}'"
                )
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
            continue
        if not isinstance(node, dict):
            raise InputError(f"--set {label}: '{'.'.join(parts[:i])}' is not a section")
        if last:
            node[part] = value
        else:
            if node.get(part) is None:
                node[part] = [{}] if part == "compounds" else {}
            node = node[part]


def validate(model: type[BaseModel], data: dict[str, Any], source: str) -> Any:
    """Validate raw data against a schema, turning pydantic's errors into one clear message.

    Raises:
        InputError: naming each offending field path and how to fix it.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(model, err) for err in exc.errors()[:8]]
        more = len(exc.errors()) - len(lines)
        if more > 0:
            lines.append(f"... and {more} more")
        raise InputError(f"{source}: invalid input\n  " + "\n  ".join(lines)) from None


def _describe(root: type[BaseModel], err: dict[str, Any]) -> str:
    loc = [str(p) for p in err["loc"] if not str(p).startswith("function-")]
    path = ".".join(loc) or "(top level)"
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(root, err["loc"][:-1])
        key = str(err["loc"][-1])
        allowed = sorted(parent.model_fields) if parent else []
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"{path}: unknown key '{key}'; {hint}allowed keys: {', '.join(allowed)}"
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "missing":
        return f"{path}: required field is missing; add it"
    if kind.startswith("value_error"):
        return msg if not loc else f"{path}: {msg}"
    got = err.get("input")
    shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
    return f"{path}: {msg} (got {shown}); change this value"


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Find the schema class at a location, walking lists, optionals and dicts."""
    current: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        model = model_of(current)
        if model is None or part not in model.model_fields:
            return None
        current = model.model_fields[part].annotation
    return model_of(current)


def model_of(tp: Any) -> type[BaseModel] | None:
    """The schema class inside a type annotation (list, optional...), if any."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    origin = typing.get_origin(tp)
    if origin in (list, typing.Union, types.UnionType) or origin is not None:
        for arg in typing.get_args(tp):
            found = model_of(arg)
            if found is not None:
                return found
    return None
