"""The planner's and the world's semantics, worked out by hand.

Most tests call `agents.kinds.planner.reference_step` on hand-made grids (`.` free, `#` wall,
a digit an object of that type, `@` the agent; rows split by newlines, cells by spaces).
Episode-level tests build worlds whose placement is forced (counts that fill a region) and
run both the reference and the kernel.
"""

import numpy as np
import pytest

from agents import codes, kernel, reference
from agents.codes import EAST, NORTH, SOUTH, STAY, WEST
from agents.genome import AgentParams
from agents.kinds import planner
from agents.rng import SplitMix64
from agents.world import make_world_spec, neighbour
from tests.agents.test_kernel_matches_reference import as_reference

ANYWHERE, LEFT, RIGHT, RIGHT_EDGE, TOP, BOTTOM, CORNERS, ADJACENT = range(8)


def grid(text: str, num_types: int = 3):
    """Parse an ASCII map (rows split by newlines, cells by spaces) for `planner.reference_step`."""
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
    return planner.reference_step(spec, walls, objects, position, np.asarray(reward, float),
                                  horizon, gamma)


def episodes(spec, reward, horizon=10, gamma=0.9, machine=codes.MACHINE_PLANNER, seed=0):
    """The same episode from the reference and from the kernel, as comparable tuples."""
    reward = np.asarray(reward, dtype=float)
    ref = reference.run_episode(spec, reward, horizon, gamma, machine, seed)
    params = AgentParams(reward[None, :], np.array([horizon]), np.array([gamma]),
                         np.array([machine]))
    return ref, as_reference(kernel.run_episode_traced(params, 0, spec, seed))


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
    assert neighbour(spec, walls, (0, 0), EAST) is None
    assert neighbour(spec, walls, (0, 0), NORTH) is None
    assert neighbour(spec, walls, (0, 0), WEST) is None
    assert neighbour(spec, walls, (0, 0), SOUTH) == (1, 0)
    # A 1 x 1 world: every step is a stay, in both implementations.
    ref, ker = episodes(world(1, 1, steps=4), [1.0], machine=codes.MACHINE_RANDOM)
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
    walls, objects, start, _ = reference.generate_world(spec, SplitMix64(seed))
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


# --- layouts and variants -----------------------------------------------------------------


def layout_world(height, width, layout, start=codes.START_CENTER, maze_openings=0.0,
                 barrier_density=0.0, fixed_walls=None, **kwargs):
    """A one-type WorldSpec of a layout, no objects unless `counts` is given."""
    spec = world(height, width, start=start, **kwargs)
    return make_world_spec(*spec[:2], layout, *spec[3:13], maze_openings=maze_openings,
                           barrier_density=barrier_density, fixed_walls=fixed_walls)


def both_walls(spec, seed):
    """The walls the reference and the kernel draw for a seed, as (H, W) bool arrays,
    with each one's generator state afterwards (they must agree on both)."""
    rng = SplitMix64(seed)
    ref = np.array(reference.draw_walls(spec, rng), dtype=bool).reshape(spec.height, spec.width)
    state = np.array([seed], dtype=np.uint64)
    walls = np.empty(spec.height * spec.width, dtype=np.bool_)
    stack = np.empty(spec.height * spec.width, dtype=np.int64)
    kernel._draw_walls(spec, state, walls, stack)
    assert np.array_equal(walls.reshape(spec.height, spec.width), ref)
    assert int(state[0]) == rng.state
    return ref, rng


def reachable(free, start):
    """Cells reachable from start through free cells (4-neighbourhood)."""
    height, width = free.shape
    seen, todo = {start}, [start]
    while todo:
        r, c = todo.pop()
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            n = (r + dr, c + dc)
            if 0 <= n[0] < height and 0 <= n[1] < width and free[n] and n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def rooms_and_links(height, width):
    """Room cells and between-room cells of the maze lattice, by the documented parity."""
    pr, pc = (height // 2) % 2, (width // 2) % 2
    rooms = {(r, c) for r in range(height) for c in range(width) if r % 2 == pr and c % 2 == pc}
    links = {(r, c) for r in range(height) for c in range(width)
             if (r % 2 == pr and c % 2 != pc and 0 < c < width - 1)
             or (c % 2 == pc and r % 2 != pr and 0 < r < height - 1)}
    return rooms, links


@pytest.mark.parametrize("height, width", [(11, 11), (9, 13), (8, 10), (2, 5), (1, 7), (13, 1)])
def test_maze_is_a_perfect_maze_on_the_room_lattice(height, width):
    """Every room is open, only rooms and the cells between them are, and the open cells
    form a tree (connected, one edge fewer than cells): exactly one path between any two."""
    rooms, links = rooms_and_links(height, width)
    assert (height // 2, width // 2) in rooms
    for seed in range(25):
        walls, _ = both_walls(layout_world(height, width, codes.LAYOUT_MAZE), seed)
        free = ~walls
        cells = {(r, c) for r, c in zip(*np.nonzero(free))}
        assert rooms <= cells <= rooms | links
        assert reachable(free, (height // 2, width // 2)) == cells
        edges = (free[1:, :] & free[:-1, :]).sum() + (free[:, 1:] & free[:, :-1]).sum()
        assert edges == len(cells) - 1


def test_maze_openings_open_walls_between_rooms():
    """`maze_openings` = 1 opens every wall between two rooms; 0.3 opens some, draws one
    uniform per remaining wall between rooms, and keeps the maze's passages."""
    rooms, links = rooms_and_links(11, 11)
    open_all = layout_world(11, 11, codes.LAYOUT_MAZE, maze_openings=1.0)
    walls, _ = both_walls(open_all, 3)
    assert {(r, c) for r, c in zip(*np.nonzero(~walls))} == rooms | links
    perfect, rng_perfect = both_walls(layout_world(11, 11, codes.LAYOUT_MAZE), 3)
    braided, rng_braided = both_walls(layout_world(11, 11, codes.LAYOUT_MAZE,
                                                   maze_openings=0.3), 3)
    assert (braided <= perfect).all() and (braided < perfect).any()
    remaining = sum(perfect[cell] for cell in links)
    for _ in range(remaining):
        rng_perfect.uniform()
    assert rng_perfect.state == rng_braided.state


def test_maze_start_at_the_left_edge_is_connected():
    """A `left_edge` start on a maze is cleared and joins the maze whatever the width."""
    for width in (9, 10, 11, 12):
        spec = layout_world(9, width, codes.LAYOUT_MAZE, start=codes.START_LEFT_EDGE)
        for seed in range(10):
            walls, objects, start, _ = reference.generate_world(spec, SplitMix64(seed))
            free = ~np.array(walls)
            assert start == (4, 0) and len(reachable(free, start)) == free.sum()


@pytest.mark.parametrize("height", [1, 2, 3, 5])
def test_corridor_barriers_leave_one_gap(height):
    """Corridor barriers stand on odd columns 1, 3, ... <= W - 2, each wall but one gap row;
    density 1 walls every one, 0 none; every free cell stays reachable from the start."""
    width = 12
    barrier_columns = list(range(1, width - 1, 2))
    for density in (0.0, 0.5, 1.0):
        spec = layout_world(height, width, codes.LAYOUT_CORRIDOR, start=codes.START_LEFT_EDGE,
                            barrier_density=density)
        for seed in range(20):
            walls, _ = both_walls(spec, seed)
            for col in range(width):
                num_walls = walls[:, col].sum()
                if col in barrier_columns:
                    assert num_walls in (0, height - 1)
                    if density == 1.0:
                        assert num_walls == height - 1
                else:
                    assert num_walls == 0
            if density == 0.0:
                assert not walls.any()
            free = ~walls
            assert len(reachable(free, (height // 2, 0))) == free.sum()


def test_map_layout_uses_its_fixed_walls():
    """Layout `map` copies the fixed walls, draws nothing, and clears a fixed start."""
    fixed = np.array([[0, 1, 0, 0], [0, 1, 0, 1], [1, 0, 0, 0]], dtype=bool)
    spec = layout_world(3, 4, codes.LAYOUT_MAP, fixed_walls=fixed)
    walls, rng = both_walls(spec, 9)
    assert np.array_equal(walls, fixed) and rng.state == 9
    walls, _, start, _ = reference.generate_world(spec, SplitMix64(9))
    assert start == (1, 2) and not walls[1][2]
    left = layout_world(3, 4, codes.LAYOUT_MAP, fixed_walls=fixed, start=codes.START_LEFT_EDGE)
    walls, _, start, _ = reference.generate_world(left, SplitMix64(9))
    assert start == (1, 0) and np.array_equal(np.array(walls), fixed)


def variant_world(shares, start=codes.START_RANDOM):
    """3 x 4 world: by default one object of type 0; variant v places v + 2 of type 1."""
    spec = world(3, 4, num_types=2, start=start, counts=[1, 0])
    return make_world_spec(*spec[:16], variant_share=shares,
                           variant_counts=[[0, v + 2] for v in range(len(shares))],
                           variant_region=[[ANYWHERE, ANYWHERE]] * len(shares),
                           variant_region_arg=[[-1, -1]] * len(shares))


def chosen_placement(spec, seed):
    """-1 for the default placement, else the variant an episode's world was drawn with."""
    objects, _ = placed(spec, seed)
    num = (objects == 1).sum()
    return -1 if num == 0 else num - 2


def test_variants_are_drawn_after_the_start_with_one_uniform():
    """After the start, one uniform u picks the first variant whose cumulative share
    exceeds u, else the default; shares of 0 and 1 are never and always drawn."""
    spec = variant_world([0.25, 0.5])
    for seed in range(200):
        rng = SplitMix64(seed)
        rng.below(12)  # the random start, over 12 free cells
        u = rng.uniform()
        want = 0 if u < 0.25 else (1 if u < 0.75 else -1)
        assert chosen_placement(spec, seed) == want
    assert {chosen_placement(variant_world([0.0]), s) for s in range(50)} == {-1}
    assert {chosen_placement(variant_world([1.0, 0.5]), s) for s in range(50)} == {0}
    shares = [chosen_placement(variant_world([0.3]), s) for s in range(2000)]
    assert 0.27 < np.mean(np.array(shares) == 0) < 0.33
    for seed in range(20):
        ref, ker = episodes(spec, [1.0, 0.5], seed=seed)
        assert ref == ker
