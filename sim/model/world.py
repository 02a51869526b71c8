"""The built world: compounds -> buildings -> units -> floors -> households, grids, networks.

Everything is generated from the scenario and the model's numpy generator, so a seed fixes it.
Households are numbered building by building, so each building's households are one contiguous
index range (``b_start[b] : b_start[b] + b_size[b]``); the hot loops rely on that.
"""

from __future__ import annotations

import math
from copy import deepcopy
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp

from sim.model.network import building_network, link_nearest, random_ties, with_unit_cliques
from sim.scenario import Scenario
from sim.scenario.structure import Ties

ROLE_NONE, ROLE_VOLUNTEER, ROLE_BUILDING_LEADER, ROLE_SECRETARY, ROLE_BIG_V = range(5)
ROLE_NAMES = ["none", "volunteer", "building_leader", "branch_secretary", "big_v"]


@dataclass
class World:
    """Arrays describing the community; household arrays are the source of truth."""

    compound_names: list[str]
    community_names: list[str]
    c_community: np.ndarray  # community of each compound
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
    # networks (``ties`` is drawn and assembled when first read)
    tie_rng: np.random.Generator  # the world's stream where the ties' draws begin
    building_graph: nx.Graph
    n_grids: int
    b_grid: np.ndarray
    branch_min_members: int  # the scenario's party.branch_min_members
    tie_spec: Ties = field(default_factory=Ties)  # the scenario's ``ties``
    b_names: list[str] = field(default_factory=list)
    g_branch: np.ndarray = field(init=False)
    b_mediator: np.ndarray = field(init=False)
    b_mediator_pool: np.ndarray = field(init=False)
    u_mediator: np.ndarray = field(init=False)
    _party: np.ndarray = field(init=False, repr=False)
    _hh_community: np.ndarray = field(init=False, repr=False)
    _comm_order: np.ndarray = field(init=False, repr=False)
    _comm_start: np.ndarray = field(init=False, repr=False)
    _ties: sp.csr_matrix | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # Roles and places are fixed once built: derived masks are computed once, not per call.
        self._party = self.role != ROLE_NONE
        self._hh_community = self.c_community[self.hh_compound]
        self._comm_order = np.argsort(self._hh_community, kind="stable")
        sizes = np.bincount(self._hh_community, minlength=self.n_communities)
        self._comm_start = np.concatenate([[0], np.cumsum(sizes)])
        self.b_mediator, self.b_mediator_pool, self.u_mediator = self._building_mediators()
        members = np.bincount(self.hh_grid[self.party], minlength=self.n_grids)
        self.g_branch = members >= self.branch_min_members

    @property
    def ties(self) -> sp.csr_matrix:
        """Household ties (symmetric weighted CSR): unit cliques plus random ties.

        Drawn and assembled on first use: only the project mechanisms read them, and for a
        city the tens of millions of unit-clique entries are most of the set-up's time and
        memory. The random ties are the last draws of the world's stream, taken from a copy of
        it made when the rest of the world was drawn, so the matrix is the same whenever (and
        whether) it is first read, and nothing else depends on it.
        """
        if self._ties is None:
            drawn = random_ties(
                deepcopy(self.tie_rng),
                self.hh_building,
                self.b_start,
                self.b_size,
                self.building_graph,
                self.tie_spec,
            )
            self._ties = with_unit_cliques(self.hh_unit, drawn, self.tie_spec.unit_weight)
        return self._ties

    @property
    def n_communities(self) -> int:
        """Number of communities (社区)."""
        return len(self.community_names)

    @property
    def hh_community(self) -> np.ndarray:
        """Community of each household."""
        return self._hh_community

    def community_households(self, communities: np.ndarray) -> np.ndarray:
        """Households of some communities, community by community (no scan of every household)."""
        starts, ends = self._comm_start[communities], self._comm_start[np.asarray(communities) + 1]
        sizes = ends - starts
        offset = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return self._comm_order[np.repeat(starts, sizes) + offset]

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
        return self._party

    def _building_mediators(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Influence of building-level mediators: strongest and pooled per building, per unit.

        Building leaders, branch secretaries and big-V members mediate inside their building
        (building party groups, [Kening], [Aoyuan]); plain volunteers do not.
        """
        mediating = self.role >= ROLE_BUILDING_LEADER
        strongest = np.zeros(self.n_buildings)
        np.maximum.at(strongest, self.hh_building[mediating], self.influence[mediating])
        pooled = np.bincount(
            self.hh_building[mediating], self.influence[mediating], minlength=self.n_buildings
        )
        unit = np.zeros(len(self.u_building))
        np.maximum.at(unit, self.hh_unit[mediating], self.influence[mediating])
        return strongest, pooled, unit


def build_world(scenario: Scenario, rng: np.random.Generator) -> World:
    """Generate the world for a scenario.

    Args:
        scenario: the validated scenario.
        rng: the model's generator (the only source of randomness).

    Returns:
        The world with households, buildings, grids and networks.
    """
    names: list[str] = []
    communities: list[str | None] = []
    b_shapes: list[tuple[int, int, int]] = []
    b_comp: list[int] = []
    keep_masks: list[np.ndarray] = []
    b_names: list[str] = []
    b_xy: list[tuple[float, float] | None] = []
    for spec in scenario.compounds:
        shapes = spec.building_shapes()
        for copy in range(spec.count):
            c = len(names)
            names.append(spec.name if spec.count == 1 else f"{spec.name}-{copy + 1}")
            communities.append(spec.community)
            b_shapes.extend(shapes)
            b_comp.extend([c] * len(shapes))
            cap = spec.capacity()
            keep = np.ones(cap, dtype=bool)
            if spec.per_building_occupancy():
                keep = np.concatenate([_occupied_flats(b, rng) for b in spec.buildings_list()])
            elif spec.households is not None and spec.households < cap:
                vacant = rng.choice(cap, cap - spec.households, replace=False)
                keep[vacant] = False
            keep_masks.append(keep)
            listed = spec.buildings_list() or [None] * len(shapes)
            b_names.extend(
                (b.name if b is not None and b.name else f"{names[-1]}-{k + 1}")
                for k, b in enumerate(listed)
            )
            b_xy.extend((b.x, b.y) if b is not None and b.x is not None else None for b in listed)

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
    area = np.clip(rng.normal(pop.area_mean, pop.area_sd, n), pop.area_min, None).round(2)
    owner = rng.random(n) >= pop.renter_share
    elderly = rng.random(n) < pop.elderly_share
    tr = scenario.trust
    trust = np.clip(rng.normal(tr.initial_mean, tr.initial_sd, n), 0.0, 1.0)
    participation = _beta_with_mean(rng, pop.participation_mean, pop.participation_shape, n)
    openness = np.clip(rng.normal(pop.openness_mean, pop.openness_sd, n), pop.openness_min, 1.0)

    role, influence = _assign_party(scenario, rng, hh_compound, participation)
    b_grid = _assign_grids(b_size, scenario.grid.households_per_worker)
    hh_grid = b_grid[hh_building]
    community_names, c_community = _communities(communities, scenario.meetings.community_size)
    pos, graph = building_network(scenario, rng, b_comp_arr, b_size, len(names))
    if b_xy and all(xy is not None for xy in b_xy):
        pos = np.array(b_xy, dtype=float)
        link_nearest(graph, pos, b_comp_arr, scenario.ties.nearest_buildings)
    return World(
        compound_names=names,
        community_names=community_names,
        c_community=c_community,
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
        b_names=b_names,
        u_building=np.repeat(np.arange(n_b), units).astype(np.int32),
        tie_rng=deepcopy(rng),  # the ties are the stream's last draws (see World.ties)
        building_graph=graph,
        n_grids=int(hh_grid.max()) + 1 if n else 0,
        b_grid=b_grid,
        branch_min_members=scenario.party.branch_min_members,
        tie_spec=scenario.ties,
    )


def _communities(named: list[str | None], size: int) -> tuple[list[str], np.ndarray]:
    """Group compounds into communities: by the name they give, else in order, ``size`` a time.

    Returns:
        Community names and the community index of each compound.
    """
    names: list[str] = []
    index: dict[str, int] = {}
    out = np.zeros(len(named), dtype=np.int32)
    unnamed = 0
    for c, name in enumerate(named):
        if name is None:
            name = f"community-{unnamed // size + 1}"
            unnamed += 1
        if name not in index:
            index[name] = len(names)
            names.append(name)
        out[c] = index[name]
    return names, out


def _beta_with_mean(rng: np.random.Generator, mean: float, a: float, n: int) -> np.ndarray:
    """Beta(a, b) draws with mean ``mean``: b = a (1 - mean) / mean."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(n, float(mean))
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
    participation[members] = np.maximum(participation[members], party.member_participation)
    return role, influence


def _assign_grids(b_size: np.ndarray, per_worker: int) -> np.ndarray:
    """Partition buildings, in order, into grids of about ``per_worker`` households."""
    n_total = int(b_size.sum())
    n_grids = max(1, math.ceil(n_total / per_worker))
    mid = np.cumsum(b_size) - b_size / 2.0
    return np.minimum((mid * n_grids / max(n_total, 1)).astype(np.int32), n_grids - 1)


def _occupied_flats(b, rng: np.random.Generator) -> np.ndarray:
    """Which flats of one listed building are occupied (its own ``households``, else all)."""
    cap = b.capacity()
    keep = np.ones(cap, dtype=bool)
    if b.households is not None and b.households < cap:
        keep[rng.choice(cap, cap - b.households, replace=False)] = False
    return keep
