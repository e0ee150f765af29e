"""The `aligned` kind: the planner with the base objective slotted in as its reward.

The hard-coded optimizer with an aligned objective: a control. Its genome is the planner's
(its w genes evolve but are unused), so horizon and gamma evolve as they do for planners.
"""

import numpy as np

from agents.codes import MACHINE_PLANNER
from agents.kinds import planner
from agents.kinds.base import AgentKind


def reward(genomes, layout, features, values) -> np.ndarray:
    """R = value for every agent (P, T)."""
    return np.tile(np.asarray(values, dtype=np.float64), (genomes.shape[0], 1))


def flag_reward(genomes, layout, features, flag_values) -> np.ndarray:
    """What each flag adds: what it adds to `value` (P, K, T)."""
    return np.tile(np.asarray(flag_values, dtype=np.float64), (genomes.shape[0], 1, 1))


KIND = AgentKind("aligned", (MACHINE_PLANNER,), planner.genes, reward, evolved_reward=False,
                 flag_reward=flag_reward,
                 description="planner rewarded by `value` (a control)",
                 note="Agent kind `aligned`: agents plan with the base objective, so their "
                      "internal reward is `value` (their w genes are unused).")
