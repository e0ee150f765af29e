"""The twins cross-evaluation plays beside each individual."""

import numpy as np

from agents.codes import MACHINE_PLANNER, MACHINE_REACTIVE
from agents.kernel import evaluate
from evo.evolution.experiment import Experiment, crosseval_rows
from evo.evolution.ga import initial_population
from evo.scenario import compile_scenario, load_scenario, seeds


def test_a_policys_aligned_twin_is_the_same_policy_valuing_each_type_by_value():
    """In a mixed population each aligned twin keeps its machine: a planner's twin plans
    with R = value, a policy's twin is the same policy (biases, decay, clock) with the
    valuation `value`; a planner twin for a policy would measure search, not alignment."""
    compiled = compile_scenario(load_scenario("emergence", ["ga.population=16"]))
    played = []

    def recording(params, world, episode_seeds):
        played.append(params)
        return evaluate(params, world, episode_seeds)

    pop = initial_population(compiled.layout, 16, seeds.init_rng(0))
    crosseval_rows(Experiment(compiled, recording), 0, "world", pop)
    own = compiled.decode(pop.genomes)
    assert {MACHINE_PLANNER, MACHINE_REACTIVE} <= set(own.machine.tolist())
    valued = np.tile(compiled.values, (16, 1))
    twins = [p for p in played if np.array_equal(p.reward, valued)]
    assert twins
    for twin in twins:
        np.testing.assert_array_equal(twin.machine, own.machine)
        np.testing.assert_array_equal(twin.policy, own.policy)


def test_a_random_agents_twins_plan_and_the_boosted_twins_search_to_the_maximal_horizon():
    """A random agent pursues nothing, so its twins plan with `value` (`intended`) at its own
    horizon; the boosted ones, it and its aligned twin, search to the maximal horizon."""
    from evo.evaluation import twins

    compiled = compile_scenario(load_scenario("evolution", ["agent.kind=\"random\""]))
    pop = initial_population(compiled.layout, 4, seeds.init_rng(0))
    params = compiled.decode(pop.genomes)
    twin = twins(compiled, params)
    assert twin.aligned.machine.tolist() == [MACHINE_PLANNER] * 4
    np.testing.assert_array_equal(twin.aligned.reward, np.tile(compiled.values, (4, 1)))
    np.testing.assert_array_equal(twin.intended.reward, np.tile(compiled.intended, (4, 1)))
    np.testing.assert_array_equal(twin.aligned.horizon, params.horizon)
    assert set(twin.boosted.horizon) == set(twin.boosted_aligned.horizon) == {
        compiled.horizon_max}
    np.testing.assert_array_equal(twin.boosted.machine, params.machine)
