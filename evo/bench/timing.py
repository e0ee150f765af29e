"""Timing on a shared machine: best of interleaved repeats, and what else was running."""

import math
import os
import time
from pathlib import Path

import numpy as np


def time_calls(fn, repeats: int, min_seconds: float = 0.0) -> tuple[float, float]:
    """Best and median seconds per call of fn() over `repeats` timed batches.

    Warm fn up (compile, caches) before. A batch repeats the call until it lasts
    `min_seconds`, so that calls too short for the clock are still timed well; sizing it
    takes one more, untimed call.
    """
    calls = 1
    if min_seconds > 0:
        tic = time.perf_counter()
        fn()
        calls = max(1, math.ceil(min_seconds / max(time.perf_counter() - tic, 1e-9)))
    per_call = []
    for _ in range(repeats):
        tic = time.perf_counter()
        for _ in range(calls):
            fn()
        per_call.append((time.perf_counter() - tic) / calls)
    return min(per_call), float(np.median(per_call))


def time_interleaved(calls: dict, repeats: int) -> dict:
    """Best and median seconds of each call, {key: (best, median)}.

    `calls` maps a key to (numba threads, fn). Repeats are interleaved across the calls, so
    that a burst of load from elsewhere hits each alike; numba is left on all its threads.
    """
    import numba

    seconds = {key: [] for key in calls}
    try:
        for _ in range(repeats):
            for key, (threads, fn) in calls.items():
                numba.set_num_threads(threads)
                tic = time.perf_counter()
                fn()
                seconds[key].append(time.perf_counter() - tic)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return {key: (min(s), float(np.median(s))) for key, s in seconds.items()}


def cpu_seconds() -> tuple[float, float, float]:
    """(wall clock, CPU seconds of all cores busy, CPU seconds of this process and its
    children); the busy seconds are NaN without Linux's /proc/stat."""
    own = os.times()
    mine = own.user + own.system + own.children_user + own.children_system
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        # user nice system idle iowait irq softirq steal: idle and iowait are not busy
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        busy = math.nan
    return time.perf_counter(), busy, mine


def other_share(before, after) -> float:
    """Share of all cores that other processes kept busy between two cpu_seconds()."""
    wall = after[0] - before[0]
    other = (after[1] - before[1]) - (after[2] - before[2])
    return max(0.0, other) / (wall * (os.cpu_count() or 1))
