"""Every random number of a run, derived from its one root seed.

Each stream is keyed by (root seed, purpose, index) through `numpy.random.SeedSequence`,
so a stream depends only on *which* generation or phase asks for it, never on what ran
before. That is what makes a resumed run, a run on more threads, or a run on another
worker byte-identical to an uninterrupted one: the checkpoint needs no RNG state beyond
the generation number.
"""

import numpy as np

INIT, EPISODES, CROSSEVAL, BREEDING, WORLD = 0, 1, 2, 3, 4


def _sequence(root_seed: int, purpose: int, index: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(root_seed, spawn_key=(purpose, index))


def init_rng(root_seed: int) -> np.random.Generator:
    """Generator for the initial population."""
    return np.random.default_rng(_sequence(root_seed, INIT, 0))


def episode_seeds(root_seed: int, generation: int, num_episodes: int) -> np.ndarray:
    """The (E,) uint64 episode seeds every individual of a generation meets."""
    return _sequence(root_seed, EPISODES, generation).generate_state(num_episodes, np.uint64)


def crosseval_seeds(root_seed: int, phase_index: int, num_episodes: int) -> np.ndarray:
    """The fixed (E,) uint64 evaluation seeds of a phase, the same all run long."""
    return _sequence(root_seed, CROSSEVAL, phase_index).generate_state(num_episodes, np.uint64)


def world_seed(root_seed: int, phase_index: int) -> int:
    """The seed of what a phase keeps the same in every episode (`world.variation`)."""
    return int(_sequence(root_seed, WORLD, phase_index).generate_state(1, np.uint64)[0])


def breeding_seed(root_seed: int, generation: int) -> int:
    """Seed for DEAP's stdlib `random` while breeding the next generation from this one."""
    return int(_sequence(root_seed, BREEDING, generation).generate_state(1, np.uint64)[0])
