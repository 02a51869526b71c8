"""Household utility of an upgrade project, cost sharing by floor, and initial support.

Elevator retrofits ([facts §5]): benefit grows with the floor climbed; floors 1-2 pay nothing
but lose light and quiet (arts. 293/296 are the legal basis of their objections); the owners'
cost after subsidy is shared by floor coefficient x area (Guangzhou 2018) or by area (art. 283)
or equally; ground-floor compensation is paid by the others. Other projects give every
household the same benefit.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.projects import Project


def floor_coefficient(spec: Project, floors: np.ndarray) -> np.ndarray:
    """Cost coefficient of each floor; floors above the highest listed use the last one."""
    keys = sorted(spec.floor_coefficients)
    table = np.array([spec.floor_coefficients[k] for k in keys])
    pos = np.searchsorted(np.array(keys), floors, side="right") - 1
    return np.where(pos >= 0, table[np.clip(pos, 0, None)], 0.0)


def cost_weights(spec: Project, floors: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Each household's weight in the owners' cost share."""
    if spec.cost_sharing == "floor":
        return floor_coefficient(spec, floors) * area
    if spec.cost_sharing == "area":
        return area.astype(float)
    return np.ones(len(floors))


def net_utility(
    spec: Project,
    floors: np.ndarray,
    area: np.ndarray,
    elderly: np.ndarray,
    owner: np.ndarray,
    instance: np.ndarray,
    compensation: np.ndarray,
    subsidy: np.ndarray | None = None,
) -> np.ndarray:
    """Net value (CNY) of the project to each household of its instances.

    Args:
        spec: the project.
        floors: floor of each member household.
        area: exclusive area, m2.
        elderly: elderly flag.
        owner: owner flag (renters bear no cost).
        instance: instance index of each member.
        compensation: current ground-floor compensation per instance (CNY).
        subsidy: current subsidy per instance (CNY; default: the project's).

    Returns:
        benefit - loss + compensation received - cost share (renters bear no cost).
    """
    n_inst = len(compensation)
    if spec.type == "elevator":
        climb = np.clip(floors - 2, 0, None)
        benefit = spec.benefit * climb * (1.0 + spec.elderly_benefit_bonus * elderly)
        ground = floors <= 2
        loss = spec.ground_floor_loss * np.where(floors == 1, 1.0, 0.5) * ground
        received = compensation[instance] * ground
    else:
        benefit = np.full(len(floors), spec.benefit)
        loss = np.zeros(len(floors))
        ground = np.zeros(len(floors), dtype=bool)
        received = np.zeros(len(floors))
    payers = owner & ~ground if spec.type == "elevator" else owner
    w = cost_weights(spec, floors, area) * payers
    w_sum = np.bincount(instance, w, minlength=n_inst)
    # An instance whose payers all have weight 0 (e.g. a two-floor building) shares equally.
    flat = (w_sum[instance] == 0) & payers
    w = np.where(flat, 1.0, w)
    w_sum = np.bincount(instance, w, minlength=n_inst)
    comp_total = np.bincount(instance, received, minlength=n_inst)
    sub = np.full(n_inst, spec.subsidy) if subsidy is None else subsidy
    owners_cost = (spec.cost - sub) * (1.0 - spec.crowdfund_share) + comp_total
    share = np.divide(
        owners_cost[instance] * w, w_sum[instance], out=np.zeros(len(w)), where=w_sum[instance] > 0
    )
    return benefit - loss + received - share


def support_from_utility(net: np.ndarray, scale: float) -> np.ndarray:
    """Map net utility to a support level in (0, 1) with a logistic curve."""
    return 1.0 / (1.0 + np.exp(-np.clip(net / scale, -50, 50)))


def initial_support(
    net: np.ndarray,
    scale: float,
    trust: np.ndarray,
    rng: np.random.Generator,
    noise: float = 0.1,
) -> np.ndarray:
    """Initial support: interest, shifted by trust in the organisers, plus noise, in [0, 1]."""
    x = support_from_utility(net, scale) + 0.3 * (trust - 0.5) + rng.normal(0, noise, len(net))
    return np.clip(x, 0.0, 1.0)
