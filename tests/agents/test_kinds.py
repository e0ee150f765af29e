"""Agent kinds: each declares its genes, its reward and its machine; decoding follows them."""

import numpy as np
import pytest

from agents.codes import MACHINE_PLANNER, MACHINE_RANDOM, MACHINE_REACTIVE
from agents.kinds import KINDS, decode

FEATURES = ("sweet", "bitter")
AGENT = {"weight_bound": 2.0, "horizon_min": 3, "horizon_max": 9, "gamma_min": 0.6,
         "gamma_max": 0.95, "view_radius": 2}
PLANNER_SHAPED = ("planner", "aligned", "random")  # kinds whose genome is the planner's
PHI = np.array([[1.0, 0.0], [0.5, 1.0], [0.0, 2.0]])  # (T, F)
VALUES = np.array([1.0, -0.5, -1.0])
CODES = (MACHINE_PLANNER, MACHINE_RANDOM, MACHINE_REACTIVE)


@pytest.mark.parametrize("name", PLANNER_SHAPED)
def test_every_kind_declares_a_layout_and_a_machine(name):
    """Genes start with a weight per feature; bounds come from the [agent] table; integer
    genes decode to integers within bounds; the machine is a known one."""
    kind = KINDS[name]
    assert kind.name == name and kind.machines[0] in CODES and kind.description
    layout = kind.genes(FEATURES, AGENT)
    assert layout.names[layout.weights] == ("w_sweet", "w_bitter")
    assert layout.names[2:] == ("horizon", "gamma")
    assert list(layout.integer) == [False, False, True, False]
    np.testing.assert_array_equal(layout.low, [-2, -2, 3, 0.6])
    np.testing.assert_array_equal(layout.high, [2, 2, 9, 0.95])
    genomes = np.array([[0.5, -1.0, 4.6, 0.7], [2.0, 2.0, 20.0, 0.1]])
    params = decode(kind, genomes, layout, PHI, VALUES, np.zeros((0, len(VALUES))))
    assert params.reward.shape == (2, 3) and params.reward.dtype == np.float64
    assert params.horizon.tolist() == [5, 9] and params.horizon.dtype == np.int64
    assert params.gamma.tolist() == [0.7, 0.6]
    assert params.machine.tolist() == [kind.machines[0]] * 2


def test_each_kind_carries_its_reward():
    """planner: R = w . phi from its genes; aligned: R = value; random: R = 0 and it wanders."""
    genomes = np.array([[0.5, -1.0, 4.0, 0.7]])
    layout = KINDS["planner"].genes(FEATURES, AGENT)
    rewards = {name: KINDS[name].reward(genomes, layout, PHI, VALUES) for name in PLANNER_SHAPED}
    np.testing.assert_allclose(rewards["planner"], [[0.5, -0.75, -2.0]])
    np.testing.assert_array_equal(rewards["aligned"], [VALUES])
    np.testing.assert_array_equal(rewards["random"], [[0.0, 0.0, 0.0]])
    assert KINDS["planner"].evolved_reward and not KINDS["aligned"].evolved_reward
    assert KINDS["aligned"].machines == (MACHINE_PLANNER,)
    assert KINDS["random"].machines == (MACHINE_RANDOM,)


def test_the_reactive_kind_decodes_its_policy():
    """reactive: its policy's weights come first (p_<feature>), then p_wall, a bias per
    action, decay and the view radius (fixed: equal bounds), then horizon and gamma for its
    twins; decoding gives the policy's valuation p . phi, the policy row and the radius."""
    kind = KINDS["reactive"]
    layout = kind.genes(FEATURES, AGENT)
    assert layout.names == ("p_sweet", "p_bitter", "p_wall", "bias_stay", "bias_N", "bias_S",
                            "bias_W", "bias_E", "decay", "view_radius", "horizon", "gamma")
    assert layout.names[layout.weights] == ("p_sweet", "p_bitter")
    genomes = np.array([[0.5, -1.0, -0.3, 0.1, 0.2, 0.3, 0.4, 0.5, 0.8, 7.0, 4.0, 0.7]])
    params = decode(kind, genomes, layout, PHI, VALUES, np.zeros((0, len(VALUES))))
    np.testing.assert_allclose(params.reward, [[0.5, -0.75, -2.0]])
    np.testing.assert_array_equal(params.policy, [[0.1, 0.2, 0.3, 0.4, 0.5, -0.3, 0.8, 0.0]])
    assert params.view_radius.tolist() == [2]  # the view gene is clipped to its fixed bounds
    assert params.machine.tolist() == [MACHINE_REACTIVE]


def test_a_clock_adds_its_weight_and_one_move_per_step_to_the_policy():
    """With `route_length` 3 the policy block ends with p_route and route_0..2, integer
    moves within 0..4 (rounded, then clipped); the policy row carries them after decay."""
    kind = KINDS["reactive"]
    layout = kind.genes(FEATURES, {**AGENT, "route_length": 3})
    assert layout.names[9:] == ("view_radius", "p_route", "route_0", "route_1", "route_2",
                                "horizon", "gamma")
    assert list(layout.integer[11:14]) == [True] * 3
    genomes = np.array([[0.5, -1.0, -0.3, 0.1, 0.2, 0.3, 0.4, 0.5, 0.8, 2.0, 0.6, 1.4, 3.6,
                         9.0, 4.0, 0.7]])
    params = decode(kind, genomes, layout, PHI, VALUES, np.zeros((0, len(VALUES))))
    np.testing.assert_array_equal(params.policy[0, 7:], [0.6, 1, 4, 4])


def test_the_mixed_kind_acts_with_the_machine_its_gene_names():
    """mixed: `optimizer` >= 0.5 makes the planner act (its w genes, horizon and gamma),
    below it the policy (its p genes); each agent then plays exactly the episode of the
    pure kind built from the same genes, in the kernel."""
    from agents.kernel import run_episode_traced
    from agents.world import make_world_spec

    mixed, layout = KINDS["mixed"], KINDS["mixed"].genes(FEATURES, AGENT)
    assert layout.names[-1] == "optimizer" and layout.names[layout.weights] == ("w_sweet",
                                                                                "w_bitter")
    rng = np.random.default_rng(0)
    genomes = rng.uniform(layout.low, layout.high, (4, layout.size))
    genomes[:, layout.index("optimizer")] = [0.5, 0.49, 0.9, 0.0]
    params = decode(mixed, genomes, layout, PHI, VALUES, np.zeros((0, 3)))
    assert params.machine.tolist() == [MACHINE_PLANNER, MACHINE_REACTIVE] * 2
    spec = make_world_spec(7, 7, 0, 0.0, 30, 2, VALUES, VALUES, [False] * 3, [3, 3, 3],
                           [0] * 3, [-1] * 3, [True] * 3)
    for name in ("planner", "reactive"):
        pure = KINDS[name].genes(FEATURES, AGENT)
        columns = [layout.index(gene) for gene in pure.names]
        alone = decode(KINDS[name], genomes[:, columns], pure, PHI, VALUES, np.zeros((0, 3)))
        for p in range(4):
            if (params.machine[p] == MACHINE_PLANNER) != (name == "planner"):
                continue
            for seed in range(3):
                a, b = (run_episode_traced(x, p, spec, seed) for x in (params, alone))
                assert np.array_equal(a.actions, b.actions) and a.base == b.base, (name, p)


def test_the_table_of_machines_is_complete_and_consistent():
    """Every machine code of agents.codes has its row, at its code and under its name; every
    kind acts with machines of the table (a kind with several has a genome that chooses);
    twins act with machines of the table, and a twin's twin is itself (a twin is already
    rewarded by `value`); each row's objective and replay are values the system knows."""
    from agents.kinds import BEHAVIOUR, GENOME, TRACE, TRACE_AND_SCORES
    from agents.kinds import MACHINES as TABLE

    assert [(m.name, m.code) for m in TABLE] == [
        ("planner", MACHINE_PLANNER), ("random", MACHINE_RANDOM), ("reactive", MACHINE_REACTIVE)]
    assert all(TABLE[m.code] is m for m in TABLE)
    for kind in KINDS.values():
        assert kind.machines and set(kind.machines) <= {m.code for m in TABLE}, kind.name
        assert (len(kind.machines) > 1) == (kind.choose is not None), kind.name
    for m in TABLE:
        assert TABLE[m.twin].twin == m.twin, m.name
        assert m.objective in (GENOME, BEHAVIOUR) and m.replay in (TRACE, TRACE_AND_SCORES)
    assert TABLE[MACHINE_PLANNER].is_optimizer and not TABLE[MACHINE_REACTIVE].is_optimizer


def test_per_agent_and_per_kind_questions_follow_the_table():
    """A mixed population's optimizers are its agents whose gene names the planner, and
    their twins act with their own machines; a random agent's twins plan. A kind is judged from
    behaviour when one of its machines' objectives is behavioural and chooses optimizers
    when its genome picks between an optimizer and a heuristic: a kind that carries a
    policy in its genes but only ever plans is neither."""
    from agents.kinds import chooses_optimizers, judged_from_behaviour, optimizers, twin_machines

    layout = KINDS["mixed"].genes(FEATURES, AGENT)
    genomes = np.random.default_rng(1).uniform(layout.low, layout.high, (6, layout.size))
    genomes[:, layout.index("optimizer")] = [0.9, 0.1, 0.5, 0.2, 0.7, 0.0]
    params = decode(KINDS["mixed"], genomes, layout, PHI, VALUES, np.zeros((0, 3)))
    assert optimizers(params.machine).tolist() == [True, False, True, False, True, False]
    assert twin_machines(params.machine).tolist() == params.machine.tolist()
    assert twin_machines([MACHINE_RANDOM]).tolist() == [MACHINE_PLANNER]
    assert [name for name, kind in KINDS.items() if judged_from_behaviour(kind)] == [
        "reactive", "mixed"]
    assert [name for name, kind in KINDS.items() if chooses_optimizers(kind)] == ["mixed"]
    planning_only = KINDS["mixed"]._replace(machines=(MACHINE_PLANNER,), choose=None)
    assert planning_only.policy is not None
    assert not judged_from_behaviour(planning_only) and not chooses_optimizers(planning_only)
