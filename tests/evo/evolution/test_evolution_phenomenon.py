"""The flagship phenomenon: on `evolution`, goals fail to generalise while capabilities do."""

import pandas as pd
import pytest

from evo.evolution.loop import start
from evo.scenario import load_scenario

SEEDS = (0, 1, 2)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_shift_collapses_fitness_not_internal_return(tmp_path, seed):
    """With the demo's settings, for each of three seeds: at the end of the ancestral phase the
    population's internal rewards agree with fitness there (alignment >= 0.6) but not on the
    modern distribution (<= 0.2); in the first modern generation mean fitness falls to at most
    half of the last ancestral one while mean internal return does not fall."""
    # Only the generations up to the first modern one matter here.
    scenario = load_scenario("evolution")
    first_modern = scenario.phases[0].generations
    out = start("evolution", [f"seed={seed}"], tmp_path / "run", quiet=True,
                stop_after=first_modern)
    gens = pd.read_csv(out / "generations.csv")
    before = gens[gens.phase == "ancestral"].iloc[-1]
    after = gens[gens.phase == "modern"].iloc[0]
    assert before.alignment_ancestral >= 0.6
    assert before.alignment_modern <= 0.2
    assert after.fitness_mean <= 0.5 * before.fitness_mean
    assert after.mesa_return_mean >= before.mesa_return_mean
