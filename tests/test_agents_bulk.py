"""Bulk creation of household agents registers them exactly as one-by-one creation does."""

import gc

import mesa
import numpy as np

from sim.model.agents import GridWorker, PartyMember, Resident
from tests.conftest import make_model


def _fingerprint(model: mesa.Model) -> list:
    return [
        (type(a).__name__, a.unique_id, a.household, a.pos, a.model is model, vars(a).keys())
        for a in model.agents
    ]


def test_bulk_matches_one_by_one():
    households = np.array([4, 7, 9, 12])
    one, bulk = mesa.Model(seed=1), mesa.Model(seed=1)
    for h in households[:2]:
        Resident(one, int(h))
    for h in households[2:]:
        PartyMember(one, int(h), 0.6, 3)
    Resident.create_households(bulk, households[:2])
    PartyMember.create_households(bulk, households[2:], mediation_skill=0.6, canvass_per_week=3)
    assert _fingerprint(bulk) == _fingerprint(one)
    assert list(bulk.agents_by_type) == list(one.agents_by_type)
    assert [a.unique_id for a in bulk.agents_by_type[PartyMember]] == [3, 4]
    assert bulk.agents_by_type[PartyMember][0].mediation_skill == 0.6
    # The id counter continues where one-by-one creation leaves it.
    assert Resident(bulk, 99).unique_id == Resident(one, 99).unique_id == 5
    # Removal deregisters from every set.
    victim = bulk.agents_by_type[Resident][0]
    victim.remove()
    assert victim not in bulk.agents and victim not in bulk.agents_by_type[Resident]
    assert len(bulk.agents) == 4


def test_model_agents_cover_the_households_and_keep_mesa_idioms():
    m = make_model()
    w = m.world
    residents = m.agents_by_type[Resident]
    members = m.agents_by_type[PartyMember]
    assert [a.household for a in residents] == np.flatnonzero(~w.party).tolist()
    assert [a.household for a in members] == np.flatnonzero(w.party).tolist()
    ids = [a.unique_id for a in m.agents]
    assert ids == list(range(1, len(ids) + 1))
    assert len(m.agents_by_type[GridWorker]) == w.n_grids
    owners = residents.select(lambda a: a.owner)
    assert len(owners) == int(w.hh_owner[~w.party].sum())
    assert np.isclose(residents.agg("trust", np.mean), w.trust[~w.party].mean())
    seen = []
    members.do(lambda a: seen.append(a.household))
    assert seen == np.flatnonzero(w.party).tolist()


def test_bulk_creation_restores_the_collector():
    assert gc.isenabled()
    make_model()
    assert gc.isenabled()
    gc.disable()
    try:
        make_model()
        assert not gc.isenabled()
    finally:
        gc.enable()
