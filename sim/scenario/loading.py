"""Loading YAML input files (scenarios, sweep specs) with one clear message per mistake.

Every failure raises :class:`InputError`, whose text names the file, the field path and the fix.
The CLI prints it and exits with status 2; nothing is written before inputs validate.
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError


class InputError(Exception):
    """Bad user input: the message names the field and the fix."""


# Resource limits: a small input file must never hang the machine or exhaust its memory.
SCENARIO_MAX_BYTES = 2 * 1024 * 1024
SPEC_MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_ALIASES = 100
MAX_EXPANDED_NODES = 200_000
MAX_INT = 2**63 - 1  # whole numbers beyond 64 bits overflow numpy at run time


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys and bounds aliases and nesting.

    ``max_aliases=0`` refuses every anchor and alias (sweep specs); otherwise at most that many
    aliases, expanding to at most :data:`MAX_EXPANDED_NODES` nodes, are accepted.
    """

    max_aliases = MAX_ALIASES

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            if isinstance(event, yaml.AliasEvent):
                self.aliases += 1
            if self.max_aliases == 0 or self.aliases > self.max_aliases:
                limit = (
                    "are not allowed here"
                    if self.max_aliases == 0
                    else (f"are limited to {self.max_aliases} in a file")
                )
                raise _LimitError(
                    f"YAML anchors and aliases (&name, *name) {limit}; write the values out",
                    event.start_mark,
                )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _LimitError(
                f"nested deeper than {MAX_DEPTH} levels; inputs are shallow mappings and lists",
                event.start_mark,
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def get_single_node(self) -> Any:  # noqa: D102
        node = super().get_single_node()
        if node is not None and self.aliases:
            _check_expansion(node)
        return node

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # noqa: D102
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark)
            except TypeError:
                continue  # an unhashable key: the base class reports it
            if first is not key_node.start_mark:
                raise _LimitError(
                    f"duplicate key '{key}' (first at line {first.line + 1}); a repeated key "
                    "would silently replace the first: merge the two",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:  # noqa: D102
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)  # the schema names the field and the fix


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)


class SpecLoader(StrictLoader):
    """:class:`StrictLoader` without anchors or aliases (sweep specs)."""

    max_aliases = 0


class _LimitError(yaml.MarkedYAMLError):
    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem=problem, problem_mark=mark)


def _check_expansion(root: Any) -> None:
    """Refuse alias graphs that would expand past :data:`MAX_EXPANDED_NODES` nodes."""
    sizes: dict[int, int] = {}

    def size(node: Any) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        sizes[id(node)] = 1  # guards against recursive aliases
        if isinstance(node, yaml.MappingNode):
            n = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            n = 1 + sum(size(v) for v in node.value)
        else:
            n = 1
        sizes[id(node)] = n
        if n > MAX_EXPANDED_NODES:
            raise _LimitError(
                f"YAML aliases here expand to more than {MAX_EXPANDED_NODES:,} values; "
                "write the values out",
                node.start_mark,
            )
        return n

    size(root)


def read_yaml(
    path: str | Path, *, max_bytes: int = SCENARIO_MAX_BYTES, aliases: bool = True
) -> dict[str, Any]:
    """Read a YAML mapping safely (see :class:`StrictLoader`).

    Args:
        path: the file to read.
        max_bytes: the largest file accepted.
        aliases: whether a bounded number of YAML aliases is accepted (False for sweep specs).

    Returns:
        The top-level mapping (empty for an empty file).

    Raises:
        InputError: missing file, not a regular file, too big, syntax error (with line and
            column), a YAML tag, a duplicate key, aliases, too deep nesting, or a top level
            that is not a mapping.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file; check the path")
    if p.is_dir():
        raise InputError(f"{p}: is a folder; give a YAML file")
    if not p.is_file():
        raise InputError(f"{p}: is not a regular file (a device or pipe); give a YAML file")
    limit = f"{max_bytes / 1024 / 1024:g} MB"
    try:
        if p.stat().st_size > max_bytes:
            raise InputError(f"{p}: larger than the {limit} limit for this input; shorten it")
        with p.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise InputError(f"{p}: larger than the {limit} limit for this input; shorten it")
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot be read as UTF-8 text ({exc})") from None
    return parse_yaml(text, str(p), aliases=aliases)


def parse_yaml(text: str, source: str = "<input>", *, aliases: bool = True) -> dict[str, Any]:
    """Parse YAML text into a mapping; see :func:`read_yaml` for the errors."""
    try:
        data = yaml.load(text, Loader=StrictLoader if aliases else SpecLoader)  # noqa: S506
    except RecursionError:
        raise InputError(
            f"{source}: nested too deeply; inputs are shallow mappings and lists"
        ) from None
    except _LimitError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(f"{source}{where}: {exc.problem}") from None
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
            value = yaml.load(raw, Loader=SpecLoader) if raw.strip() else ""  # noqa: S506
        except (yaml.YAMLError, RecursionError):
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


def check_plain(data: Any, source: str) -> None:
    """Refuse non-finite numbers (.inf, .nan) and nesting deeper than :data:`MAX_DEPTH`.

    Raises:
        InputError: naming the field path.
    """
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"{source}: {path}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, int) and not isinstance(node, bool) and abs(node) > MAX_INT:
            raise InputError(
                f"{source}: {path or '(top level)'}: {node} is too large (at most {MAX_INT}); "
                "give a smaller whole number"
            )
        if isinstance(node, float) and not math.isfinite(node):
            raise InputError(
                f"{source}: {path or '(top level)'}: {node} is not a finite number; "
                "give a number such as 0.5"
            )
        if isinstance(node, dict):
            stack += [(v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, f"{path}.{i}" if path else str(i), depth + 1) for i, v in enumerate(node)]


def validate(model: type[BaseModel], data: dict[str, Any], source: str) -> Any:
    """Validate raw data against a schema, turning pydantic's errors into one clear message.

    Raises:
        InputError: naming each offending field path and how to fix it (non-finite numbers
            and too deep nesting included).
    """
    check_plain(data, source)
    try:
        return model.model_validate(data)
    except RecursionError:
        raise InputError(f"{source}: nested too deeply; simplify the input") from None
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
