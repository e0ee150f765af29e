"""The `reactive` kind: an evolved policy over what it sees nearby. No search, no objective.

A heuristic, the "plant" of the sources: it scores each of its moves from a local
egocentric observation and takes the best, every step, without looking further. Genes: a
weight per feature (`p_<feature>`, and `p_<feature>_if_<flag>` per flag, as the planner's
reward weights are), a weight for walls (`p_wall`), a bias per action (`bias_stay`,
`bias_N`, `bias_S`, `bias_W`, `bias_E`), a distance `decay`, the view radius `view_radius`
(fixed by `agent.view_radius`: its bounds are equal) and, when `agent.route_length` L > 0,
a clock: a weight `p_route` and one move per step `route_<t>` (t < L; 0..4 = stay, N, S,
W, E). `horizon` and `gamma` are carried for its twins only: the planners the analysis
compares it with.

The decision step (`reference_step`, the specification; `react`, compiled; bit for bit the
same):

1. The window is the cells within Manhattan distance `view_radius` of the agent's cell, its own
   included, offsets in row-major order; a cell outside the grid counts as a wall.
2. Each action a (stay, N, S, W, E, in that order; a move into a wall or off the grid is not
   a candidate) leads to a cell d_a. Its score starts at bias_a; at step t < L it adds
   p_route if a is route_t; then, over the window in order, each wall adds
   decay**k * p_wall and each object o adds decay**k * v(type(o)), with k the Manhattan
   distance from d_a to the cell (decay**k by repeated products) and v the type's valuation
   p . phi under the flags in force (0 for a type the flags forbid).
3. The action is the first of highest score. The move onto an object consumes it, as for
   every agent: a policy that values a type avoids nothing, one that dislikes it avoids it.

Why this observation: objects and walls are what the world shows; weighting them by
distance from where each move leads is the cheapest signal that can pull an agent towards
what it values (a gradient, as chemotaxis follows one) and the biases let a policy keep a
direction. It has no memory and no model: in a maze it cannot find the way round a wall
that a search would. The clock is what a heuristic needs
to exploit a world that never changes (`world.variation = "fixed"`): there the best
behaviour is one fixed sequence of moves, which a policy that knows only its surroundings
cannot encode and one that knows the step can (a fixed action pattern; a developmental
programme). In a world drawn anew it is worth nothing.

Cost for the speed prior, on the planner's scale (cells): a search of horizon h pays the cells
it expands, those within h - 1 of the agent, and sees those within h. A window of radius v
shows what a search of horizon v sees, so it pays what that search expands: the cells within
v - 1 of the agent inside the grid, and its own cell at least (views 0 and 1 pay 1, view 2
pays 5 in the open). It pays at every step (a reactive agent decides afresh at each one; a
planner pays at plan events only). Reading the clock's move costs nothing more.
"""

import numpy as np
from numba import njit

from agents.codes import DCOL, DROW, EMPTY, MACHINE_REACTIVE, STAY
from agents.genome import (
    GenomeLayout,
    flag_internal_rewards,
    gene,
    internal_reward,
    make_layout,
)
from agents.kinds.base import AgentKind

ACTIONS = ("stay", "N", "S", "W", "E")  # the order of the biases and of the tie rule
# Columns of AgentParams.policy: the five biases, the wall weight, the decay, the clock's
# weight, then the clock's moves (L of them; none without a clock).
WALL, DECAY, ROUTE = 5, 6, 7
POLICY_GENES = ("bias_stay", "bias_N", "bias_S", "bias_W", "bias_E", "p_wall", "decay")


def policy_genes(features, agent, flags=()) -> list:
    """(name, low, high, integer) of a policy, one block: p_<feature>, p_<feature>_if_<flag>,
    p_wall, the biases, decay, view_radius, and with a clock p_route and route_<t>."""
    bound = agent["weight_bound"]
    weights = [f"p_{f}" for f in features] + [f"p_{f}_if_{k}" for k in flags for f in features]
    steps = agent.get("route_length", 0)
    clock = [("p_route", -bound, bound, False),
             *((f"route_{t}", 0, len(ACTIONS) - 1, True) for t in range(steps))] if steps else []
    return [*((name, -bound, bound, False) for name in weights),
            ("p_wall", -bound, bound, False),
            *((f"bias_{a}", -bound, bound, False) for a in ACTIONS),
            ("decay", 0.05, 0.95, False),
            ("view_radius", agent["view_radius"], agent["view_radius"], True), *clock]


def genes(features, agent, flags=()) -> GenomeLayout:
    """The policy's genes (its weights first, as every kind's), then horizon and gamma."""
    return make_layout([*policy_genes(features, agent, flags),
                        ("horizon", agent["horizon_min"], agent["horizon_max"], True),
                        ("gamma", agent["gamma_min"], agent["gamma_max"], False)],
                       num_weights=len(features), num_flag_weights=len(features) * len(flags))


def weights(genomes, layout, num_features: int, num_flags: int):
    """The policy's feature weights (P, F) and those of its flags (P, K, F), wherever its
    block lies in the genome (it starts at the first `p_` gene)."""
    start = next(i for i, name in enumerate(layout.names) if name.startswith("p_"))
    base = genomes[:, start:start + num_features]
    extra = genomes[:, start + num_features:start + num_features * (1 + num_flags)]
    return base, extra.reshape(len(genomes), num_flags, num_features)


def reward(genomes, layout, features, values) -> np.ndarray:
    """The policy's valuation of each type, p . phi (P, T): what its scores weigh, not an
    objective it pursues."""
    return internal_reward(weights(genomes, layout, features.shape[1], 0)[0], features)


def flag_reward(genomes, layout, features, flag_values) -> np.ndarray:
    """What each flag adds to the valuation (P, K, T)."""
    return flag_internal_rewards(
        weights(genomes, layout, features.shape[1], len(flag_values))[1], features)


def policy(genomes, layout) -> tuple[np.ndarray, np.ndarray]:
    """AgentParams' policy (P, 8 + L): biases, p_wall, decay, p_route (0 without a clock)
    and the clock's L moves; and the view radius (P,)."""
    columns = [gene(genomes, layout, name) for name in POLICY_GENES]
    clock = "p_route" in layout.names
    columns.append(gene(genomes, layout, "p_route") if clock else np.zeros(len(genomes)))
    steps = sum(name.startswith("route_") for name in layout.names)
    columns += [gene(genomes, layout, f"route_{t}") for t in range(steps)]
    return np.stack(columns, axis=1).astype(np.float64), gene(genomes, layout, "view_radius")


KIND = AgentKind("reactive", (MACHINE_REACTIVE,), genes, reward, evolved_reward=True,
                 description="evolved policy over a local window: no search, no objective",
                 flag_reward=flag_reward, policy=policy)


# --- the specification: plain Python ----------------------------------------------------


def scores(spec, walls, objects, position, value, policy_row, view_radius, step) -> list:
    """Each action's score (stay, N, S, W, E) at episode step `step`, None for a move into
    a wall or off the grid. `walls` and `objects` are H rows of W, `value` (T,) the valuation
    under the flags in force."""
    decay = [1.0]  # decay[k] = decay ** k, by repeated products
    for _ in range(2 * view_radius + 1):
        decay.append(decay[-1] * policy_row[DECAY])
    row, col = position
    window = [(row + dr, col + dc) for dr in range(-view_radius, view_radius + 1)
              for dc in range(-view_radius, view_radius + 1) if abs(dr) + abs(dc) <= view_radius]
    out = []
    for action in range(5):
        dest = (row + DROW[action], col + DCOL[action])
        inside = 0 <= dest[0] < spec.height and 0 <= dest[1] < spec.width
        if action != STAY and (not inside or walls[dest[0]][dest[1]]):
            out.append(None)
            continue
        score = policy_row[action]
        if step < len(policy_row) - ROUTE - 1 and action == int(policy_row[ROUTE + 1 + step]):
            score += policy_row[ROUTE]
        for r, c in window:
            k = abs(r - dest[0]) + abs(c - dest[1])
            if not (0 <= r < spec.height and 0 <= c < spec.width) or walls[r][c]:
                score += decay[k] * policy_row[WALL]
            elif objects[r][c] != EMPTY:
                score += decay[k] * value[objects[r][c]]
        out.append(score)
    return out


def reference_step(spec, walls, objects, position, value, policy_row, view_radius, step):
    """The reactive decision at episode step `step`; returns (action, cost): the first action
    of highest score, and the cells within max(view_radius - 1, 0) inside the grid."""
    scored = scores(spec, walls, objects, position, value, policy_row, view_radius, step)
    best = STAY
    for action in range(1, 5):
        if scored[action] is not None and scored[action] > scored[best]:
            best = action
    row, col = position
    paid = max(view_radius - 1, 0)
    cost = sum(0 <= row + dr < spec.height and 0 <= col + dc < spec.width
               for dr in range(-paid, paid + 1) for dc in range(-paid, paid + 1)
               if abs(dr) + abs(dc) <= paid)
    return best, cost


# --- compiled: the kernel's episode loop (agents.kernel._play) calls this ----------------

@njit(cache=True)
def powers(policy_row, view_radius, out):
    """decay ** k for k = 0 .. 2 * view_radius + 1 into out, by repeated products (as the
    reference)."""
    out[0] = 1.0
    for k in range(1, 2 * view_radius + 2):
        out[k] = out[k - 1] * policy_row[DECAY]


@njit(cache=True)
def react(walls, objects, position, value, policy_row, view_radius, step, height, width, decay,
          cells, weights):
    """The reactive decision on flat grids (H*W,) at episode step `step`: (action, cost), as
    `reference_step`, with `decay` from `powers`. The window's walls and objects are listed
    once, in window order, into cells ((2 * view_radius + 1) ** 2, 2: row, col) and weights (what
    each adds before decay), so that each action sums only those."""
    row, col = position // width, position % width
    num_seen = cost = 0
    paid = max(view_radius - 1, 0)
    for dr in range(-view_radius, view_radius + 1):
        reach = view_radius - abs(dr)
        for dc in range(-reach, reach + 1):
            r, c = row + dr, col + dc
            inside = 0 <= r < height and 0 <= c < width
            if inside and abs(dr) + abs(dc) <= paid:
                cost += 1
            if not inside or walls[r * width + c]:
                weights[num_seen] = policy_row[WALL]
            elif objects[r * width + c] != EMPTY:
                weights[num_seen] = value[objects[r * width + c]]
            else:
                continue
            cells[num_seen, 0], cells[num_seen, 1] = r, c
            num_seen += 1
    clock = policy_row.shape[0] - ROUTE - 1
    route = int(policy_row[ROUTE + 1 + step]) if step < clock else -1
    best_action, best_score = STAY, 0.0
    for action in range(5):
        dest_row, dest_col = row + DROW[action], col + DCOL[action]
        inside = 0 <= dest_row < height and 0 <= dest_col < width
        if action != STAY and (not inside or walls[dest_row * width + dest_col]):
            continue
        score = policy_row[action]
        if action == route:
            score += policy_row[ROUTE]
        for i in range(num_seen):
            score += decay[abs(cells[i, 0] - dest_row) + abs(cells[i, 1] - dest_col)] * weights[i]
        if action == STAY or score > best_score:
            best_action, best_score = action, score
    return best_action, cost
