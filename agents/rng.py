"""SplitMix64: the one random stream of an episode, identical in the kernel and the reference.

An episode's randomness comes from a single 64-bit seed. Both implementations draw from
this generator in the same documented order (see `agents/world.py`), so they make the same
worlds and the same wander moves. Numba's global `np.random` is never used: its streams
are per thread and cannot be matched by plain Python.
"""

import numpy as np
from numba import njit

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB


class SplitMix64:
    """Plain-Python SplitMix64 (the reference's stream)."""

    def __init__(self, seed: int):
        self.state = int(seed) & MASK64

    def next_u64(self) -> int:
        """Advance and return the next 64-bit output."""
        self.state = (self.state + GOLDEN) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * MIX1) & MASK64
        z = ((z ^ (z >> 27)) * MIX2) & MASK64
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        """Uniform integer in [0, n) for 0 < n < 2**32 (multiply-shift on the top 32 bits)."""
        return ((self.next_u64() >> 32) * n) >> 32

    def uniform(self) -> float:
        """Uniform float in [0, 1) from the top 53 bits."""
        return (self.next_u64() >> 11) * (1.0 / 9007199254740992.0)


# Numba versions: the state lives in a length-1 uint64 array so callees can advance it.
# Every constant is a uint64 so that numba never promotes the arithmetic to float.
_GOLDEN = np.uint64(GOLDEN)
_MIX1 = np.uint64(MIX1)
_MIX2 = np.uint64(MIX2)
_S11, _S27, _S30, _S31, _S32 = (np.uint64(k) for k in (11, 27, 30, 31, 32))


@njit(cache=True, inline="always")
def rng_next(state):
    """Advance `state` (uint64[1]) and return the next 64-bit output."""
    state[0] += _GOLDEN
    z = state[0]
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def rng_below(state, n):
    """Uniform integer in [0, n) for 0 < n < 2**32; same result as `SplitMix64.below`."""
    return np.int64(((rng_next(state) >> _S32) * np.uint64(n)) >> _S32)


@njit(cache=True, inline="always")
def rng_uniform(state):
    """Uniform float in [0, 1); same result as `SplitMix64.uniform`."""
    return np.float64(rng_next(state) >> _S11) * (1.0 / 9007199254740992.0)
