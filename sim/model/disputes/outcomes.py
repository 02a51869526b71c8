"""One mediation attempt and its consequences: success chance, agenda, trust feedback."""

from __future__ import annotations

import numpy as np

from sim.model.disputes.book import RESOLVED, DisputeBook


def success_chance(
    book: DisputeBook,
    idx: np.ndarray,
    trust: np.ndarray,
    scale: float,
    strength: np.ndarray | float,
    day: int,
    entrenchment_days: float,
    trust_base: float = 0.5,
    max_success: float = 0.98,
) -> np.ndarray:
    """Chance that one mediation attempt settles each case.

    Rises with mediator strength and the parties' trust; falls with difficulty and with age
    (entrenchment):
    ``scale x strength x (1 - difficulty) x exp(-age / T) x (trust_base + trust)``, at most
    ``max_success``.
    """
    age = day - book.opened[idx]
    parties_trust = 0.5 * (trust[book.hh_a[idx]] + trust[book.hh_b[idx]])
    p = (
        scale
        * strength
        * (1.0 - book.difficulty[idx])
        * np.exp(-age / entrenchment_days)
        * (trust_base + parties_trust)
    )
    return np.clip(p, 0.0, max_success)


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
