"""Dispute arrival: daily rates per building and category, and the day's new cases."""

from __future__ import annotations

import numpy as np

from sim.model.disputes.book import DisputeBook
from sim.model.world import World
from sim.scenario import Scenario
from sim.scenario.schema import Disputes

RENTER_CATEGORIES = ("noise", "hygiene", "renovation")


def category_table(scenario: Scenario) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Names, yearly rates per 100 households, difficulties and property flags of categories."""
    cats = scenario.disputes.categories
    names = list(type(cats).model_fields)
    specs = [getattr(cats, n) for n in names]
    rate = np.array([c.rate for c in specs])
    diff = np.array([c.difficulty for c in specs])
    prop = np.array([c.property_type for c in specs])
    return names, rate, diff, prop


def daily_rates(scenario: Scenario, world: World) -> np.ndarray:
    """Expected new disputes per building and category per day.

    Renters raise noise, hygiene and renovation cases; a poor or absent property firm raises
    property cases ("three-no" compounds [Xi'an]).
    """
    names, rate, _, prop = category_table(scenario)
    nb = world.n_buildings
    renters = np.bincount(world.hh_building, ~world.hh_owner, minlength=nb) / np.maximum(
        world.b_size, 1
    )
    base = world.b_size[:, None] * rate[None, :] / 100.0 / 365.0
    renter_cat = np.array([n in RENTER_CATEGORIES for n in names])
    mult = np.ones((nb, len(names)))
    mult[:, renter_cat] *= 1.0 + scenario.disputes.renter_effect * renters[:, None]
    firm = scenario.property_firm
    quality = 0.0 if firm.kind == "none" else firm.service_quality
    mult[:, prop] *= firm.no_service_rate_factor - quality
    return base * mult


def arrive(
    book: DisputeBook,
    rates: np.ndarray,
    world: World,
    difficulty: np.ndarray,
    spec: Disputes,
    rng: np.random.Generator,
    first_day: int,
    days: int = 1,
    cumulative: np.ndarray | None = None,
) -> np.ndarray:
    """Draw the new disputes of ``days`` days from ``first_day`` and stage them in the book.

    Arrivals depend on nothing the model does, so a block of days is drawn at once (the ladder
    reveals each day's cases on that day, see :meth:`DisputeBook.reveal`). Each day's total is
    a Poisson draw over all (building, category) cells, and each case is placed on a cell with
    chance proportional to its rate (``searchsorted`` over the cumulative rates): the same law
    as one Poisson draw per cell and day, at the cost of the cases, not the cells. Difficulty
    is a mixture: a tractable majority around its category's mean, and an intractable tail
    (share ``spec.intractable_share``) around ``spec.intractable_difficulty``.

    Args:
        book: the case book the new cases are staged in.
        rates: expected new cases per day, by building (rows) and category (columns).
        world: the world (buildings' households and compounds).
        difficulty: mean difficulty of each category.
        spec: the dispute parameters.
        rng: the arrival stream.
        first_day: the block's first day.
        days: the block's length.
        cumulative: ``np.cumsum(rates.ravel())``, when the caller keeps it.

    Returns:
        The number of new cases on each day of the block (staged in day order).
    """
    cum = np.cumsum(rates.ravel()) if cumulative is None else cumulative
    total = float(cum[-1]) if len(cum) else 0.0
    counts = rng.poisson(total, days) if total > 0 else np.zeros(days, dtype=np.int64)
    k = int(counts.sum())
    if k == 0:
        return counts
    n_cells = len(cum)
    cells = np.searchsorted(cum, rng.random(k) * total, side="right")
    np.minimum(cells, n_cells - 1, out=cells)
    # Cases of a day in (building, category) order, days in turn.
    keyed = np.sort(np.repeat(np.arange(days) * n_cells, counts) + cells)
    day_of, cells = np.divmod(keyed, n_cells)
    b, c = np.divmod(cells, rates.shape[1])
    size = world.b_size[b]
    local_a = (rng.random(k) * size).astype(np.int64)
    shift = 1 + (rng.random(k) * np.maximum(size - 1, 1)).astype(np.int64)
    hh_a = world.b_start[b] + local_a
    hh_b = world.b_start[b] + (local_a + shift) % np.maximum(size, 1)
    intractable = rng.random(k) < spec.intractable_share
    mean = np.where(intractable, spec.intractable_difficulty, difficulty[c])
    d = np.clip(mean + rng.normal(0.0, spec.difficulty_sd, k), 0.0, spec.max_difficulty)
    book.stage(
        first_day + day_of,
        category=c,
        building=b,
        compound=world.b_compound[b],
        hh_a=hh_a,
        hh_b=hh_b,
        difficulty=d,
        intractable=intractable,
    )
    return counts
