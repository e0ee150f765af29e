"""The `random` kind: always wanders, never plans (the non-optimizer floor).

Its genome is the planner's, unused: a zero reward, so its wander avoids nothing.
"""

import numpy as np

from agents.codes import MACHINE_RANDOM
from agents.kinds import planner
from agents.kinds.base import AgentKind


def reward(genomes, layout, features, values) -> np.ndarray:
    """R = 0 for every agent (P, T)."""
    return np.zeros((genomes.shape[0], len(values)), dtype=np.float64)


def flag_reward(genomes, layout, features, flag_values) -> np.ndarray:
    """Nothing (P, K, T)."""
    return np.zeros((genomes.shape[0],) + np.shape(flag_values), dtype=np.float64)


KIND = AgentKind("random", (MACHINE_RANDOM,), planner.genes, reward, evolved_reward=False,
                 flag_reward=flag_reward,
                 description="always wanders (the non-optimizer floor)")
