"""Scenario inputs: schema (pydantic), project schema, YAML loading with ``--set``, templates.

The names below are loaded on first use (module ``__getattr__``): a command that never reads
a scenario (``sim --help``) does not import pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario.loading import InputError
    from sim.scenario.schema import DEFAULT_SCENARIO, Scenario, load_scenario, scenario_dict

_EXPORTS = {
    "DEFAULT_SCENARIO": "sim.scenario.schema",
    "InputError": "sim.scenario.loading",
    "Scenario": "sim.scenario.schema",
    "load_scenario": "sim.scenario.schema",
    "scenario_dict": "sim.scenario.schema",
}
__all__ = ["DEFAULT_SCENARIO", "InputError", "Scenario", "load_scenario", "scenario_dict"]


def __getattr__(name: str) -> Any:
    """Import an exported name from its submodule on first access."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
