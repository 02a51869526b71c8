"""The building network and the households' social ties (built once, with the world).

Buildings of a compound are laid on a square grid (or placed by their map coordinates, then
linked to their nearest neighbours); consecutive compounds get a few random links. Household
ties form a symmetric weighted CSR matrix: complete inside a unit, random ties inside the
building, weak ties to households of adjacent buildings (counts and weights: the scenario's
``ties``).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import scipy.sparse as sp

from sim.scenario import Scenario
from sim.scenario.structure import Ties


def link_nearest(graph: nx.Graph, pos: np.ndarray, b_comp: np.ndarray, nearest: int) -> None:
    """Replace the grid adjacency by geography: link each building to its nearest neighbours.

    ``nearest`` (``ties.nearest_buildings``) buildings of the same compound.
    """
    from scipy.spatial import cKDTree

    graph.remove_edges_from([(a, b) for a, b, k in graph.edges(data="kind") if k == "adjacent"])
    for c in np.unique(b_comp):
        idx = np.flatnonzero(b_comp == c)
        if len(idx) < 2:
            continue
        k = min(nearest, len(idx) - 1)
        _, near = cKDTree(pos[idx]).query(pos[idx], k=k + 1)
        for i, row in enumerate(np.atleast_2d(near)):
            for j in row[1:]:
                graph.add_edge(int(idx[i]), int(idx[j]), kind="adjacent")


def building_network(
    scenario: Scenario,
    rng: np.random.Generator,
    b_comp: np.ndarray,
    b_size: np.ndarray,
    n_comp: int,
) -> tuple[np.ndarray, nx.Graph]:
    """Lay buildings on a grid per compound; link physical neighbours and nearby compounds."""
    n_b = len(b_comp)
    comp_cols = max(1, math.ceil(math.sqrt(n_comp)))
    # Buildings compound by compound (as numbered); j: place in the compound, row-major.
    order = np.argsort(b_comp, kind="stable")
    counts = np.bincount(b_comp, minlength=n_comp)
    if n_comp and counts.min() == 0:
        raise ValueError("every compound needs at least one building")
    first = np.cumsum(counts) - counts
    j = np.arange(n_b) - np.repeat(first, counts)
    cols = np.maximum(1, np.ceil(np.sqrt(counts))).astype(np.int64)
    c_of, cols_of = b_comp[order].astype(np.int64), np.repeat(cols, counts)
    pos = np.zeros((n_b, 2))
    pos[order, 0] = (c_of % comp_cols) * (cols_of + 2.0) + j % cols_of
    pos[order, 1] = (c_of // comp_cols) * (cols_of + 2.0) + j // cols_of
    graph = nx.Graph()
    graph.add_nodes_from(
        (b, {"compound": c, "households": h})
        for b, c, h in zip(order.tolist(), c_of.tolist(), b_size[order].tolist(), strict=True)
    )
    # Each building links to its left, then its upper neighbour in the compound's grid.
    p = np.arange(n_b)
    left = np.where(j % cols_of > 0, p - 1, -1)
    up = np.where(j >= cols_of, p - cols_of, -1)
    src = np.repeat(p, 2)
    dst = np.column_stack([left, up]).ravel()
    has = dst >= 0
    graph.add_edges_from(
        zip(order[src[has]].tolist(), order[dst[has]].tolist(), strict=True), kind="adjacent"
    )
    firsts = order[first].tolist()
    lasts = order[first + counts - 1].tolist()
    for c in range(n_comp - 1):
        for _ in range(scenario.inter_compound_links):
            a = int(rng.integers(firsts[c], lasts[c] + 1))
            b = int(rng.integers(firsts[c + 1], lasts[c + 1] + 1))
            graph.add_edge(a, b, kind="between_compounds")
    return pos, graph


def random_ties(
    rng: np.random.Generator,
    hh_building: np.ndarray,
    b_start: np.ndarray,
    b_size: np.ndarray,
    graph: nx.Graph,
    spec: Ties,
) -> sp.csr_matrix:
    """The drawn part of the ties: random ones in the building, weak ones next door.

    Symmetric CSR with duplicates summed; :func:`with_unit_cliques` adds the unit cliques.

    Args:
        rng: the world's stream (the ties are its last draws).
        hh_building: each household's building.
        b_start: each building's first household.
        b_size: each building's households.
        graph: the building network (weak ties follow its edges).
        spec: the scenario's ``ties`` (counts and weights).
    """
    n = len(hh_building)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    # Random ties inside the building.
    size_b = b_size[hh_building]
    has_peer = size_b > 1
    for _ in range(spec.building_ties):
        hh = np.flatnonzero(has_peer)
        shift = 1 + (rng.random(len(hh)) * (size_b[hh] - 1)).astype(np.int64)
        local = hh - b_start[hh_building[hh]]
        other = b_start[hh_building[hh]] + (local + shift) % size_b[hh]
        rows.append(hh)
        cols.append(other)
        vals.append(np.full(len(hh), spec.building_weight))
    # Weak ties across an adjacent building.
    if graph.number_of_edges() and spec.weak_ties:
        edges = np.array(graph.edges(), dtype=np.int64)
        both = np.concatenate([edges, edges[:, ::-1]])
        both = both[np.argsort(both[:, 0], kind="stable")]
        deg = np.bincount(both[:, 0], minlength=len(b_size))
        ptr = np.cumsum(deg) - deg
    for _ in range(spec.weak_ties if graph.number_of_edges() else 0):
        hh = np.flatnonzero(deg[hh_building] > 0)
        b = hh_building[hh]
        pick = ptr[b] + (rng.random(len(hh)) * deg[b]).astype(np.int64)
        nb = both[pick, 1]
        nb_ok = b_size[nb] > 0
        hh, nb = hh[nb_ok], nb[nb_ok]
        other = b_start[nb] + (rng.random(len(hh)) * b_size[nb]).astype(np.int64)
        rows.append(hh)
        cols.append(other)
        vals.append(np.full(len(hh), spec.weak_weight))
    if rows:
        r = np.concatenate(rows)
        c = np.concatenate(cols)
        v = np.concatenate(vals)
        off_diagonal = r != c
        r, c, v = r[off_diagonal], c[off_diagonal], v[off_diagonal]
        data = (np.concatenate([v, v]), (np.concatenate([r, c]), np.concatenate([c, r])))
        return sp.coo_matrix(data, shape=(n, n)).tocsr()  # duplicates summed
    return sp.csr_matrix((n, n))


def with_unit_cliques(
    hh_unit: np.ndarray, random_ties: sp.csr_matrix, unit_weight: float
) -> sp.csr_matrix:
    """Add complete unit cliques (weight ``unit_weight``) to the random ties; cap sums at it.

    Duplicates sum, capped at the unit weight (``ties.unit_weight``), so a unit tie stays it.
    Households are numbered unit by unit (see :func:`build_world`): each row's unit block is
    one contiguous run of columns, and the random ties of the row fall before or after it. The
    canonical CSR is then laid out directly, entry by entry, without sorting the tens of
    millions of unit ties a city has; any other numbering falls back to a sparse sum.
    """
    n = len(hh_unit)
    if n == 0 or np.any(np.diff(hh_unit) < 0):
        m = (unit_cliques(hh_unit, unit_weight) + random_ties).tocsr()
        m.data = np.minimum(m.data, unit_weight)
        return m
    starts = np.flatnonzero(np.diff(hh_unit, prepend=hh_unit[0] - 1))
    sizes = np.diff(np.append(starts, n))
    unit_start = np.repeat(starts, sizes)
    u_deg = np.repeat(sizes - 1, sizes)
    # Random ties outside the own unit (inside it the unit tie already has the cap).
    r_row = np.repeat(np.arange(n), np.diff(random_ties.indptr))
    r_col, r_val = random_ties.indices, random_ties.data
    cross = hh_unit[r_row] != hh_unit[r_col]
    r_row, r_col, r_val = r_row[cross], r_col[cross], r_val[cross]
    r_deg = np.bincount(r_row, minlength=n)
    before = np.bincount(r_row[r_col < unit_start[r_row]], minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(u_deg + r_deg, out=indptr[1:])
    nnz = int(indptr[-1])
    itype = np.int32 if max(nnz, n) < 2**31 else np.int64
    indices = np.empty(nnz, dtype=itype)
    data = np.empty(nnz)
    # Unit ties, units grouped by size: row i's block starts after its random ties to lower
    # units; its k-th entry is the k-th other member of the unit.
    block = indptr[:-1] + before
    for size in np.unique(sizes[sizes > 1]):
        first = starts[sizes == size].astype(itype)
        local = np.arange(size - 1)
        others = local[None, :] + (local[None, :] >= np.arange(size)[:, None])
        rows = first[:, None] + np.arange(size, dtype=itype)
        pos = block[rows][:, :, None] + local
        indices[pos.ravel()] = (first[:, None, None] + others.astype(itype)).ravel()
        data[pos.ravel()] = unit_weight
    # Random ties: in column order, jumping over the unit block.
    j = np.arange(len(r_row)) - (np.cumsum(r_deg) - r_deg)[r_row]
    pos = indptr[r_row] + j + np.where(j >= before[r_row], u_deg[r_row], 0)
    indices[pos] = r_col
    data[pos] = np.minimum(r_val, unit_weight)
    return sp.csr_matrix((data, indices, indptr.astype(itype)), shape=(n, n))


def unit_cliques(hh_unit: np.ndarray, weight: float) -> sp.csr_matrix:
    """Complete graph inside each unit (stairwell), weight ``weight``, as a canonical CSR.

    Row ``i`` holds every other member of ``i``'s unit. Households are numbered unit by unit
    (see :func:`build_world`), so the entries come out in CSR order and the matrix is built
    directly, without a sort; any other numbering goes through COO.
    """
    n = len(hh_unit)
    order = np.argsort(hh_unit, kind="stable")
    _, starts, sizes = np.unique(hh_unit[order], return_index=True, return_counts=True)
    degree = np.repeat(sizes - 1, sizes)  # per position in ``order``
    nnz = int(degree.sum())
    itype = np.int32 if max(nnz, n) < 2**31 else np.int64
    start_of = np.repeat(starts, sizes).astype(itype)
    first_entry = np.cumsum(degree) - degree
    row = np.repeat(np.arange(n, dtype=itype), degree)  # position in ``order``
    # Entry k of a row is the k-th other member of its unit, skipping the household itself.
    k = np.arange(nnz, dtype=itype) - np.repeat(first_entry.astype(itype), degree)
    k += k >= row - start_of[row]
    col = order[start_of[row] + k].astype(itype)
    data = np.full(nnz, weight)
    if np.all(order == np.arange(n)):
        indptr = np.zeros(n + 1, dtype=itype)
        np.cumsum(degree, out=indptr[1:])
        return sp.csr_matrix((data, col, indptr), shape=(n, n))
    return sp.coo_matrix((data, (order[row], col)), shape=(n, n)).tocsr()
