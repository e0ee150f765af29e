"""The genome: one flat float vector per agent, its layout and its decoding.

The layout is the single source of truth for which gene is which: the weights `w` of the
internal reward R(t) = w . phi(t) (one per observable feature), then `horizon` (a float
rounded at decode) and `gamma`.
"""

from typing import NamedTuple

import numpy as np

from agents.codes import KIND_ALIGNED, KIND_RANDOM


class GenomeLayout(NamedTuple):
    """Names and bounds of the genes; `weights` is the slice of the reward weights."""

    names: tuple[str, ...]  # w_<feature>..., horizon, gamma
    low: np.ndarray  # (G,) float64
    high: np.ndarray  # (G,) float64
    weights: slice
    horizon: int
    gamma: int

    @property
    def size(self) -> int:
        """Number of genes G."""
        return len(self.names)


class AgentParams(NamedTuple):
    """Decoded population, struct-of-arrays with the population as leading axis."""

    reward: np.ndarray  # (P, T) float64: the internal reward R of each object type
    horizon: np.ndarray  # (P,) int64: search depth of the planner
    gamma: np.ndarray  # (P,) float64: discount of planning values
    wanders: np.ndarray  # (P,) bool: never plans (the `random` kind)


def make_layout(features, weight_bound, horizon_min, horizon_max, gamma_min, gamma_max):
    """Layout for a scenario's feature names and the agent's bounds."""
    num_features = len(features)
    names = tuple(f"w_{f}" for f in features) + ("horizon", "gamma")
    low = np.array([-weight_bound] * num_features + [horizon_min, gamma_min], dtype=np.float64)
    high = np.array([weight_bound] * num_features + [horizon_max, gamma_max], dtype=np.float64)
    return GenomeLayout(names, low, high, slice(0, num_features), num_features, num_features + 1)


def internal_reward(weights: np.ndarray, features: np.ndarray) -> np.ndarray:
    """R = w . phi for every agent and type: (P, F) x (T, F) -> (P, T).

    An elementwise product summed along one axis, not a BLAS matmul, so the result does
    not depend on the BLAS build or its threads.
    """
    return (weights[:, None, :] * features[None, :, :]).sum(axis=2)


def decode(genomes: np.ndarray, layout: GenomeLayout, features: np.ndarray,
           value: np.ndarray, kind: int) -> AgentParams:
    """Decode genomes (P, G) into kernel parameters for an agent kind (agents.codes.KINDS).

    `aligned` agents plan with the base objective (`value`) as their reward; `random`
    agents have a zero reward and always wander.
    """
    genomes = np.asarray(genomes, dtype=np.float64)
    num_agents = genomes.shape[0]
    if kind == KIND_ALIGNED:
        reward = np.tile(np.asarray(value, dtype=np.float64), (num_agents, 1))
    elif kind == KIND_RANDOM:
        reward = np.zeros((num_agents, len(value)), dtype=np.float64)
    else:
        reward = internal_reward(genomes[:, layout.weights], np.asarray(features, np.float64))
    low, high = layout.low[layout.horizon], layout.high[layout.horizon]
    horizon = np.clip(np.rint(genomes[:, layout.horizon]), low, high).astype(np.int64)
    gamma = np.clip(genomes[:, layout.gamma], layout.low[layout.gamma], layout.high[layout.gamma])
    wanders = np.full(num_agents, kind == KIND_RANDOM, dtype=np.bool_)
    return AgentParams(np.ascontiguousarray(reward), horizon, np.ascontiguousarray(gamma), wanders)
