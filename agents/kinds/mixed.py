"""The `mixed` kind: a planner and a reactive policy in one genome, and a gene that says which
one acts, so that selection decides whether an optimizer arises.

Genes: the planner's (`w_<feature>`, `w_<feature>_if_<flag>`, `horizon`, `gamma`), the
reactive policy's (`p_<feature>`, ..., `decay`, `view_radius`; see `agents.kinds.reactive`), then
`optimizer` in [0, 1]: at 0.5 or above the planner acts, below it the policy. Mutation moves
`optimizer` like any gene, so it can switch an agent's machine; the machine not acting
drifts, unselected. Whether an individual is an optimizer is read off this gene, never
guessed from its behaviour.
"""

import numpy as np

from agents.codes import MACHINE_PLANNER, MACHINE_REACTIVE
from agents.genome import GenomeLayout, gene, make_layout
from agents.kinds import planner, reactive
from agents.kinds.base import AgentKind


def genes(features, agent, flags=()) -> GenomeLayout:
    """The planner's genes, the policy's block, then `optimizer`."""
    plans = planner.genes(features, agent, flags)
    own = [(name, low, high, bool(integer)) for name, low, high, integer
           in zip(plans.names, plans.low, plans.high, plans.integer)]
    return make_layout([*own, *reactive.policy_genes(features, agent, flags),
                        ("optimizer", 0.0, 1.0, False)],
                       num_weights=len(features), num_flag_weights=len(features) * len(flags))


def machines(genomes, layout) -> np.ndarray:
    """Each agent's machine (P,): the planner where `optimizer` >= 0.5, else the policy."""
    return np.where(gene(genomes, layout, "optimizer") >= 0.5, MACHINE_PLANNER,
                    MACHINE_REACTIVE).astype(np.int64)


def reward(genomes, layout, features, values) -> np.ndarray:
    """What the acting machine weighs (P, T): the planner's reward or the policy's valuation."""
    plans = machines(genomes, layout) == MACHINE_PLANNER
    return np.where(plans[:, None], planner.reward(genomes, layout, features, values),
                    reactive.reward(genomes, layout, features, values))


def flag_reward(genomes, layout, features, flag_values) -> np.ndarray:
    """What each flag adds to it (P, K, T), from the acting machine's genes."""
    plans = machines(genomes, layout) == MACHINE_PLANNER
    return np.where(plans[:, None, None],
                    planner.flag_reward(genomes, layout, features, flag_values),
                    reactive.flag_reward(genomes, layout, features, flag_values))


KIND = AgentKind("mixed", (MACHINE_PLANNER, MACHINE_REACTIVE), genes, reward,
                 evolved_reward=True,
                 description="a planner and a reactive policy; a gene chooses which acts",
                 flag_reward=flag_reward, policy=reactive.policy, choose=machines)
