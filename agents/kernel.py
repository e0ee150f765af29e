"""The numba kernel: every agent of a population on every episode seed, in parallel.

It computes exactly what `agents.reference` specifies, bit for bit: the same SplitMix64
draws in the order documented in `agents/world.py`, the same breadth-first search and the
same floating-point operations in the same order. Cells are flat indices `row * W + col`;
each episode precomputes a neighbour table (N, S, W, E, -1 for a wall or the edge) since
walls never change during an episode.

The episode loop runs each agent's machine (`agents.kinds.MACHINES`): the planner's search
primitives and the proof that amortising them is exact live with its kind
(`agents.kinds.planner`); the loop keeps the amortisation's bookkeeping. An agent without a
target, and an agent whose machine is `wander`, wanders.

`expanded` counts the cells of the searches at plan events only (see `agents.reference`).

What crosses into the compiled code are NamedTuples of arrays and scalars: the world
(`agents.world.WorldSpec`), the population (`AgentParams`, cast by `_cast_params`) or one
agent of it (`agents.genome.Agent`), what an episode writes (`Tape`) and what it returns
(`Tally`).
"""

from typing import NamedTuple

import numpy as np
from numba import njit, prange

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
    REGION_ADJACENT,
    START_LEFT_EDGE,
    START_RANDOM,
    STAY,
    VARIATION_FIXED,
    VARIATION_LAYOUTS,
)
from agents.genome import Agent, AgentParams
from agents.kinds import planner, reactive
from agents.rng import rng_below, rng_uniform
from agents.rows import MAX_WIDTH, ball, dilate, fill_rows, set_bit
from agents.world import (
    Returns,
    WorldSpec,
    allows,
    between_rooms,
    empty_returns,
    in_region,
    make_world_spec,
    plan_reward,
    with_flags,
)

# One source for region and maze geometry: the reference's functions, compiled.
_in_region = njit(cache=True)(in_region)
_between_rooms = njit(cache=True)(between_rooms)
_allows = njit(cache=True)(allows)
_with_flags = njit(cache=True)(with_flags)
_plan_reward = njit(cache=True)(plan_reward)


class Tally(NamedTuple):
    """What one episode returns: its returns, counts and the planner's work."""

    base: float  # float64: summed `value` of what it consumed (under the flags in force)
    mesa: float  # float64: summed internal reward R of it
    intended: float  # float64: summed `intended` of it
    expanded: int  # int64: cells of the searches at plan events (see `agents.reference`)
    steps: int  # int64: steps taken (fewer than episode_steps after a terminal object)
    searches: int  # int64: queue searches the planner ran (fewer than steps when amortised)
    balls: int  # int64: steps settled by a row-bitset ball instead (amortised only)


class Tape(NamedTuple):
    """Where one episode writes: the counts, always; the trajectory, when traced (the trace
    arrays are empty when not: `_evaluate` shares one set of them across its tasks)."""

    consumed: np.ndarray  # (T,) int64: objects consumed per type, added to
    walls: np.ndarray  # (H*W,) bool: the walls of the world generated (traced only)
    objects: np.ndarray  # (H*W,) int64: the objects at step 0, -1 for none (traced only)
    # (S + 1, 2) int64: the flat cell and the flags (mask) after each step, start first
    cells: np.ndarray
    # (S, 4) int64: each step's action, the planner's target cell (-1: none), the cell an
    # object respawned on (-1: none) and the type consumed (-1: none)
    record: np.ndarray
    # (S + 1, 3) float64: the returns base, mesa and intended after each step, 0 first
    returns: np.ndarray


class EpisodeTrace(NamedTuple):
    """One agent's episode as played by the kernel, with its trajectory and its world."""

    base: float
    mesa: float
    intended: float
    consumed: np.ndarray  # (T,) int64
    expanded: int
    steps: int
    positions: np.ndarray  # (steps + 1, 2) int64: (row, col) after each step, start first
    actions: np.ndarray  # (steps,) int64: the action chosen at each step
    targets: np.ndarray  # (steps,) int64: the flat cell of the planner's target, -1 for none
    respawns: np.ndarray  # (steps,) int64: the flat cell an object reappeared on, or -1
    flags: np.ndarray  # (steps + 1,) int64: the flags (mask) after each step, start first
    searches: int  # queue searches the planner did (fewer than steps when amortised)
    balls: int  # steps settled by a row-bitset ball instead (amortised only; cached excluded)
    eaten: np.ndarray  # (steps,) int64: the type consumed at each step, -1 for none
    walls: np.ndarray  # (H, W) bool: the world's walls
    objects: np.ndarray  # (H, W) int64: the objects at the start (step 0), -1 for none
    # (steps + 1, 3) float64: the returns base, mesa and intended after each step, 0 first
    # (the last row is base, mesa, intended)
    returns: np.ndarray


@njit(cache=True)
def _generate_world(spec, state, walls, objects, candidates):
    """Draw walls (H*W,), the variant and objects (H*W,) in place; returns the start cell
    and the flags the placement starts with. What the phase keeps fixed (`spec.variation`)
    is drawn from its own seed instead of `state`, as in the reference."""
    height, width = spec.height, spec.width
    num_cells = height * width
    fixed = np.empty(1, dtype=np.uint64)
    fixed[0] = spec.world_seed
    layout_state = state if spec.variation == VARIATION_LAYOUTS else fixed
    state = fixed if spec.variation == VARIATION_FIXED else state  # the placement's draws
    _draw_walls(spec, layout_state, walls, candidates)
    num_free = 0
    if spec.start == START_RANDOM:
        for cell in range(num_cells):
            num_free += not walls[cell]
    if num_free == 0:  # a fixed start, or a random one in a world of walls: no draw
        start = (height // 2) * width + (0 if spec.start == START_LEFT_EDGE else width // 2)
        walls[start] = False
    else:
        index = rng_below(layout_state, num_free)
        start = -1
        for cell in range(num_cells):
            if not walls[cell]:
                if index == 0:
                    start = cell
                    break
                index -= 1
    counts, region, region_arg = spec.counts, spec.region, spec.region_arg
    flags = spec.flags
    if spec.variant_share.shape[0] > 0:
        u, total = rng_uniform(state), 0.0
        for v in range(spec.variant_share.shape[0]):
            total += spec.variant_share[v]
            if u < total:
                counts, region = spec.variant_counts[v], spec.variant_region[v]
                region_arg, flags = spec.variant_region_arg[v], spec.variant_flags[v]
                break
    objects[:] = EMPTY
    for t in range(counts.shape[0]):
        if counts[t] == 0:
            continue
        # All candidates are listed before any object of type t is placed, as in the reference.
        num = 0
        for cell in range(num_cells):
            if walls[cell] or cell == start or objects[cell] != EMPTY:
                continue
            row, col = cell // width, cell % width
            if region[t] != REGION_ADJACENT:
                ok = _in_region(region[t], row, col, height, width)
            else:  # adjacency is by grid position (not walls), like `reference.placeable`
                arg = region_arg[t]
                ok = ((row > 0 and objects[cell - width] == arg)
                      or (row < height - 1 and objects[cell + width] == arg)
                      or (col > 0 and objects[cell - 1] == arg)
                      or (col < width - 1 and objects[cell + 1] == arg))
            if ok:
                candidates[num] = cell
                num += 1
        for i in range(min(counts[t], num)):  # partial Fisher-Yates
            j = i + rng_below(state, num - i)
            candidates[i], candidates[j] = candidates[j], candidates[i]
            objects[candidates[i]] = t
    return start, flags


@njit(cache=True)
def _draw_walls(spec, state, walls, stack):
    """Fill walls (H*W,) for the spec's layout; `stack` (H*W,) is scratch for the maze."""
    height, width = spec.height, spec.width
    num_cells = height * width
    walls[:] = False
    if spec.layout == LAYOUT_WALLS:  # one draw per cell, row-major
        for cell in range(num_cells):
            walls[cell] = rng_uniform(state) < spec.wall_density
    elif spec.layout == LAYOUT_MAP:
        walls[:] = spec.fixed_walls
    elif spec.layout == LAYOUT_CORRIDOR:
        for col in range(1, width - 1, 2):
            if rng_uniform(state) < spec.barrier_density:
                gap = rng_below(state, height)
                for row in range(height):
                    walls[row * width + col] = row != gap
    elif spec.layout == LAYOUT_MAZE:
        walls[:] = True
        root = (height // 2) * width + width // 2
        walls[root] = False
        stack[0] = root
        depth = 1
        while depth > 0:
            cell = stack[depth - 1]
            row, col = cell // width, cell % width
            num_options = 0
            for action in range(1, 5):  # rooms two cells away, N, S, W, E
                r, c = row + 2 * DROW[action], col + 2 * DCOL[action]
                if 0 <= r < height and 0 <= c < width and walls[r * width + c]:
                    num_options += 1
            if num_options == 0:
                depth -= 1
                continue
            index = rng_below(state, num_options)
            for action in range(1, 5):
                r, c = row + 2 * DROW[action], col + 2 * DCOL[action]
                if 0 <= r < height and 0 <= c < width and walls[r * width + c]:
                    if index == 0:
                        walls[(row + DROW[action]) * width + col + DCOL[action]] = False
                        walls[r * width + c] = False
                        stack[depth] = r * width + c
                        depth += 1
                        break
                    index -= 1
        if spec.maze_openings > 0:
            for cell in range(num_cells):
                if walls[cell] and _between_rooms(cell // width, cell % width, height, width):
                    walls[cell] = not rng_uniform(state) < spec.maze_openings


@njit(cache=True)
def _neighbour_table(walls, height, width, neighbours):
    """Fill neighbours (H*W*4,): the cell each move N, S, W, E leads to, or -1."""
    for cell in range(height * width):
        row, col = cell // width, cell % width
        base = 4 * cell
        neighbours[base] = cell - width if row > 0 and not walls[cell - width] else -1
        neighbours[base + 1] = cell + width if row < height - 1 and not walls[cell + width] else -1
        neighbours[base + 2] = cell - 1 if col > 0 and not walls[cell - 1] else -1
        neighbours[base + 3] = cell + 1 if col < width - 1 and not walls[cell + 1] else -1


@njit(cache=True)
def _wander(neighbours, objects, position, reward, state):
    """A uniform move into a free cell not holding an object with R < 0, else stay."""
    base = 4 * position
    num_allowed = 0
    for k in range(4):
        nxt = neighbours[base + k]
        if nxt >= 0 and (objects[nxt] == EMPTY or reward[objects[nxt]] >= 0):
            num_allowed += 1
    if num_allowed == 0:
        return STAY
    index = rng_below(state, num_allowed)
    for k in range(4):
        nxt = neighbours[base + k]
        if nxt >= 0 and (objects[nxt] == EMPTY or reward[objects[nxt]] >= 0):
            if index == 0:
                return k + 1
            index -= 1
    return STAY  # unreachable


@njit(cache=True)
def _episode(spec, agent, seed, tape, trace, amortize):
    """Play one episode of `agent` (`agents.genome.Agent`) from a seed (uint64): generate
    its world, then `_play` it; returns its `Tally`.

    Adds to tape.consumed (`Tape`); with `trace`, also writes the start world and the
    trajectory into the tape's other arrays. With `amortize` the planner searches only when
    its decision can have changed, else at every step; the decisions are the same (see
    `agents.kinds.planner`).
    """
    num_cells = spec.height * spec.width
    state = np.empty(1, dtype=np.uint64)
    state[0] = seed
    walls = np.empty(num_cells, dtype=np.bool_)
    objects = np.empty(num_cells, dtype=np.int64)
    scratch = np.empty(num_cells, dtype=np.int64)  # maze stack, then placement candidates
    position, flags = _generate_world(spec, state, walls, objects, scratch)
    if trace:
        tape.walls[:] = walls
        tape.objects[:] = objects
    return _play(spec, walls, objects, position, flags, agent, state, tape, trace, amortize)


@njit(cache=True)
def _play(spec, walls, objects, position, flags, agent, state, tape, trace, amortize):
    """Play an episode in a generated world (walls, objects (H*W,), the objects changed in
    place) from the flat cell `position` and the flags `flags`, as `reference.play`: the
    wander, respawn and onset draws come from `state` (uint64[1]); as `_episode` otherwise.
    """
    height, width = spec.height, spec.width
    num_cells = height * width
    neighbours = np.empty(4 * num_cells, dtype=np.int64)
    _neighbour_table(walls, height, width, neighbours)
    horizon, policy, view_radius = agent.horizon, agent.policy, agent.view_radius
    plans = agent.machine == MACHINE_PLANNER
    reacts = agent.machine == MACHINE_REACTIVE
    num_flags = spec.onset.shape[0]  # without flags, the checks below are skipped whole
    # What a consumption is worth under the flags in force (R, value, intended) and what the
    # search and the wander see (`plan`: 0 for a type the flags forbid). They change only
    # with the flags, and a step that changes the flags makes the next one a plan event.
    now, plan, value, meant = agent.reward, agent.reward, spec.value, spec.intended
    if num_flags > 0:
        now, plan, value, meant = _in_force(spec, agent, flags)

    # The reactive policy's decay ** k, and scratch for what its window holds.
    decay = np.empty(2 * view_radius + 2, dtype=np.float64)
    if reacts:
        reactive.powers(policy, view_radius, decay)
    seen_cells = np.empty(((2 * view_radius + 1) ** 2, 2), dtype=np.int64)
    seen_weights = np.empty((2 * view_radius + 1) ** 2, dtype=np.float64)

    # The planner's scratch, and the bookkeeping of its amortised decisions (soundness:
    # agents.kinds.planner), kept in locals: behind a function call it cost 10-25%.
    scratch = np.empty(num_cells, dtype=np.int64)  # BFS queues
    stamp = np.zeros(num_cells, dtype=np.int64)
    first_move = np.empty(num_cells, dtype=np.int64)
    # discount[d] = gamma ** (d - 1) by repeated products, exactly as the reference builds it.
    discount = np.empty(max(horizon, 1) + 1, dtype=np.float64)
    discount[0], discount[1] = 0.0, 1.0
    for d in range(2, horizon + 1):
        discount[d] = discount[d - 1] * agent.gamma
    # The largest positive R stands for every object a search did not reach.
    max_reward = _max_reward(plan)
    found_cell = np.empty(num_cells, dtype=np.int64)
    found_depth = np.empty(num_cells, dtype=np.int64)
    field = np.empty(num_cells, dtype=np.int64)
    field_stamp = np.zeros(num_cells, dtype=np.int64)
    found = target_index = since = searches = balls = 0
    trusted = True
    # Row bitsets (agents.rows) settle the searches that cannot find a target. The world is
    # still between consumptions and flag changes, so a cell's answer holds until the next
    # one (`epoch`).
    bits = amortize and plans and width <= MAX_WIDTH
    free = np.empty(height, dtype=np.uint64)
    wanted = np.empty(height, dtype=np.uint64)
    near = np.empty(height, dtype=np.uint64)
    ball_rows = np.empty(height, dtype=np.uint64)
    ball_epoch = np.zeros(num_cells, dtype=np.int64)
    ball_cells = np.empty(num_cells, dtype=np.int64)
    epoch = 1
    if bits:
        fill_rows(walls, objects, plan, width, free, wanted)
        dilate(wanted, width, near)

    base = mesa = intended = 0.0
    expanded = steps = 0
    plan_event = True  # the first step; then after a consumption, a flag change or no target
    target = -1
    if trace:
        tape.cells[0, 0], tape.cells[0, 1] = position, flags
        tape.returns[0, 0], tape.returns[0, 1], tape.returns[0, 2] = 0.0, 0.0, 0.0
    for step in range(spec.episode_steps):
        # Decision: the machine's action, -1 for none (the agent then wanders).
        action = -1
        if plans:
            # Not at a plan event, the previous step had a target and the objects and flags
            # are as they were at the last search: the plan may still hold.
            if (amortize and not plan_event and trusted
                    and planner.target_persists(objects, plan, discount, horizon, max_reward,
                                                found_cell, found_depth, found, target_index,
                                                since + 1)):
                since += 1
                action = planner.follow(neighbours, position, field, field_stamp, searches)
            else:
                cost = -1
                # A ball counts the agent's cell as free: not so on an object it could not
                # consume, which the queue search settles.
                if bits and objects[position] == EMPTY:
                    if ball_epoch[position] != epoch:
                        balls += 1
                        ball_epoch[position] = epoch
                        ball_cells[position] = ball(free, near, position, width, horizon - 1,
                                                    ball_rows)
                    cost = ball_cells[position]
                if cost >= 0:  # nothing the agent wants within reach: no target
                    action, found = -1, 0
                else:
                    searches += 1
                    action, cost, found, target_index = planner.search(
                        neighbours, objects, position, plan, horizon, discount, stamp,
                        searches, scratch, first_move, found_cell, found_depth)
                if plan_event:
                    expanded += cost
                since = 0
                # An object under the agent (one its flags forbade) is not among the ones
                # the search reached, yet it is one step away once the agent moves on.
                trusted = objects[position] == EMPTY
                if amortize and action >= 0:
                    planner.target_field(neighbours, objects, found_cell[target_index],
                                         found_depth[target_index], field, field_stamp,
                                         searches, scratch)
        elif reacts:  # decides afresh and pays its window every step
            action, cost = reactive.react(walls, objects, position, plan, policy, view_radius, step,
                                          height, width, decay, seen_cells, seen_weights)
            expanded += cost
        if trace:  # the planner's target, for a replay to draw
            target = found_cell[target_index] if plans and action >= 0 else -1
        plan_event = action < 0
        if action < 0:
            action = _wander(neighbours, objects, position, plan, state)

        # World step: the move (into a wall or off the grid: stay).
        if action != STAY and neighbours[4 * position + action - 1] >= 0:
            position = neighbours[4 * position + action - 1]
        steps += 1

        # Consumption: the object under the agent, if the flags in force allow it, worth
        # what they make of it; a terminal one ends the episode, before any draw.
        before = flags
        eaten = respawned = -1
        ended = False
        t = objects[position]  # the type of the object here (R(t), value(t)), or EMPTY
        if t != EMPTY and (num_flags == 0
                              or _allows(flags, spec.requires[t], spec.blocked_by[t])):
            objects[position] = EMPTY
            eaten = t
            plan_event = True
            base += value[t]
            mesa += now[t]
            intended += meant[t]
            tape.consumed[t] += 1
            flags = (flags | spec.sets[t]) & ~spec.clears[t]
            ended = spec.terminal[t]
            if not ended and spec.respawn[t]:
                respawned = _respawn(walls, objects, position, t, state)

        # Flags: each flag off comes on with its onset chance.
        if not ended:
            for k in range(num_flags):
                if (spec.onset[k] > 0 and not (flags >> k) & 1
                        and rng_uniform(state) < spec.onset[k]):
                    flags |= 1 << k

        if trace:  # the step, as a replay reads it
            tape.cells[steps, 0], tape.cells[steps, 1] = position, flags
            tape.record[steps - 1, 0], tape.record[steps - 1, 1] = action, target
            tape.record[steps - 1, 2], tape.record[steps - 1, 3] = respawned, eaten
            tape.returns[steps, 0], tape.returns[steps, 1] = base, mesa
            tape.returns[steps, 2] = intended
        if ended:
            break

        # What the flags now in force are worth, and the planner's bookkeeping: a changed
        # world starts a new epoch of the balls, and its rows follow the objects and the
        # flags (the change of flags refills them whole).
        if num_flags > 0 and flags != before:
            plan_event = True
            epoch += 1
            now, plan, value, meant = _in_force(spec, agent, flags)
            max_reward = _max_reward(plan)
            if bits:
                fill_rows(walls, objects, plan, width, free, wanted)
                dilate(wanted, width, near)
        elif eaten >= 0:
            epoch += 1
            if bits:
                set_bit(free, position, width, True)
                set_bit(wanted, position, width, False)
                if respawned >= 0:
                    set_bit(free, respawned, width, False)
                    set_bit(wanted, respawned, width, plan[eaten] > 0)
                dilate(wanted, width, near)
    return Tally(base, mesa, intended, expanded, steps, searches, balls)


@njit(cache=True)
def _in_force(spec, agent, flags):
    """What the flags `flags` make of the agent's R, what its search and wander see (R, 0
    for a type they forbid), the value and the intended value: (now, plan, value, meant),
    each (T,)."""
    now = _with_flags(agent.reward, agent.flag_reward, flags)
    return (now, _plan_reward(now, flags, spec.requires, spec.blocked_by),
            _with_flags(spec.value, spec.value_if, flags),
            _with_flags(spec.intended, spec.intended_if, flags))


@njit(cache=True)
def _max_reward(reward):
    """The largest positive R (0 when there is none)."""
    best = 0.0
    for t in range(reward.shape[0]):
        best = max(best, reward[t])
    return best


@njit(cache=True)
def _respawn(walls, objects, position, t, state):
    """Put a consumed object of type `t` on a uniform empty free cell other than the agent's
    (row-major order); returns the cell, or -1 when there is none (no draw)."""
    num_empty = 0
    for cell in range(walls.shape[0]):
        num_empty += not walls[cell] and objects[cell] == EMPTY and cell != position
    if num_empty == 0:
        return -1
    index = rng_below(state, num_empty)
    for cell in range(walls.shape[0]):
        if not walls[cell] and objects[cell] == EMPTY and cell != position:
            if index == 0:
                objects[cell] = t
                return cell
            index -= 1
    return -1  # unreachable


@njit(parallel=True, cache=True, nogil=True)  # nogil: the run directory's writer thread
def _evaluate(params, spec, seeds, amortize, out):
    """Fill `out` (`Returns`: (P, E) arrays and consumed (P, E, T)) with every agent of
    `params` (`AgentParams`, cast) on every seed (E,), one (agent, episode) pair per task."""
    # The arrays out of the tuple first: numba 0.68 drops the writes of a prange body to an
    # array it reaches as a tuple's field (out.base[p, e] = ... leaves out.base zero).
    base, mesa, intended, consumed, expanded, steps = out
    num_agents, num_episodes = base.shape
    no_walls = np.empty(0, dtype=np.bool_)
    no_objects = np.empty(0, dtype=np.int64)
    no_cells = np.empty((0, 2), dtype=np.int64)
    no_record = np.empty((0, 4), dtype=np.int64)
    no_returns = np.empty((0, 3), dtype=np.float64)
    # Each task owns its scratch arrays (allocated per episode) and writes only its own
    # outputs, so the results cannot depend on the number of threads. The literal `False`
    # lets numba compile the tracing branches out of this specialisation of `_episode`.
    for task in prange(num_agents * num_episodes):
        p, e = task // num_episodes, task % num_episodes
        agent = Agent(params.reward[p], params.horizon[p], params.gamma[p], params.machine[p],
                      params.flag_reward[p], params.policy[p], params.view_radius[p])
        tape = Tape(consumed[p, e], no_walls, no_objects, no_cells, no_record, no_returns)
        tally = _episode(spec, agent, seeds[e], tape, False, amortize)
        base[p, e], mesa[p, e], intended[p, e] = tally.base, tally.mesa, tally.intended
        expanded[p, e], steps[p, e] = tally.expanded, tally.steps


def _cast_params(params: AgentParams, num_flags: int) -> AgentParams:
    """AgentParams with the exact dtypes and layout the kernel is compiled for; no
    `flag_reward` is zeros (P, K, T)."""
    reward = np.ascontiguousarray(params.reward, dtype=np.float64)
    num_agents = reward.shape[0]
    flag_reward = params.flag_reward
    if flag_reward is None:
        flag_reward = np.zeros((num_agents, num_flags, reward.shape[-1]))
    policy = np.zeros((num_agents, 8)) if params.policy is None else params.policy
    view_radius = (np.zeros(num_agents, dtype=np.int64) if params.view_radius is None
                   else params.view_radius)
    return AgentParams(
        reward,
        np.ascontiguousarray(params.horizon, dtype=np.int64),
        np.ascontiguousarray(params.gamma, dtype=np.float64),
        np.ascontiguousarray(params.machine, dtype=np.int64),
        np.ascontiguousarray(flag_reward, dtype=np.float64),
        np.ascontiguousarray(policy, dtype=np.float64),
        np.ascontiguousarray(view_radius, dtype=np.int64),
    )


def _cast_seeds(seeds) -> np.ndarray:
    """Episode seeds as contiguous uint64 (E,); negative int64 seeds wrap like the reference's."""
    seeds = np.asarray(seeds)
    if seeds.ndim != 1 or seeds.dtype.kind not in "iu":
        raise ValueError(f"episode seeds must be a 1-D integer array, got {seeds.dtype} "
                         f"with shape {seeds.shape}")
    return np.ascontiguousarray(seeds.astype(np.uint64))


def _check(params: AgentParams, spec: WorldSpec) -> None:
    """Reject shapes the kernel would index out of bounds."""
    num_types = spec.counts.shape[0]
    if params.reward.ndim != 2 or params.reward.shape[1] != num_types:
        raise ValueError(f"reward must be (P, {num_types}), got {params.reward.shape}")
    num_agents = params.reward.shape[0]
    for name in ("horizon", "gamma", "machine"):
        if getattr(params, name).shape != (num_agents,):
            raise ValueError(f"{name} must be ({num_agents},), got {getattr(params, name).shape}")
    num_flags = spec.onset.shape[0]
    if (params.policy.ndim != 2 or params.policy.shape[0] != num_agents
            or params.policy.shape[1] < 8 or params.view_radius.shape != (num_agents,)):
        raise ValueError(f"policy must be ({num_agents}, 8 + L) and view_radius ({num_agents},), "
                         f"got {params.policy.shape} and {params.view_radius.shape}")
    if params.view_radius.min(initial=0) < 0:
        raise ValueError("view_radius must be >= 0")
    if params.flag_reward.shape != (num_agents, num_flags, num_types):
        raise ValueError(f"flag_reward must be ({num_agents}, {num_flags}, {num_types}), "
                         f"got {params.flag_reward.shape}")
    for name in ("value", "intended", "terminal", "region", "region_arg", "respawn", "sets",
                 "clears", "requires", "blocked_by"):
        if getattr(spec, name).shape != (num_types,):
            raise ValueError(f"world {name} must be ({num_types},), "
                             f"got {getattr(spec, name).shape}")
    if spec.height < 1 or spec.width < 1:
        raise ValueError(f"world must be at least 1x1, got {spec.height}x{spec.width}")
    if spec.fixed_walls.shape != (spec.height * spec.width,):
        raise ValueError(f"world fixed_walls must be ({spec.height * spec.width},), "
                         f"got {spec.fixed_walls.shape}")
    num_variants = spec.variant_share.shape[0]
    for name in ("variant_counts", "variant_region", "variant_region_arg"):
        if getattr(spec, name).shape != (num_variants, num_types):
            raise ValueError(f"world {name} must be ({num_variants}, {num_types}), "
                             f"got {getattr(spec, name).shape}")
    if spec.variant_flags.shape != (num_variants,):
        raise ValueError(f"world variant_flags must be ({num_variants},), "
                         f"got {spec.variant_flags.shape}")
    for name in ("value_if", "intended_if"):
        if getattr(spec, name).shape != (num_flags, num_types):
            raise ValueError(f"world {name} must be ({num_flags}, {num_types}), "
                             f"got {getattr(spec, name).shape}")


def evaluate(params: AgentParams, spec: WorldSpec, seeds: np.ndarray,
             amortize: bool = True) -> Returns:
    """Play every agent (P,) on every episode seed (E,), all agents on the same seeds; (P, E).

    `amortize=False` searches at every step, as the reference does: the same results,
    slower (for measuring the gain of amortised planning).
    """
    spec, seeds = make_world_spec(*spec), _cast_seeds(seeds)
    params = _cast_params(params, spec.onset.shape[0])
    _check(params, spec)
    out = empty_returns(params.reward.shape[0], seeds.shape[0], spec.counts.shape[0])
    _evaluate(params, spec, seeds, bool(amortize), out)
    return out


def run_episode_traced(params: AgentParams, p: int, spec: WorldSpec, seed: int,
                       amortize: bool = True) -> EpisodeTrace:
    """Play agent p's episode from one seed with the kernel's code, recording its trajectory
    and the world it starts in."""
    spec = make_world_spec(*spec)
    params = _cast_params(params, spec.onset.shape[0])
    _check(params, spec)
    seed = _cast_seeds([seed])[0]
    height, width, num_steps = spec.height, spec.width, spec.episode_steps
    tape = Tape(np.zeros(spec.counts.shape[0], dtype=np.int64),
                np.empty(height * width, dtype=np.bool_), np.empty(height * width, dtype=np.int64),
                np.empty((num_steps + 1, 2), dtype=np.int64),
                np.empty((num_steps, 4), dtype=np.int64),
                np.empty((num_steps + 1, 3), dtype=np.float64))
    tally = _episode(spec, Agent(*(field[p] for field in params)), seed, tape, True,
                     bool(amortize))
    steps = int(tally.steps)
    cells, record = tape.cells[:steps + 1], tape.record[:steps]
    return EpisodeTrace(
        float(tally.base), float(tally.mesa), float(tally.intended), tape.consumed,
        int(tally.expanded), steps,
        np.stack([cells[:, 0] // width, cells[:, 0] % width], axis=1),
        record[:, 0].copy(), record[:, 1].copy(), record[:, 2].copy(), cells[:, 1].copy(),
        int(tally.searches), int(tally.balls), record[:, 3].copy(),
        tape.walls.reshape(height, width), tape.objects.reshape(height, width),
        tape.returns[:steps + 1].copy())
