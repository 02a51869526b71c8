"""Stylised-facts validation of the model against the reported cases (``sim validate``)."""

from sim.experiments.validation.core import Arm, Pattern, run_patterns, task_count
from sim.experiments.validation.disputes import DISPUTE_FACTS
from sim.experiments.validation.projects import PROJECT_FACTS

PATTERNS: list[Pattern] = [*DISPUTE_FACTS, *PROJECT_FACTS]

__all__ = ["PATTERNS", "Arm", "Pattern", "run_patterns", "task_count"]
