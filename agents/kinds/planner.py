"""The `planner` kind: an evolved internal reward R = w . phi, pursued by breadth-first search.

Genes: one reward weight per feature (`w_<feature>`), then, for each flag k of the scenario,
one weight per feature (`w_<feature>_if_<flag>`: v_k, so that R = w . phi + sum of v_k . phi
over the flags on), the search `horizon` (an integer) and the discount `gamma`. The
decision step, in plain Python (`reference_step`, the specification) and compiled (`search`
and the other primitives below, which the kernel's episode loop amortises; bit for bit the
same decisions):

1. Breadth-first search from the agent's cell over free cells, neighbours in the order N, S,
   W, E, to depth `horizon`. An object's cell is reached but not expanded: stepping on an
   object consumes it, so no path passes through one.
2. Each reached object o at distance d has planning value gamma**(d-1) * R(type(o)).
3. The target is the reached object of greatest planning value, if that value is > 0; ties
   go to the object reached first. The action is the first move of the path to it.
4. With no target the episode loop makes the agent wander (`agents.reference.wander`).

The cost charged (`expanded`, what the speed prior counts) is the cells that step's search
expands, at plan events only (see `agents.reference`).

Amortised planning: the reference searches at every step; the kernel (`agents.kernel._play`,
with the search primitives below) searches only when its decision can have changed, and
then decides exactly as the reference would. Why it is sound:

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
- Flags change what objects are worth and which may be consumed. A step that changes them
  makes the next one a plan event, which decides afresh; in between the reward is still.
  An object the flags forbid is worth 0 to the search (never a target) yet blocks paths
  like any object, and the agent may wander onto it: a search from there does not reach
  the object under the agent, which lies one step away once it moves, so a plan made
  standing on an object is never followed: the next step searches again.
- A search finds no target when it reaches no object with R > 0 (values of the others are
  <= 0). The cells it expands are the agent's cell and the object-free cells within
  distance horizon - 1 by object-free paths, and the objects it reaches are the ones next
  to those cells. So the kernel first grows that ball with row bitsets (`agents.rows`): if
  it touches no cell next to a wanted object, the step has no target and costs the ball's
  size, with no queue search; otherwise the queue search decides. Between consumptions the
  world is still, so a cell's answer is kept until the next one: an agent wandering back
  and forth pays for each cell once. Most steps without a target, where agents wander,
  end there.

The kernel's extra searches, when a plan can no longer be trusted, are not charged.

The bookkeeping of amortisation (the plan followed, the steps since, the cached balls) is kept
in the kernel's episode loop as local variables: measured, moving it into a function of
this module behind a state tuple cost 10-25% of the planner's agent-steps/s (array
references counted at every call), for no change in what is computed.
"""

from collections import deque

import numpy as np
from numba import njit

from agents.codes import EMPTY, MACHINE_PLANNER, MOVES, STAY
from agents.genome import GenomeLayout, flag_internal_rewards, internal_reward, make_layout
from agents.kinds.base import AgentKind
from agents.world import neighbour


def genes(features, agent, flags=()) -> GenomeLayout:
    """w_<feature> and w_<feature>_if_<flag> in [-weight_bound, weight_bound], horizon
    (integer) and gamma."""
    bound = agent["weight_bound"]
    weights = [f"w_{f}" for f in features] + [f"w_{f}_if_{k}" for k in flags for f in features]
    return make_layout([*((name, -bound, bound, False) for name in weights),
                        ("horizon", agent["horizon_min"], agent["horizon_max"], True),
                        ("gamma", agent["gamma_min"], agent["gamma_max"], False)],
                       num_weights=len(features), num_flag_weights=len(weights) - len(features))


def reward(genomes, layout, features, values) -> np.ndarray:
    """The evolved internal reward R = w . phi of each genome for each type (P, T)."""
    return internal_reward(genomes[:, layout.weights], features)


def flag_reward(genomes, layout, features, flag_values) -> np.ndarray:
    """What each flag adds to R, v_k . phi, for each genome and type (P, K, T)."""
    weights = genomes[:, layout.flag_weights].reshape(len(genomes), len(flag_values),
                                                      features.shape[1])
    return flag_internal_rewards(weights, features)


KIND = AgentKind("planner", (MACHINE_PLANNER,), genes, reward, evolved_reward=True,
                 description="evolved reward R = w . phi, pursued by breadth-first search",
                 flag_reward=flag_reward)


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


# --- compiled: the kernel's amortised decision step (agents.kernel._play) calls these -------

@njit(cache=True)
def search(neighbours, objects, position, reward, horizon, discount, stamp, mark, queue,
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
def target_field(neighbours, objects, target, depth, field, stamp, mark, queue):
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
def target_persists(objects, reward, discount, horizon, max_reward, found_cell, found_depth,
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
def follow(neighbours, position, field, stamp, mark):
    """The first move, N, S, W, E, one step down the target's distance field."""
    base = 4 * position
    want = field[position] - 1
    for k in range(4):
        nxt = neighbours[base + k]
        if nxt >= 0 and stamp[nxt] == mark and field[nxt] == want:
            return k + 1
    return STAY  # unreachable: the agent is on the field, one step nearer is a neighbour
