"""The pure-Python reference: the world's and the agents' semantics written to be read.

It is the specification in code. The numba kernel (`agents/kernel.py`) must produce the
same trajectories, returns and counts; tests compare the two on random worlds, and the
benchmark uses this as the baseline. The random draw order is documented in
`agents/world.py`.

Each step the agent's machine decides (the planner: a full search at every step,
`agents.kinds.planner.reference_step`; a reactive policy: `agents.kinds.reactive`, which
pays for its window at every step); a planner with no target wanders. The planner's cost
(`expanded`) is paid at *plan events* only: the first step, a step after one that consumed
an object (an object left the world and perhaps another appeared), a step after one that
changed the flags (the agent's reward changed) and a step after one without a target (the
agent wandered). At a plan event the cost is the cells that step's search expands; at any
other step it is 0. A plan costs its search; following it is free until the world changes.
This is what an amortised planner pays: the kernel searches at plan events and otherwise
re-plans only when its decision can have changed, with the same decisions.

Flags (`agents.world`): the agent plans and wanders with the reward of the flags in force,
`plan_reward`: R of the flags for a type it may consume now, 0 for one it may not (never a
target, never avoided).
"""

from typing import NamedTuple

import numpy as np

from agents.codes import (
    DCOL,
    DROW,
    EMPTY,
    LAYOUT_CORRIDOR,
    LAYOUT_MAP,
    LAYOUT_MAZE,
    LAYOUT_WALLS,
    MACHINE_PLANNER,
    MACHINE_REACTIVE,
    MOVES,
    REGION_ADJACENT,
    START_LEFT_EDGE,
    START_RANDOM,
    STAY,
    VARIATION_FIXED,
    VARIATION_LAYOUTS,
)
from agents.genome import AgentParams
from agents.kinds import planner, reactive
from agents.rng import SplitMix64
from agents.world import (
    Returns,
    WorldSpec,
    allows,
    between_rooms,
    empty_returns,
    in_region,
    neighbour,
    plan_reward,
    with_flags,
)


class Episode(NamedTuple):
    """One agent's episode, with its trajectory."""

    base: float
    mesa: float
    intended: float
    consumed: list[int]  # (T,)
    expanded: int
    steps: int
    positions: list[tuple[int, int]]  # the cell after each step, start first
    actions: list[int]  # the action chosen at each step
    flags: list[int]  # the flags (mask) after each step, the start's first
    eaten: list[int]  # the type consumed at each step, EMPTY for none
    returns: list[tuple[float, float, float]]  # (base, mesa, intended) after each step, 0s first


def generate_world(spec: WorldSpec, rng: SplitMix64):
    """Draw walls, the start, the variant and the objects; returns (walls, objects, start,
    flags), flags being the mask the placement starts the episode with. What the phase
    keeps fixed (`spec.variation`) is drawn from its own seed instead of rng."""
    fixed = SplitMix64(int(spec.world_seed))
    layout_rng = rng if spec.variation == VARIATION_LAYOUTS else fixed
    rng = fixed if spec.variation == VARIATION_FIXED else rng  # the placement's draws
    cells = [(r, c) for r in range(spec.height) for c in range(spec.width)]
    walls = draw_walls(spec, layout_rng)
    free = [(r, c) for r, c in cells if not walls[r][c]]
    if spec.start == START_RANDOM and free:
        start = free[layout_rng.below(len(free))]
    else:  # a fixed start, or a random one in a world of walls, is cleared; no draw
        start = (spec.height // 2, 0 if spec.start == START_LEFT_EDGE else spec.width // 2)
        walls[start[0]][start[1]] = False
    counts, region, region_arg = spec.counts, spec.region, spec.region_arg
    flags = spec.flags
    if len(spec.variant_share) > 0:
        u, total = rng.uniform(), 0.0
        for v in range(len(spec.variant_share)):
            total += spec.variant_share[v]
            if u < total:
                counts, region = spec.variant_counts[v], spec.variant_region[v]
                region_arg, flags = spec.variant_region_arg[v], int(spec.variant_flags[v])
                break
    objects = [[EMPTY] * spec.width for _ in range(spec.height)]
    for t in range(len(counts)):
        if counts[t] == 0:
            continue
        candidates = [
            (r, c) for r, c in cells
            if not walls[r][c] and (r, c) != start and objects[r][c] == EMPTY
            and placeable(spec, objects, region[t], region_arg[t], r, c)
        ]
        for i in range(min(counts[t], len(candidates))):
            j = i + rng.below(len(candidates) - i)
            candidates[i], candidates[j] = candidates[j], candidates[i]
            r, c = candidates[i]
            objects[r][c] = t
    return walls, objects, start, flags


def draw_walls(spec: WorldSpec, rng: SplitMix64):
    """The wall grid (H lists of W bools) of the spec's layout."""
    height, width = spec.height, spec.width
    if spec.layout == LAYOUT_WALLS:
        return [[rng.uniform() < spec.wall_density for _ in range(width)] for _ in range(height)]
    if spec.layout == LAYOUT_MAZE:
        return carve_maze(spec, rng)
    walls = [[False] * width for _ in range(height)]
    if spec.layout == LAYOUT_MAP:
        for r in range(height):
            for c in range(width):
                walls[r][c] = bool(spec.fixed_walls[r * width + c])
    elif spec.layout == LAYOUT_CORRIDOR:
        for c in range(1, width - 1, 2):
            if rng.uniform() < spec.barrier_density:
                gap = rng.below(height)
                for r in range(height):
                    walls[r][c] = r != gap
    return walls


def carve_maze(spec: WorldSpec, rng: SplitMix64):
    """A perfect maze by randomised depth-first search from the centre room, then openings."""
    height, width = spec.height, spec.width
    walls = [[True] * width for _ in range(height)]
    root = (height // 2, width // 2)
    walls[root[0]][root[1]] = False
    stack = [root]
    while stack:
        r, c = stack[-1]
        options = []
        for action in MOVES:  # rooms two cells away; a room is a wall until visited
            nr, nc = r + 2 * DROW[action], c + 2 * DCOL[action]
            if 0 <= nr < height and 0 <= nc < width and walls[nr][nc]:
                options.append((nr, nc))
        if not options:
            stack.pop()
            continue
        nr, nc = options[rng.below(len(options))]
        walls[(r + nr) // 2][(c + nc) // 2] = False
        walls[nr][nc] = False
        stack.append((nr, nc))
    if spec.maze_openings > 0:
        for r in range(height):
            for c in range(width):
                if walls[r][c] and between_rooms(r, c, height, width):
                    walls[r][c] = not rng.uniform() < spec.maze_openings
    return walls


def placeable(spec: WorldSpec, objects, region, region_arg, row, col) -> bool:
    """Whether an object of a region (code and argument) may be placed at (row, col)."""
    if region != REGION_ADJACENT:
        return in_region(region, row, col, spec.height, spec.width)
    for action in MOVES:
        r, c = row + DROW[action], col + DCOL[action]
        if 0 <= r < spec.height and 0 <= c < spec.width and objects[r][c] == region_arg:
            return True
    return False


def wander(spec: WorldSpec, walls, objects, position, reward, rng: SplitMix64) -> int:
    """A uniform move into a free cell not holding an object the agent dislikes, else stay."""
    allowed = []
    for action in MOVES:
        nxt = neighbour(spec, walls, position, action)
        if nxt is None:
            continue
        t = objects[nxt[0]][nxt[1]]
        if t == EMPTY or reward[t] >= 0:
            allowed.append(action)
    return allowed[rng.below(len(allowed))] if allowed else STAY


def run_episode(spec: WorldSpec, reward, horizon: int, gamma: float, machine: int,
                seed: int, flag_reward=None, policy=None, view_radius: int = 0) -> Episode:
    """Play one episode of one agent from a per-episode seed."""
    rng = SplitMix64(seed)
    walls, objects, position, flags = generate_world(spec, rng)
    return play(spec, walls, objects, position, reward, horizon, gamma, machine, rng,
                flag_reward, flags, policy, view_radius)


def play(spec: WorldSpec, walls, objects, position, reward, horizon: int, gamma: float,
         machine: int, rng: SplitMix64, flag_reward=None, flags: int = 0, policy=None,
         view_radius: int = 0) -> Episode:
    """Play an episode in a generated world (objects change in place), drawing from rng,
    from the flags `flags`; `flag_reward` (K, T) is what each flag adds to R; `policy` (8 + L,)
    and `view_radius` are a reactive agent's (`agents.kinds.reactive`)."""
    num_types = len(spec.counts)
    if flag_reward is None:
        flag_reward = np.zeros((len(spec.onset), num_types))
    base = mesa = intended = 0.0
    consumed = [0] * num_types
    expanded = steps = 0
    positions, actions, flag_history = [position], [], [flags]
    eaten, returns = [], [(base, mesa, intended)]
    plan_event = True  # the first step; then after a consumption, a flag change or no target
    for step in range(spec.episode_steps):
        reward_now = with_flags(np.asarray(reward, dtype=np.float64), flag_reward, flags)
        planned = plan_reward(reward_now, flags, spec.requires, spec.blocked_by)
        action = None
        if machine == MACHINE_PLANNER:
            action, cost = planner.reference_step(spec, walls, objects, position, planned,
                                                  horizon, gamma)
            if plan_event:
                expanded += cost
        elif machine == MACHINE_REACTIVE:  # decides afresh and pays its window every step
            action, cost = reactive.reference_step(spec, walls, objects, position, planned,
                                                   policy, view_radius, step)
            expanded += cost
        plan_event = action is None
        if action is None:
            action = wander(spec, walls, objects, position, planned, rng)
        position = neighbour(spec, walls, position, action) or position
        steps += 1
        positions.append(position)
        actions.append(action)
        before = flags
        t = objects[position[0]][position[1]]
        consumes = t != EMPTY and allows(flags, spec.requires[t], spec.blocked_by[t])
        eaten.append(t if consumes else EMPTY)
        if consumes:
            objects[position[0]][position[1]] = EMPTY
            plan_event = True
            base += with_flags(spec.value, spec.value_if, flags)[t]
            mesa += reward_now[t]
            intended += with_flags(spec.intended, spec.intended_if, flags)[t]
            consumed[t] += 1
            flags = (flags | int(spec.sets[t])) & ~int(spec.clears[t])
            if spec.terminal[t]:
                flag_history.append(flags)
                returns.append((base, mesa, intended))
                break
            if spec.respawn[t]:
                empty = [
                    (r, c) for r in range(spec.height) for c in range(spec.width)
                    if not walls[r][c] and objects[r][c] == EMPTY and (r, c) != position
                ]
                if empty:
                    r, c = empty[rng.below(len(empty))]
                    objects[r][c] = t
        for k in range(len(spec.onset)):
            if spec.onset[k] > 0 and not flags >> k & 1 and rng.uniform() < spec.onset[k]:
                flags |= 1 << k
        flag_history.append(flags)
        returns.append((base, mesa, intended))
        if flags != before:
            plan_event = True
    return Episode(base, mesa, intended, consumed, expanded, steps, positions, actions,
                   flag_history, eaten, returns)


def evaluate_reference(params: AgentParams, spec: WorldSpec, seeds) -> Returns:
    """Evaluate every agent on every episode seed, one at a time (P, E)."""
    out = empty_returns(len(params.horizon), len(seeds), len(spec.counts))
    for p in range(len(params.horizon)):
        for e, seed in enumerate(seeds):
            ep = run_episode(spec, params.reward[p], int(params.horizon[p]),
                             float(params.gamma[p]), int(params.machine[p]), int(seed),
                             None if params.flag_reward is None else params.flag_reward[p],
                             None if params.policy is None else params.policy[p],
                             0 if params.view_radius is None else int(params.view_radius[p]))
            out.base[p, e], out.mesa[p, e], out.intended[p, e] = ep.base, ep.mesa, ep.intended
            out.consumed[p, e] = ep.consumed
            out.expanded[p, e], out.steps[p, e] = ep.expanded, ep.steps
    return out
