"""Schema validation with one clear message per mistake (pydantic's errors in plain words).

:func:`validate` checks raw data against a schema class; each error names the field path, what
is wrong and the fix, in English and in Chinese (the field's Chinese meaning from the scenario
layer's own table).
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.messages import Msg
from sim.scenario.input_error import InputError

MAX_DEPTH = 32
MAX_INT = 2**63 - 1  # whole numbers beyond 64 bits overflow numpy at run time


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
