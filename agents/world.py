"""The world an episode is played in, as plain arrays that cross into numba.

An episode draws all its randomness from one SplitMix64 seed, in this order, except where
the phase's world varies less (`variation`): with `placements` the walls and the start
(steps 1 and 2) are drawn from the phase's own seed (`world_seed`), the same every
episode; with `fixed` the whole world (steps 1 to 4) is, and only the steps' draws (5) come
from the episode's seed. With `layouts` (the default) everything is the episode's.

1. Walls, by layout (H x W grid, row-major, N, S, W, E as everywhere):
   - `open` and `map` draw nothing (`map` copies the scenario's fixed walls).
   - `walls`: one `uniform()` per cell; the cell is a wall when the draw is below
     `wall_density`.
   - `maze`: a perfect maze by randomised depth-first search. Rooms are the cells whose row
     has the parity of H // 2 and whose column has the parity of W // 2 (so the centre is
     always a room); every cell starts as a wall. From the centre room, while the stack is
     not empty: list the unvisited rooms two cells away in the order N, S, W, E; if there is
     none, pop; else `below(number listed)` picks one, the wall between is opened and the
     room is pushed. Then, when `maze_openings` > 0, each cell still a wall that lies between
     two rooms (row-major) draws one `uniform()` and opens when it is below `maze_openings`.
   - `corridor`: a level whose odd columns 1, 3, ... <= W - 2 may be barriers. For each of
     them, left to right: one `uniform()`; when it is below `barrier_density`, `below(H)`
     picks the gap row and every other cell of the column is a wall. Even columns stay
     free, so every free cell is reachable.
2. Start: `center` is (H // 2, W // 2) and `left_edge` is (H // 2, 0); both draw nothing and
   clear a wall there. `random` draws `below(number of free cells)` over free cells in
   row-major order; in a world of walls only, it falls back to `center`, without a draw.
3. Variant: when the phase has variants (V > 0), one `uniform()` u; the episode uses the
   first variant v with u < share[0] + ... + share[v] (sums taken left to right), and the
   phase's default placement when there is none. The placement also decides which flags
   are on at the start (an inspection's cue, a thirst to begin with): no draw of its own.
4. Objects (with the chosen placement's counts and regions): for each type in scenario
   order with a count > 0, the candidate cells are the free cells in the type's region
   that are not the start and hold no object, in row-major order; a partial Fisher-Yates
   shuffle (`j = i + below(n - i)` for i < count) picks them. When a region has fewer
   candidates than the count, all candidates are filled.
5. Each step: a wandering agent with at least one allowed move draws `below(moves)`; then,
   when the agent consumed an object of a respawning (non-terminal) type, `below(n)` picks
   the new cell among the n empty free cells other than the agent's, in row-major order;
   then each flag with an onset probability > 0 that is off, in flag order, draws one
   `uniform()` and turns on when the draw is below its onset. A step that ends the
   episode (a terminal type) draws no onsets.

Flags (K of them, bit k of an int64 mask) are what an agent observes besides the objects:
context (an inspection cue, fixed for the episode by its placement) and state (thirst,
which an onset or a consumed type turns on and a consumed type turns off). After each
step the object on the agent's cell, if any, is consumed when the flags allow it
(`requires` all on, `blocked_by` all off); otherwise it stays there. The flags in force
at the consumption decide what it is worth: `value[t]` plus `value_if[k, t]` for each flag
k that is on, added in flag order (`intended` alike); then the type's `sets` and `clears`
change the flags (clears last).
"""

from typing import NamedTuple

import numpy as np

from agents.codes import DCOL, DROW


class WorldSpec(NamedTuple):
    """One phase's environment distribution; arrays indexed by object type (T,)."""

    height: int
    width: int
    layout: int  # agents.codes.LAYOUTS
    wall_density: float
    episode_steps: int
    start: int  # agents.codes.STARTS
    value: np.ndarray  # (T,) float64: the base objective per type
    intended: np.ndarray  # (T,) float64: what the designer meant per type
    terminal: np.ndarray  # (T,) bool: consuming ends the episode
    counts: np.ndarray  # (T,) int64: objects placed per episode
    region: np.ndarray  # (T,) int64: agents.codes.REGIONS
    region_arg: np.ndarray  # (T,) int64: the type an `adjacent` region refers to, else -1
    respawn: np.ndarray  # (T,) bool: a consumed object reappears elsewhere
    maze_openings: float  # `maze`: chance that a wall left between two rooms is opened
    barrier_density: float  # `corridor`: chance that an odd column is a barrier
    fixed_walls: np.ndarray  # (H*W,) bool: the walls of layout `map`, row-major
    # Variants: V alternative placements, one of which an episode may draw instead of the
    # default (counts, region, region_arg) above; V = 0 means always the default.
    variant_share: np.ndarray  # (V,) float64: share of episodes using each variant
    variant_counts: np.ndarray  # (V, T) int64
    variant_region: np.ndarray  # (V, T) int64
    variant_region_arg: np.ndarray  # (V, T) int64
    # Flags: K of them, bit k of a mask (see the module docstring); K = 0 for none.
    flags: int  # the mask on at the start of an episode with the default placement
    variant_flags: np.ndarray  # (V,) int64: the mask each variant starts with
    onset: np.ndarray  # (K,) float64: chance per step that a flag that is off turns on
    sets: np.ndarray  # (T,) int64: mask of flags consuming a type turns on
    clears: np.ndarray  # (T,) int64: mask of flags consuming a type turns off
    requires: np.ndarray  # (T,) int64: flags that must all be on for a type to be consumed
    blocked_by: np.ndarray  # (T,) int64: flags that must all be off for it
    value_if: np.ndarray  # (K, T) float64: added to `value` while flag k is on
    intended_if: np.ndarray  # (K, T) float64: added to `intended` while flag k is on
    variation: int  # agents.codes.VARIATIONS: what an episode draws anew
    world_seed: np.uint64  # the seed of what the phase keeps fixed (variation > layouts)


def make_world_spec(
    height, width, layout, wall_density, episode_steps, start,
    value, intended, terminal, counts, region, region_arg, respawn,
    maze_openings=0.0, barrier_density=0.0, fixed_walls=None,
    variant_share=(), variant_counts=None, variant_region=None, variant_region_arg=None,
    flags=0, variant_flags=None, onset=(), sets=None, clears=None, requires=None,
    blocked_by=None, value_if=None, intended_if=None, variation=0, world_seed=0,
) -> WorldSpec:
    """Build a WorldSpec with the exact dtypes the kernel was compiled for.

    Without `fixed_walls` the map is all free; without variants V = 0; without `onset`
    there are no flags (K = 0) and the per-type masks are 0.
    """
    num_types = len(counts)
    num_cells = int(height) * int(width)
    if fixed_walls is None:
        fixed_walls = np.zeros(num_cells, dtype=np.bool_)
    num_variants = len(variant_share)
    num_flags = len(onset)

    def masks(values, size):
        if values is None:
            return np.zeros(size, dtype=np.int64)
        return np.ascontiguousarray(values, dtype=np.int64).reshape(size)

    def per_flag(rows):
        if rows is None:
            return np.zeros((num_flags, num_types), dtype=np.float64)
        return np.ascontiguousarray(np.reshape(rows, (num_flags, num_types)), dtype=np.float64)

    def table(rows, fill):
        if rows is None:
            return np.full((num_variants, num_types), fill, dtype=np.int64)
        return np.ascontiguousarray(np.reshape(rows, (num_variants, num_types)), dtype=np.int64)

    return WorldSpec(
        int(height), int(width), int(layout), float(wall_density), int(episode_steps),
        int(start),
        np.ascontiguousarray(value, dtype=np.float64),
        np.ascontiguousarray(intended, dtype=np.float64),
        np.ascontiguousarray(terminal, dtype=np.bool_),
        np.ascontiguousarray(counts, dtype=np.int64),
        np.ascontiguousarray(region, dtype=np.int64),
        np.ascontiguousarray(region_arg, dtype=np.int64),
        np.ascontiguousarray(respawn, dtype=np.bool_),
        float(maze_openings), float(barrier_density),
        np.ascontiguousarray(np.ravel(fixed_walls), dtype=np.bool_),
        np.ascontiguousarray(variant_share, dtype=np.float64).reshape(num_variants),
        table(variant_counts, 0), table(variant_region, 0), table(variant_region_arg, -1),
        int(flags), masks(variant_flags, num_variants),
        np.ascontiguousarray(onset, dtype=np.float64).reshape(num_flags),
        masks(sets, num_types), masks(clears, num_types), masks(requires, num_types),
        masks(blocked_by, num_types), per_flag(value_if), per_flag(intended_if),
        int(variation), np.uint64(world_seed),
    )


def neighbour(spec: WorldSpec, walls, cell, action):
    """The cell (row, col) a move leads to in the reference's grid (H lists of W walls), or
    None when it leaves the grid or hits a wall."""
    row, col = cell[0] + DROW[action], cell[1] + DCOL[action]
    if not (0 <= row < spec.height and 0 <= col < spec.width) or walls[row][col]:
        return None
    return row, col


def between_rooms(row: int, col: int, height: int, width: int) -> bool:
    """Whether a cell of the `maze` layout separates two rooms (N-S or W-E)."""
    room_row, room_col = (height // 2) % 2, (width // 2) % 2
    if row % 2 == room_row and col % 2 != room_col:
        return 0 < col < width - 1
    if col % 2 == room_col and row % 2 != room_row:
        return 0 < row < height - 1
    return False


def allows(mask: int, requires: int, blocked_by: int) -> bool:
    """Whether flags `mask` allow consuming a type that requires and is blocked by these."""
    return (mask & requires) == requires and (mask & blocked_by) == 0


def plan_reward(reward, flags, requires, blocked_by):
    """What each type (T,) is worth to an agent's search and wander under these flags: its
    reward, or 0 for a type the flags do not let it consume (never a target, never avoided)."""
    out = reward.copy()
    for t in range(reward.shape[0]):
        # `allows`, spelled out: the kernel compiles this function, and a compiled function
        # cannot call a plain one.
        if not ((flags & requires[t]) == requires[t] and (flags & blocked_by[t]) == 0):
            out[t] = 0.0
    return out


def with_flags(row, per_flag, mask):
    """row (T,) plus per_flag[k] (K, T) for each flag k on in mask, added in flag order.

    With no flag on it is row exactly, so worlds without flags keep their numbers.
    """
    out = row.copy()
    for k in range(per_flag.shape[0]):
        if (mask >> k) & 1:
            for t in range(row.shape[0]):
                out[t] += per_flag[k, t]
    return out


def in_region(code: int, row: int, col: int, height: int, width: int) -> bool:
    """Whether a cell lies in a fixed region (`adjacent` is decided by the placed objects)."""
    if code == 1:  # left half, the middle column included when the width is odd
        return 2 * col < width
    if code == 2:  # right half
        return 2 * (width - 1 - col) < width
    if code == 3:  # right edge
        return col == width - 1
    if code == 4:  # top half
        return 2 * row < height
    if code == 5:  # bottom half
        return 2 * (height - 1 - row) < height
    if code == 6:  # the four corner blocks, each a quarter of the shorter side
        k = max(1, min(height, width) // 4)
        return (row < k or row >= height - k) and (col < k or col >= width - k)
    return True


class Returns(NamedTuple):
    """What a population evaluation returns, per agent and episode."""

    base: np.ndarray  # (P, E) float64: summed `value` consumed (the base objective)
    mesa: np.ndarray  # (P, E) float64: summed internal reward R consumed
    intended: np.ndarray  # (P, E) float64: summed `intended` consumed
    consumed: np.ndarray  # (P, E, T) int64: objects consumed per type
    # (P, E) int64: cells expanded by the planner's searches at plan events, over the
    # episode (a plan costs its search; see `agents.reference`)
    expanded: np.ndarray
    steps: np.ndarray  # (P, E) int64: steps taken (fewer than episode_steps after a terminal)


def empty_returns(num_agents: int, num_episodes: int, num_types: int) -> Returns:
    """Preallocated output arrays for one evaluation."""
    shape = (num_agents, num_episodes)
    return Returns(
        np.zeros(shape), np.zeros(shape), np.zeros(shape),
        np.zeros(shape + (num_types,), dtype=np.int64),
        np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64),
    )
