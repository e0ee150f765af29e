"""The files a sweep's processes share, raced by real processes released at one moment.

SLURM starts array tasks of one sweep in the same second, on nodes that share the sweep
directory and, per node, the numba cache. Each task copies the sweep file, locks and writes
its own run directory, replaces its own row of the manifest, and may fill the numba cache
while another task does too. (`write_atomic` itself is raced in
tests/evo/evolution/test_files.py.)
"""

import multiprocessing
import os
from pathlib import Path

import pandas as pd
import pytest

from evo.sweep.run import run_sweep
from evo.sweep.spec import load_sweep
from tests.evo.helpers import TINY, csv_bytes, sweep_text


def _task(sweep: str, out: str, index: int, start) -> None:
    """An array task: ready to run, then `evo sweep --task-index` once released."""
    from evo.cli import main

    start.wait()
    raise SystemExit(main(["sweep", sweep, "--out", out, "--task-index", str(index),
                           "--quiet"]))


def _cold_run(out: str, start) -> None:
    """A tiny run in a process whose numba compiles (and caches) the kernel once released."""
    start.wait()
    from evo.evolution.loop import start as run

    run("evolution", TINY, Path(out), quiet=True)


def race(target, arguments: list[tuple]) -> list[int]:
    """One spawned process per argument tuple, released together; their exit codes."""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    processes = [context.Process(target=target, args=(*args, start)) for args in arguments]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join()
    return [process.exitcode for process in processes]


def test_array_tasks_released_together_share_one_sweep_directory(tmp_path):
    """Eight array tasks of one sweep released at the same moment: each copies the sweep
    file, runs its point and replaces its row of the manifest. Every task ends 0, the
    manifest has every row `done` (no update lost), the sweep file is whole, nothing
    temporary is left, and every point has the local backend's bytes."""
    path = tmp_path / "race.toml"
    path.write_text(sweep_text(TINY, seeds=range(8)))
    out = tmp_path / "tasks"
    assert race(_task, [(str(path), str(out), i) for i in range(8)]) == [0] * 8
    assert list(pd.read_csv(out / "manifest.csv").status) == ["done"] * 8
    assert (out / "sweep.toml").read_bytes() == path.read_bytes()
    points = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*points, "manifest.csv", "sweep.toml", ".manifest.lock",
         *(f".{name}.lock" for name in points)])
    local = tmp_path / "local"
    assert run_sweep(load_sweep(path), local, "local", workers=2, threads=1, quiet=True) == 0
    assert len(points) == 8
    for name in points:
        assert csv_bytes(out / name) == csv_bytes(local / name)


@pytest.mark.slow  # three whole compiles of the kernel, each about 20 s of one core
def test_numba_cache_filled_by_racing_processes_is_whole(tmp_path, monkeypatch):
    """As many processes as the machine runs at once (2 to 4), with one empty numba cache,
    compile the kernel at the same moment and all write it: each ends 0 with the same bytes,
    and one more process then loads every function from that cache (it writes nothing to it)
    and runs to the same bytes. (More racers than cores would only queue: each compile is
    about 20 s of one core.)"""
    cache = tmp_path / "numba-cache"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(cache))
    runs = [tmp_path / f"run{i}" for i in range(min(max(os.cpu_count() or 2, 2), 4))]
    assert race(_cold_run, [(str(run),) for run in runs]) == [0] * len(runs)
    assert all(csv_bytes(run) == csv_bytes(runs[0]) for run in runs)
    written = _files(cache)
    assert any(name.endswith(".nbi") for name in written)
    assert any(name.endswith(".nbc") for name in written)
    assert race(_cold_run, [(str(tmp_path / "fifth"),)]) == [0]
    assert _files(cache) == written
    assert csv_bytes(tmp_path / "fifth") == csv_bytes(runs[0])


def _files(folder: Path) -> dict:
    """Every file below `folder`, with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}
