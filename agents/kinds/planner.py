"""The `planner` kind: an evolved internal reward R = w . phi, pursued by breadth-first search.

Genes: one reward weight per feature (`w_<feature>`), the search `horizon` (an integer) and
the discount `gamma`. The decision step, in plain Python (`reference_step`, the
specification) and compiled (`decide`, bit for bit the same decisions):

1. Breadth-first search from the agent's cell over free cells, neighbours in the order N, S,
   W, E, to depth `horizon`. An object's cell is reached but not expanded: stepping on an
   object consumes it, so no path passes through one.
2. Each reached object o at distance d has planning value gamma**(d-1) * R(type(o)).
3. The target is the reached object of greatest planning value, if that value is > 0; ties
   go to the object reached first. The action is the first move of the path to it.
4. With no target the episode loop makes the agent wander (`agents.reference.wander`).

The cost charged (`expanded`, what the speed prior counts) is the cells that step's search
expands, at plan events only (see `agents.reference`).

Amortised planning: the reference searches at every step; `decide` searches only when its
decision can have changed, and then decides exactly as the reference would. Why it is sound:

- The search's queue holds each depth sorted by first move (N < S < W < E): depth 1 is
  enqueued in that order and a cell inherits the first move of the first parent that
  reaches it. So the action towards a target o* is the smallest first move among all
  shortest paths through free object-free cells. With `field` = the distance to o* over
  such cells (a search from o*), the action from cell p is the first move, in N, S, W, E
  order, into a cell q of the field with field[q] == field[p] - 1.
- While no object is consumed or appears, the blocked cells do not change, so each
  object's distance drops by at most 1 per step, objects unreachable stay unreachable and
  o*'s distance drops by exactly 1 (the agent walks a shortest path to it). After k steps an
  object reached at distance d_c lies at >= max(d_c - k, 1) and one not reached at
  >= horizon + 1 - k. With positive R and discount non-increasing, its planning value is at
  most discount[max(d_c - k, 1)] * R_c: the same rounded product the search would compute,
  and rounding is monotone, so the bound holds in floating point too.
- So if discount[d* - k] * R* is strictly greater than every competitor's bound (each other
  reached object with R > 0, and a virtual one for all objects not reached: distance
  horizon + 1, the largest positive R), o* is still the search's unique best, and the
  action follows from the field. Otherwise it searches again. A step after one without a
  target, or after a consumption, always decides afresh (a ball, below, or a search), so
  the wander draws are the same.
- A search finds no target when it reaches no object with R > 0 (values of the others are
  <= 0). The cells it expands are the agent's cell and the object-free cells within
  distance horizon - 1 by object-free paths, and the objects it reaches are the ones next
  to those cells. So `decide` first grows that ball with row bitsets (`agents.rows`): if
  it touches no cell next to a wanted object, the step has no target and costs the ball's
  size, with no queue search; otherwise the queue search decides. Between consumptions the
  world is still, so a cell's answer is kept until the next one: an agent wandering back
  and forth pays for each cell once. Most steps without a target, where agents wander,
  end there.

The extra searches of `decide`, when a plan can no longer be trusted, are not charged.
"""

from collections import deque
from typing import NamedTuple

import numpy as np
from numba import njit

from agents.codes import EMPTY, MACHINE_PLANNER, MOVES, STAY
from agents.genome import GenomeLayout, internal_reward, make_layout
from agents.kinds.base import AgentKind
from agents.rows import MAX_WIDTH, ball, dilate, fill_rows, set_bit
from agents.world import neighbour


def genes(features, agent) -> GenomeLayout:
    """w_<feature> in [-weight_bound, weight_bound], horizon (integer) and gamma."""
    bound = agent["weight_bound"]
    return make_layout([*((f"w_{f}", -bound, bound, False) for f in features),
                        ("horizon", agent["horizon_min"], agent["horizon_max"], True),
                        ("gamma", agent["gamma_min"], agent["gamma_max"], False)])


def reward(genomes, layout, features, values) -> np.ndarray:
    """The evolved internal reward R = w . phi of each genome for each type (P, T)."""
    return internal_reward(genomes[:, layout.weights], features)


KIND = AgentKind("planner", MACHINE_PLANNER, genes, reward, evolved_reward=True,
                 description="evolved reward R = w . phi, pursued by breadth-first search")


# --- the specification: plain Python ----------------------------------------------------


def reference_step(spec, walls, objects, position, reward, horizon, gamma):
    """Breadth-first search to depth `horizon`; returns (action or None, cells expanded).

    None means no target. `walls` and `objects` are H lists of W; cells are (row, col).
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


# --- compiled, amortised ------------------------------------------------------------------

# Registers of PlannerState.regs: the last search's reached wanted objects and target, the
# steps followed since, the counters of queue searches and balls, the world's epoch
# (advanced by every consumption), whether row bitsets are in use.
_FOUND, _TARGET, _SINCE, _SEARCHES, _BALLS, _EPOCH, _BITS = range(7)


class PlannerState(NamedTuple):
    """One episode's planner scratch: flat cells (H*W,) and grid rows (H,)."""

    discount: np.ndarray  # (horizon + 1,) float64: discount[d] = gamma ** (d - 1)
    max_reward: float  # the largest positive R: stands for every object a search missed
    regs: np.ndarray  # (7,) int64: see the register names above
    stamp: np.ndarray  # cells visited by search number `mark`; never cleared
    first_move: np.ndarray
    queue: np.ndarray
    found_cell: np.ndarray  # reached objects with R > 0, in the order reached
    found_depth: np.ndarray
    field: np.ndarray  # distances to the target, valid where field_stamp == the search
    field_stamp: np.ndarray
    free: np.ndarray  # rows: cells without wall or object
    wanted: np.ndarray  # rows: objects with R > 0
    near: np.ndarray  # rows: cells next to a wanted object
    ball_rows: np.ndarray
    ball_epoch: np.ndarray  # the epoch each cell's cached ball answer belongs to
    ball_cells: np.ndarray  # cached ball size, or -1 (a wanted object in reach)


@njit(cache=True)
def new_state(walls, objects, width, reward, horizon, gamma, amortize):
    """A PlannerState for an episode in a generated world (walls, objects (H*W,))."""
    num_cells = walls.shape[0]
    height = num_cells // width
    # discount[d] = gamma ** (d - 1) by repeated products, exactly as the reference builds it.
    discount = np.empty(max(horizon, 1) + 1, dtype=np.float64)
    discount[0], discount[1] = 0.0, 1.0
    for d in range(2, horizon + 1):
        discount[d] = discount[d - 1] * gamma
    max_reward = 0.0
    for t in range(reward.shape[0]):
        max_reward = max(max_reward, reward[t])
    regs = np.zeros(7, dtype=np.int64)
    regs[_EPOCH] = 1
    # Row bitsets settle the searches that cannot find a target (grids up to 64 wide).
    regs[_BITS] = amortize and width <= MAX_WIDTH
    state = PlannerState(
        discount, max_reward, regs, np.zeros(num_cells, dtype=np.int64),
        np.empty(num_cells, dtype=np.int64), np.empty(num_cells, dtype=np.int64),
        np.empty(num_cells, dtype=np.int64), np.empty(num_cells, dtype=np.int64),
        np.empty(num_cells, dtype=np.int64), np.zeros(num_cells, dtype=np.int64),
        np.empty(height, dtype=np.uint64), np.empty(height, dtype=np.uint64),
        np.empty(height, dtype=np.uint64), np.empty(height, dtype=np.uint64),
        np.zeros(num_cells, dtype=np.int64), np.empty(num_cells, dtype=np.int64))
    if regs[_BITS]:
        fill_rows(walls, objects, reward, width, state.free, state.wanted)
        dilate(state.wanted, width, state.near)
    return state


@njit(cache=True)
def decide(state, neighbours, objects, position, width, reward, horizon, plan_event, amortize):
    """The planner's action at `position` (-1: no target) and the cells its search expanded.

    Not at a plan event, with `amortize`, the last plan is followed while its target is
    provably still the search's unique best; otherwise a ball or a search decides.
    """
    regs = state.regs
    if (amortize and not plan_event
            and _target_persists(objects, reward, state.discount, horizon, state.max_reward,
                                 state.found_cell, state.found_depth, regs[_FOUND],
                                 regs[_TARGET], regs[_SINCE] + 1)):
        regs[_SINCE] += 1
        return _follow(neighbours, position, state.field, state.field_stamp,
                       regs[_SEARCHES]), 0
    cost = -1
    if regs[_BITS]:
        if state.ball_epoch[position] != regs[_EPOCH]:
            regs[_BALLS] += 1
            state.ball_epoch[position] = regs[_EPOCH]
            state.ball_cells[position] = ball(state.free, state.near, position, width,
                                              horizon - 1, state.ball_rows)
        cost = state.ball_cells[position]
    if cost >= 0:  # nothing the agent wants within reach: no target
        action = -1
        regs[_FOUND] = 0
    else:
        regs[_SEARCHES] += 1
        action, cost, regs[_FOUND], regs[_TARGET] = _plan(
            neighbours, objects, position, reward, horizon, state.discount, state.stamp,
            regs[_SEARCHES], state.queue, state.first_move, state.found_cell,
            state.found_depth)
    regs[_SINCE] = 0
    if amortize and action >= 0:
        target = regs[_TARGET]
        _target_field(neighbours, objects, state.found_cell[target], state.found_depth[target],
                      state.field, state.field_stamp, regs[_SEARCHES], state.queue)
    return action, cost


@njit(cache=True)
def consumed(state, cell, width):
    """The object at `cell` was consumed: the world changed (a new epoch)."""
    state.regs[_EPOCH] += 1
    if state.regs[_BITS]:
        set_bit(state.free, cell, width, True)
        set_bit(state.wanted, cell, width, False)


@njit(cache=True)
def appeared(state, cell, width, wanted):
    """An object appeared at `cell` (a respawn); `wanted`: its R > 0."""
    if state.regs[_BITS]:
        set_bit(state.free, cell, width, False)
        set_bit(state.wanted, cell, width, wanted)


@njit(cache=True)
def settled(state, width):
    """After a consumption and its respawn: recompute the cells next to wanted objects."""
    if state.regs[_BITS]:
        dilate(state.wanted, width, state.near)


@njit(cache=True)
def counters(state):
    """(queue searches, balls grown) so far in the episode."""
    return state.regs[_SEARCHES], state.regs[_BALLS]


@njit(cache=True)
def _plan(neighbours, objects, position, reward, horizon, discount, stamp, mark, queue,
          first_move, found_cell, found_depth):
    """Breadth-first search to depth `horizon`: (action or -1, cells expanded, found, target).

    `stamp` (H*W,) marks cells visited in this search with `mark`, so it is never cleared;
    `queue` and `first_move` are (H*W,) scratch arrays. The reached objects with R > 0 are
    listed in found_cell and found_depth (H*W,), `found` of them; the target is the last
    one that improved on the best value, so its index is returned as well (-1 without one).
    """
    stamp[position] = mark
    first_move[position] = STAY
    queue[0] = position
    head, tail = 0, 1
    # The queue holds one BFS level after another: cells before `level_end` are at depth
    # `depth - 1`, so their neighbours are at `depth`.
    depth, level_end = 1, 1
    best_value, best_action, best_index, found = 0.0, -1, -1, 0
    while head < tail:
        if head == level_end:
            depth += 1
            level_end = tail
        cell = queue[head]
        head += 1
        inherited = first_move[cell]
        base = 4 * cell
        for k in range(4):
            nxt = neighbours[base + k]
            if nxt < 0 or stamp[nxt] == mark:
                continue
            stamp[nxt] = mark
            move = k + 1 if inherited == STAY else inherited
            first_move[nxt] = move
            kind = objects[nxt]
            if kind != EMPTY:  # reached, never expanded: stepping on it consumes it
                if reward[kind] > 0:
                    found_cell[found], found_depth[found] = nxt, depth
                    found += 1
                value = discount[depth] * reward[kind]
                if value > best_value:
                    best_value, best_action, best_index = value, move, found - 1
            elif depth < horizon:
                queue[tail] = nxt
                tail += 1
    return best_action, head, found, best_index


@njit(cache=True)
def _target_field(neighbours, objects, target, depth, field, stamp, mark, queue):
    """Distances to `target` over object-free cells, to `depth` - 1, into field (H*W,).

    Only cells stamped with `mark` belong to the field; `queue` (H*W,) is scratch. An agent
    that walked k >= 1 steps of a shortest path to the target is at distance depth - k.
    """
    stamp[target] = mark
    field[target] = 0
    queue[0] = target
    head, tail = 0, 1
    while head < tail:
        cell = queue[head]
        head += 1
        dist = field[cell] + 1
        if dist >= depth:
            continue
        base = 4 * cell
        for k in range(4):
            nxt = neighbours[base + k]
            if nxt >= 0 and stamp[nxt] != mark and objects[nxt] == EMPTY:
                stamp[nxt] = mark
                field[nxt] = dist
                queue[tail] = nxt
                tail += 1


@njit(cache=True)
def _target_persists(objects, reward, discount, horizon, max_reward, found_cell, found_depth,
                     found, target_index, since):
    """Whether the planned target is still the search's unique best `since` steps later.

    Valid only while no object was consumed or appeared since the plan (see the module
    docstring): each competitor's value is bounded by its distance at plan time minus
    `since`, objects not reached by horizon + 1 - `since`.
    """
    target_depth = found_depth[target_index]
    value = discount[target_depth - since] * reward[objects[found_cell[target_index]]]
    if discount[max(horizon + 1 - since, 1)] * max_reward >= value:
        return False
    for i in range(found):
        if i != target_index:
            bound = discount[max(found_depth[i] - since, 1)]
            if bound * reward[objects[found_cell[i]]] >= value:
                return False
    return True


@njit(cache=True)
def _follow(neighbours, position, field, stamp, mark):
    """The first move, N, S, W, E, one step down the target's distance field."""
    base = 4 * position
    want = field[position] - 1
    for k in range(4):
        nxt = neighbours[base + k]
        if nxt >= 0 and stamp[nxt] == mark and field[nxt] == want:
            return k + 1
    return STAY  # unreachable: the agent is on the field, one step nearer is a neighbour
