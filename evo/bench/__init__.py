"""`evo bench`: how many agent-steps per second basemesa delivers, and what it wastes.

The measurements, in the order they run (each in its own module):

- `kernel`: the numba kernel on 1 thread, 2 threads and all threads (compiled first, best
  of a few repeats), as `evo run` plays (amortised planning) and re-planning every step,
  and the plain-Python reference on an evenly spread slice of the same agents and
  episodes, checked to give the same returns as the kernel on that slice; later, a sweep
  over grid size x horizon, so users see how the cost per step grows;
- `machine`: what the machine itself allows: 2 threads over 1 on a loop with no memory
  traffic;
- `runs`: a few real generations through `evo.evolution` (DEAP breeding, CSV rows,
  checkpoints), with the seconds spent inside the kernel timed around the evaluation
  function; `evo run` in subprocesses: a cold start (empty numba cache) and a warm one, to
  the first row of generations.csv; the peak memory (ru_maxrss) of a population-1024 run.

Each performance target of `benchmarks/README.md` is printed next to its measured value
with pass or fail; the tiny mode is a smoke run whose numbers are noise, so it grades none
(and its cold start keeps the numba cache it finds).
"""

import math
import socket
import sys
import tempfile
import time
from pathlib import Path

from evo.bench.kernel import scaling_rows, throughput_rows
from evo.bench.machine import machine_rows
from evo.bench.runs import generation_rows, startup_rows
from evo.bench.table import Row, check, default_output, render, write_csv
from evo.bench.timing import cpu_seconds, other_share
from evo.bench.workload import FULL, TINY


def run_bench(out: Path | None = None, tiny: bool = False, console=None) -> list[Row]:
    """Measure everything, print the table, write the CSV; returns the rows."""
    from rich.console import Console

    # Piped output gets a wide table, so that saved tables stay readable.
    console = console or Console(width=None if sys.stdout.isatty() else 150)
    budget, mode = (TINY, "tiny") if tiny else (FULL, "full")
    host = socket.gethostname()
    out = Path(out) if out is not None else default_output(host, tiny)
    tic = time.perf_counter()
    rows = machine_rows(budget, mode)
    stages = [("throughput", throughput_rows), ("generations", generation_rows),
              ("subprocesses", startup_rows), ("scaling", scaling_rows)]
    others = []  # share of the cores other processes used during each stage
    with tempfile.TemporaryDirectory(prefix="evo-bench-") as tmp:
        for name, stage in stages:
            with console.status(f"bench: {name}..."):
                before = cpu_seconds()
                rows += stage(budget, Path(tmp))
                others.append(other_share(before, cpu_seconds()))
    elapsed = time.perf_counter() - tic
    target, met = check(elapsed, "<=", budget.max_seconds) if budget.max_seconds else ("", "")
    rows.append(Row("bench", "bench_wall_s", "this bench, start to end", elapsed, "s",
                    target, met))
    if all(math.isfinite(share) for share in others):
        rows.append(Row(
            "bench", "other_processes_share", "cores used by other processes meanwhile",
            max(others), "share", detail="worst stage; by stage: " + ", ".join(
                f"{name} {100 * share:.0f}%" for (name, _), share in zip(stages, others))
            + ("; the numbers are pessimistic" if max(others) > 0.05 else "")))
    else:
        rows.append(Row("bench", "other_processes_share",
                        "cores used by other processes meanwhile", "n/a", "share",
                        detail="needs /proc/stat"))
    if tiny:  # a smoke run: its numbers are noise, so no target is graded on them
        rows = [row._replace(met="") for row in rows]
    console.print(render(rows, host))
    write_csv(out, rows, host)
    console.print(f"wrote {out}")
    return rows
