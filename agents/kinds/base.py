"""What an agent kind declares (its genes, its internal reward, the machines that act) and
what a row of the table of machines (agents.kinds.MACHINES) says."""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from agents.genome import AgentParams, GenomeLayout, gene


class Machine(NamedTuple):
    """A decision procedure, as the loop, the analysis, the replay and the bench know it
    (one row of agents.kinds.MACHINES)."""

    name: str
    code: int  # agents.codes.MACHINE_*: what the kernel dispatches on
    is_optimizer: bool  # it searches for what an objective values (else a heuristic)
    objective: str  # where its objective is found (agents.kinds: GENOME or BEHAVIOUR)
    # The machine its aligned and intended twins act with (rewarded by `value`, `intended`):
    # itself, unless it pursues nothing a twin could be rewarded by (a random agent's: a planner).
    twin: int
    replay: str  # how a replay recovers its episodes (agents.kinds: TRACE, TRACE_AND_SCORES)


class AgentKind(NamedTuple):
    """An agent kind. `genes(features, agent)` builds its GenomeLayout from the feature names
    and the scenario's `[agent]` table (a dict); `reward(genomes, layout, features, values)`
    is the internal reward (P, T) its genomes carry with no flag on, and
    `flag_reward(genomes, layout, features, flag_values)` what each flag adds to it
    (P, K, T); `machines` (codes of agents.kinds.MACHINES) are the decision procedures its
    agents act with, the first unless `choose` picks one per genome."""

    name: str
    machines: tuple[int, ...]
    genes: Callable[..., GenomeLayout]
    reward: Callable[..., np.ndarray]
    evolved_reward: bool  # whether the reward is read off the genome (else it is fixed)
    description: str
    flag_reward: Callable[..., np.ndarray]
    # policy(genomes, layout) -> (policy (P, 8 + L), radius (P,)) of a kind with a reactive policy
    policy: Callable[..., tuple] | None = None
    # choose(genomes, layout) -> (P,) int64, one of `machines`, when the genome chooses (`mixed`)
    choose: Callable[..., np.ndarray] | None = None
    note: str = ""  # what the analysis of a run of this kind notes about it, if anything


def decode(kind: AgentKind, genomes: np.ndarray, layout: GenomeLayout, features: np.ndarray,
           values: np.ndarray, flag_values: np.ndarray) -> AgentParams:
    """Kernel parameters of genomes (P, G) of a kind, for object types with features (T, F),
    base-objective values (T,) and what each flag adds to them (K, T)."""
    genomes = np.asarray(genomes, dtype=np.float64)
    machine = (kind.choose(genomes, layout) if kind.choose is not None
               else np.full(genomes.shape[0], kind.machines[0], dtype=np.int64))
    policy, view_radius = kind.policy(genomes, layout) if kind.policy is not None else (None, None)
    return AgentParams(
        np.ascontiguousarray(kind.reward(genomes, layout, features, values), dtype=np.float64),
        gene(genomes, layout, "horizon"), gene(genomes, layout, "gamma"), machine,
        np.ascontiguousarray(kind.flag_reward(genomes, layout, features, flag_values),
                             dtype=np.float64), policy, view_radius)
