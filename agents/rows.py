"""The grid as row bitsets, for the searches that need no paths: whom a search can reach.

A row of up to 64 cells is one uint64, bit `col` for column `col`. The kernel keeps two such
grids per episode: `free`, the cells an agent can walk through (no wall, no object), and
`near`, the cells next to an object the agent wants (R > 0). Growing the agent's ball of
free cells one distance at a time is a few word operations per row, where the queue search
touches every cell and its four neighbours; the kernel uses it to settle, without a queue
search, the steps where nothing the agent wants is in reach (see `agents.kernel`).

Grids wider than 64 columns (a scenario allows 101) are left to the queue search: a
version with several words per row (word-major, two buffers) grew a 15 x 15 ball in
0.6 us against 0.32 us for this one, and made the common case 17% slower.
"""

import numpy as np
from numba import njit

MAX_WIDTH = 64  # bits of a row word

_ONE = np.uint64(1)
_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)
_S1, _S2, _S4, _S56 = (np.uint64(k) for k in (1, 2, 4, 56))


@njit(cache=True, inline="always")
def popcount(x):
    """Set bits of a uint64 (the SWAR count: numba has no intrinsic for it)."""
    x = x - ((x >> _S1) & _M1)
    x = (x & _M2) + ((x >> _S2) & _M2)
    x = (x + (x >> _S4)) & _M4
    return np.int64((x * _H01) >> _S56)


@njit(cache=True, inline="always")
def set_bit(rows, cell, width, on):
    """Set (on) or clear the bit of a flat cell in rows (H,)."""
    bit = _ONE << np.uint64(cell % width)
    if on:
        rows[cell // width] |= bit
    else:
        rows[cell // width] &= ~bit


@njit(cache=True)
def fill_rows(walls, objects, reward, width, free, wanted):
    """free (H,): cells with no wall and no object; wanted (H,): objects with R > 0."""
    free[:] = 0
    wanted[:] = 0
    for cell in range(walls.shape[0]):
        if walls[cell]:
            continue
        t = objects[cell]
        if t < 0:
            set_bit(free, cell, width, True)
        elif reward[t] > 0:
            set_bit(wanted, cell, width, True)


@njit(cache=True)
def dilate(rows, width, out):
    """out (H,): the cells next to (N, S, W, E of) a set cell of rows (H,), within the grid."""
    height = rows.shape[0]
    inside = ~np.uint64(0) if width == MAX_WIDTH else (_ONE << np.uint64(width)) - _ONE
    for r in range(height):
        grow = (rows[r] << _S1) | (rows[r] >> _S1)
        if r > 0:
            grow |= rows[r - 1]
        if r < height - 1:
            grow |= rows[r + 1]
        out[r] = grow & inside


@njit(cache=True)
def ball(free, near, position, width, radius, rows):
    """The free cells within `radius` of position over free cells, or -1 if one is in `near`.

    Returns the number of cells of the ball: the agent's own cell and the free cells at
    distance 1 .. radius by paths through free cells. Stops early with -1 as soon as the
    ball touches `near`. `rows` (H,) is scratch, left holding the ball.
    """
    height = free.shape[0]
    rows[:] = 0
    row = position // width
    rows[row] = _ONE << np.uint64(position % width)
    if rows[row] & near[row]:
        return -1
    lo = hi = row
    for _ in range(radius):
        lo, hi = max(lo - 1, 0), min(hi + 1, height - 1)
        grew = False
        above = np.uint64(0)  # row r - 1 before this level grew it
        for r in range(lo, hi + 1):
            old = rows[r]
            grow = old | (old << _S1) | (old >> _S1) | above
            if r < height - 1:
                grow |= rows[r + 1]
            grow &= free[r]
            if grow & near[r]:
                return -1
            grew |= grow != old
            rows[r] = grow
            above = old
        if not grew:  # the ball fills its component: further levels add nothing
            break
    cells = 0
    for r in range(lo, hi + 1):
        cells += popcount(rows[r])
    return cells
