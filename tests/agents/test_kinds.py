"""Agent kinds: each declares its genes, its reward and its machine; decoding follows them."""

import numpy as np
import pytest

from agents.codes import MACHINE_PLANNER, MACHINE_WANDER, MACHINES
from agents.kinds import KINDS, decode

FEATURES = ("sweet", "bitter")
AGENT = {"weight_bound": 2.0, "horizon_min": 3, "horizon_max": 9, "gamma_min": 0.6,
         "gamma_max": 0.95}
PHI = np.array([[1.0, 0.0], [0.5, 1.0], [0.0, 2.0]])  # (T, F)
VALUES = np.array([1.0, -0.5, -1.0])


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_declares_a_layout_and_a_machine(name):
    """Genes start with a weight per feature; bounds come from the [agent] table; integer
    genes decode to integers within bounds; the machine is a known one."""
    kind = KINDS[name]
    assert kind.name == name and kind.machine in MACHINES.values() and kind.description
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
    assert params.machine.tolist() == [kind.machine] * 2


def test_each_kind_carries_its_reward():
    """planner: R = w . phi from its genes; aligned: R = value; random: R = 0 and it wanders."""
    genomes = np.array([[0.5, -1.0, 4.0, 0.7]])
    layout = KINDS["planner"].genes(FEATURES, AGENT)
    rewards = {name: KINDS[name].reward(genomes, layout, PHI, VALUES) for name in KINDS}
    np.testing.assert_allclose(rewards["planner"], [[0.5, -0.75, -2.0]])
    np.testing.assert_array_equal(rewards["aligned"], [VALUES])
    np.testing.assert_array_equal(rewards["random"], [[0.0, 0.0, 0.0]])
    assert KINDS["planner"].evolved_reward and not KINDS["aligned"].evolved_reward
    assert KINDS["aligned"].machine == MACHINE_PLANNER
    assert KINDS["random"].machine == MACHINE_WANDER
