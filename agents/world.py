"""The world an episode is played in, as plain arrays that cross into numba.

An episode draws all its randomness from one SplitMix64 seed, in this order:

1. Walls (layout `walls` only): one `uniform()` per cell in row-major order; the cell is a
   wall when the draw is below `wall_density`. The `open` layout draws nothing.
2. Start: `center` is (H // 2, W // 2) and `left_edge` is (H // 2, 0); both draw nothing and
   clear a wall there. `random` draws `below(number of free cells)` over free cells in
   row-major order; in a world of walls only, it falls back to `center`, without a draw.
3. Objects: for each type in scenario order with a count > 0, the candidate cells are the
   free cells in the type's region that are not the start and hold no object, in row-major
   order; a partial Fisher-Yates shuffle (`j = i + below(n - i)` for i < count) picks them.
   When a region has fewer candidates than the count, all candidates are filled.
4. Each step: a wandering agent with at least one allowed move draws `below(moves)`; then,
   when the agent consumed an object of a respawning (non-terminal) type, `below(n)` picks
   the new cell among the n empty free cells other than the agent's, in row-major order.
"""

from typing import NamedTuple

import numpy as np

from agents.codes import REGIONS


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


def make_world_spec(
    height, width, layout, wall_density, episode_steps, start,
    value, intended, terminal, counts, region, region_arg, respawn,
) -> WorldSpec:
    """Build a WorldSpec with the exact dtypes the kernel was compiled for."""
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
    )


def parse_region(text: str, object_names: list[str]) -> tuple[int, int]:
    """Turn a region string (`left`, `adjacent:fruit`, ...) into (code, argument)."""
    kind, _, arg = text.partition(":")
    if kind not in REGIONS:
        raise ValueError(f"unknown region '{text}' (known: {', '.join(REGIONS)}:<type>)")
    if kind == "adjacent":
        if arg not in object_names:
            raise ValueError(f"region '{text}' names an unknown object type")
        return REGIONS[kind], object_names.index(arg)
    if arg:
        raise ValueError(f"region '{text}' takes no argument")
    return REGIONS[kind], -1


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
    expanded: np.ndarray  # (P, E) int64: cells expanded by the planner, over the episode
    steps: np.ndarray  # (P, E) int64: steps taken (fewer than episode_steps after a terminal)


def empty_returns(num_agents: int, num_episodes: int, num_types: int) -> Returns:
    """Preallocated output arrays for one evaluation."""
    shape = (num_agents, num_episodes)
    return Returns(
        np.zeros(shape), np.zeros(shape), np.zeros(shape),
        np.zeros(shape + (num_types,), dtype=np.int64),
        np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64),
    )
