import math

import numpy as np
import pytest
import scipy.sparse as sp

from sim.model.projects.deliberation import (
    deffuant,
    degroot,
    diffuse,
    hegselmann_krause,
    meeting_update,
)


def major_clusters(x, gap=0.02, share=0.05):
    s = np.sort(x)
    cuts = np.flatnonzero(np.diff(s) > gap)
    sizes = np.diff(np.r_[0, cuts + 1, len(s)])
    return int((sizes > share * len(s)).sum())


# Deffuant et al. 2000; Lanchier 2012: consensus for epsilon > 1/2 (uniform start, mu = 0.5).
@pytest.mark.parametrize("eps", [0.55, 0.7])
def test_deffuant_consensus_above_one_half(eps):
    rng = np.random.default_rng(1)
    x = deffuant(rng.random(1000), eps, 0.5, 60, rng)
    assert np.ptp(x) < 0.02


# Number of major clusters ~ floor(1 / (2 epsilon)) (Deffuant et al. 2000).
@pytest.mark.parametrize("eps", [0.1, 0.15, 0.2])
def test_deffuant_cluster_count(eps):
    rng = np.random.default_rng(2)
    x = deffuant(rng.random(1000), eps, 0.5, 150, rng)
    assert abs(major_clusters(x) - math.floor(1 / (2 * eps))) <= 1


def test_deffuant_preserves_mean_and_bounds():
    rng = np.random.default_rng(3)
    x0 = rng.random(501)
    x = deffuant(x0, 0.3, 0.4, 20, rng)
    assert x.min() >= 0 and x.max() <= 1
    assert math.isclose(x.mean(), x0.mean(), abs_tol=1e-12)


# Hegselmann & Krause 2002; Fortunato 2005: consensus above epsilon ~ 0.2-0.25 for a large
# complete graph; fragmentation well below.
def test_hk_consensus_and_fragmentation():
    rng = np.random.default_rng(4)
    x0 = rng.random(2000)
    x, steps = hegselmann_krause(x0, 0.3, 500)
    assert np.ptp(x) < 1e-6 and steps < 500
    x, _ = hegselmann_krause(x0, 0.05, 500)
    assert major_clusters(x) >= 5


def test_hk_stops_at_tolerance():
    x, steps = hegselmann_krause(np.array([0.1, 0.1, 0.9]), 0.2, 100)
    assert steps == 1 and np.allclose(x, [0.1, 0.1, 0.9])


# DeGroot 1974: the limit is the left unit eigenvector's weighted average of b0.
def test_degroot_limit_is_eigenvector_average():
    rng = np.random.default_rng(5)
    T = rng.random((8, 8)) + np.eye(8)
    T /= T.sum(axis=1, keepdims=True)
    b0 = rng.random(8)
    vals, vecs = np.linalg.eig(T.T)
    pi = np.real(vecs[:, np.argmin(np.abs(vals - 1))])
    pi /= pi.sum()
    b = degroot(T, b0, 300)
    assert np.allclose(b, pi @ b0, atol=1e-10)
    assert np.allclose(degroot(sp.csr_matrix(T), b0, 300), b)


def test_diffuse_respects_bounds_and_isolates():
    ties = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float))
    x = np.array([0.2, 0.4, 0.9])
    out = diffuse(x, ties, np.array([0.5, 0.5, 0.5]), 0.5)
    assert np.allclose(out, [0.3, 0.3, 0.9])
    out = diffuse(x, ties, np.array([0.1, 0.1, 0.1]), 0.5)
    assert np.allclose(out, x)


def test_meeting_credible_speakers_are_stubborn_and_pull():
    rng = np.random.default_rng(6)
    x = np.array([0.9, 0.4, 0.5, 0.1])
    att = np.arange(4)
    groups = np.zeros(4, dtype=int)
    credible = np.array([True, False, False, False])
    eps = np.full(4, 0.3)
    meeting_update(x, att, groups, credible, eps, 0.5, 2.0, rng)
    assert x[0] == 0.9
    assert x[1] > 0.4 and x[2] > 0.45
    # 0.1 is beyond everyone's bound, even the credible speaker's widened one (0.6)
    assert x[3] == 0.1


def test_pair_encounters_stay_inside_groups_and_respect_movable():
    from sim.model.projects.deliberation import pair_encounters

    rng = np.random.default_rng(8)
    x = np.array([0.0, 0.1, 0.9, 1.0, 0.5])
    members = np.arange(5)
    groups = np.array([0, 0, 1, 1, 2])
    for _ in range(20):
        pair_encounters(x, members, groups, 0.5, 0.5, rng)
    assert np.allclose(x[:2], 0.05) and np.allclose(x[2:4], 0.95) and x[4] == 0.5
    y = np.array([0.2, 0.4])
    pair_encounters(
        y, np.arange(2), np.zeros(2, int), 0.5, 0.5, rng, movable=np.array([False, True])
    )
    assert y[0] == 0.2 and y[1] == pytest.approx(0.3)
