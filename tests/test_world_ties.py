"""The tie matrix's direct CSR layout equals the plain sparse construction."""

import numpy as np
import scipy.sparse as sp

from sim.model import network as wd
from sim.model.world import build_world
from sim.scenario import load_scenario
from sim.scenario.structure import Ties

TIES = Ties()


def _plain(hh_unit, random_ties):
    m = (wd.unit_cliques(hh_unit, TIES.unit_weight) + random_ties).tocsr()
    m.data = np.minimum(m.data, TIES.unit_weight)
    return m


def test_direct_layout_matches_sparse_sum():
    sc = load_scenario(
        sets=["compounds.0.households=250", "compounds.0.count=3", "inter_compound_links=4"]
    )
    w = build_world(sc, np.random.default_rng(3))
    ties = w.ties
    assert ties.has_canonical_format and (ties != ties.T).nnz == 0
    assert ties.diagonal().max() == 0
    # Random ties only (unit-internal ones dropped) plus cliques gives back the same matrix.
    rng = np.random.default_rng(7)
    n = w.n_households
    r, c = rng.integers(0, n, 4000), rng.integers(0, n, 4000)
    keep = r != c
    v = rng.choice([TIES.building_weight, TIES.weak_weight], 4000)[keep]
    r, c = r[keep], c[keep]
    random_ties = sp.coo_matrix(
        (np.concatenate([v, v]), (np.concatenate([r, c]), np.concatenate([c, r]))), shape=(n, n)
    ).tocsr()
    fast = wd.with_unit_cliques(w.hh_unit, random_ties, TIES.unit_weight)
    plain = _plain(w.hh_unit, random_ties)
    assert fast.has_canonical_format
    assert np.array_equal(fast.indptr, plain.indptr)
    assert np.array_equal(fast.indices, plain.indices)
    assert np.array_equal(fast.data, plain.data)
    # Unit members are all tied with weight 1.
    same_unit = w.hh_unit[:, None] == w.hh_unit[None, :]
    np.fill_diagonal(same_unit, False)
    assert (fast.toarray()[same_unit] == TIES.unit_weight).all()


def test_unsorted_units_fall_back_to_the_sparse_sum():
    hh_unit = np.array([2, 0, 2, 1, 0, 2])
    random_ties = sp.csr_matrix(([0.5, 0.5], ([0, 3], [3, 0])), shape=(6, 6))
    fast = wd.with_unit_cliques(hh_unit, random_ties, 1.0)
    dense = fast.toarray()
    assert dense[0, 2] == dense[0, 5] == dense[1, 4] == 1.0
    assert dense[0, 3] == 0.5 and dense[3, 3] == 0


def test_tie_parameters_shape_the_matrix():
    """The scenario's ``ties`` section sets the counts and weights of the drawn ties."""
    base = ["compounds.0.households=200", "compounds.0.count=2"]
    plain = build_world(load_scenario(sets=base), np.random.default_rng(5)).ties
    sets = base + ["ties.unit_weight=0.8", "ties.building_weight=0.3", "ties.weak_ties=0"]
    w = build_world(load_scenario(sets=sets), np.random.default_rng(5))
    ties = w.ties
    assert ties.data.max() == 0.8  # unit ties, and the cap of summed ties
    cross_building = w.hh_building[ties.nonzero()[0]] != w.hh_building[ties.nonzero()[1]]
    assert not cross_building.any()  # no weak ties
    assert set(np.unique(ties.data)) <= {0.3, 0.6, 0.8}
    none = load_scenario(sets=base + ["ties.building_ties=0", "ties.weak_ties=0"])
    only_units = build_world(none, np.random.default_rng(5)).ties
    assert only_units.nnz < ties.nnz < plain.nnz
