"""The simulator: the Mesa model, its world, calendar, agents, disputes and projects."""

from sim.model.model import NeighbourhoodModel

__all__ = ["NeighbourhoodModel"]
