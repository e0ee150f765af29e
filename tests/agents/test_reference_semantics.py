"""The planner's and the world's semantics (DESIGN.md sections 2-3), worked out by hand.

Most tests call `agents.reference.plan` on hand-made grids (`.` free, `#` wall, a digit an
object of that type, `@` the agent; rows split by newlines, cells by spaces). Episode-level
tests build worlds whose placement is forced (counts that fill a region) and run both the
reference and the kernel.
"""

import numpy as np
import pytest

from agents import codes, kernel, reference
from agents.codes import EAST, NORTH, SOUTH, STAY, WEST
from agents.genome import AgentParams
from agents.rng import SplitMix64
from agents.world import make_world_spec

ANYWHERE, LEFT, RIGHT, RIGHT_EDGE, TOP, BOTTOM, CORNERS, ADJACENT = range(8)


def grid(text: str, num_types: int = 3):
    """Parse an ASCII map (rows split by newlines, cells by spaces) for `reference.plan`."""
    rows = [line.split() for line in text.strip().split("\n")]
    spec = world(len(rows), len(rows[0]), num_types=num_types)
    walls = [[ch == "#" for ch in row] for row in rows]
    objects = [[int(ch) if ch.isdigit() else codes.EMPTY for ch in row] for row in rows]
    position = next((r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch == "@")
    return spec, walls, objects, position


def world(height, width, num_types=1, steps=10, start=codes.START_CENTER, value=None,
          terminal=None, counts=None, region=None, region_arg=None, respawn=None):
    """An open-layout WorldSpec with defaults: no objects, nothing terminal or respawning."""
    def per_type(x, default):
        return default if x is None else x

    value = per_type(value, [1.0] * num_types)
    return make_world_spec(
        height, width, codes.LAYOUT_OPEN, 0.0, steps, start, value, value,
        per_type(terminal, [False] * num_types), per_type(counts, [0] * num_types),
        per_type(region, [ANYWHERE] * num_types), per_type(region_arg, [-1] * num_types),
        per_type(respawn, [False] * num_types),
    )


def plan(text, reward, horizon=10, gamma=0.9):
    """Plan on an ASCII map; returns (action or None, cells expanded)."""
    spec, walls, objects, position = grid(text, num_types=len(reward))
    return reference.plan(spec, walls, objects, position, np.asarray(reward, float), horizon,
                          gamma)


def episodes(spec, reward, horizon=10, gamma=0.9, wanders=False, seed=0):
    """The same episode from the reference and from the kernel, as comparable tuples."""
    reward = np.asarray(reward, dtype=float)
    ref = reference.run_episode(spec, reward, horizon, gamma, wanders, seed)
    params = AgentParams(reward[None, :], np.array([horizon]), np.array([gamma]),
                         np.array([wanders]))
    ker = kernel.run_episode_traced(params, 0, spec, seed)
    ker = reference.Episode(ker.base, ker.mesa, ker.intended, ker.consumed.tolist(),
                            ker.expanded, ker.steps, [tuple(p) for p in ker.positions.tolist()],
                            ker.actions.tolist())
    return ref, ker


def test_ties_go_to_the_first_neighbour_in_n_s_w_e_order():
    """Equal planning values at equal distance: the object reached first (N, S, W, E) wins."""
    assert plan(". 0 . \n 0 @ 0 \n . 0 .", [1.0])[0] == NORTH
    assert plan(". . . \n 0 @ 0 \n . 0 .", [1.0])[0] == SOUTH
    assert plan(". . . \n 0 @ 0 \n . . .", [1.0])[0] == WEST
    assert plan(". . . \n . @ 0 \n . . .", [1.0])[0] == EAST


def test_ties_across_distances_go_to_the_object_reached_first():
    """A far object whose discounted value equals a near one's loses: BFS reaches it later."""
    # Near object east at distance 1 with R = 0.5; far object north at distance 2 with
    # R = 1.0 and gamma = 0.5: both planning values are exactly 0.5.
    text = ". 1 . \n . . . \n . @ 0"
    assert plan(text, [0.5, 1.0], gamma=0.5)[0] == EAST
    assert plan(text, [0.5, 1.0 + 1e-9], gamma=0.5)[0] == NORTH


def test_an_object_is_reached_but_not_expanded():
    """An object's cell blocks paths: what lies behind it is unreachable through it."""
    # The disliked object east blocks the corridor; the prize behind it is never seen,
    # and only the agent's own cell is expanded.
    assert plan("@ 0 1", [-1.0, 1.0]) == (None, 1)
    # A zero-reward object blocks the short path; the detour round it has length 4.
    text = "@ 0 1 \n . . ."
    assert plan(text, [0.0, 1.0], horizon=3)[0] is None
    assert plan(text, [0.0, 1.0], horizon=4)[0] == SOUTH


def test_horizon_limits_what_is_seen():
    """An object at distance d is a target iff d <= horizon; expanded = cells at depth < h."""
    text = "@ . . 0 . ."
    assert plan(text, [1.0], horizon=2) == (None, 2)
    assert plan(text, [1.0], horizon=3) == (EAST, 3)
    # Horizon 1 is a reflex: it sees only its neighbours and expands only its own cell.
    assert plan(". . @ . 0", [1.0], horizon=1) == (None, 1)
    assert plan(". . @ 0 .", [1.0], horizon=1) == (EAST, 1)


def test_gamma_trades_a_near_small_reward_against_a_far_large_one():
    """The target maximises gamma**(d-1) * R: patience (high gamma) prefers the far prize."""
    text = "1 . . . @ 0 . ."
    small, large = 0.5, 1.0  # type 0 at distance 1 east, type 1 at distance 4 west
    for gamma in (0.6, 0.75, 0.8, 0.9, 0.99):
        far = gamma * gamma * gamma * large  # discount[4], by repeated products
        near = 1.0 * small
        want = WEST if far > near else EAST
        assert plan(text, [small, large], gamma=gamma)[0] == want
    # Both outcomes occur: 0.75**3 = 0.42 < 0.5 < 0.512 = 0.8**3.
    assert plan(text, [small, large], gamma=0.75)[0] == EAST
    assert plan(text, [small, large], gamma=0.8)[0] == WEST


def test_discount_is_built_by_repeated_products():
    """Planning values use discount[d] = discount[d-1] * gamma, not gamma ** (d-1).

    The two differ in the last bit for many (gamma, d); a near object whose R equals the
    far object's repeated-product value ties with it and wins as the one reached first, in
    the reference and in the kernel, on a grid of gammas and distances.
    """
    for dist in range(2, 13):
        # 3 rows; start (1, 0); type 0 fills the corners (two at distance 1: N and S);
        # type 1 fills the right edge's one free cell (1, dist), at distance dist.
        spec = world(3, dist + 1, num_types=2, steps=1, start=codes.START_LEFT_EDGE,
                     counts=[4, 3], region=[CORNERS, RIGHT_EDGE])
        for gamma in np.linspace(0.5, 0.999, 60).tolist():
            ref, ker = episodes(spec, [_product(gamma, dist), 1.0], horizon=dist, gamma=gamma)
            assert ref == ker
            assert ref.actions == [NORTH], (gamma, dist)


def _product(gamma: float, dist: int) -> float:
    """gamma ** (dist - 1) as the planner computes it, by repeated products."""
    value = 1.0
    for _ in range(2, dist + 1):
        value *= gamma
    return value


def test_negative_objects_are_never_targets():
    """An object with R <= 0 is never a target, however close."""
    assert plan(". 0 . \n 0 @ 0 \n . 0 .", [-1.0])[0] is None
    assert plan(". 0 . \n 0 @ 0 \n . 0 .", [0.0])[0] is None
    assert plan(". 0 . \n 0 @ 0 \n . 0 1", [-1.0, 0.1])[0] is None  # walled in by disliked


def test_wandering_avoids_disliked_objects():
    """A wander picks only moves into free cells without an R < 0 object; if none, stays."""
    spec, walls, objects, position = grid("# 0 # \n 1 @ 2 \n # . #")
    reward = np.array([-1.0, 0.0, 0.5])
    seen = {reference.wander(spec, walls, objects, position, reward, SplitMix64(seed))
            for seed in range(200)}
    assert seen == {SOUTH, WEST, EAST}  # north holds the disliked object
    # Boxed in by walls and disliked objects: the agent stays without drawing.
    spec, walls, objects, position = grid("# 0 # \n 0 @ # \n # 0 #")
    rng = SplitMix64(5)
    assert reference.wander(spec, walls, objects, position, reward, rng) == STAY
    assert rng.state == 5


def test_a_move_into_a_wall_or_off_the_grid_is_a_stay():
    """`neighbour` refuses walls and the edge, and an agent with no move stays put."""
    spec, walls, _, _ = grid("@ # \n . .")
    assert reference.neighbour(spec, walls, (0, 0), EAST) is None
    assert reference.neighbour(spec, walls, (0, 0), NORTH) is None
    assert reference.neighbour(spec, walls, (0, 0), WEST) is None
    assert reference.neighbour(spec, walls, (0, 0), SOUTH) == (1, 0)
    # A 1 x 1 world: every step is a stay, in both implementations.
    ref, ker = episodes(world(1, 1, steps=4), [1.0], wanders=True)
    assert ref == ker
    assert ref.actions == [STAY] * 4 and ref.positions == [(0, 0)] * 5


def test_a_terminal_object_ends_the_episode():
    """Consuming a terminal object stops the episode at that step."""
    # 1 x 4 corridor, start at the left edge, the exit fills the right edge.
    spec = world(1, 4, steps=10, start=codes.START_LEFT_EDGE, value=[3.0], terminal=[True],
                 counts=[1], region=[RIGHT_EDGE])
    ref, ker = episodes(spec, [1.0])
    assert ref == ker
    assert ref.steps == 3 and ref.actions == [EAST] * 3 and ref.consumed == [1]
    assert ref.base == 3.0


def test_respawn_keeps_the_number_of_objects_constant():
    """A consumed respawning object reappears, so a 1 x 2 world always holds one object."""
    # The only empty cell other than the agent's is the one it just left: the object
    # reappears there and the agent shuttles, consuming at every step.
    spec = world(1, 2, steps=7, start=codes.START_LEFT_EDGE, counts=[1], respawn=[True])
    ref, ker = episodes(spec, [1.0])
    assert ref == ker
    assert ref.consumed == [7] and ref.actions == [EAST, WEST] * 3 + [EAST]
    without = spec._replace(respawn=np.array([False]))
    ref, ker = episodes(without, [1.0])
    assert ref == ker and ref.consumed == [1]


def test_respawn_draws_among_empty_free_cells():
    """Respawning objects come back: an agent eats more than were ever placed, in both."""
    spec = world(4, 4, num_types=2, steps=50, counts=[3, 2], respawn=[True, True])
    for seed in range(20):
        ref, ker = episodes(spec, [1.0, 0.5], horizon=6, seed=seed)
        assert ref == ker
        assert sum(ref.consumed) > 5


def placed(spec, seed):
    """The object grid the reference draws for a seed, as a (H, W) int array."""
    walls, objects, start = reference.generate_world(spec, SplitMix64(seed))
    return np.array(objects), start


@pytest.mark.parametrize("region, allowed", [
    (LEFT, lambda r, c: c <= 2),  # width 5: the middle column belongs to both halves
    (RIGHT, lambda r, c: c >= 2),
    (RIGHT_EDGE, lambda r, c: c == 4),
    (TOP, lambda r, c: r <= 2),
    (BOTTOM, lambda r, c: r >= 3),  # height 6: rows 3..5
    (CORNERS, lambda r, c: r in (0, 5) and c in (0, 4)),  # k = max(1, 5 // 4) = 1
])
def test_regions_place_objects_where_they_say(region, allowed):
    """Every object of a type lies in its region; a count above capacity fills the region."""
    cells = {(r, c) for r in range(6) for c in range(5) if allowed(r, c)}
    for count in (2, 30):
        spec = world(6, 5, counts=[count], region=[region], start=codes.START_RANDOM)
        for seed in range(30):
            objects, start = placed(spec, seed)
            where = {(r, c) for r, c in zip(*np.nonzero(objects == 0))}
            assert where <= cells and start not in where
            assert len(where) == min(count, len(cells - {start}))


def test_adjacent_region_places_next_to_its_type():
    """`adjacent:t` puts each object on a 4-neighbour of an already placed object of type t."""
    spec = world(7, 7, num_types=2, counts=[3, 4], region=[ANYWHERE, ADJACENT],
                 region_arg=[-1, 0])
    for seed in range(30):
        objects, _ = placed(spec, seed)
        for r, c in zip(*np.nonzero(objects == 1)):
            around = [objects[r + dr, c + dc] for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1))
                      if 0 <= r + dr < 7 and 0 <= c + dc < 7]
            assert 0 in around
        assert (objects == 1).sum() == 4
