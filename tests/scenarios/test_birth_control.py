"""`birth-control`: the pleasure kept, the consequence blocked; fitness falls while internal
return rises."""

import pandas as pd
import pytest

from evo.analysis import analyze_run
from tests.scenarios.helpers import SEEDS, run


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Each seed's whole run (ancestral then modern) and its analysis summary."""
    tmp = tmp_path_factory.mktemp("birth-control")
    outs = {seed: run(tmp, "birth-control", seed) for seed in SEEDS}
    return {seed: (out, analyze_run(out, plots=False).summary) for seed, out in outs.items()}


@pytest.mark.slow
def test_the_burden_is_disliked_and_the_pleasure_outweighs_it(runs):
    """At the end of the ancestral phase, on every seed, at least 80% of the population
    weighs the burden negatively (measured 98-100%) and pleasure above the burden's
    dislike, so mating is still wanted (measured 100%)."""
    for seed, (out, _) in runs.items():
        ind = pd.read_csv(out / "individuals.csv")
        end = ind[ind.generation == 39]
        assert (end.w_burden < 0).mean() >= 0.8, seed
        assert (end.w_pleasure + end.w_burden > 0).mean() >= 0.8, seed


@pytest.mark.slow
def test_protection_takes_the_pleasure_and_fitness_falls(runs):
    """At the shift, on every seed: mean fitness falls to at most 80% of what it was
    (measured 61-63%) while mean internal return rises at least 1.8-fold (measured
    2.6-2.9-fold); capability generalises (>= 0.9, measured 1.00); and the analysis names
    the proxy of the pseudo-aligned: pleasure, protected mating over-valued."""
    for seed, (_, summary) in runs.items():
        [shift] = summary["shifts"]
        assert shift["fitness_after"] <= 0.8 * shift["fitness_before"], (seed, shift)
        assert shift["mesa_return_after"] >= 1.8 * shift["mesa_return_before"], (seed, shift)
        [pair] = [p for p in summary["pairs"] if p["origin"] == "ancestral"]
        assert pair["capability_generalisation"] >= 0.9, (seed, pair)
        proxies = summary["phases"]["ancestral"]["proxies"]
        assert max(proxies, key=proxies.get) == "pleasure: protected_mating over-valued", \
            (seed, proxies)
