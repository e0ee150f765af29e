"""`emergence`: whether selection produces an optimizer depends on how much the world varies
and on the price of search."""

import pandas as pd
import pytest

from tests.scenarios.helpers import run

SEEDS = range(6)  # the share ends near 0 or 1 on each seed: a count over seeds is the measure


@pytest.fixture(scope="module")
def shares(tmp_path_factory) -> dict:
    """The optimizer share at the last generation per (variation, speed prior, seed)."""
    tmp = tmp_path_factory.mktemp("emergence")
    out = {}
    for variation in ("fixed", "layouts"):
        for price in (0.1, 0.3):
            for seed in SEEDS:
                path = run(tmp, "emergence", seed, [f"world.variation=\"{variation}\"",
                                                    f"ga.speed_prior={price}"])
                generations = pd.read_csv(path / "generations.csv")
                out[variation, price, seed] = generations.optimizer_share.iloc[-1]
    return out


def heuristic_seeds(shares: dict, variation: str, price: float) -> int:
    """How many seeds ended with heuristics acting in most of the population."""
    return sum(shares[variation, price, seed] < 0.5 for seed in SEEDS)


@pytest.mark.slow
def test_where_search_is_cheap_planners_win_whether_or_not_the_world_varies(shares):
    """At a speed prior of 0.1 planners take the population in both regimes (measured: 6
    seeds of 6 in each, shares 0.98-1.00): in 100 generations the clock's route collects 3-4
    of the 6 fruit of a fixed world, a planner nearly all, and search is not dear enough to
    make up the difference."""
    assert heuristic_seeds(shares, "fixed", 0.1) <= 1, shares
    assert heuristic_seeds(shares, "layouts", 0.1) <= 1, shares


@pytest.mark.slow
def test_where_search_is_dear_a_fixed_world_selects_heuristics_and_a_varied_one_planners(
        shares):
    """At a speed prior of 0.3 (as shipped) the regimes part: where the world never changes
    a clocked heuristic replays its route for 1 cell a step and takes over (measured: 4
    seeds of 6), where it is drawn anew a route is worth nothing and planners hold (6 of
    6). The sources' expectation; measured, the fixed world's price of the switch lies
    between 0.15 and 0.3 and the varied world's near twice as high."""
    assert heuristic_seeds(shares, "fixed", 0.3) >= 3, shares
    assert heuristic_seeds(shares, "layouts", 0.3) <= 1, shares
