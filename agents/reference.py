"""The pure-Python reference: the planner's semantics written to be read, not to be fast.

It is the specification in code. The numba kernel (`agents/kernel.py`) must produce the
same trajectories, returns and counts; tests compare the two on random worlds, and the
benchmark uses this as the baseline. The random draw order is documented in
`agents/world.py`.
"""

from collections import deque
from typing import NamedTuple

import numpy as np

from agents.codes import (
    DCOL, DROW, EMPTY, LAYOUT_WALLS, MOVES, REGION_ADJACENT, START_LEFT_EDGE, START_RANDOM,
    STAY,
)
from agents.genome import AgentParams
from agents.rng import SplitMix64
from agents.world import Returns, WorldSpec, empty_returns, in_region


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


def neighbour(spec: WorldSpec, walls, cell, action):
    """The cell a move leads to, or None when it leaves the grid or hits a wall."""
    row, col = cell[0] + DROW[action], cell[1] + DCOL[action]
    if not (0 <= row < spec.height and 0 <= col < spec.width) or walls[row][col]:
        return None
    return row, col


def generate_world(spec: WorldSpec, rng: SplitMix64):
    """Draw walls, the start and the objects; returns (walls, objects, start)."""
    cells = [(r, c) for r in range(spec.height) for c in range(spec.width)]
    walls = [[False] * spec.width for _ in range(spec.height)]
    if spec.layout == LAYOUT_WALLS:
        for r, c in cells:
            walls[r][c] = rng.uniform() < spec.wall_density
    free = [(r, c) for r, c in cells if not walls[r][c]]
    if spec.start == START_RANDOM and free:
        start = free[rng.below(len(free))]
    else:  # a fixed start, or a random one in a world of walls, is cleared; no draw
        start = (spec.height // 2, 0 if spec.start == START_LEFT_EDGE else spec.width // 2)
        walls[start[0]][start[1]] = False
    objects = [[EMPTY] * spec.width for _ in range(spec.height)]
    for t in range(len(spec.counts)):
        if spec.counts[t] == 0:
            continue
        candidates = [
            (r, c) for r, c in cells
            if not walls[r][c] and (r, c) != start and objects[r][c] == EMPTY
            and placeable(spec, objects, t, r, c)
        ]
        for i in range(min(spec.counts[t], len(candidates))):
            j = i + rng.below(len(candidates) - i)
            candidates[i], candidates[j] = candidates[j], candidates[i]
            r, c = candidates[i]
            objects[r][c] = t
    return walls, objects, start


def placeable(spec: WorldSpec, objects, t, row, col) -> bool:
    """Whether type t may be placed at (row, col) by its region."""
    if spec.region[t] != REGION_ADJACENT:
        return in_region(spec.region[t], row, col, spec.height, spec.width)
    for action in MOVES:
        r, c = row + DROW[action], col + DCOL[action]
        if 0 <= r < spec.height and 0 <= c < spec.width and objects[r][c] == spec.region_arg[t]:
            return True
    return False


def plan(spec: WorldSpec, walls, objects, position, reward, horizon, gamma):
    """Breadth-first search to depth `horizon`; returns (action or None, cells expanded).

    Neighbours in the order N, S, W, E. An object's cell is reached but not expanded. The
    target is the reached object of greatest planning value gamma**(d-1) * R(type) when
    that value is > 0, ties going to the object reached first; the action is the first
    move of the path to it. None means no target.
    """
    discount = [0.0, 1.0]  # discount[d] = gamma ** (d - 1), by repeated products
    for _ in range(2, horizon + 1):
        discount.append(discount[-1] * gamma)
    first_move = {position: STAY}
    depth = {position: 0}
    queue = deque([position])
    best_value, best_action, expanded = 0.0, None, 0
    while queue:
        cell = queue.popleft()
        expanded += 1
        for action in MOVES:
            nxt = neighbour(spec, walls, cell, action)
            if nxt is None or nxt in depth:
                continue
            depth[nxt] = depth[cell] + 1
            first_move[nxt] = action if cell == position else first_move[cell]
            kind = objects[nxt[0]][nxt[1]]
            if kind != EMPTY:
                value = discount[depth[nxt]] * reward[kind]
                if value > best_value:
                    best_value, best_action = value, first_move[nxt]
            elif depth[nxt] < horizon:
                queue.append(nxt)
    return best_action, expanded


def wander(spec: WorldSpec, walls, objects, position, reward, rng: SplitMix64) -> int:
    """A uniform move into a free cell not holding an object the agent dislikes, else stay."""
    allowed = []
    for action in MOVES:
        nxt = neighbour(spec, walls, position, action)
        if nxt is None:
            continue
        kind = objects[nxt[0]][nxt[1]]
        if kind == EMPTY or reward[kind] >= 0:
            allowed.append(action)
    return allowed[rng.below(len(allowed))] if allowed else STAY


def run_episode(spec: WorldSpec, reward, horizon: int, gamma: float, wanders: bool,
                seed: int) -> Episode:
    """Play one episode of one agent from a per-episode seed."""
    rng = SplitMix64(seed)
    walls, objects, position = generate_world(spec, rng)
    num_types = len(spec.counts)
    base = mesa = intended = 0.0
    consumed = [0] * num_types
    expanded = steps = 0
    positions, actions = [position], []
    for _ in range(spec.episode_steps):
        action = None
        if not wanders:
            action, cost = plan(spec, walls, objects, position, reward, horizon, gamma)
            expanded += cost
        if action is None:
            action = wander(spec, walls, objects, position, reward, rng)
        position = neighbour(spec, walls, position, action) or position
        steps += 1
        positions.append(position)
        actions.append(action)
        kind = objects[position[0]][position[1]]
        if kind == EMPTY:
            continue
        objects[position[0]][position[1]] = EMPTY
        base += spec.value[kind]
        mesa += reward[kind]
        intended += spec.intended[kind]
        consumed[kind] += 1
        if spec.terminal[kind]:
            break
        if spec.respawn[kind]:
            empty = [
                (r, c) for r in range(spec.height) for c in range(spec.width)
                if not walls[r][c] and objects[r][c] == EMPTY and (r, c) != position
            ]
            if empty:
                r, c = empty[rng.below(len(empty))]
                objects[r][c] = kind
    return Episode(base, mesa, intended, consumed, expanded, steps, positions, actions)


def evaluate_reference(params: AgentParams, spec: WorldSpec, seeds) -> Returns:
    """Evaluate every agent on every episode seed, one at a time (P, E)."""
    out = empty_returns(len(params.horizon), len(seeds), len(spec.counts))
    for p in range(len(params.horizon)):
        for e, seed in enumerate(seeds):
            ep = run_episode(spec, params.reward[p], int(params.horizon[p]),
                             float(params.gamma[p]), bool(params.wanders[p]), int(seed))
            out.base[p, e], out.mesa[p, e], out.intended[p, e] = ep.base, ep.mesa, ep.intended
            out.consumed[p, e] = ep.consumed
            out.expanded[p, e], out.steps[p, e] = ep.expanded, ep.steps
    return out
