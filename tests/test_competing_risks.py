"""The numpy Aalen-Johansen cumulative incidence equals lifelines' to the last bit."""

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter

from sim.results.summary import EVENTS, cumulative_incidence


def _lifelines(disputes: pd.DataFrame, days: int) -> pd.DataFrame:
    """The estimate as lifelines computes it (the code this module used before)."""
    timeline = np.arange(days + 1)
    out = pd.DataFrame(index=pd.Index(timeline, name="day"))
    is_open = disputes.status.to_numpy() == "open"
    end = np.where(is_open, days - 1, disputes.day_outcome.to_numpy())
    duration = (end - disputes.day_opened.to_numpy() + 1).astype(float)
    duration += np.arange(len(duration)) * (1e-3 / len(duration))
    code = {e: k + 1 for k, e in enumerate(EVENTS)}
    event = np.array([0 if s == "open" else code[s] for s in disputes.status])
    for e in EVENTS:
        if not (event == code[e]).any():
            out[e] = 0.0
            continue
        aj = AalenJohansenFitter(calculate_variance=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            aj.fit(duration, event, event_of_interest=code[e])
        curve = aj.cumulative_density_.iloc[:, 0]
        pos = np.searchsorted(curve.index.to_numpy(), timeline + 0.5, side="right") - 1
        out[e] = np.where(pos >= 0, curve.to_numpy()[np.maximum(pos, 0)], 0.0)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_numpy_estimate_equals_lifelines_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    n, days = int(rng.integers(1, 400)), int(rng.integers(5, 400))
    opened = rng.integers(0, days, n)
    share = rng.dirichlet(np.ones(5))
    status = rng.choice(["open", *EVENTS], n, p=share)
    outcome = np.where(status == "open", -1, np.minimum(opened + rng.integers(0, 60, n), days - 1))
    df = pd.DataFrame({"status": status, "day_opened": opened, "day_outcome": outcome})
    ours, theirs = cumulative_incidence(df, days), _lifelines(df, days)
    assert list(ours.columns) == list(theirs.columns)
    for e in EVENTS:
        assert np.array_equal(ours[e].to_numpy(), theirs[e].to_numpy()), e


def test_a_model_run_gives_the_same_curves():
    from sim.model import NeighbourhoodModel
    from sim.scenario import load_scenario

    m = NeighbourhoodModel(load_scenario(sets=["days=200"]), seed=3)
    m.run()
    df = m.ladder.book.frame(m.ladder.category_names)
    assert len(df) > 10
    ours, theirs = cumulative_incidence(df, 200), _lifelines(df, 200)
    assert ours.equals(theirs)
