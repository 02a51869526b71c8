"""Opinion-update kernels and the model's deliberation steps built from them.

The three classic kernels stand alone on numpy arrays and are checked against published
results in the tests:

* :func:`deffuant` - bounded confidence with random pair encounters (Deffuant et al. 2000);
* :func:`hegselmann_krause` - synchronous bounded confidence (Hegselmann & Krause 2002);
* :func:`degroot` - repeated weighted averaging (DeGroot 1974).

The model uses them in meetings (party members as credible, stubborn speakers), in weekly
diffusion over social ties, and in party members' door-to-door canvassing [Yongyuan-41].
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

# Ties handled at once by :func:`diffuse` (a block of rows; about 1 MB per float temporary).
TIE_BLOCK = 1 << 17


def deffuant(
    x: np.ndarray, epsilon: float, mu: float, sweeps: int, rng: np.random.Generator
) -> np.ndarray:
    """Deffuant-Weisbuch bounded confidence on a complete graph.

    Each sweep makes ``len(x)`` pair encounters: two random perfect matchings of the agents,
    each pair updated at once (pairs in a matching are disjoint, so this is exact). A pair
    closer than ``epsilon`` moves each opinion a share ``mu`` towards the other.

    Args:
        x: opinions in [0, 1] (not modified).
        epsilon: confidence bound.
        mu: convergence parameter in (0, 0.5].
        sweeps: number of sweeps.
        rng: random generator.

    Returns:
        The final opinions.
    """
    x = np.array(x, dtype=float)
    everyone = np.arange(len(x))
    one_group = np.zeros(len(x), dtype=np.int64)
    for _ in range(2 * sweeps):
        pair_encounters(x, everyone, one_group, epsilon, mu, rng)
    return x


def pair_encounters(
    x: np.ndarray,
    members: np.ndarray,
    groups: np.ndarray,
    epsilon,
    mu: float,
    rng: np.random.Generator,
    movable: np.ndarray | None = None,
) -> None:
    """One Deffuant round, in place: a random perfect matching inside each group.

    A pair closer than the bound (the smaller of the two where bounds differ) moves each
    movable member a share ``mu`` towards the other. Pairs are disjoint, so the update is exact.

    Args:
        x: opinions of everyone (changed in place).
        members: indices into ``x`` of those taking part.
        groups: group id of each member (pairs never cross groups).
        epsilon: confidence bound, a number or one per member.
        mu: convergence parameter.
        rng: random generator.
        movable: per member, whether its opinion may move (default: all).
    """
    n = len(members)
    if n < 2:
        return
    order = np.lexsort((rng.random(n), groups))
    g = groups[order]
    start = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    size = np.diff(np.r_[start, n])
    pos = np.arange(n)
    rank = pos - np.repeat(start, size)
    first = (rank % 2 == 0) & (pos + 1 < np.repeat(start + size, size))
    a = order[first]
    b = order[np.flatnonzero(first) + 1]
    eps = np.minimum(epsilon[a], epsilon[b]) if np.ndim(epsilon) else epsilon
    diff = x[members[b]] - x[members[a]]
    step = mu * diff * (np.abs(diff) < eps)
    move_a = 1.0 if movable is None else movable[a]
    move_b = 1.0 if movable is None else movable[b]
    xa = x[members[a]] + step * move_a
    xb = x[members[b]] - step * move_b
    x[members[a]] = xa
    x[members[b]] = xb


def hegselmann_krause(
    x: np.ndarray, epsilon: float, max_steps: int, tol: float = 1e-9
) -> tuple[np.ndarray, int]:
    """Hegselmann-Krause bounded confidence, synchronous, on a complete graph.

    Every agent moves to the mean opinion of all agents within ``epsilon`` (itself included).
    Uses sorting and prefix sums, O(n log n) a step.

    Args:
        x: opinions (not modified).
        epsilon: confidence bound.
        max_steps: most steps to take.
        tol: stop when no opinion moves more than this.

    Returns:
        ``(x, steps)``: the final opinions and the steps taken.
    """
    x = np.array(x, dtype=float)
    steps = 0
    for steps in range(1, max_steps + 1):  # noqa: B007 - steps is returned
        order = np.argsort(x, kind="stable")
        s = x[order]
        prefix = np.concatenate([[0.0], np.cumsum(s)])
        lo = np.searchsorted(s, s - epsilon, side="left")
        hi = np.searchsorted(s, s + epsilon, side="right")
        new = np.empty_like(x)
        new[order] = (prefix[hi] - prefix[lo]) / (hi - lo)
        moved = np.max(np.abs(new - x)) if len(x) else 0.0
        x = new
        if moved <= tol:
            break
    return x, steps


def degroot(T, b0: np.ndarray, steps: int) -> np.ndarray:
    """DeGroot averaging: ``b(t+1) = T b(t)`` for ``steps`` steps.

    Args:
        T: row-stochastic matrix (dense array or scipy sparse).
        b0: initial beliefs.
        steps: number of steps.

    Returns:
        The beliefs after ``steps`` steps.
    """
    b = np.array(b0, dtype=float)
    for _ in range(steps):
        b = T @ b
    return np.asarray(b)


def diffuse(
    x: np.ndarray,
    ties: sp.csr_matrix,
    epsilon: np.ndarray,
    rate: float,
    cols: np.ndarray | None = None,
) -> np.ndarray:
    """One round of bounded-confidence averaging over weighted social ties.

    Each household moves a share ``rate`` towards the tie-weighted mean of its neighbours whose
    opinion lies within its own confidence bound (a DeGroot step restricted as in
    Hegselmann-Krause). Vectorised over the CSR structure; deterministic.

    Args:
        x: opinions (not modified).
        ties: symmetric weighted adjacency (CSR).
        epsilon: per-household confidence bound (``inf`` everywhere: no bound).
        rate: share of the way moved per round.
        cols: ``ties.indices`` as ``np.intp``, for callers that diffuse over the same ties
            every week (numpy converts 32-bit indices on every gather otherwise: ~10% of a
            call on Xuanwu's 880k ties, 6.7 -> 6.0 ms). The blocks' own matrices keep the
            32-bit indices, which scipy would convert back to anyway.

    Returns:
        New opinions (a copy of ``x`` at rate 0: ``x + 0 (target - x)`` is ``x`` exactly, so
        no product is needed).
    """
    if rate == 0:
        return x.copy()
    if np.all(np.isposinf(epsilon)):
        # No bound: a plain tie-weighted average, one sparse product.
        den = np.asarray(ties.sum(axis=1)).ravel()
        target = np.divide(ties @ x, den, out=x.copy(), where=den > 0)
        return x + rate * (target - x)
    # Ties within the bound keep their weight, the others count zero; then one sparse product
    # each for the weighted sum and the weight (row sums in stored order, as a bincount would).
    # Done on blocks of rows of about TIE_BLOCK ties so the per-tie temporaries stay in cache
    # (a row's sums do not depend on the other rows: the same numbers as all rows at once).
    n = len(x)
    indptr, indices, data = ties.indptr, ties.indices, ties.data
    if cols is None:
        cols = indices.astype(np.intp)
    num, den, ones = np.empty(n), np.empty(n), np.ones(n)
    bounds = np.searchsorted(indptr, np.arange(0, indptr[-1], TIE_BLOCK), side="right") - 1
    bounds = np.unique(np.r_[0, bounds, n])  # every row in one block
    for r0, r1 in zip(bounds[:-1], bounds[1:], strict=True):
        a, b = indptr[r0], indptr[r1]
        counts = np.diff(indptr[r0 : r1 + 1])
        gap = x.take(cols[a:b])
        gap -= np.repeat(x[r0:r1], counts)
        np.abs(gap, out=gap)
        within = gap <= np.repeat(epsilon[r0:r1], counts)
        shape = (r1 - r0, n)
        block = sp.csr_matrix((data[a:b] * within, indices[a:b], indptr[r0 : r1 + 1] - a), shape)
        num[r0:r1] = block @ x
        den[r0:r1] = block @ ones
    target = np.divide(num, den, out=x.copy(), where=den > 0)
    return x + rate * (target - x)


def anchor(x: np.ndarray, interest: np.ndarray, weight: float) -> np.ndarray:
    """Friedkin-Johnsen stubbornness: move a share ``weight`` back towards own interest."""
    return x + weight * (interest - x)


def meeting_update(
    x: np.ndarray,
    attendees: np.ndarray,
    groups: np.ndarray,
    credible: np.ndarray,
    epsilon: np.ndarray,
    mu: float,
    credibility: float,
    rng: np.random.Generator,
) -> None:
    """Opinion update inside meetings, in place.

    Within each group of attendees (one meeting), ordinary attendees first talk in Deffuant
    pairs (:func:`pair_encounters`, the kernel of :func:`deffuant`), then move towards the
    mean of the credible speakers present (party members) if that mean lies within their bound
    widened by ``credibility``. Credible speakers are stubborn: they do not move.

    Args:
        x: opinions of all households (changed in place).
        attendees: household indices present.
        groups: meeting id of each attendee (same length).
        credible: per-attendee flag of a credible, stubborn speaker.
        epsilon: per-attendee confidence bound.
        mu: convergence parameter.
        credibility: factor widening the bound towards credible speakers.
        rng: random generator.
    """
    if len(attendees) == 0:
        return
    ordinary = ~credible
    pair_encounters(x, attendees, groups, epsilon, mu, rng, movable=ordinary)
    # Credible speakers' pull.
    n_groups = int(groups.max()) + 1
    cnt = np.bincount(groups[credible], minlength=n_groups)
    tot = np.bincount(groups[credible], x[attendees[credible]], minlength=n_groups)
    has = cnt[groups] > 0
    mean = np.divide(tot, cnt, out=np.zeros(n_groups), where=cnt > 0)[groups]
    own = x[attendees]
    pull = has & ordinary & (np.abs(mean - own) < epsilon * credibility)
    x[attendees[pull]] = own[pull] + mu * (mean[pull] - own[pull])
