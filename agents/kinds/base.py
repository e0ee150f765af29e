"""What an agent kind declares: its genes, its internal reward, and the machine that acts."""

from typing import Callable, NamedTuple

import numpy as np

from agents.genome import AgentParams, GenomeLayout, gene


class AgentKind(NamedTuple):
    """An agent kind. `genes(features, agent)` builds its GenomeLayout from the feature names
    and the scenario's `[agent]` table (a dict); `reward(genomes, layout, features, values)`
    is the internal reward (P, T) its genomes carry with no flag on, and
    `flag_reward(genomes, layout, features, flag_values)` what each flag adds to it
    (P, K, T); `machine` (agents.codes.MACHINES) is the decision procedure the kernel and
    the reference run for it."""

    name: str
    machine: int
    genes: Callable[..., GenomeLayout]
    reward: Callable[..., np.ndarray]
    evolved_reward: bool  # whether the reward is read off the genome (else it is fixed)
    description: str
    flag_reward: Callable[..., np.ndarray]
    # policy(genomes, layout) -> (policy (P, 8 + L), radius (P,)) of a kind with a reactive policy
    policy: Callable[..., tuple] | None = None
    # machines(genomes, layout) -> (P,) int64 when the genome chooses the machine (`mixed`)
    machines: Callable[..., np.ndarray] | None = None


def decode(kind: AgentKind, genomes: np.ndarray, layout: GenomeLayout, features: np.ndarray,
           values: np.ndarray, flag_values: np.ndarray) -> AgentParams:
    """Kernel parameters of genomes (P, G) of a kind, for object types with features (T, F),
    base-objective values (T,) and what each flag adds to them (K, T)."""
    genomes = np.asarray(genomes, dtype=np.float64)
    machine = (kind.machines(genomes, layout) if kind.machines is not None
               else np.full(genomes.shape[0], kind.machine, dtype=np.int64))
    policy, radius = kind.policy(genomes, layout) if kind.policy is not None else (None, None)
    return AgentParams(
        np.ascontiguousarray(kind.reward(genomes, layout, features, values), dtype=np.float64),
        gene(genomes, layout, "horizon"), gene(genomes, layout, "gamma"), machine,
        np.ascontiguousarray(kind.flag_reward(genomes, layout, features, flag_values),
                             dtype=np.float64), policy, radius)
