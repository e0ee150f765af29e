"""`evolution` played by reactive agents beside planners: at the shift it is the optimizer
that keeps its competence and loses its fitness; the heuristic, less capable to begin with,
loses less."""

import pytest

from evo.analysis import analyze_run
from tests.scenarios.helpers import SEEDS, run


@pytest.fixture(scope="module")
def shifts(tmp_path_factory) -> dict:
    """Per (kind, seed): the shift's numbers and goal generalisation ancestral -> modern."""
    tmp = tmp_path_factory.mktemp("heuristics-shift")
    out = {}
    for kind in ("planner", "reactive"):
        for seed in SEEDS:
            summary = analyze_run(run(tmp, "evolution", seed, [f"agent.kind=\"{kind}\""]),
                                  plots=False).summary
            [pair] = [p for p in summary["pairs"]
                      if (p["origin"], p["target"]) == ("ancestral", "modern")]
            out[kind, seed] = {**summary["shifts"][0], "goal": pair["goal_generalisation"],
                               "capability": pair["behavioural_capability_generalisation"],
                               "verdict": pair["verdict"]}
    return out


@pytest.mark.slow
def test_the_heuristic_keeps_more_of_its_fitness_at_the_shift(shifts):
    """Expected from the sources before measuring: the optimizer pursues its proxy (candy)
    competently in the new world, so it loses more of its fitness than a heuristic that
    pursued anything less well. On every seed the reactive agents' goal generalisation
    exceeds the planners' by at least 0.15 (measured 0.75 / 0.60 / 0.51 against 0.19 / 0.11
    / 0.23), and just after the shift they earn more fitness than the planners (3.15 / 3.45
    / 3.67 against 2.37 / 1.56 / 2.93), though before it they earned well under half
    (4.29 / 5.78 / 4.47 against 11.85 / 12.02 / 11.51)."""
    for seed in SEEDS:
        planner, reactive = shifts["planner", seed], shifts["reactive", seed]
        assert reactive["goal"] >= planner["goal"] + 0.15, (seed, planner, reactive)
        assert reactive["fitness_after"] > planner["fitness_after"], (seed, planner, reactive)
        assert reactive["fitness_before"] < 0.6 * planner["fitness_before"], seed


@pytest.mark.slow
def test_on_one_scale_the_optimizer_keeps_its_capability_and_only_it_lands_in_the_danger_zone(
        shifts):
    """Behavioural capability (return on the objective fitted to consumption over a
    maximal-horizon planner's) puts both kinds on one scale. In the modern world the
    planners keep theirs near 1 (measured 0.99 / 1.00 / 0.98) and the reactive agents stay
    lower (0.84 / 0.79 / 0.78): on every seed the planners lead by at least 0.1, and only
    the planners fall in the quadrant where capabilities generalise and goals do not."""
    dangerous = "capabilities generalise, goals do not (the dangerous quadrant)"
    for seed in SEEDS:
        planner, reactive = shifts["planner", seed], shifts["reactive", seed]
        assert planner["capability"] >= reactive["capability"] + 0.1, (seed, planner, reactive)
        assert planner["verdict"] == dangerous and reactive["verdict"] != dangerous, seed
