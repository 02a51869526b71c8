"""Base class of every scenario and sweep-spec section, and the parameter declaration helper."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticUndefined


class Spec(BaseModel):
    """A section of an input file: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


def param(
    default: Any = PydanticUndefined,
    *,
    description: str,
    unit: str = "",
    source: str = "assumption",
    **constraints: Any,
) -> Any:
    """Declare a scenario parameter with its unit and the source of its default.

    Args:
        default: the default value (or pass ``default_factory=`` in ``constraints``).
        description: what it means, in a planner's words.
        unit: its unit ("households", "CNY", "days", "1/day", "share 0-1", "" if none).
        source: where the default comes from: a source label such as ``[Kening]`` or
            ``[facts §5]`` (see docs/sources.md), ``calibrated`` or ``assumption``.
        constraints: pydantic bounds (``ge``, ``le``...) and ``default_factory``.

    Returns:
        A pydantic ``Field`` whose unit and source appear in the ODD parameter table.
    """
    extra = {"unit": unit, "source": source}
    return Field(default, description=description, json_schema_extra=extra, **constraints)


def field_meta(field: Any) -> dict[str, str]:
    """The ``unit`` and ``source`` a field was declared with (empty when not declared)."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return {"unit": str(extra.get("unit", "")), "source": str(extra.get("source", ""))}
