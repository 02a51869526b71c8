"""One mediation attempt and its consequences: success chance, agenda, trust feedback."""

from __future__ import annotations

import numpy as np

from sim.model.disputes.book import DisputeBook


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
    parties_trust = 0.5 * (trust[book.hh_a[idx]] + trust[book.hh_b[idx]])
    p = scale * strength * (1.0 - book.difficulty[idx])
    if entrenchment_days != np.inf:  # exp(-age / inf) is exactly 1
        p = p * np.exp(-(day - book.opened[idx]) / entrenchment_days)
    p = p * (trust_base + parties_trust)
    np.minimum(p, max_success, out=p)  # np.clip's bounds, without its Python-level wrapper
    return np.maximum(p, 0.0, out=p)


def agenda(
    book: DisputeBook,
    idx: np.ndarray,
    limit: np.ndarray | int,
    body: np.ndarray | None = None,
    rule: str = "oldest_first",
    draws: np.ndarray | None = None,
) -> np.ndarray:
    """The cases each body hears, up to its capacity, in the order of the agenda rule.

    Args:
        book: the dispute book.
        idx: the waiting cases.
        limit: capacity per body (array indexed by body) or one number for all.
        body: the body (compound, community) of each case in ``idx``; default its compound.
        rule: ``oldest_first`` (by day opened), ``most_tractable_first`` (least difficult
            first) or ``random`` (by ``draws``).
        draws: one uniform number per case of ``idx`` (for ``random``).

    Returns:
        The cases taken up, grouped by body.
    """
    if len(idx) == 0:
        return idx
    body = book.compound[idx] if body is None else body
    if rule == "oldest_first":
        key = book.opened[idx]
    elif rule == "most_tractable_first":
        key = book.difficulty[idx]
    elif rule == "random":
        key = draws
    else:
        raise ValueError(f"unknown agenda rule {rule!r}")
    order = np.lexsort((idx, key, body))
    s, g = idx[order], body[order]
    new_group = np.empty(len(g), dtype=bool)
    new_group[0] = True
    np.not_equal(g[1:], g[:-1], out=new_group[1:])
    # Rank inside its body: position minus the position where the body's group starts.
    position = np.arange(len(s))
    rank = position - np.maximum.accumulate(np.where(new_group, position, 0))
    cap = limit[g] if isinstance(limit, np.ndarray) else limit
    return s[rank < cap]


def update_trust(trust: np.ndarray, households: np.ndarray, target: float, rate: float) -> None:
    """Trust feedback: move the households' trust a share ``rate`` of the way to ``target``."""
    if rate and len(households):
        trust[households] += rate * (target - trust[households])
