import numpy as np
import pytest

from sim.model.world import ROLE_BIG_V, ROLE_NONE, ROLE_SECRETARY, build_world
from sim.scenario import load_scenario


@pytest.fixture(scope="module")
def world():
    return build_world(load_scenario(), np.random.default_rng(7))


def test_counts_and_contiguous_buildings(world):
    assert world.n_households == 339
    assert world.n_buildings == 19
    for b in range(world.n_buildings):
        s, n = world.b_start[b], world.b_size[b]
        assert (world.hh_building[s : s + n] == b).all()
    assert world.hh_floor.min() == 1 and world.hh_floor.max() == 6


def test_party_density_and_roles(world):
    s = load_scenario()
    party = world.role != ROLE_NONE
    assert party.sum() == s.party_members() == round(0.08 * 339)
    assert (world.role == ROLE_BIG_V).sum() == 1
    assert (world.role == ROLE_SECRETARY).sum() == 1


def test_grids_cover_about_the_worker_load(world):
    sizes = np.bincount(world.hh_grid)
    assert world.n_grids == 2
    assert sizes.min() > 100
    # a building is never split between grids
    for b in range(world.n_buildings):
        s, n = world.b_start[b], world.b_size[b]
        assert len(np.unique(world.hh_grid[s : s + n])) == 1


def test_ties_symmetric_and_unit_cliques(world):
    t = world.ties
    assert (t != t.T).nnz == 0
    assert t.diagonal().sum() == 0
    h = 0
    same_unit = np.flatnonzero(world.hh_unit == world.hh_unit[h])
    row = t[h].toarray().ravel()
    assert (row[same_unit[same_unit != h]] == 1.0).all()


def test_world_is_reproducible_from_the_seed():
    s = load_scenario()
    a = build_world(s, np.random.default_rng(3))
    b = build_world(s, np.random.default_rng(3))
    c = build_world(s, np.random.default_rng(4))
    assert np.array_equal(a.trust, b.trust) and (a.ties != b.ties).nnz == 0
    assert not np.array_equal(a.trust, c.trust)


def test_district_copies_compounds():
    s = load_scenario(sets=["compounds.0.count=5"])
    w = build_world(s, np.random.default_rng(0))
    assert w.n_compounds == 5 and w.n_households == 5 * 339
    assert w.building_graph.number_of_nodes() == 5 * 19


def test_compounds_are_grouped_into_communities():
    from conftest import make_model

    m = make_model("compounds.0.count=45")
    w = m.world
    assert w.n_communities == 3  # meetings.community_size = 20 compounds a community
    assert np.bincount(w.c_community).tolist() == [20, 20, 5]
    m = make_model("compounds.0.count=3", "compounds.0.community=east")
    assert m.world.community_names == ["east"]


def test_grids_with_enough_party_members_have_a_branch():
    from conftest import make_model

    w = make_model("party.density=0.1").world
    members = np.bincount(w.hh_grid[w.party], minlength=w.n_grids)
    assert (w.g_branch == (members >= 3)).all() and w.g_branch.any()
    assert not make_model("party.density=0").world.g_branch.any()


def test_population_bounds_and_shapes_are_parameters():
    """area_min, openness_sd/min and participation_shape shape the drawn households."""
    base = ["compounds.0.households=2000", "compounds.0.buildings=90"]

    def world(*sets):
        return build_world(load_scenario(sets=base + list(sets)), np.random.default_rng(4))

    w = world("population.area_min=60", "population.openness_sd=0.3", "population.openness_min=0.2")
    assert w.hh_area.min() >= 60 and w.openness.min() >= 0.2
    assert (w.hh_area == 60).any() and (w.openness == 0.2).any()  # the cuts bind
    loose, tight = (
        world("population.participation_shape=0.5"),
        world("population.participation_shape=50"),
    )
    spread = [w.participation[~w.party] for w in (loose, tight)]  # party members are raised
    assert spread[0].std() > 2 * spread[1].std()
    assert abs(spread[1].mean() - 0.3) < 0.02
