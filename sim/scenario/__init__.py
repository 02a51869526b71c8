"""Scenario inputs: schema (pydantic), project schema, YAML loading with ``--set``, templates.

The names below are loaded on first use (module ``__getattr__``): a command that never reads
a scenario (``sim --help``) does not import pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import lazy

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


__getattr__, __dir__ = lazy.exports(__name__, _EXPORTS)
