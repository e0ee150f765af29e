"""What the numbers were measured on, and what the machine itself allows."""

import os
import platform
import subprocess
from pathlib import Path

import numpy as np
from numba import njit, prange

from evo.bench.table import Row
from evo.bench.timing import time_interleaved
from evo.bench.workload import Budget


def machine_rows(budget: Budget, mode: str) -> list[Row]:
    """What the numbers were measured on: host, CPU, threads, versions, source, load."""
    import numba

    from evo.store.rundir import git_commit, versions

    found = versions()
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    rows = [
        Row("machine", "cpu", "CPU", _cpu_model(), ""),
        Row("machine", "cores", "cores", cores, ""),
        Row("machine", "numba_threads", "numba threads (all)", numba.config.NUMBA_NUM_THREADS,
            "", detail=f"threading layer {numba.config.THREADING_LAYER}"),
        Row("machine", "versions", "versions", f"python {found['python']}, numba "
            f"{found['numba']}, numpy {found['numpy']}, deap {found['deap']}", ""),
        Row("machine", "source", "source", _source_state(git_commit()), ""),
        Row("machine", "load_at_start", "load average at start", round(load, 2), "",
            detail="other processes compete for the cores" if load > 0.5 else ""),
        Row("machine", "mode", "mode", mode, "",
            detail=f"population {budget.population}, {budget.episodes} episodes of "
            f"{budget.episode_steps} steps"),
    ]
    return rows


def _cpu_model() -> str:
    """The CPU's model name, as Linux reports it, else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _source_state(commit: str | None) -> str:
    """The git commit, marked `+changes` when agents/ or evo/ differ from it."""
    if commit is None:
        return "not a git checkout"
    root = Path(__file__).resolve().parents[2]
    try:
        status = subprocess.run(["git", "status", "--porcelain", "--", "agents", "evo"],
                                cwd=root, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        status = ""
    return commit[:12] + (" +changes" if status.strip() else "")


def machine_ceiling_row(budget: Budget) -> Row:
    """2 threads over 1 on a loop that touches no memory: what this machine allows at best."""
    import numba

    all_threads = numba.config.NUMBA_NUM_THREADS
    if all_threads < 2:
        return Row("ratios", "machine_2_over_1_thread", "machine ceiling: 2 threads / 1",
                   "n/a", "x", detail="one core only")
    out = np.zeros(64, dtype=np.uint64)
    _spin(out, 10)  # compile
    timings = time_interleaved({t: (t, lambda: _spin(out, budget.spin_rounds)) for t in (1, 2)},
                               max(budget.repeats, 3))
    return Row("ratios", "machine_2_over_1_thread", "machine ceiling: 2 threads / 1",
               timings[1][0] / timings[2][0], "x",
               detail="a pure-arithmetic parallel loop; the kernel cannot beat it")


@njit(parallel=True, cache=True)
def _spin(out, rounds):
    """Fill out (N,) with xorshift chains: arithmetic only, no memory traffic, no closed form."""
    for i in prange(out.shape[0]):
        x = np.uint64(i + 1)
        for _ in range(rounds):
            x ^= x << np.uint64(13)
            x ^= x >> np.uint64(7)
            x ^= x << np.uint64(17)
        out[i] = x
