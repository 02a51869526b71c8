"""The meeting calendar, attendance and the meeting log.

Councils (议事会, "逢四说事" every Thursday [Kening]) meet per compound; joint meetings (联席会议)
with the property firm and owners' committee monthly [Xuanwu], on the second week's meeting day
like Aoyuan's patrol-and-study day [Aoyuan]; ad-hoc one-issue meetings (一事一议) [Xuanwu] are
called when a case has waited at community level too long, or for a project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.scenario.schema import Meetings

COUNCIL, JOINT, ADHOC = "council", "joint", "adhoc"


def meeting_days(per_month: float, weekday: int, start: dt.date, days: int, offset_weeks: int = 0):
    """Days (0-based) of a recurring meeting.

    A "month" is four weeks, so 4 a month is weekly on ``weekday``, 2 fortnightly, 1 every four
    weeks and 8 twice a week; meetings are evenly spaced from the first ``weekday``.

    Args:
        per_month: meetings per four-week month (0: none).
        weekday: 0 Monday ... 6 Sunday.
        start: date of day 0.
        days: simulated days.
        offset_weeks: weeks to wait before the first meeting.

    Returns:
        Sorted unique int array of meeting days.
    """
    if per_month <= 0:
        return np.zeros(0, dtype=np.int64)
    first = (weekday - start.weekday()) % 7 + 7 * offset_weeks
    spacing = 28.0 / per_month
    count = int(np.ceil((days - first) / spacing)) + 1
    out = first + np.round(np.arange(max(count, 0)) * spacing).astype(np.int64)
    return np.unique(out[(out >= 0) & (out < days)])


@dataclass
class Calendar:
    """Which days have councils and joint meetings (the same for every compound)."""

    council: np.ndarray
    joint: np.ndarray
    is_council: np.ndarray = field(init=False)
    is_joint: np.ndarray = field(init=False)
    days: int = 0

    def __post_init__(self) -> None:
        self.is_council = np.zeros(self.days, dtype=bool)
        self.is_council[self.council] = True
        self.is_joint = np.zeros(self.days, dtype=bool)
        self.is_joint[self.joint] = True

    @classmethod
    def from_spec(cls, spec: Meetings, start: dt.date, days: int) -> Calendar:
        """Build the calendar of a scenario's meetings section."""
        council = meeting_days(spec.council_per_month, spec.weekday, start, days)
        joint = meeting_days(spec.joint_per_month, spec.weekday, start, days, offset_weeks=1)
        return cls(council=council, joint=joint, days=days)


def draw_attendance(
    rng: np.random.Generator | np.ndarray,
    participation: np.ndarray,
    trust: np.ndarray,
    members: np.ndarray,
    scale: float,
    trust_base: float,
) -> np.ndarray:
    """Draw who attends: chance = participation x (trust_base + trust) x scale, capped at 1.

    Args:
        rng: a generator, or one uniform number per member (keyed draws).
        participation: per-household propensity.
        trust: per-household trust.
        members: indices of the households invited.
        scale: lowers attendance at representative meetings (joint, ad hoc).
        trust_base: attendance factor without trust (``meetings.attendance_trust_base``).

    Returns:
        Indices of the attending households.
    """
    p = np.minimum(participation[members] * (trust_base + trust[members]) * scale, 1.0)
    u = rng if isinstance(rng, np.ndarray) else rng.random(len(members))
    return members[u < p]


# The meeting log's columns, in the order of the ``meetings`` table.
LOG_COLUMNS = (
    "day",
    "kind",
    "compound",
    "community",
    "scope",
    "attendance",
    "party_attendance",
    "items",
    "resolved",
)
_TEXT_COLUMNS = ("kind", "scope")


class MeetingLog:
    """Append-only record of every meeting held: one row per body that met, kept by column.

    Each call appends a block of rows (one meeting of many compounds at once), so a district's
    thousands of council rows cost a few array copies, not a dictionary each.
    """

    def __init__(self) -> None:
        self._blocks: list[dict[str, np.ndarray]] = []
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def record_bodies(
        self, day: int, kind: str, bodies: np.ndarray, community: np.ndarray, **counts
    ) -> None:
        """Record a dispute meeting of each body that met (a council, a joint or ad-hoc meeting).

        Councils are a compound's (``COUNCIL``); joint and ad-hoc meetings a community's.

        Args:
            day: the day.
            kind: ``COUNCIL``, ``JOINT`` or ``ADHOC``.
            bodies: the compounds (council) or communities that met.
            community: each body's community.
            counts: arrays indexed by body (attendance, party attendance, items, resolved).
        """
        k, council = len(bodies), kind == COUNCIL
        block = {
            "day": np.full(k, day, dtype=np.int64),
            "kind": np.full(k, kind, dtype=object),
            "compound": np.asarray(bodies, dtype=np.int64) if council else np.full(k, -1),
            "scope": np.full(k, "compound" if council else "community", dtype=object),
            "community": np.asarray(community, dtype=np.int64),
        }
        block.update({name: np.asarray(v[bodies], dtype=np.int64) for name, v in counts.items()})
        self._append(k, block)

    def record_compounds(
        self, day: int, kind: str, scope: str, compounds: np.ndarray, **counts: np.ndarray
    ) -> None:
        """Record one row per compound of ``compounds`` (a project discussed in each).

        Args:
            day: the day.
            kind: the meeting kind.
            scope: what was discussed (``project:<name>``).
            compounds: the compounds.
            counts: ``community`` and the counters, one value per compound.
        """
        k = len(compounds)
        block = {
            "day": np.full(k, day, dtype=np.int64),
            "kind": np.full(k, kind, dtype=object),
            "compound": np.asarray(compounds, dtype=np.int64),
            "scope": np.full(k, scope, dtype=object),
        }
        block.update({name: np.asarray(v, dtype=np.int64) for name, v in counts.items()})
        self._append(k, block)

    def _append(self, k: int, block: dict[str, np.ndarray]) -> None:
        if k:
            self._blocks.append(block)
            self._n += k

    def frame(self) -> pd.DataFrame:
        """Every meeting row as a DataFrame (columns :data:`LOG_COLUMNS`)."""
        if not self._blocks:  # the same columns and types as a log with rows
            return pd.DataFrame({c: np.array([], dtype=_dtype(c)) for c in LOG_COLUMNS})
        return pd.DataFrame({c: np.concatenate([b[c] for b in self._blocks]) for c in LOG_COLUMNS})

    @property
    def rows(self) -> list[dict]:
        """Every meeting row as a dictionary (a view for inspection; built when asked)."""
        return self.frame().to_dict("records")


def _dtype(column: str) -> type:
    return object if column in _TEXT_COLUMNS else np.int64
