"""Amortised planning: the kernel that re-plans only when its decision can have changed
decides exactly as the kernel that re-plans every step, and as the reference."""

import numpy as np
from hypothesis import given

from agents import codes, kernel, reference
from agents.codes import EAST, MACHINE_PLANNER, NORTH
from agents.genome import Agent
from agents.kinds import planner
from agents.rng import SplitMix64
from agents.world import make_world_spec
from tests.agents.test_kernel_matches_reference import PROPERTY, cases


def same_episode(a: kernel.EpisodeTrace, b: kernel.EpisodeTrace) -> None:
    """Two kernel episodes agree on everything but the number of searches."""
    assert np.array_equal(a.positions, b.positions)
    assert np.array_equal(a.actions, b.actions)
    assert np.array_equal(a.flags, b.flags)
    assert np.array_equal(a.eaten, b.eaten) and np.array_equal(a.returns, b.returns)
    assert (a.base, a.mesa, a.intended) == (b.base, b.mesa, b.intended)
    assert np.array_equal(a.consumed, b.consumed)
    assert (a.expanded, a.steps) == (b.expanded, b.steps)


@PROPERTY
@given(cases())
def test_amortised_equals_replanning_every_step(case):
    """Random worlds (respawn, terminal types, mazes, ties, negative R, horizon 1): the
    amortised kernel's trajectories, returns, counts and cost equal every-step planning's,
    with no more searches."""
    assert_amortised_equals_every_step(case)


def assert_amortised_equals_every_step(case) -> None:
    """Amortised and every-step planning agree on every episode and on `evaluate`."""
    spec, params, seeds = case
    for seed in seeds:
        for p in range(len(params.horizon)):
            fast = kernel.run_episode_traced(params, p, spec, seed, amortize=True)
            slow = kernel.run_episode_traced(params, p, spec, seed, amortize=False)
            same_episode(fast, slow)
            assert fast.searches <= slow.searches
            assert slow.searches == (slow.steps if params.machine[p] == MACHINE_PLANNER else 0)
    fast, slow = (kernel.evaluate(params, spec, seeds, amortize=a) for a in (True, False))
    for name, a, b in zip(fast._fields, fast, slow):
        assert np.array_equal(a, b), name


def play(text: str, reward, horizon: int, gamma: float = 0.9, steps: int = 10,
         respawn=None, seed: int = 0):
    """Play a hand-drawn world (`.` free, `#` wall, a digit an object, `@` the agent) with
    the reference and the kernel, amortised and not; returns the three episodes."""
    rows = [line.split() for line in text.strip().split("\n")]
    height, width, num_types = len(rows), len(rows[0]), len(reward)
    cells = [ch for row in rows for ch in row]
    spec = make_world_spec(height, width, codes.LAYOUT_MAP, 0.0, steps, codes.START_CENTER,
                           [1.0] * num_types, [1.0] * num_types, [False] * num_types,
                           [0] * num_types, [0] * num_types, [-1] * num_types,
                           respawn or [False] * num_types,
                           fixed_walls=[ch == "#" for ch in cells])
    reward = np.asarray(reward, dtype=np.float64)
    walls = [[ch == "#" for ch in row] for row in rows]
    objects = [[int(ch) if ch.isdigit() else codes.EMPTY for ch in row] for row in rows]
    start = cells.index("@")
    ref = reference.play(spec, walls, objects, divmod(start, width), reward, horizon, gamma,
                         codes.MACHINE_PLANNER, SplitMix64(seed))
    agent = Agent(reward, np.int64(horizon), np.float64(gamma),
                  np.int64(codes.MACHINE_PLANNER), np.zeros((0, num_types)), np.zeros(8),
                  np.int64(0))
    got = []
    for amortize in (True, False):
        state = np.array([seed], dtype=np.uint64)
        tape = kernel.Tape(np.zeros(num_types, dtype=np.int64), np.empty(0, dtype=np.bool_),
                           np.empty(0, dtype=np.int64), np.empty((steps + 1, 2), dtype=np.int64),
                           np.empty((steps, 4), dtype=np.int64), np.empty((steps + 1, 3)))
        tally = kernel._play(
            spec, np.array([ch == "#" for ch in cells]),
            np.array([int(ch) if ch.isdigit() else codes.EMPTY for ch in cells], dtype=np.int64),
            np.int64(start), np.int64(0), agent, state, tape, True, amortize)
        num_steps = tally.steps
        cells_after, record = tape.cells[:num_steps + 1], tape.record[:num_steps]
        got.append((reference.Episode(
            tally.base, tally.mesa, tally.intended, tape.consumed.tolist(), tally.expanded,
            num_steps, [(int(c) // width, int(c) % width) for c in cells_after[:, 0]],
            record[:, 0].tolist(), cells_after[:, 1].tolist(), record[:, 3].tolist(),
            [tuple(r) for r in tape.returns[:num_steps + 1].tolist()]),
            tally.searches, tally.balls))
    (fast, fast_searches, fast_balls), (slow, slow_searches, slow_balls) = got
    assert fast == ref and slow == ref
    assert slow_balls == 0  # every-step planning always runs the queue search
    return ref, fast_searches, slow_searches, fast_balls


def test_following_a_plan_searches_once():
    """With nothing else in view the agent walks to its target on one search."""
    ref, fast, slow, _ = play(". . . . . \n @ . . . 0 \n . . . . .", [1.0], horizon=6, steps=4)
    assert ref.actions == [EAST] * 4 and ref.consumed == [1]
    assert (fast, slow) == (1, 4)


def test_an_object_coming_into_the_horizon_takes_over():
    """A better object beyond the horizon at plan time comes into view while the agent walks
    to its target: the decision changes, and the amortised planner sees it."""
    text = ". . . . 1 \n @ . . 0 . \n . . . . ."
    ref, fast, slow, _ = play(text, [0.5, 2.0], horizon=3, steps=6)
    assert ref.actions[:3] == [EAST, EAST, NORTH]  # 1 is 3 away (in view) at (1, 2)
    assert ref.consumed == [0, 1]
    assert fast < slow


def test_a_tied_competitor_forces_a_new_search():
    """Two equal objects at equal distance: the check is strict, so a tie is never trusted
    (walking can change which is reached first); the kernel searches again and agrees."""
    text = "0 . . . . \n . . . . . \n . . @ . . \n . . . . . \n . . . . 0"
    ref, fast, slow, _ = play(text, [1.0], horizon=6, steps=8)
    assert ref.actions[:4] == [NORTH, NORTH, 3, 3]  # both 4 away; (0, 0) is reached first
    assert 1 < fast < slow


def test_a_consumed_object_changes_the_field():
    """Eating an object opens its cell and may respawn one: the next step re-plans, and the
    cost is counted there (a plan event)."""
    text = "# # # # # \n 0 . @ 0 1 \n # # . # #"
    ref, fast, slow, _ = play(text, [1.0, 3.0], horizon=4, steps=5, respawn=[True, False])
    assert ref.actions[0] == EAST and ref.actions[1] == EAST  # 1 was behind 0, now open
    assert ref.consumed[1] == 1


def test_cost_is_paid_at_plan_events():
    """`expanded` counts the search of the first step, of steps after a consumption and of
    steps after one without a target, and nothing else."""
    text = ". . . . . \n @ . . . 0 \n . . . . ."
    ref, _, _, _ = play(text, [1.0], horizon=6, steps=6)
    spec_walls = [[False] * 5 for _ in range(3)]
    first = planner.reference_step(
        make_world_spec(3, 5, codes.LAYOUT_OPEN, 0.0, 6, 0, [1.0], [1.0], [False], [0], [0],
                        [-1], [False]),
        spec_walls, [[-1] * 5, [-1, -1, -1, -1, 0], [-1] * 5], (1, 0), np.array([1.0]), 6,
        0.9)[1]
    # Step 1 plans (first step); steps 2-4 follow the plan; step 5 follows a consumption;
    # step 6 follows a step that wandered (nothing left to target). Both searched 15 cells.
    assert ref.consumed == [1] and ref.actions[:4] == [EAST] * 4
    assert ref.expanded == first + 2 * 15


def test_nothing_wanted_in_reach_needs_no_search():
    """An agent whose only object is out of reach (or disliked) wanders: every step is a
    plan event and pays the reference's search size, yet the kernel runs no queue search,
    and a cell it comes back to is not grown again."""
    text = ". . . . . . . . \n . . @ . . . . 0 \n . . . . . . . 1"
    ref, fast, slow, balls = play(text, [1.0, -1.0], horizon=3, steps=12, seed=3)
    assert ref.consumed == [0, 0] and ref.expanded > 0
    assert fast == 0 and slow == 12
    assert balls == len(set(ref.positions[:-1])) < 12


def test_an_object_entering_the_ball_hands_over_to_the_search():
    """One step out of reach, the agent can only wander east (the grid ends behind it); the
    next step the object is within reach: its ball touches it and hands over to one queue
    search, whose plan the agent follows to the end."""
    ref, fast, slow, balls = play("@ . . . . 0", [1.0], horizon=4, steps=5)
    assert ref.actions == [EAST] * 5 and ref.consumed == [1]
    assert (balls, fast, slow) == (2, 1, 5)
