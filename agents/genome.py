"""The genome: one flat float vector per agent, its layout, and what decoding makes of it.

An agent kind (`agents.kinds`) declares the layout of its genes; the layout is the single
source of truth for which gene is which, its bounds, and whether it is an integer (stored as
a float, rounded at decode).
"""

from typing import NamedTuple

import numpy as np


class GenomeLayout(NamedTuple):
    """Names, bounds and integer flags of the genes; `weights` is the slice of the reward
    weights w (one per feature), which every kind's genome starts with."""

    names: tuple[str, ...]  # (G,): w_<feature>..., then the kind's other genes
    low: np.ndarray  # (G,) float64
    high: np.ndarray  # (G,) float64
    integer: np.ndarray  # (G,) bool: rounded to the nearest integer within bounds at decode
    weights: slice
    # The weights v_k of each flag (K of them, F each: w_<feature>_if_<flag>), right after w.
    flag_weights: slice = slice(0, 0)

    @property
    def size(self) -> int:
        """Number of genes G."""
        return len(self.names)

    def index(self, name: str) -> int:
        """Position of a gene by name."""
        return self.names.index(name)


class AgentParams(NamedTuple):
    """Decoded population, struct-of-arrays with the population as leading axis."""

    reward: np.ndarray  # (P, T) float64: the internal reward R of each object type
    horizon: np.ndarray  # (P,) int64: search depth of the planner
    gamma: np.ndarray  # (P,) float64: discount of planning values
    machine: np.ndarray  # (P,) int64: the decision procedure that acts (agents.kinds.MACHINES)
    # (P, K, T) float64: added to R while flag k is on (agents.world: with_flags); None or
    # K = 0 for a reward that ignores the flags
    flag_reward: np.ndarray | None = None
    # (P, 8 + L) float64: a reactive policy's biases (stay, N, S, W, E), wall weight, decay,
    # clock weight and its L moves (agents.kinds.reactive); None for agents without one
    policy: np.ndarray | None = None
    view_radius: np.ndarray | None = None  # (P,) int64: a reactive policy's view radius


class Agent(NamedTuple):
    """One agent of an `AgentParams`, its row p: the fields in the same order, none None
    (what the kernel plays; `agents.kernel` casts and fills them)."""

    reward: np.ndarray  # (T,) float64: the internal reward R of each object type
    horizon: int  # int64: search depth of the planner
    gamma: float  # float64: discount of planning values
    machine: int  # int64: the decision procedure that acts (agents.kinds.MACHINES)
    flag_reward: np.ndarray  # (K, T) float64: added to R while flag k is on; K may be 0
    policy: np.ndarray  # (8 + L,) float64: a reactive policy (zeros for agents without one)
    view_radius: int  # int64: a reactive policy's view radius (0 for agents without one)


def make_layout(genes, num_weights: int, num_flag_weights: int = 0) -> GenomeLayout:
    """A layout from (name, low, high, integer) tuples, the `num_weights` reward weights
    first, then `num_flag_weights` weights of the flags."""
    names = tuple(name for name, _, _, _ in genes)
    return GenomeLayout(
        names,
        np.array([low for _, low, _, _ in genes], dtype=np.float64),
        np.array([high for _, _, high, _ in genes], dtype=np.float64),
        np.array([integer for _, _, _, integer in genes], dtype=np.bool_),
        slice(0, num_weights), slice(num_weights, num_weights + num_flag_weights),
    )


def gene(genomes: np.ndarray, layout: GenomeLayout, name: str) -> np.ndarray:
    """One gene of every genome (P,), clipped to its bounds; an integer gene as int64."""
    j = layout.index(name)
    values = genomes[:, j]
    if layout.integer[j]:
        values = np.rint(values)
    values = np.clip(values, layout.low[j], layout.high[j])
    return values.astype(np.int64) if layout.integer[j] else values


def internal_reward(weights: np.ndarray, features: np.ndarray) -> np.ndarray:
    """R = w . phi for every agent and type: (P, F) x (T, F) -> (P, T).

    An elementwise product summed along one axis, not a BLAS matmul, so the result does
    not depend on the BLAS build or its threads.
    """
    return (weights[:, None, :] * features[None, :, :]).sum(axis=2)


def flag_internal_rewards(weights: np.ndarray, features: np.ndarray) -> np.ndarray:
    """What each flag adds to R, v_k . phi: (P, K, F) x (T, F) -> (P, K, T), flag by flag
    as `internal_reward`."""
    out = np.empty((weights.shape[0], weights.shape[1], features.shape[0]))
    for k in range(weights.shape[1]):
        out[:, k] = internal_reward(weights[:, k], features)
    return out
