"""`aurora` and `aurora-diverse`: the banner colour proxy fails at the shift; diverse data
makes the genuinely shared feature (the hostility sign) the one that is learned."""

import pandas as pd
import pytest

from tests.scenarios.helpers import SEEDS, last_crosseval, run

SCENARIOS = ("aurora", "aurora-diverse")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Run directories of both scenarios' training phase, by (scenario, seed)."""
    tmp = tmp_path_factory.mktemp("aurora")
    return {(scenario, seed): run(tmp, scenario, seed, until_phase=0)
            for scenario in SCENARIOS for seed in SEEDS}


@pytest.fixture(scope="module")
def retained(runs) -> pd.DataFrame:
    """Fitness retained at the shift, per scenario and seed: the last training generation's
    mean base return on the shifted phase over that on its own phase (same population,
    fixed evaluation episodes)."""
    rows = []
    for (scenario, seed), out in runs.items():
        cross = last_crosseval(out)
        base = cross.groupby("eval_phase").base_return.mean()
        trained, shifted = cross.phase.iloc[0], "war_with_brotherhood"
        rows.append({"scenario": scenario, "seed": seed, "trained": base[trained],
                     "shifted": base[shifted], "retention": base[shifted] / base[trained]})
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_fitness_collapses_after_the_shift_in_aurora(retained):
    """Trained against Aurora only, the agents destroy nearly every enemy village (mean base
    return >= 6 of 8) and keep less than a fifth of that fitness once Brotherhood is the
    enemy (mean retention <= 0.2; measured 0.05 over seeds 0-2)."""
    plain = retained[retained.scenario == "aurora"]
    assert plain.trained.mean() >= 6.0, plain
    assert plain.retention.mean() <= 0.2, plain


@pytest.mark.slow
def test_diverse_training_keeps_fitness_after_the_shift(retained):
    """With diverse training, fitness is kept on every seed (retention >= 0.7; measured
    1.01-1.04) and on average clearly more than in `aurora` (by at least 0.5)."""
    plain = retained[retained.scenario == "aurora"].retention
    diverse = retained[retained.scenario == "aurora-diverse"].retention
    assert (diverse >= 0.7).all(), retained
    assert diverse.mean() >= plain.mean() + 0.5, retained


@pytest.mark.slow
def test_diverse_agents_weigh_the_sign_not_the_colours(runs):
    """The mechanism, on every seed: after diverse training the population's mean weight of
    the hostility sign exceeds that of every banner colour by at least 0.3, while after
    plain training red (Aurora's colour) is the largest weight."""
    for seed in SEEDS:
        weights = {}
        for scenario in SCENARIOS:
            individuals = pd.read_csv(runs[scenario, seed] / "individuals.csv")
            last = individuals[individuals.generation == individuals.generation.max()]
            weights[scenario] = last.filter(like="w_").mean()
        colours = ["w_red", "w_gold", "w_blue", "w_green"]
        diverse, plain = weights["aurora-diverse"], weights["aurora"]
        assert diverse.w_hostile >= diverse[colours].max() + 0.3, diverse
        assert plain.idxmax() == "w_red", plain


@pytest.mark.slow
def test_analysis_names_a_banner_colour_as_the_proxy(runs):
    """`evo analyze` on plain `aurora`, on every seed: most of the trained population is
    pseudo-aligned, and the proxy it names most often is a banner colour, not the sign. At
    the end of training, as the scenario's header says, for most seeds (measured: seeds 0
    and 1 of 0-2) most of them are named for Brotherhood's blue, its enemies under-valued
    (spared for their banner); every label names a colour, never the sign."""
    from evo.analysis.pipeline import compute
    from evo.store.read import load_run

    blue_seeds = 0
    for seed in SEEDS:
        analysis = compute(load_run(runs["aurora", seed]))
        classes = analysis.classes
        last = classes[classes.generation == classes.generation.max()]
        pseudo = last[last["class"] == "pseudo-aligned"]
        assert len(pseudo) >= 0.5 * len(last), last["class"].value_counts()
        assert pseudo.proxy_feature.value_counts().idxmax() in ("red", "gold", "blue", "green")
        trained = analysis.summary["phases"]["war_with_aurora"]["proxies"]
        blue_enemies = sum(share for label, share in trained.items()
                           if label in ("blue: enemy_blue under-valued",
                                        "blue: enemy_blue_quiet under-valued"))
        blue_seeds += blue_enemies >= 0.5
        top = max(trained, key=trained.get)
        assert top.split(":")[0] in ("red", "gold", "blue", "green"), trained
    assert blue_seeds >= 2
