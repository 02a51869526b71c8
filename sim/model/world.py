"""The built world: compounds -> buildings -> units -> floors -> households, grids, networks.

Everything is generated from the scenario and the model's numpy generator, so a seed fixes it.
Households are numbered building by building, so each building's households are one contiguous
index range (``b_start[b] : b_start[b] + b_size[b]``); the hot loops rely on that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp

from sim.scenario import Scenario

ROLE_NONE, ROLE_VOLUNTEER, ROLE_BUILDING_LEADER, ROLE_SECRETARY, ROLE_BIG_V = range(5)
ROLE_NAMES = ["none", "volunteer", "building_leader", "branch_secretary", "big_v"]

# Tie weights: dense inside a unit (shared stairwell), sparser in a building, weak across.
TIE_UNIT, TIE_BUILDING, TIE_WEAK = 1.0, 0.5, 0.2


@dataclass
class World:
    """Arrays describing the community; household arrays are the source of truth."""

    compound_names: list[str]
    # households
    hh_building: np.ndarray
    hh_unit: np.ndarray
    hh_floor: np.ndarray
    hh_compound: np.ndarray
    hh_grid: np.ndarray
    hh_area: np.ndarray
    hh_owner: np.ndarray
    hh_elderly: np.ndarray
    trust: np.ndarray
    participation: np.ndarray
    openness: np.ndarray
    role: np.ndarray
    influence: np.ndarray
    # buildings
    b_compound: np.ndarray
    b_start: np.ndarray
    b_size: np.ndarray
    b_floors: np.ndarray
    b_units: np.ndarray
    b_pos: np.ndarray
    # units
    u_building: np.ndarray
    # networks
    ties: sp.csr_matrix
    building_graph: nx.Graph
    n_grids: int
    b_mediator: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.b_mediator = self._building_mediators()

    @property
    def n_households(self) -> int:
        """Number of households."""
        return len(self.hh_building)

    @property
    def n_buildings(self) -> int:
        """Number of buildings."""
        return len(self.b_compound)

    @property
    def n_compounds(self) -> int:
        """Number of compounds."""
        return len(self.compound_names)

    @property
    def party(self) -> np.ndarray:
        """Boolean mask of households with a party member."""
        return self.role != ROLE_NONE

    def _building_mediators(self) -> np.ndarray:
        """Influence of the strongest building-level mediator in each building (0 if none).

        Building leaders, branch secretaries and big-V members mediate inside their building
        (building party groups, [Kening], [Aoyuan]); plain volunteers do not.
        """
        mediating = self.role >= ROLE_BUILDING_LEADER
        out = np.zeros(self.n_buildings)
        np.maximum.at(out, self.hh_building[mediating], self.influence[mediating])
        return out


def build_world(scenario: Scenario, rng: np.random.Generator) -> World:
    """Generate the world for a scenario.

    Args:
        scenario: the validated scenario.
        rng: the model's generator (the only source of randomness).

    Returns:
        The world with households, buildings, grids and networks.
    """
    names: list[str] = []
    b_shapes: list[tuple[int, int, int]] = []
    b_comp: list[int] = []
    keep_masks: list[np.ndarray] = []
    for spec in scenario.compounds:
        shapes = spec.building_shapes()
        for copy in range(spec.count):
            c = len(names)
            names.append(spec.name if spec.count == 1 else f"{spec.name}-{copy + 1}")
            b_shapes.extend(shapes)
            b_comp.extend([c] * len(shapes))
            cap = spec.capacity()
            keep = np.ones(cap, dtype=bool)
            if spec.households is not None and spec.households < cap:
                vacant = rng.choice(cap, cap - spec.households, replace=False)
                keep[vacant] = False
            keep_masks.append(keep)

    shapes_arr = np.array(b_shapes, dtype=np.int64)
    units, floors, per_floor = shapes_arr.T
    slots_per_b = units * floors * per_floor
    n_slots = int(slots_per_b.sum())
    b_of_slot = np.repeat(np.arange(len(b_shapes)), slots_per_b)
    # Within a building: slot index -> (unit, floor); flats ordered unit-major, then floor.
    offset = np.arange(n_slots) - np.repeat(np.cumsum(slots_per_b) - slots_per_b, slots_per_b)
    per_unit = (floors * per_floor)[b_of_slot]
    unit_in_b = offset // per_unit
    floor_of_slot = (offset % per_unit) // per_floor[b_of_slot] + 1
    unit_base = np.cumsum(units) - units
    unit_of_slot = unit_base[b_of_slot] + unit_in_b

    keep = np.concatenate(keep_masks)
    hh_building = b_of_slot[keep].astype(np.int32)
    hh_unit = unit_of_slot[keep].astype(np.int32)
    hh_floor = floor_of_slot[keep].astype(np.int16)
    b_comp_arr = np.array(b_comp, dtype=np.int32)
    hh_compound = b_comp_arr[hh_building]
    n = len(hh_building)
    n_b = len(b_shapes)
    b_size = np.bincount(hh_building, minlength=n_b)
    b_start = np.cumsum(b_size) - b_size

    pop = scenario.population
    area = np.clip(rng.normal(pop.area_mean, pop.area_sd, n), 15.0, None).round(2)
    owner = rng.random(n) >= pop.renter_share
    elderly = rng.random(n) < pop.elderly_share
    tr = scenario.trust
    trust = np.clip(rng.normal(tr.initial_mean, tr.initial_sd, n), 0.0, 1.0)
    participation = _beta_with_mean(rng, pop.participation_mean, n)
    openness = np.clip(rng.normal(pop.openness_mean, 0.1, n), 0.02, 1.0)

    role, influence = _assign_party(scenario, rng, hh_compound, participation)
    hh_grid = _assign_grids(b_size, scenario.grid.households_per_worker)[hh_building]
    pos, graph = _building_network(scenario, rng, b_comp_arr, b_size, len(names))
    ties = _social_ties(rng, hh_unit, hh_building, b_start, b_size, graph)
    return World(
        compound_names=names,
        hh_building=hh_building,
        hh_unit=hh_unit,
        hh_floor=hh_floor,
        hh_compound=hh_compound,
        hh_grid=hh_grid,
        hh_area=area,
        hh_owner=owner,
        hh_elderly=elderly,
        trust=trust,
        participation=participation,
        openness=openness,
        role=role,
        influence=influence,
        b_compound=b_comp_arr,
        b_start=b_start,
        b_size=b_size,
        b_floors=floors.astype(np.int16),
        b_units=units.astype(np.int16),
        b_pos=pos,
        u_building=np.repeat(np.arange(n_b), units).astype(np.int32),
        ties=ties,
        building_graph=graph,
        n_grids=int(hh_grid.max()) + 1 if n else 0,
    )


def _beta_with_mean(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    if mean <= 0.0 or mean >= 1.0:
        return np.full(n, float(mean))
    a = 2.0
    b = a * (1.0 - mean) / mean
    return rng.beta(a, b, n)


def _assign_party(
    scenario: Scenario,
    rng: np.random.Generator,
    hh_compound: np.ndarray,
    participation: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Pick party households and give them roles: big V, one secretary a compound, leaders."""
    n = len(hh_compound)
    party = scenario.party
    role = np.zeros(n, dtype=np.int8)
    influence = np.ones(n)
    k = scenario.party_members()
    if k == 0:
        return role, influence
    members = rng.choice(n, k, replace=False)
    role[members] = ROLE_VOLUNTEER
    influence[members] = party.influence
    big = members[: party.big_v]
    role[big] = ROLE_BIG_V
    influence[big] = party.big_v_influence
    rest = members[party.big_v :]
    # One branch secretary per compound: the first remaining member found there.
    _, first = np.unique(hh_compound[rest], return_index=True)
    role[rest[first]] = ROLE_SECRETARY
    others = np.setdiff1d(rest, rest[first], assume_unique=True)
    others = others[rng.permutation(len(others))]
    leaders = others[: int(round(party.building_leader_share * len(others)))]
    role[leaders] = ROLE_BUILDING_LEADER
    # Party members take part far more than the average resident.
    participation[members] = np.maximum(participation[members], 0.8)
    return role, influence


def _assign_grids(b_size: np.ndarray, per_worker: int) -> np.ndarray:
    """Partition buildings, in order, into grids of about ``per_worker`` households."""
    n_total = int(b_size.sum())
    n_grids = max(1, math.ceil(n_total / per_worker))
    mid = np.cumsum(b_size) - b_size / 2.0
    return np.minimum((mid * n_grids / max(n_total, 1)).astype(np.int32), n_grids - 1)


def _building_network(
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


def _social_ties(
    rng: np.random.Generator,
    hh_unit: np.ndarray,
    hh_building: np.ndarray,
    b_start: np.ndarray,
    b_size: np.ndarray,
    graph: nx.Graph,
) -> sp.csr_matrix:
    """Household ties, as a symmetric weighted CSR matrix.

    Complete inside a unit, two random ones in the building, one weak one to a neighbouring
    building.
    """
    n = len(hh_unit)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    # Two random ties inside the building.
    size_b = b_size[hh_building]
    has_peer = size_b > 1
    for _ in range(2):
        hh = np.flatnonzero(has_peer)
        shift = 1 + (rng.random(len(hh)) * (size_b[hh] - 1)).astype(np.int64)
        local = hh - b_start[hh_building[hh]]
        other = b_start[hh_building[hh]] + (local + shift) % size_b[hh]
        rows.append(hh)
        cols.append(other)
        vals.append(np.full(len(hh), TIE_BUILDING))
    # One weak tie across an adjacent building.
    if graph.number_of_edges():
        edges = np.array(graph.edges(), dtype=np.int64)
        both = np.concatenate([edges, edges[:, ::-1]])
        both = both[np.argsort(both[:, 0], kind="stable")]
        deg = np.bincount(both[:, 0], minlength=len(b_size))
        ptr = np.cumsum(deg) - deg
        hh = np.flatnonzero(deg[hh_building] > 0)
        b = hh_building[hh]
        pick = ptr[b] + (rng.random(len(hh)) * deg[b]).astype(np.int64)
        nb = both[pick, 1]
        nb_ok = b_size[nb] > 0
        hh, nb = hh[nb_ok], nb[nb_ok]
        other = b_start[nb] + (rng.random(len(hh)) * b_size[nb]).astype(np.int64)
        rows.append(hh)
        cols.append(other)
        vals.append(np.full(len(hh), TIE_WEAK))
    if rows:
        r = np.concatenate(rows)
        c = np.concatenate(cols)
        v = np.concatenate(vals)
        off_diagonal = r != c
        r, c, v = r[off_diagonal], c[off_diagonal], v[off_diagonal]
        data = (np.concatenate([v, v]), (np.concatenate([r, c]), np.concatenate([c, r])))
        random_ties = sp.coo_matrix(data, shape=(n, n)).tocsr()  # duplicates summed
    else:
        random_ties = sp.csr_matrix((n, n))
    return _with_unit_cliques(hh_unit, random_ties)


def _with_unit_cliques(hh_unit: np.ndarray, random_ties: sp.csr_matrix) -> sp.csr_matrix:
    """Add complete unit cliques (weight ``TIE_UNIT``) to the random ties; cap sums at 1.

    Duplicates sum, capped at the strongest tie kind, so a unit tie stays 1. Households are
    numbered unit by unit (see :func:`build_world`): each row's unit block is one contiguous run
    of columns, and the random ties of the row fall before or after it. The canonical CSR is
    then laid out directly, entry by entry, without sorting the tens of millions of unit ties
    a city has; any other numbering falls back to a sparse sum.
    """
    n = len(hh_unit)
    if n == 0 or np.any(np.diff(hh_unit) < 0):
        m = (_unit_cliques(hh_unit) + random_ties).tocsr()
        m.data = np.minimum(m.data, TIE_UNIT)
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
        data[pos.ravel()] = TIE_UNIT
    # Random ties: in column order, jumping over the unit block.
    j = np.arange(len(r_row)) - (np.cumsum(r_deg) - r_deg)[r_row]
    pos = indptr[r_row] + j + np.where(j >= before[r_row], u_deg[r_row], 0)
    indices[pos] = r_col
    data[pos] = np.minimum(r_val, TIE_UNIT)
    return sp.csr_matrix((data, indices, indptr.astype(itype)), shape=(n, n))


def _unit_cliques(hh_unit: np.ndarray) -> sp.csr_matrix:
    """Complete graph inside each unit (stairwell), weight ``TIE_UNIT``, as a canonical CSR.

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
    data = np.full(nnz, TIE_UNIT)
    if np.all(order == np.arange(n)):
        indptr = np.zeros(n + 1, dtype=itype)
        np.cumsum(degree, out=indptr[1:])
        return sp.csr_matrix((data, col, indptr), shape=(n, n))
    return sp.coo_matrix((data, (order[row], col)), shape=(n, n)).tocsr()
