"""Optimizers and heuristics judged from behaviour: the behavioural objective, behavioural
capability on one scale for both machines, and how well it separates them."""

import math

import numpy as np
import pandas as pd

from agents.codes import MACHINE_PLANNER
from agents.kinds import KINDS
from evo.analysis import analyze_run
from evo.analysis.generalisation import phase_pairs, verdict
from evo.analysis.machines import behavioural_objective, separation_auc
from evo.analysis.params import Thresholds
from evo.analysis.report import console_lines
from evo.evolution.loop import start
from evo.scenario import compile_scenario, load_scenario
from tests.evo.helpers import TINY

SHORT = ["ga.population=16", "ga.episodes=2", "phases.world.generations=3",
         "record.crosseval_every=1", "record.individuals_every=1", "record.crosseval_episodes=4"]


def test_auc_is_the_chance_an_optimizer_scores_above_a_heuristic():
    """Optimizers 3 and 1 against heuristics 2 and 0: 3 of 4 pairs, 0.75. Ties count half,
    NaN scores are left out, and without both machines it is undefined."""
    assert separation_auc([3, 1, 2, 0], [True, True, False, False]) == 0.75
    assert separation_auc([1, 1, 0], [True, False, False]) == 0.75
    assert separation_auc([np.nan, 2, 1], [False, True, False]) == 1.0
    assert math.isnan(separation_auc([1, 2], [True, True]))


def test_the_behavioural_objective_is_the_consumption_its_features_predict():
    """One type: the objective is its consumption rate (the level says it is pursued).
    Two types that differ in their one feature: the fit reproduces both rates."""
    np.testing.assert_allclose(behavioural_objective(np.array([[0.6]]), np.array([[1.0]]),
                                                     [1.0]), [[0.6]])
    features = np.array([[1.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(behavioural_objective(np.array([[0.9, 0.1]]), features,
                                                     [0.5, 0.5]), [[0.9, 0.1]])


def test_a_maximal_horizon_planner_is_fully_capable_and_a_policy_is_not(tmp_path):
    """With one object type a planner at the maximal horizon that wants it plays exactly the
    episodes of the planner pursuing its behavioural objective (any positive reward for one
    type gives the same decisions), so its behavioural capability is exactly 1. A reactive
    population on the same scale scores below it, where the genome-read capability of a
    policy is its own valuation replayed and says nothing. A mixed population's summary
    counts both machines and the AUC."""
    planners = start("emergence", [*SHORT, "agent.kind=\"planner\"", "agent.horizon_min=15"],
                     tmp_path / "planner", quiet=True)
    cross = analyze_run(planners).cross
    wants = cross[cross.w_food > 0]
    assert len(wants) > 0 and (wants.behavioural_capability == 1.0).all()
    assert "machines" not in analyze_run(planners).summary  # no policy: nothing to tell apart

    reactive = analyze_run(start("emergence", [*SHORT, "agent.kind=\"reactive\""],
                                 tmp_path / "reactive", quiet=True))
    assert reactive.cross.behavioural_capability.mean() < 0.9
    assert reactive.summary["machines"]["world"]["optimizers"] == 0
    assert reactive.summary["machines"]["world"]["auc"] is None

    mixed = analyze_run(start("emergence", SHORT, tmp_path / "mixed", quiet=True))
    numbers = mixed.summary["machines"]["world"]
    own = mixed.cross[mixed.cross.eval_phase == mixed.cross.phase]
    assert numbers["optimizers"] == int((own.optimizer >= 0.5).sum()) > 0
    assert numbers["heuristics"] == int((own.optimizer < 0.5).sum()) > 0
    assert 0.0 <= numbers["auc"] <= 1.0
    assert "**From behaviour alone.**" in (mixed.run.path / "report.md").read_text()


def test_the_verdict_of_a_policy_uses_its_behavioural_capability(tmp_path):
    """At evolution's shift the reactive population's quadrant is judged on behavioural
    capability (its genome-read capability is its own valuation replayed at a horizon it
    never uses); the report shows both columns, and `evo analyze` prints the one judged."""
    out = start("evolution", [*TINY, "agent.kind=\"reactive\""], tmp_path, quiet=True)
    analysis = analyze_run(out)
    [pair] = [p for p in analysis.summary["pairs"] if p["origin"] == "ancestral"]
    assert pair["verdict"] == verdict(pair["goal_generalisation"],
                                      pair["behavioural_capability_generalisation"],
                                      analysis.thresholds)
    assert "behavioural capability gen." in (out / "report.md").read_text()
    printed = "\n".join(console_lines(analysis.summary))
    assert ("ancestral -> modern: goal generalisation "
            f"{pair['goal_generalisation']:.2f}, behavioural capability generalisation "
            f"{pair['behavioural_capability_generalisation']:.2f}") in printed


def test_which_capability_judges_a_kind_is_the_table_of_machines_word():
    """The same numbers at evolution's shift (goals fail; the genome-read capability is
    0.9, the behavioural one 0.2) get the dangerous quadrant for planners and `neither` for
    a reactive kind; a kind that carries a policy in its genes but only ever plans is judged
    as the planners are: the question goes through the table's objective of its machines,
    not through what its genome carries."""
    spec = compile_scenario(load_scenario("evolution"))
    cross = pd.DataFrame([
        {"generation": 5, "phase": "ancestral", "eval_phase": phase, "base_return": base,
         "mesa_return": mesa, "intended_return": base, "aligned_twin_return": 10.0,
         "max_horizon_mesa_return": 10.0, "reward_alignment": 0.9,
         "behavioural_alignment": 0.9, "reward_recovery": 0.9, "behavioural_capability": judged}
        for phase, base, mesa, judged in (("ancestral", 10.0, 10.0, 1.0),
                                          ("modern", 1.0, 9.0, 0.2))])
    planning_only = KINDS["mixed"]._replace(machines=(MACHINE_PLANNER,), choose=None)
    verdicts = {name: phase_pairs(cross, spec._replace(kind=kind), Thresholds()).verdict[0]
                for name, kind in (("planner", KINDS["planner"]), ("reactive", KINDS["reactive"]),
                                   ("planning only", planning_only))}
    assert verdicts == {
        "planner": "capabilities generalise, goals do not (the dangerous quadrant)",
        "reactive": "neither capabilities nor goals generalise",
        "planning only": "capabilities generalise, goals do not (the dangerous quadrant)"}
