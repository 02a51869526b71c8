"""The case book: one growable column store of every dispute (one row a case)."""

from __future__ import annotations

import numpy as np
import pandas as pd

OPEN, RESOLVED, REFERRED, DROPPED, EXPIRED = range(5)
OUTCOMES = ("open", "resolved", "referred", "dropped", "expired")
LEVELS = ("L0", "L1", "L2", "L3")


class DisputeBook:
    """Column store of every dispute; arrays grow by doubling. Rows are only ever appended."""

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
        "outcome_level": np.int8,
        "intractable": np.bool_,
        "attempts": np.int16,
        "hearings": np.int16,
    }

    # What a new case holds before anything happens to it (every other field starts at 0, and
    # status 0 is OPEN); rows are filled with these when the book grows, so ``add`` sets only
    # the fields that differ from case to case.
    _new_case = {"reported_day": -1, "outcome_day": -1, "outcome_level": -1}

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self.staged = 0  # rows after ``n`` holding cases that have not arrived yet
        # The open cases, kept apart so the day's steps do not scan every case ever opened (a
        # book grows all run long while few cases are open at once); ``close`` marks it stale.
        self._open = np.zeros(0, dtype=np.int64)
        self._stale = False
        self.version = 0  # changes whenever a case opens or closes (for views cached on it)
        for name, dtype in self._fields.items():
            setattr(self, name, np.full(capacity, self._new_case.get(name, 0), dtype=dtype))

    def _grow(self, extra: int) -> None:
        cap, used = len(self.status), self.n + self.staged
        if used + extra <= cap:
            return
        new_cap = max(cap * 2, used + extra)
        for name in self._fields:
            old = getattr(self, name)
            arr = np.full(new_cap, self._new_case.get(name, 0), dtype=old.dtype)
            arr[:used] = old[:used]
            setattr(self, name, arr)

    def stage(self, opened: np.ndarray, **cols: np.ndarray) -> None:
        """Write cases that arrive later (on their ``opened`` days, in order) after the book.

        Args:
            opened: the day each case arrives (non-decreasing).
            cols: category, building, compound, hh_a, hh_b, difficulty, intractable.
        """
        k = len(opened)
        if k == 0:
            return
        self._grow(k)
        s = slice(self.n + self.staged, self.n + self.staged + k)
        for name, values in cols.items():
            getattr(self, name)[s] = values
        self.opened[s] = opened
        self.level_since[s] = opened
        self.staged += k

    def reveal(self, k: int) -> None:
        """Open the next ``k`` staged cases (today's arrivals)."""
        if k <= 0:
            return
        if k > self.staged:
            raise ValueError(f"only {self.staged} staged cases, {k} asked for")
        self._open = np.concatenate([self._open, np.arange(self.n, self.n + k)])
        self.n += k
        self.staged -= k
        self.version += 1

    def add(self, day: int, **cols: np.ndarray) -> None:
        """Open new cases today (``cols``: category, building, compound, hh_a, hh_b...)."""
        if self.staged:
            raise ValueError("cases are staged for later days: stage new ones after them")
        k = len(cols["category"])
        self.stage(np.full(k, day), **cols)
        self.reveal(k)

    def open_cases(self, level: int | None = None) -> np.ndarray:
        """Indices of open cases (ascending), optionally at one level."""
        if self._stale:
            self._open = self._open[self.status[self._open] == OPEN]
            self._stale = False
        if level is None:
            return self._open.copy()
        return self._open[self.level[self._open] == level]

    def move(self, idx: np.ndarray, level: np.ndarray | int, day: int) -> None:
        """Move cases to a (higher) level."""
        self.level[idx] = level
        self.level_since[idx] = day
        self.max_level[idx] = np.maximum(self.max_level[idx], self.level[idx])

    def close(self, idx: np.ndarray, status: int, day: int, level: int = -1) -> None:
        """Close cases with an outcome (``level``: the level that resolved them)."""
        self.status[idx] = status
        self._stale = True
        self.version += 1
        self.outcome_day[idx] = day
        self.outcome_level[idx] = level

    def frame(self, category_names: list[str]) -> pd.DataFrame:
        """All cases as a DataFrame (one row a dispute)."""
        n = self.n
        status = np.array(OUTCOMES)[self.status[:n]]
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
                "resolved_level": self.outcome_level[:n],
                "intractable": self.intractable[:n],
                "mediation_attempts": self.attempts[:n],
                "meeting_hearings": self.hearings[:n],
            }
        )
