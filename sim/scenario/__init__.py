"""Scenario inputs: schema (pydantic), project schema, YAML loading with ``--set``, templates."""

from sim.scenario.loading import InputError
from sim.scenario.schema import DEFAULT_SCENARIO, Scenario, load_scenario, scenario_dict

__all__ = ["DEFAULT_SCENARIO", "InputError", "Scenario", "load_scenario", "scenario_dict"]
