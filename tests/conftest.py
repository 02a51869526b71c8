import pytest

from sim.model import NeighbourhoodModel
from sim.scenario import load_scenario


def make_model(*sets: str, seed: int | None = None) -> NeighbourhoodModel:
    """Build a model from the default scenario with overrides."""
    return NeighbourhoodModel(load_scenario(sets=list(sets)), seed=seed)


def run_model(*sets: str, seed: int | None = None) -> NeighbourhoodModel:
    model = make_model(*sets, seed=seed)
    model.run()
    return model


@pytest.fixture(scope="session")
def default_run():
    return run_model()


from research_fixtures import research_results  # noqa: E402, F401  (session fixture)
