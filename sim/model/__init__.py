"""The simulator: the Mesa model, its world, calendar, agents, disputes and projects.

``NeighbourhoodModel`` is loaded on first use (module ``__getattr__``), so importing a light
submodule does not import Mesa.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import lazy

if TYPE_CHECKING:
    from sim.model.model import NeighbourhoodModel

__all__ = ["NeighbourhoodModel"]


__getattr__, __dir__ = lazy.exports(__name__, {"NeighbourhoodModel": "sim.model.model"})
