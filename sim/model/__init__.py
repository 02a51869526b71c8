"""The simulator: the Mesa model, its world, calendar, agents, disputes and projects.

``NeighbourhoodModel`` is loaded on first use (module ``__getattr__``), so importing a light
submodule does not import Mesa.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.model import NeighbourhoodModel

__all__ = ["NeighbourhoodModel"]


def __getattr__(name: str) -> Any:
    """Import ``NeighbourhoodModel`` from :mod:`sim.model.model` on first access."""
    if name != "NeighbourhoodModel":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = importlib.import_module("sim.model.model").NeighbourhoodModel
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
