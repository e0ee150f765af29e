"""Row bitsets: the ball search answers as the reference's search would, at every width."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agents import codes
from agents.kinds import planner
from agents.rows import MAX_WIDTH, ball, dilate, fill_rows, popcount
from agents.world import make_world_spec
from tests.agents.test_amortised_planning import assert_amortised_equals_every_step
from tests.agents.test_kernel_matches_reference import (
    PROPERTY,
    assert_traced_episodes_match_reference,
    cases,
    worlds,
)

# Widths 1-9 for variety, 62-64 for the top bits of a row word.
WIDTHS = st.one_of(st.integers(1, 9), st.integers(MAX_WIDTH - 2, MAX_WIDTH))


@st.composite
def searches(draw):
    """A grid of walls and objects, an agent on a free cell, its rewards and horizon."""
    height, width = draw(st.integers(1, 5)), draw(WIDTHS)
    num_types = draw(st.integers(1, 3))
    cells = height * width
    # The cells come from a few wide integers, each shrinking towards an empty grid: one
    # draw per cell made hypothesis's bookkeeping most of this test's time.
    every = 2**cells - 1
    wall_bits = draw(st.integers(0, every))
    walls = [bool(wall_bits >> cell & 1) for cell in range(cells)]
    # Few objects in most grids, many in some: about one cell in 64, in 8 or in 2.
    occupied = every
    for _ in range(draw(st.sampled_from([6, 3, 1]))):
        occupied &= draw(st.integers(0, every))
    types = draw(st.integers(0, num_types**cells - 1))
    objects = [types // num_types**cell % num_types if occupied >> cell & 1 else codes.EMPTY
               for cell in range(cells)]
    position = draw(st.integers(0, cells - 1))
    walls[position], objects[position] = False, codes.EMPTY
    reward = draw(st.lists(st.sampled_from([-1.0, 0.0, 0.5, 1.0]), min_size=num_types,
                           max_size=num_types))
    horizon = draw(st.integers(1, 40))
    return height, width, walls, objects, position, np.array(reward), horizon


@settings(max_examples=1000, deadline=None)
@given(searches())
def test_ball_answers_as_the_search(case):
    """Where the reference's search reaches nothing the agent wants (so it has no target),
    the ball has exactly the cells it expands; where it reaches something, the ball says so."""
    height, width, walls, objects, position, reward, horizon = case
    spec = make_world_spec(height, width, codes.LAYOUT_MAP, 0.0, 1, codes.START_CENTER,
                           [0.0] * len(reward), [0.0] * len(reward), [False] * len(reward),
                           [0] * len(reward), [0] * len(reward), [-1] * len(reward),
                           [False] * len(reward), fixed_walls=walls)
    grid = [objects[r * width:(r + 1) * width] for r in range(height)]
    wall_grid = [walls[r * width:(r + 1) * width] for r in range(height)]
    action, expanded = planner.reference_step(spec, wall_grid, grid, divmod(position, width),
                                                 reward, horizon, 0.9)
    free, wanted, near, scratch = (np.empty(height, dtype=np.uint64) for _ in range(4))
    fill_rows(np.array(walls), np.array(objects, dtype=np.int64), reward, width, free, wanted)
    dilate(wanted, width, near)
    cells = ball(free, near, position, width, horizon - 1, scratch)
    assert cells == (-1 if action is not None else expanded)


@given(st.integers(0, 2**64 - 1))
def test_popcount(x):
    """The SWAR count equals Python's."""
    assert popcount(np.uint64(x)) == bin(x).count("1")


@settings(PROPERTY, max_examples=150)
@given(cases(worlds(heights=st.integers(1, 4),
                    widths=st.sampled_from([MAX_WIDTH - 1, MAX_WIDTH, MAX_WIDTH + 1, 101]))))
def test_wide_worlds_match_the_reference(case):
    """Worlds a word wide and wider, up to the widest a scenario may be (beyond a word the
    kernel plans without row bitsets): the amortised kernel plays every agent as the
    reference and as every-step planning does."""
    assert_traced_episodes_match_reference(case)
    assert_amortised_equals_every_step(case)
