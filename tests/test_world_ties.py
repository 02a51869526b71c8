"""The tie matrix's direct CSR layout equals the plain sparse construction."""

import numpy as np
import scipy.sparse as sp

from sim.model import network as wd
from sim.model.world import build_world
from sim.scenario import load_scenario


def _plain(hh_unit, random_ties):
    m = (wd.unit_cliques(hh_unit) + random_ties).tocsr()
    m.data = np.minimum(m.data, wd.TIE_UNIT)
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
    v = rng.choice([wd.TIE_BUILDING, wd.TIE_WEAK], 4000)[keep]
    r, c = r[keep], c[keep]
    random_ties = sp.coo_matrix(
        (np.concatenate([v, v]), (np.concatenate([r, c]), np.concatenate([c, r]))), shape=(n, n)
    ).tocsr()
    fast = wd.with_unit_cliques(w.hh_unit, random_ties)
    plain = _plain(w.hh_unit, random_ties)
    assert fast.has_canonical_format
    assert np.array_equal(fast.indptr, plain.indptr)
    assert np.array_equal(fast.indices, plain.indices)
    assert np.array_equal(fast.data, plain.data)
    # Unit members are all tied with weight 1.
    same_unit = w.hh_unit[:, None] == w.hh_unit[None, :]
    np.fill_diagonal(same_unit, False)
    assert (fast.toarray()[same_unit] == wd.TIE_UNIT).all()


def test_unsorted_units_fall_back_to_the_sparse_sum():
    hh_unit = np.array([2, 0, 2, 1, 0, 2])
    random_ties = sp.csr_matrix(([0.5, 0.5], ([0, 3], [3, 0])), shape=(6, 6))
    fast = wd.with_unit_cliques(hh_unit, random_ties)
    dense = fast.toarray()
    assert dense[0, 2] == dense[0, 5] == dense[1, 4] == 1.0
    assert dense[0, 3] == 0.5 and dense[3, 3] == 0
