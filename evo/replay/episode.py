"""One agent's episode, step by step: the kernel's trace and the world it was played in.

The episode is one of a phase's fixed evaluation episodes (the ones cross-evaluation plays,
so replays and crosseval.csv speak of the same episodes). The kernel plays it in its traced
mode, which records the world at the start, and at each step the agent's cell, action and
target, what it consumed, where that respawned, the flags and the returns so far. Every
frame of a replay is read off that trace.
"""

from typing import NamedTuple

import numpy as np

from agents.codes import EMPTY
from agents.kernel import run_episode_traced
from agents.kinds import TRACE_AND_SCORES, machine, reactive
from agents.world import plan_reward, with_flags
from evo.errors import UserError
from evo.evaluation import evaluation_seeds


class Frame(NamedTuple):
    """The world after `step` steps (0: the start)."""

    step: int
    agent: tuple[int, int]  # (row, col)
    objects: np.ndarray  # (H, W) int64: the type on each cell, -1 for none
    path: list  # the agent's cells so far, start first
    target: tuple[int, int] | None  # the planner's target at this step, if it had one
    base: float  # returns so far: base objective, internal reward, intended objective
    mesa: float
    intended: float
    flags: tuple  # the names of the flags on (an inspection's cue, thirst)
    reward: np.ndarray  # (T,) the agent's internal reward R per type under those flags
    values: np.ndarray  # (T,) the base objective per type under those flags
    allowed: np.ndarray  # (T,) bool: which types those flags let it consume
    scores: list | None  # a reactive agent's next decision: each action's score (None: a
    #   wall), stay, N, S, W, E; None for other machines and the last frame


class Episode(NamedTuple):
    """A replayed episode: what the viewer needs besides the frames."""

    phase: str
    walls: np.ndarray  # (H, W) bool
    frames: list  # Frame, steps + 1 of them
    trace: object  # agents.kernel.EpisodeTrace: what the kernel recorded
    names: tuple  # object type names
    values: np.ndarray  # (T,) base objective per type
    intended: np.ndarray  # (T,)
    reward: np.ndarray  # (T,) this agent's internal reward R per type, with no flag on
    view_radius: int  # a reactive agent's view_radius radius (its window), 0 for other machines
    horizon: int
    generation: int
    individual: int


def episode(compiled, genome: np.ndarray, phase_index: int, k: int, generation: int,
            individual: int) -> Episode:
    """Replay evaluation episode k of a phase for one genome (G,)."""
    scenario = compiled.scenario
    num = scenario.record.crosseval_episodes
    if not 0 <= k < num:
        raise UserError(f"--episode: must be in 0..{num - 1} (the phase's evaluation episodes)")
    seed = int(evaluation_seeds(scenario, phase_index)[k])
    params = compiled.decode(genome[None, :])
    spec = compiled.worlds[phase_index]
    trace = run_episode_traced(params, 0, spec, seed)
    walls, grid = trace.walls, trace.objects.copy()
    reward, flag_reward = params.reward[0], params.flag_reward[0]

    def in_force(flags: int):
        """For the legend: what the flags make of R and value, and which types they allow."""
        return (with_flags(reward, flag_reward, flags),
                with_flags(spec.value, spec.value_if, flags), compiled.consumable(flags))

    def names(flags: int) -> tuple:
        return tuple(n for k, n in enumerate(compiled.flag_names) if flags >> k & 1)

    path = [tuple(int(x) for x in trace.positions[0])]
    flags = int(trace.flags[0])
    now, value, allowed = in_force(flags)
    reacts = machine(params.machine[0]).replay == TRACE_AND_SCORES
    view_radius = int(params.view_radius[0]) if reacts else 0

    def scored(cell, now, step):
        """A reactive agent's scores for its decision at `step` from this frame's world."""
        return (reactive.scores(spec, walls, grid, cell, plan_reward(
            now, flags, spec.requires, spec.blocked_by), params.policy[0], view_radius, step)
            if reacts else None)

    frames = [Frame(0, path[0], grid.copy(), list(path), None, 0.0, 0.0, 0.0, names(flags),
                    now, value, allowed, scored(path[0], now, 0))]
    for step in range(trace.steps):
        cell = tuple(int(x) for x in trace.positions[step + 1])
        path.append(cell)
        t = trace.eaten[step]
        if t != EMPTY:
            grid[cell] = EMPTY
        if trace.respawns[step] >= 0:
            grid[divmod(int(trace.respawns[step]), spec.width)] = t
        flags = int(trace.flags[step + 1])
        now, value, allowed = in_force(flags)
        target = trace.targets[step]
        base, mesa, intended = (float(x) for x in trace.returns[step + 1])
        frames.append(Frame(step + 1, cell, grid.copy(), list(path),
                            None if target < 0 else divmod(int(target), spec.width),
                            base, mesa, intended, names(flags), now, value, allowed,
                            scored(cell, now, step + 1) if step + 1 < trace.steps else None))
    return Episode(compiled.phase_names[phase_index], walls, frames,
                   trace, compiled.object_names, compiled.values, compiled.intended,
                   reward.copy(), view_radius, int(params.horizon[0]), generation, individual)
