"""Creating many agents at once, registered exactly as ``mesa.Agent.__init__`` would.

Creating one ``mesa.Agent`` runs ``Model.register_agent``: a logging call and three inserts into
weak-key dictionaries, each a Python-level ``__setitem__``. For the 60,000 households of a
district that is most of the model's set-up. :func:`create_many` builds the same agents (same
class, ``unique_id`` sequence, ``model``/``pos`` attributes and registration order) with the
inserts done in bulk, so ``model.agents``, ``model.agents_by_type[cls]`` and
``AgentSet.select/agg/do`` see exactly what one-by-one creation gives.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import mesa
from mesa.agent import AgentSet

A = TypeVar("A", bound=mesa.Agent)


def create_many(
    cls: type[A], model: mesa.Model, keys: Sequence[Any], name: str, **shared: Any
) -> list[A]:
    """Create and register one ``cls`` agent per key, without calling ``__init__``.

    Args:
        cls: the agent class (its ``__init__`` only stores attributes; it is not called).
        model: the model the agents belong to.
        keys: one value per agent, stored as attribute ``name`` (e.g. household indices).
        name: the attribute that receives each key.
        **shared: attributes every agent gets with the same value.

    Returns:
        The agents, in creation order (unique ids ascending).
    """
    counter = mesa.Agent._ids[model]
    first = next(counter)
    n = len(keys)
    # Hand out ids first..first+n-1 and leave the counter where one-by-one creation would.
    mesa.Agent._ids[model] = itertools.count(first + n)
    template = {**shared, "model": model, "unique_id": first, "pos": None, name: None}

    def make(uid: int, key: Any, new=object.__new__, copy=template.copy) -> A:
        agent = new(cls)
        attributes = copy()
        attributes["unique_id"] = uid
        attributes[name] = key
        agent.__dict__ = attributes
        return agent

    with paused_gc():
        agents = list(map(make, range(first, first + n), keys))
        register_many(model, cls, agents)
    return agents


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while making many long-lived objects.

    It would otherwise rescan the growing heap every few hundred new objects although none of
    them is garbage; the previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def agent_set(model: mesa.Model, agents: list[mesa.Agent]) -> AgentSet:
    """An ``AgentSet`` of ``agents`` (in order), filled in one pass."""
    out = AgentSet([], random=model.random)
    with paused_gc():
        _add_weak_keys(out._agents, agents)
    return out


def register_many(model: mesa.Model, cls: type[mesa.Agent], agents: Iterable[mesa.Agent]) -> None:
    """Register agents of one class with the model in bulk (``Model.register_agent`` in order).

    Args:
        model: the model.
        cls: the agents' exact class (the ``agents_by_type`` key).
        agents: agents whose ``type`` is ``cls``, not yet registered.
    """
    agents = list(agents)
    model._agents.update(dict.fromkeys(agents))
    by_type = model._agents_by_type
    if cls not in by_type:
        by_type[cls] = AgentSet([], random=model.random)
    for agent_set in (by_type[cls], model._all_agents):
        _add_weak_keys(agent_set._agents, agents)


def _add_weak_keys(d: weakref.WeakKeyDictionary, keys: list) -> None:
    """``d[k] = None`` for every key, with the weak references made in one C-level pass."""
    refs = map(weakref.ref, keys, itertools.repeat(d._remove))
    d.data.update(zip(refs, itertools.repeat(None)))
