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

from sim.messages import Msg, translate_text


class InputError(Exception):
    """Bad user input: the message names the field and the fix.

    The message is usually a :class:`sim.messages.Msg`; :meth:`text` gives it in a language.
    """

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``en`` or ``zh``)."""
        from sim.messages import render

        return render(self, lang)


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
                problem = (
                    Msg("yaml_no_aliases")
                    if self.max_aliases == 0
                    else Msg("yaml_alias_limit", limit=self.max_aliases)
                )
                raise _LimitError(problem, event.start_mark)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _LimitError(Msg("yaml_too_deep", depth=MAX_DEPTH), event.start_mark)
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
                    Msg("yaml_duplicate_key", key=key, line=first.line + 1), key_node.start_mark
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
                Msg("yaml_expansion", limit=f"{MAX_EXPANDED_NODES:,}"), node.start_mark
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
        raise InputError(Msg("no_file", path=p))
    if p.is_dir():
        raise InputError(Msg("is_folder_not_yaml", path=p))
    if not p.is_file():
        raise InputError(Msg("not_regular_yaml", path=p))
    limit = f"{max_bytes / 1024 / 1024:g} MB"
    try:
        if p.stat().st_size > max_bytes:
            raise InputError(Msg("too_large_input", path=p, limit=limit))
        with p.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise InputError(Msg("too_large_input", path=p, limit=limit))
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Msg("not_utf8", path=p, error=exc)) from None
    return parse_yaml(text, str(p), aliases=aliases)


def parse_yaml(text: str, source: str = "<input>", *, aliases: bool = True) -> dict[str, Any]:
    """Parse YAML text into a mapping; see :func:`read_yaml` for the errors."""
    try:
        data = yaml.load(text, Loader=StrictLoader if aliases else SpecLoader)  # noqa: S506
    except RecursionError:
        raise InputError(Msg("yaml_nested_too_deeply", source=source)) from None
    except _LimitError as exc:
        where = _where(exc.problem_mark)
        raise InputError(Msg("at_place", source=source, where=where, problem=exc.problem)) from None
    except yaml.constructor.ConstructorError as exc:
        where = _where(exc.problem_mark)
        raise InputError(Msg("yaml_tag", source=source, where=where, tag=_tag_of(exc))) from None
    except yaml.MarkedYAMLError as exc:
        problem = str(exc.problem)
        raise InputError(
            Msg(
                "yaml_syntax",
                source=source,
                where=_where(exc.problem_mark),
                problem=problem,
                problem_zh=translate_text(problem, "zh", "yaml_problems"),
            )
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(Msg("yaml_error", source=source, error=exc)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(Msg("top_not_mapping", source=source, kind=type(data).__name__))
    return data


def _where(mark: Any) -> Msg | str:
    """`, line L, column C` of a YAML mark (empty without one)."""
    return Msg("where_line", line=mark.line + 1, column=mark.column + 1) if mark else ""


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
            raise InputError(Msg("set_syntax", item=repr(item)))
        key, raw = item.split("=", 1)
        parts = [k for k in key.strip().split(".") if k]
        if not parts:
            raise InputError(Msg("set_empty", item=repr(item)))
        try:
            value = yaml.load(raw, Loader=SpecLoader) if raw.strip() else ""  # noqa: S506
        except (yaml.YAMLError, RecursionError):
            raise InputError(Msg("set_not_yaml", item=repr(item))) from None
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
                    Msg(
                        "set_list_index",
                        label=label,
                        path=".".join(parts[:i]),
                        n=len(node),
                        last=len(node) - 1,
                        part=part,
                    )
                )
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
            continue
        if not isinstance(node, dict):
            raise InputError(Msg("set_not_section", label=label, path=".".join(parts[:i])))
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
            raise InputError(Msg("nested_at", source=source, path=path, depth=MAX_DEPTH))
        if isinstance(node, int) and not isinstance(node, bool) and abs(node) > MAX_INT:
            raise InputError(
                Msg("int_too_large", source=source, path=_at(path), value=node, limit=MAX_INT)
            )
        if isinstance(node, float) and not math.isfinite(node):
            raise InputError(Msg("not_finite", source=source, path=_at(path), value=node))
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
        raise InputError(Msg("nested_simplify", source=source)) from None
    except ValidationError as exc:
        lines = [_describe(model, err) for err in exc.errors()[:8]]
        more = len(exc.errors()) - len(lines)
        if more > 0:
            lines.append(Msg("and_more", n=more))
        raise InputError(Msg("invalid_input", source=source, lines=lines)) from None


def _at(path: str) -> Msg | str:
    return path or Msg("top_level")


def _describe(root: type[BaseModel], err: dict[str, Any]) -> Msg:
    loc = [str(p) for p in err["loc"] if not str(p).startswith("function-")]
    path = ".".join(loc) or "(top level)"
    name = _field_name(loc, path)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(root, err["loc"][:-1])
        key = str(err["loc"][-1])
        allowed = sorted(parent.model_fields) if parent else []
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
        hint = Msg("did_you_mean", key=close[0]) if close else ""
        return Msg(
            "unknown_key", path=path, name_zh=name, key=key, hint=hint, allowed=", ".join(allowed)
        )
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "missing":
        return Msg("field_missing", path=path, name_zh=name)
    if kind.startswith("value_error"):
        error = (err.get("ctx") or {}).get("error")
        first = error.args[0] if isinstance(error, Exception) and error.args else None
        reason = first if isinstance(first, Msg) else msg
        if not loc:
            return Msg("value_error_top", reason=reason)
        return Msg("value_error_at", path=path, name_zh=name, reason=reason)
    got = err.get("input")
    shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
    ctx = {k: _plain(v) for k, v in (err.get("ctx") or {}).items()}
    zh = TYPE_ERRORS_ZH.get(kind, TYPE_ERRORS_ZH["other"])
    return Msg("type_error", path=path, name_zh=name, msg=msg, got=shown, what_zh=zh.format(**ctx))


# Chinese of pydantic's error types (the English keeps pydantic's own sentence).
TYPE_ERRORS_ZH = {
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数（不带小数）",
    "int_parsing_size": "整数过大",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字",
    "string_too_short": "文字太短（至少 {min_length} 个字符）",
    "string_too_long": "文字太长（最多 {max_length} 个字符）",
    "too_short": "项数太少（至少 {min_length} 项）",
    "too_long": "项数太多（最多 {max_length} 项）",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "date_type": "应为日期，如 2024-01-01",
    "date_parsing": "应为日期，如 2024-01-01",
    "date_from_datetime_parsing": "应为日期，如 2024-01-01",
    "date_from_datetime_inexact": "应为日期（不带时刻），如 2024-01-01",
    "list_type": "应为列表（- 项目）",
    "tuple_type": "应为列表（- 项目）",
    "set_type": "应为列表（- 项目）",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "none_required": "应为空",
    "other": "取值不合要求",
}


def _plain(value: Any) -> str:
    """A context value of a pydantic error as plain text (``1.0`` as ``1``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _field_name(loc: list[str], path: str) -> str:
    """A field for the Chinese message: its Chinese label and its path, ``楼栋数（days）``."""
    from sim.scenario.meanings import param_label_zh

    schema = ".".join("[]" if p.isdigit() else p for p in loc).replace(".[]", "[]")
    label = param_label_zh(schema) if loc else ""
    return f"{label}（{path}）" if label else path


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
