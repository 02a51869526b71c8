"""Neighbour disputes: arrival, reporting and discovery, the mediation ladder, escalation.

All cases live in one growable column store (:class:`DisputeBook`); each day's work is a few
numpy operations over the open cases. Levels: 0 neighbours settle themselves, 1 building
(building leader / party group, or the property firm for property cases), 2 compound council,
3 community joint or ad-hoc meeting ("disputes do not leave the building, do not leave the
community" [Kening], [Fugu]). Cases that age out fail (petition or court, facts.md section 6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.world import World
from sim.scenario import Scenario

OPEN, RESOLVED, FAILED = 0, 1, 2
LEVELS = ("L0", "L1", "L2", "L3")
RENTER_CATEGORIES = ("noise", "hygiene", "renovation")


class DisputeBook:
    """Column store of every dispute; arrays grow by doubling."""

    _fields = {
        "category": np.int8,
        "building": np.int32,
        "compound": np.int32,
        "hh_a": np.int32,
        "hh_b": np.int32,
        "difficulty": np.float64,
        "opened": np.int32,
        "level": np.int8,
        "level_since": np.int32,
        "reported_day": np.int32,
        "status": np.int8,
        "outcome_day": np.int32,
        "max_level": np.int8,
    }

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        for name, dtype in self._fields.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))

    def _grow(self, extra: int) -> None:
        cap = len(self.status)
        if self.n + extra <= cap:
            return
        new_cap = max(cap * 2, self.n + extra)
        for name in self._fields:
            old = getattr(self, name)
            arr = np.zeros(new_cap, dtype=old.dtype)
            arr[: self.n] = old[: self.n]
            setattr(self, name, arr)

    def add(self, day: int, **cols: np.ndarray) -> None:
        """Open new cases; ``cols`` gives category, building, compound, hh_a, hh_b, difficulty."""
        k = len(cols["category"])
        if k == 0:
            return
        self._grow(k)
        s = slice(self.n, self.n + k)
        for name, values in cols.items():
            getattr(self, name)[s] = values
        self.opened[s] = day
        self.level[s] = 0
        self.level_since[s] = day
        self.reported_day[s] = -1
        self.status[s] = OPEN
        self.outcome_day[s] = -1
        self.max_level[s] = 0
        self.n += k

    def open_cases(self, level: int | None = None) -> np.ndarray:
        """Indices of open cases, optionally at one level."""
        mask = self.status[: self.n] == OPEN
        if level is not None:
            mask &= self.level[: self.n] == level
        return np.flatnonzero(mask)

    def move(self, idx: np.ndarray, level: np.ndarray | int, day: int) -> None:
        """Move cases to a (higher) level."""
        self.level[idx] = level
        self.level_since[idx] = day
        self.max_level[idx] = np.maximum(self.max_level[idx], self.level[idx])

    def close(self, idx: np.ndarray, status: int, day: int) -> None:
        """Resolve or fail cases at their current level."""
        self.status[idx] = status
        self.outcome_day[idx] = day

    def frame(self, category_names: list[str]) -> pd.DataFrame:
        """All cases as a DataFrame (one row a dispute)."""
        n = self.n
        status = np.array(["open", "resolved", "failed"])[self.status[:n]]
        return pd.DataFrame(
            {
                "dispute": np.arange(n),
                "category": pd.Categorical.from_codes(self.category[:n], category_names),
                "building": self.building[:n],
                "compound": self.compound[:n],
                "household_a": self.hh_a[:n],
                "household_b": self.hh_b[:n],
                "difficulty": self.difficulty[:n],
                "day_opened": self.opened[:n],
                "day_reported": self.reported_day[:n],
                "status": status,
                "level": self.level[:n],
                "highest_level": self.max_level[:n],
                "day_outcome": self.outcome_day[:n],
            }
        )


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
    mult[:, prop] *= 1.5 - quality
    return base * mult


def arrive(
    book: DisputeBook,
    rates: np.ndarray,
    world: World,
    difficulty: np.ndarray,
    difficulty_sd: float,
    rng: np.random.Generator,
    day: int,
) -> int:
    """Draw today's new disputes by building and category; returns how many opened."""
    counts = rng.poisson(rates)
    b, c = np.nonzero(counts)
    if len(b) == 0:
        return 0
    reps = counts[b, c]
    b = np.repeat(b, reps)
    c = np.repeat(c, reps)
    size = world.b_size[b]
    local_a = (rng.random(len(b)) * size).astype(np.int64)
    shift = 1 + (rng.random(len(b)) * np.maximum(size - 1, 1)).astype(np.int64)
    hh_a = world.b_start[b] + local_a
    hh_b = world.b_start[b] + (local_a + shift) % np.maximum(size, 1)
    d = np.clip(difficulty[c] + rng.normal(0.0, difficulty_sd, len(b)), 0.0, 0.98)
    book.add(
        day,
        category=c,
        building=b,
        compound=world.b_compound[b],
        hh_a=hh_a,
        hh_b=hh_b,
        difficulty=d,
    )
    return len(b)


def success_chance(
    book: DisputeBook,
    idx: np.ndarray,
    trust: np.ndarray,
    scale: float,
    strength: np.ndarray | float,
    day: int,
    entrenchment_days: float,
) -> np.ndarray:
    """Chance that one mediation attempt settles each case.

    Rises with mediator strength and the parties' trust; falls with difficulty and with age
    (entrenchment). ``scale x strength x (1 - difficulty) x exp(-age / T) x (0.5 + trust)``.
    """
    age = day - book.opened[idx]
    parties_trust = 0.5 * (trust[book.hh_a[idx]] + trust[book.hh_b[idx]])
    p = (
        scale
        * strength
        * (1.0 - book.difficulty[idx])
        * np.exp(-age / entrenchment_days)
        * (0.5 + parties_trust)
    )
    return np.clip(p, 0.0, 0.98)


def agenda(book: DisputeBook, idx: np.ndarray, per_compound: np.ndarray | int) -> np.ndarray:
    """The oldest cases of each compound, up to its agenda size (FIFO by day opened)."""
    if len(idx) == 0:
        return idx
    order = np.lexsort((idx, book.opened[idx], book.compound[idx]))
    s = idx[order]
    comp = book.compound[s]
    starts = np.flatnonzero(np.r_[True, comp[1:] != comp[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(s)]))
    rank = np.arange(len(s)) - group_start
    limit = per_compound[comp] if isinstance(per_compound, np.ndarray) else per_compound
    return s[rank < limit]


def mediate(
    book: DisputeBook,
    idx: np.ndarray,
    chance: np.ndarray,
    rng: np.random.Generator,
    day: int,
) -> np.ndarray:
    """One mediation attempt on each case; closes the successes and returns them."""
    won = idx[rng.random(len(idx)) < chance]
    book.close(won, RESOLVED, day)
    return won


def update_trust(trust: np.ndarray, households: np.ndarray, target: float, rate: float) -> None:
    """Trust feedback: move the households' trust a share ``rate`` of the way to ``target``."""
    if rate and len(households):
        trust[households] += rate * (target - trust[households])
