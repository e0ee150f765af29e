"""The numba kernel against the pure-Python reference: identical trajectories and returns."""

import numba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents import codes, kernel, reference
from agents.genome import AgentParams
from agents.rng import SplitMix64
from agents.world import WorldSpec, make_world_spec

# Reward values drawn from a small set make exact ties between objects common.
TIED_VALUES = st.sampled_from([-1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 2.0])
VALUES = st.one_of(TIED_VALUES, st.floats(-2.0, 2.0, allow_nan=False))


@st.composite
def worlds(draw, heights=st.integers(1, 9), widths=st.integers(1, 9)) -> WorldSpec:
    """Small random worlds covering every layout, start, region, variant and type flag, and
    flags: context set by placements, state with onsets, set and cleared by types, gating
    consumption and changing values; and every world variation."""
    height, width = draw(heights), draw(widths)
    num_types = draw(st.integers(1, 4))
    layout = draw(st.sampled_from(list(codes.LAYOUTS.values())))
    wall_density = draw(st.sampled_from([0.0, 0.1, 0.25, 0.4, 0.7]))

    def placement():
        """Counts, regions and region arguments of one placement (default or variant)."""
        region = draw(st.lists(st.sampled_from(list(codes.REGIONS.values())),
                               min_size=num_types, max_size=num_types))
        # `adjacent` may name any type, itself and later types included (then nothing is
        # placed).
        region_arg = [draw(st.integers(0, num_types - 1)) if r == codes.REGION_ADJACENT else -1
                      for r in region]
        # Mostly a few objects, sometimes up to the whole grid: then regions have fewer
        # candidates than asked for.
        count = st.one_of(st.integers(0, 4), st.integers(0, height * width))
        counts = draw(st.lists(count, min_size=num_types, max_size=num_types))
        return counts, region, region_arg

    def per_type(strategy):
        return draw(st.lists(strategy, min_size=num_types, max_size=num_types))

    counts, region, region_arg = placement()
    # Shares may sum past 1 (later variants are then never drawn) or leave room for the
    # default placement.
    shares = draw(st.lists(st.sampled_from([0.0, 0.3, 0.5, 1.0]), max_size=2))
    variants = [placement() for _ in shares]
    num_flags = draw(st.integers(0, 3))
    mask = st.integers(0, 2**num_flags - 1)
    # Requirements are mostly none, so that most types stay consumable.
    rare_mask = st.one_of(st.just(0), st.just(0), mask)
    wall_bits = draw(st.integers(0, 2**(height * width) - 1))
    return make_world_spec(
        height, width, layout, wall_density, draw(st.integers(1, 30)),
        draw(st.sampled_from(list(codes.STARTS.values()))),
        per_type(VALUES), per_type(VALUES), per_type(st.booleans()), counts, region,
        region_arg, per_type(st.booleans()),
        maze_openings=draw(st.sampled_from([0.0, 0.2, 0.5, 1.0])),
        barrier_density=draw(st.sampled_from([0.0, 0.3, 0.7, 1.0])),
        # One wide integer, not a draw per cell (hypothesis's bookkeeping is most of the
        # time of the tests that use it); it shrinks towards no wall, as booleans would.
        fixed_walls=[bool(wall_bits >> cell & 1) for cell in range(height * width)],
        variant_share=shares,
        variant_counts=[v[0] for v in variants] or None,
        variant_region=[v[1] for v in variants] or None,
        variant_region_arg=[v[2] for v in variants] or None,
        flags=draw(mask), variant_flags=[draw(mask) for _ in shares],
        onset=draw(st.lists(st.sampled_from([0.0, 0.05, 0.3, 1.0]), min_size=num_flags,
                            max_size=num_flags)),
        sets=per_type(mask), clears=per_type(mask), requires=per_type(rare_mask),
        blocked_by=per_type(rare_mask),
        value_if=[per_type(VALUES) for _ in range(num_flags)] or None,
        intended_if=[per_type(VALUES) for _ in range(num_flags)] or None,
        variation=draw(st.sampled_from(list(codes.VARIATIONS.values()))),
        world_seed=draw(st.integers(0, 2**64 - 1)),
    )


@st.composite
def populations(draw, num_types: int, num_flags: int = 0, max_agents: int = 3) -> AgentParams:
    """Random agents: rewards with zeros, negatives and ties; some always wander."""
    num_agents = draw(st.integers(1, max_agents))
    clock = draw(st.integers(0, 12))
    reward = [draw(st.lists(VALUES, min_size=num_types, max_size=num_types))
              for _ in range(num_agents)]
    flag_reward = [draw(st.lists(VALUES, min_size=num_types, max_size=num_types))
                   for _ in range(num_agents * num_flags)]
    return AgentParams(
        np.array(reward, dtype=np.float64).reshape(num_agents, num_types),
        np.array(draw(st.lists(st.integers(1, 12), min_size=num_agents, max_size=num_agents))),
        np.array(draw(st.lists(st.floats(0.5, 0.999), min_size=num_agents,
                               max_size=num_agents))),
        # About one agent in four wanders (the `random` kind), one in four is reactive.
        np.array(draw(st.lists(st.sampled_from([codes.MACHINE_PLANNER] * 2
                                               + [codes.MACHINE_RANDOM, codes.MACHINE_REACTIVE]),
                               min_size=num_agents, max_size=num_agents)), dtype=np.int64),
        np.array(flag_reward, dtype=np.float64).reshape(num_agents, num_flags, num_types),
        # Biases and wall weights from the tied values (ties between actions are common),
        # a decay in (0, 1), a clock weight and a clock of 0 to 12 moves (shorter or longer
        # than the episode), a view of 0 to 4 cells.
        np.array([[*draw(st.lists(VALUES, min_size=6, max_size=6)),
                   draw(st.sampled_from([0.05, 0.5, 0.9, 0.95])), draw(VALUES),
                   *draw(st.lists(st.integers(0, 4), min_size=clock, max_size=clock))]
                  for _ in range(num_agents)], dtype=np.float64).reshape(num_agents, 8 + clock),
        np.array(draw(st.lists(st.integers(0, 4), min_size=num_agents, max_size=num_agents)),
                 dtype=np.int64),
    )


@st.composite
def cases(draw, world=worlds()):
    """A world, a population for it and a few episode seeds."""
    spec = draw(world)
    params = draw(populations(len(spec.counts), len(spec.onset)))
    seeds = draw(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=3))
    return spec, params, np.array(seeds, dtype=np.uint64)


def reference_episode(params: AgentParams, p: int, spec: WorldSpec, seed) -> reference.Episode:
    """The reference's episode for agent p."""
    return reference.run_episode(spec, params.reward[p], int(params.horizon[p]),
                                 float(params.gamma[p]), int(params.machine[p]), int(seed),
                                 None if params.flag_reward is None else params.flag_reward[p],
                                 None if params.policy is None else params.policy[p],
                                 0 if params.view_radius is None else int(params.view_radius[p]))


def as_reference(trace: kernel.EpisodeTrace) -> reference.Episode:
    """A kernel episode in the reference's terms, to compare the two whole."""
    return reference.Episode(
        trace.base, trace.mesa, trace.intended, trace.consumed.tolist(), trace.expanded,
        trace.steps, [tuple(cell) for cell in trace.positions.tolist()], trace.actions.tolist(),
        trace.flags.tolist(), trace.eaten.tolist(), [tuple(r) for r in trace.returns.tolist()])


PROPERTY = settings(max_examples=500, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(cases())
def test_traced_episodes_match_reference(case):
    """Every kernel episode equals the reference's: positions, actions, returns, counts."""
    assert_traced_episodes_match_reference(case)


def assert_traced_episodes_match_reference(case) -> None:
    """The kernel's (amortised) episodes of every agent and seed equal the reference's, and
    start in the reference's world."""
    spec, params, seeds = case
    for seed in seeds:
        walls, objects, _, _ = reference.generate_world(spec, SplitMix64(int(seed)))
        for p in range(len(params.horizon)):
            want = reference_episode(params, p, spec, seed)
            got = kernel.run_episode_traced(params, p, spec, seed)
            assert [tuple(cell) for cell in got.positions.tolist()] == want.positions
            assert got.actions.tolist() == want.actions
            assert got.flags.tolist() == want.flags
            assert got.eaten.tolist() == want.eaten
            # Exact float equality: the kernel sums in the reference's order.
            assert (got.base, got.mesa, got.intended) == (want.base, want.mesa, want.intended)
            assert [tuple(r) for r in got.returns.tolist()] == want.returns
            assert got.consumed.tolist() == want.consumed
            assert (got.expanded, got.steps) == (want.expanded, want.steps)
            assert got.walls.tolist() == walls and got.objects.tolist() == objects


@PROPERTY
@given(cases())
def test_evaluate_matches_reference(case):
    """`evaluate` fills (P, E) arrays equal to `evaluate_reference`, floats bit for bit."""
    spec, params, seeds = case
    got = kernel.evaluate(params, spec, seeds)
    want = reference.evaluate_reference(params, spec, seeds)
    for name, a, b in zip(got._fields, got, want):
        assert a.dtype == b.dtype and np.array_equal(a, b), name


def small_population(num_agents: int, num_types: int, seed: int) -> AgentParams:
    """A seeded population of planners (and one wanderer) for fixed-world tests."""
    rng = np.random.default_rng(seed)
    reward = rng.uniform(-1.0, 1.0, (num_agents, num_types))
    reward[0] = 0.5  # all types tied
    return AgentParams(reward, rng.integers(1, 13, num_agents),
                       rng.uniform(0.5, 0.999, num_agents),
                       np.where(np.arange(num_agents) == 1, codes.MACHINE_RANDOM,
                                codes.MACHINE_PLANNER))


FIXED_WORLD = make_world_spec(
    9, 8, codes.LAYOUT_WALLS, 0.2, 40, codes.START_RANDOM,
    [1.0, -1.0, 0.5, 2.0], [1.0, 0.0, 0.5, 1.0], [False, False, False, True],
    [6, 5, 4, 1], [codes.REGIONS["left"], 0, codes.REGION_ADJACENT, codes.REGIONS["corners"]],
    [-1, -1, 0, -1], [True, False, True, False],
)
FIXED_SEEDS = np.array([1, 2**63 + 5, 12345678901234567, 7, 99, 2**64 - 1], dtype=np.uint64)


def test_population_matches_reference():
    """A population of 12 agents on 6 common seeds equals the reference everywhere."""
    params = small_population(12, 4, seed=3)
    got = kernel.evaluate(params, FIXED_WORLD, FIXED_SEEDS)
    want = reference.evaluate_reference(params, FIXED_WORLD, FIXED_SEEDS)
    for name, a, b in zip(got._fields, got, want):
        assert np.array_equal(a, b), name
    assert got.steps.min() > 0


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_evaluate_independent_of_thread_count():
    """Results are identical on 1 and 2 numba threads (no shared state between tasks)."""
    params = small_population(40, 4, seed=4)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = kernel.evaluate(params, FIXED_WORLD, FIXED_SEEDS)
        numba.set_num_threads(2)
        two = kernel.evaluate(params, FIXED_WORLD, FIXED_SEEDS)
    finally:
        numba.set_num_threads(before)
    for name, a, b in zip(one._fields, one, two):
        assert np.array_equal(a, b), name


def test_common_random_numbers_and_determinism():
    """Every agent starts in the same world for a seed, and a rerun repeats the trajectory."""
    params = small_population(5, 4, seed=5)
    for seed in FIXED_SEEDS:
        traces = [kernel.run_episode_traced(params, p, FIXED_WORLD, seed) for p in range(5)]
        assert len({tuple(t.positions[0]) for t in traces}) == 1
        again = kernel.run_episode_traced(params, 3, FIXED_WORLD, seed)
        assert np.array_equal(again.positions, traces[3].positions)
        assert np.array_equal(again.actions, traces[3].actions)


def test_input_dtypes_are_cast_without_recompiling():
    """Other dtypes (int32 seeds, float horizons, lists) give the same results, one compile."""
    params = small_population(6, 4, seed=6)
    want = kernel.evaluate(params, FIXED_WORLD, FIXED_SEEDS)
    num_signatures = len(kernel._evaluate.signatures)
    odd = AgentParams(np.asfortranarray(params.reward),
                      params.horizon.astype(np.float64), params.gamma.tolist(),
                      params.machine.astype(np.int8))
    spec = FIXED_WORLD._replace(height=np.int32(9), wall_density=np.float32(0.2),
                                counts=FIXED_WORLD.counts.astype(np.int32),
                                value=FIXED_WORLD.value.tolist())
    small_seeds = np.array([3, 4], dtype=np.int32)
    kernel.evaluate(odd, spec, small_seeds)
    got = kernel.evaluate(params._replace(horizon=params.horizon.astype(np.float64)),
                          FIXED_WORLD._replace(counts=FIXED_WORLD.counts.tolist()),
                          FIXED_SEEDS.astype(np.int64))
    assert len(kernel._evaluate.signatures) == num_signatures
    for name, a, b in zip(got._fields, got, want):
        assert np.array_equal(a, b), name


def test_random_start_in_a_world_of_walls_falls_back_to_the_center():
    """A random start with no free cell starts at the (cleared) center, in both implementations."""
    spec = FIXED_WORLD._replace(wall_density=1.0, start=codes.START_RANDOM,
                                layout=codes.LAYOUT_WALLS)
    params = small_population(2, 4, seed=8)
    center = (spec.height // 2, spec.width // 2)
    assert reference_episode(params, 0, spec, FIXED_SEEDS[0]).positions[0] == center
    assert tuple(kernel.run_episode_traced(params, 0, spec, FIXED_SEEDS[0]).positions[0]) == center
    got = kernel.evaluate(params, spec, FIXED_SEEDS)
    want = reference.evaluate_reference(params, spec, FIXED_SEEDS)
    for name, a, b in zip(got._fields, got, want):
        assert np.array_equal(a, b), name


def test_bad_shapes_are_rejected():
    """A reward matrix with the wrong number of types is refused before the kernel runs."""
    params = small_population(3, 3, seed=7)
    with pytest.raises(ValueError, match="reward must be"):
        kernel.evaluate(params, FIXED_WORLD, FIXED_SEEDS)
    with pytest.raises(ValueError, match="seeds"):
        kernel.evaluate(small_population(3, 4, seed=7), FIXED_WORLD, np.array([0.5]))


def test_world_variation_keeps_what_it_says():
    """`fixed`: every episode seed gives the same walls, start and objects; `placements`:
    the same walls and start, objects drawn anew; `layouts`: walls drawn anew. In a fixed
    world the steps' draws still come from the episode: wanderers part ways."""
    maze = make_world_spec(9, 9, codes.LAYOUT_MAZE, 0.0, 30, codes.START_RANDOM, [1.0],
                           [1.0], [False], [6], [0], [-1], [False], maze_openings=0.2)
    worlds = {}
    for variation in codes.VARIATIONS.values():
        spec = maze._replace(variation=variation, world_seed=np.uint64(12345))
        worlds[variation] = [reference.generate_world(spec, SplitMix64(seed))
                             for seed in FIXED_SEEDS]
    same = {v: [all(w[i] == ws[0][i] for w in ws) for i in range(3)]
            for v, ws in worlds.items()}
    assert same[codes.VARIATION_FIXED] == [True, True, True]
    assert same[codes.VARIATION_PLACEMENTS] == [True, False, True]
    assert same[codes.VARIATION_LAYOUTS] == [False, False, False]
    spec = maze._replace(variation=codes.VARIATION_FIXED, world_seed=np.uint64(12345))
    wanderer = small_population(2, 1, seed=9)._replace(machine=np.array([1, 1]))
    paths = {tuple(map(tuple, kernel.run_episode_traced(wanderer, 0, spec, seed).positions))
             for seed in FIXED_SEEDS}
    assert len(paths) > 1
