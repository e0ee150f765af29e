"""The reactive policy's decision step, by hand: what it scores, its ties, its cost."""

import numpy as np

from agents import codes
from agents.codes import EAST, NORTH, SOUTH, STAY, WEST
from agents.kinds import reactive
from agents.world import make_world_spec


def decide(text: str, value, policy, view: int = 2, step: int = 0):
    """The reference's and the kernel's decision on a hand-drawn grid (`.` free, `#` wall, a
    digit an object, `@` the agent); both must agree."""
    rows = [line.split() for line in text.strip().split("\n")]
    height, width = len(rows), len(rows[0])
    spec = make_world_spec(height, width, codes.LAYOUT_MAP, 0.0, 1, 0, value, value,
                           [False] * len(value), [0] * len(value), [0] * len(value),
                           [-1] * len(value), [False] * len(value))
    walls = [[ch == "#" for ch in row] for row in rows]
    objects = [[int(ch) if ch.isdigit() else codes.EMPTY for ch in row] for row in rows]
    cells = [ch for row in rows for ch in row]
    position = divmod(cells.index("@"), width)
    value, policy = np.asarray(value, dtype=np.float64), np.asarray(policy, dtype=np.float64)
    decay = np.empty(2 * view + 2)
    reactive.powers(policy, view, decay)
    want = reactive.reference_step(spec, walls, objects, position, value, policy, view, step)
    got = reactive.react(np.array([ch == "#" for ch in cells]),
                         np.array([int(ch) if ch.isdigit() else -1 for ch in cells]),
                         cells.index("@"), value, policy, view, step, height, width, decay,
                         np.empty(((2 * view + 1) ** 2, 2), dtype=np.int64),
                         np.empty((2 * view + 1) ** 2))
    assert tuple(int(x) for x in got) == want
    return want


def policy(biases=(0, 0, 0, 0, 0), wall=0.0, decay=0.5, clock=0.0, route=()):
    """A policy row: five biases (stay, N, S, W, E), the wall weight, the decay, the clock's
    weight and its moves."""
    return [*biases, wall, decay, clock, *route]


def test_it_moves_towards_what_it_values_and_away_from_what_it_does_not():
    """An object valued 1 two cells east pulls the agent east; valued -1, it pushes it
    away: north, south and west all take it to distance 3 (Manhattan), and the tie goes to
    north; with the object north-east, south and west tie and south comes first, unless a
    bias favours west."""
    grid = ". . . . . \n . @ . 0 . \n . . . . ."
    assert decide(grid, [1.0], policy())[0] == EAST
    assert decide(grid, [-1.0], policy())[0] == NORTH
    assert decide(". . 0 . \n . @ . . \n . . . .", [-1.0], policy())[0] == SOUTH
    assert decide(". . 0 . \n . @ . . \n . . . .", [-1.0],
                  policy(biases=(0, 0, 0, 0.01, 0)))[0] == WEST


def test_ties_go_to_stay_then_n_s_w_e():
    """Nothing in view and equal biases: every move scores the same and the agent stays;
    a bias decides otherwise."""
    grid = ". . . \n . @ . \n . . ."
    assert decide(grid, [1.0], policy())[0] == STAY
    assert decide(grid, [1.0], policy(biases=(0, 0.1, 0, 0, 0)))[0] == NORTH


def test_walls_are_not_candidates_and_are_weighed():
    """A move into a wall is never chosen however its bias; walls (and the grid's edge) in
    view add p_wall weighted by distance: a negative wall weight keeps it off the edge."""
    assert decide("# # # \n # @ . \n # # #", [1.0], policy(biases=(0, 0, 0, 5, 0)))[0] \
        in (STAY, EAST)
    assert decide(". . . . . \n @ . . . . \n . . . . .", [1.0], policy(wall=-1.0))[0] == EAST


def test_its_cost_is_what_a_search_that_sees_as_far_expands():
    """A window of radius 2 shows what a search of horizon 2 sees and pays what it expands:
    the cells within 1 inside the grid, 5 in the open, fewer at a corner (3)."""
    open_grid = "\n".join(" ".join("@" if (r, c) == (3, 3) else "." for c in range(7))
                          for r in range(7))
    assert decide(open_grid, [1.0], policy())[1] == 5
    corner = "\n".join(" ".join("@" if (r, c) == (0, 0) else "." for c in range(7))
                       for r in range(7))
    assert decide(corner, [1.0], policy())[1] == 3


def test_the_clock_adds_its_weight_to_the_move_it_names_at_that_step():
    """With a clock (route S, W, E; weight 0.3) the move the clock names for the step wins
    over a bias of 0.2 north; past the clock's last move only the bias is left. An object
    valued 1 next to the agent outweighs a clock of 0.3 and pulls it off its route."""
    grid = ". . . \n . @ . \n . . ."
    clocked = policy(biases=(0, 0.2, 0, 0, 0), clock=0.3, route=(SOUTH, WEST, EAST))
    assert [decide(grid, [1.0], clocked, step=t)[0] for t in range(4)] == \
        [SOUTH, WEST, EAST, NORTH]
    assert decide(". . . \n . @ 0 \n . . .", [1.0], clocked, step=1)[0] == EAST


def test_a_view_of_0_sees_its_own_cell_only():
    """View 0: nothing around it is weighed (an object valued 1 next to it pulls nothing),
    and it pays 1 cell, as view 1 does (which sees the object)."""
    assert decide(". . . \n . @ 0 \n . . .", [1.0], policy(), view=0) == (STAY, 1)
    assert decide(". . . \n . @ 0 \n . . .", [1.0], policy(), view=1) == (EAST, 1)
