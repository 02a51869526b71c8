"""Loading YAML input files (scenarios, sweep specs) with one clear message per mistake.

Every failure raises :class:`InputError`, whose text names the file, the field path and the fix.
The CLI prints it and exits with status 2; nothing is written before inputs validate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.messages import Msg, translate_text
from sim.scenario.input_error import InputError
from sim.scenario.schema_errors import (  # re-exported: loading is where users look
    MAX_DEPTH,
    check_plain,
    model_of,
    validate,
)

__all__ = [
    "InputError",
    "apply_overrides",
    "check_plain",
    "model_of",
    "parse_yaml",
    "read_yaml",
    "validate",
]


# Resource limits: a small input file must never hang the machine or exhaust its memory.
SCENARIO_MAX_BYTES = 2 * 1024 * 1024
SPEC_MAX_BYTES = 1024 * 1024
MAX_ALIASES = 100
MAX_EXPANDED_NODES = 200_000


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
