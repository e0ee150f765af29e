"""`hungry-thirsty`: Singh et al.'s optimal reward problem; the evolved reward pays for water,
which fitness ignores, and beats a reward equal to fitness."""

import pandas as pd
import pytest

from evo.analysis import analyze_run
from tests.scenarios.helpers import SEEDS, last_crosseval, run


@pytest.fixture(scope="module")
def rewards(tmp_path_factory) -> pd.DataFrame:
    """Per seed, at the last generation: the evolved weights on water (and what thirst adds),
    base return over the aligned twin's in the rooms, population means, and the analysis's
    shares of the optimal-reward case and of misaligned individuals."""
    tmp = tmp_path_factory.mktemp("hungry-thirsty")
    rows = []
    for seed in SEEDS:
        out = run(tmp, "hungry-thirsty", seed)
        cross = last_crosseval(out)
        rooms = cross[cross.eval_phase == "rooms"]
        ind = pd.read_csv(out / "individuals.csv")
        end = ind[ind.generation == ind.generation.max()]
        thirsty = end.w_water + end.w_water_if_thirsty
        summary = analyze_run(out, plots=False).summary["phases"]["rooms"]
        rows.append({"seed": seed, "n": len(end),
                     "water_thirsty": thirsty.mean(),
                     "water_thirsty_wanted": (thirsty > 0).mean(),
                     "if_thirsty": end.w_water_if_thirsty.mean(),
                     "if_thirsty_positive": (end.w_water_if_thirsty > 0).sum(),
                     "twin_ratio": rooms.base_return.mean() / rooms.aligned_twin_return.mean(),
                     "beats": summary["reward_beats_fitness"],
                     "misaligned": summary["classes"]["misaligned"]})
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_water_is_wanted_when_thirsty_though_worth_nothing(rewards):
    """Water is worth 0 to fitness, yet on every seed the evolved reward for water when
    thirsty (w_water + w_water_if_thirsty) is positive: mean >= 0.15 (measured 0.82, 0.31,
    0.43 on seeds 0-2) and positive in at least 80% of the population (measured 100%, 95%,
    100%)."""
    assert (rewards.water_thirsty >= 0.15).all(), rewards
    assert (rewards.water_thirsty_wanted >= 0.8).all(), rewards


@pytest.mark.slow
def test_the_evolved_reward_beats_fitness_as_a_reward(rewards):
    """On every seed the agents eat at least twice the food of their aligned twins (the same
    planners rewarded by fitness itself, which never seek water): base return over twin
    return measured 5.72, 4.96, 4.55 on seeds 0-2."""
    assert (rewards.twin_ratio >= 2).all(), rewards


@pytest.mark.slow
def test_water_is_wanted_more_when_thirsty(rewards):
    """Singh et al.'s ordering, R(water | thirsty) > R(water | not thirsty), i.e.
    w_water_if_thirsty > 0; pooled over the seeds, as seed 1 alone is too thin to pin (mean
    0.72, 0.06, 0.37 on seeds 0-2; share positive 100%, 61%, 100%): over the three final
    populations at least 75% of the individuals have it positive (measured 87%) and the
    mean of the seeds' means is >= 0.2 (measured 0.38)."""
    assert rewards.if_thirsty_positive.sum() >= 0.75 * rewards.n.sum(), rewards
    assert rewards.if_thirsty.mean() >= 0.2, rewards


@pytest.mark.slow
def test_the_analysis_names_the_better_reward_not_misalignment(rewards):
    """No individual is classed misaligned on any seed (they earn more than their twins),
    and pooled over seeds 0-2 at least 15% are named as the optimal-reward case: a reward
    whose alignment with fitness over all states is below 0.7 yet earns at least 1.1 times
    its twin (measured 64%, 0%, 28%: a mean of 31%). The share is a lottery of the seed
    (0% to 100% over seeds 0-9, mean 55%): a reward that wants water a little everywhere
    (seed 1: water 0.25, 0.31 when thirsty, food 0.86) correlates 0.96 with fitness, as a
    correlation cannot see that a planner pursues only rewards above 0, and fitness gives
    water exactly 0."""
    assert (rewards.misaligned == 0).all(), rewards
    assert rewards.beats.mean() >= 0.15, rewards
