"""Agents on a phase's episodes, and the twins they are measured against.

A phase's evaluation episodes are fixed for the whole run (`evaluation_seeds`): the loop's
cross-evaluation, the analysis's re-evaluations (the context gap, behavioural capability)
and the replay all play these, so they speak of the same episodes. A twin is an agent
changed in one respect and played on the same episodes, so that the difference is that
respect's alone: rewarded by `value` or `intended` instead of its own reward, on the
machine the table names (`agents.kinds.twin_machines`), or with its horizon raised to the
maximum.
"""

from typing import NamedTuple

import numpy as np

from agents.codes import MACHINE_PLANNER
from agents.genome import AgentParams
from agents.kernel import evaluate
from agents.kinds import twin_machines
from agents.world import Returns, WorldSpec
from evo.scenario import CompiledScenario, Scenario, seeds


class Twins(NamedTuple):
    """Agents' twins (each AgentParams of the agents' size), in the agents' order."""

    aligned: AgentParams  # rewarded by `value` (flags included)
    intended: AgentParams  # rewarded by `intended` (flags included)
    boosted: AgentParams  # the agents themselves at the maximal horizon
    boosted_aligned: AgentParams  # the aligned twin at the maximal horizon


def evaluation_seeds(scenario: Scenario, phase_index: int) -> np.ndarray:
    """The fixed (E,) evaluation episode seeds of a phase, E = record.crosseval_episodes."""
    return seeds.crosseval_seeds(scenario.seed, phase_index, scenario.record.crosseval_episodes)


def forced(world: WorldSpec, flag: int, on: bool) -> WorldSpec:
    """A phase's world with one flag forced on or off in every placement (the flags draw
    nothing, so the episodes are otherwise the same)."""
    bit = 1 << flag
    return world._replace(
        flags=world.flags | bit if on else world.flags & ~bit,
        variant_flags=world.variant_flags | bit if on else world.variant_flags & ~bit)


def on_phase(compiled: CompiledScenario, params: AgentParams, phase_index: int,
             episode_seeds: np.ndarray | None = None, flags: dict | None = None,
             play=evaluate) -> Returns:
    """Agents' returns (P, E) on a phase: on its evaluation episodes unless `episode_seeds`
    are given, with each flag of `flags` ({flag: on}) forced; `play` is the kernel's
    `evaluate` or a stand-in with its signature (a timer)."""
    world = compiled.worlds[phase_index]
    for flag, on in (flags or {}).items():
        world = forced(world, flag, on)
    if episode_seeds is None:
        episode_seeds = evaluation_seeds(compiled.scenario, phase_index)
    return play(params, world, episode_seeds)


def twins(compiled: CompiledScenario, params: AgentParams) -> Twins:
    """The twins of agents: the same horizon, gamma and policy, on the twin machine of each
    agent's own."""
    size = len(params.machine)
    aligned = params._replace(reward=np.tile(compiled.values, (size, 1)),
                              flag_reward=np.tile(compiled.flag_values, (size, 1, 1)),
                              machine=twin_machines(params.machine))
    intended = aligned._replace(reward=np.tile(compiled.intended, (size, 1)),
                                flag_reward=np.tile(compiled.flag_intended, (size, 1, 1)))
    max_horizon = np.full(size, compiled.horizon_max, dtype=np.int64)
    return Twins(aligned, intended, params._replace(horizon=max_horizon),
                 aligned._replace(horizon=max_horizon))


def planner_pursuing(compiled: CompiledScenario, rewards: np.ndarray,
                     gamma: np.ndarray) -> AgentParams:
    """Planners at the maximal horizon pursuing rewards (N, T), with discounts gamma (N,)
    and no flag adding to them: the reference a capability is measured against (the
    planner, whichever machine the agent had: the search is the yardstick)."""
    size = len(rewards)
    return AgentParams(rewards, np.full(size, compiled.horizon_max, dtype=np.int64), gamma,
                       np.full(size, MACHINE_PLANNER, dtype=np.int64),
                       np.zeros((size, len(compiled.flag_names), rewards.shape[1])))
