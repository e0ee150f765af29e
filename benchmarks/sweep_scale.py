"""How a sweep's bookkeeping grows: wall time per point for sweeps of 100, 1,000 and 10,000
points of a scenario so small that bookkeeping is most of the work.

    python benchmarks/sweep_scale.py                 # 100, 1,000, 10,000 points (minutes)
    python benchmarks/sweep_scale.py 100 1000        # chosen sizes

Each size runs once on the local backend with 2 workers, in a fresh temporary directory, and
prints its wall time per point for the sweep (validating every point, running it, keeping
the manifest), for `evo collect` of its generations table and for `evo analyze` of the
sweep directory (no plots, 2 worker processes). The target: per-point time at 10,000 points
<= 1.5x that at 100.
"""

import sys
import tempfile
import time
from pathlib import Path

SCENARIO = """
name = "scale"
features = ["f"]
[world]
height = 3
width = 3
episode_steps = 1
[[objects]]
name = "o"
features = { f = 1 }
value = 1.0
[[phases]]
name = "only"
generations = 1
counts = { o = 1 }
[ga]
population = 2
episodes = 1
elite = 0
[record]
crosseval_episodes = 1
"""


def per_point(points: int, workers: int = 2) -> dict[str, float]:
    """Seconds per point of a sweep of `points` seeds of the tiny scenario, then of
    collecting and of analysing it."""
    from evo.analysis import analyze_many
    from evo.sweep.collect import collect
    from evo.sweep.run import run_sweep
    from evo.sweep.spec import load_sweep

    with tempfile.TemporaryDirectory(prefix="evo-scale-") as tmp:
        Path(tmp, "scale.toml").write_text(SCENARIO)
        Path(tmp, "sweep.toml").write_text(f'scenario = "scale.toml"\nseeds = {points}\n')
        out = Path(tmp, "out")
        seconds = {}
        tic = time.perf_counter()
        status = run_sweep(load_sweep(Path(tmp, "sweep.toml")), out, "local",
                           workers=workers, threads=1, quiet=True)
        seconds["sweep"] = time.perf_counter() - tic
        assert status == 0, "the sweep did not finish"
        tic = time.perf_counter()
        assert len(collect(out, "generations")) == points
        seconds["collect"] = time.perf_counter() - tic
        tic = time.perf_counter()
        table, errors = analyze_many([out], plots=False, workers=workers)
        seconds["analyze"] = time.perf_counter() - tic
        assert len(table) == points and not errors, errors[:1]
    return {step: s / points for step, s in seconds.items()}


if __name__ == "__main__":
    sizes = [int(arg) for arg in sys.argv[1:]] or [100, 1000, 10000]
    times = {}
    for size in sizes:
        times[size] = per_point(size)
        print(f"{size:>6} points, ms per point: " + ", ".join(
            f"{step} {1000 * s:.1f}" for step, s in times[size].items()), flush=True)
    if len(times) > 1:
        low, high = min(times), max(times)
        print(f"per-point time at {high} / at {low}: " + ", ".join(
            f"{step} {times[high][step] / times[low][step]:.2f}x" for step in times[low])
            + " (target <= 1.5x)")
