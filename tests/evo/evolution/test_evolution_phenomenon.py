"""The flagship phenomenon: on `evolution`, goals fail to generalise while capabilities do."""

import pandas as pd
import pytest

from evo.scenario import load_scenario

SEEDS = (0, 1, 2)


def evolution_run(shared_runs, seed: int):
    """The demo's `evolution` run of a seed, shared with the analysis tests: seed 0 to the
    end, seeds 1 and 2 stopped at the first modern generation (all the shift needs)."""
    first_modern = load_scenario("evolution").phases[0].generations
    return shared_runs.run("evolution", [f"seed={seed}"],
                           stop_after=None if seed == 0 else first_modern)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_shift_collapses_fitness_not_internal_return(shared_runs, seed):
    """With the demo's settings, for each of three seeds: at the end of the ancestral phase the
    population's internal rewards agree with fitness there (alignment >= 0.6) but not on the
    modern distribution (<= 0.2); in the first modern generation mean fitness falls to at most
    half of the last ancestral one while mean internal return does not fall."""
    gens = pd.read_csv(evolution_run(shared_runs, seed) / "generations.csv")
    before = gens[gens.phase == "ancestral"].iloc[-1]
    after = gens[gens.phase == "modern"].iloc[0]
    assert before.alignment_ancestral >= 0.6
    assert before.alignment_modern <= 0.2
    assert after.fitness_mean <= 0.5 * before.fitness_mean
    assert after.mesa_return_mean >= before.mesa_return_mean
