"""One writer per run directory and per sweep directory, raced with real processes.

A second `evo` process that would write the same directory gets one line naming it and the
holder's pid and host, exit 2, and writes nothing: whatever the order in which they start.
"""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from evo.evolution.loop import start
from tests.evo.evolution.test_reliability import LONGER, wait_for_rows
from tests.evo.helpers import TINY, csv_bytes, evo_args, evo_env, set_args, sweep_text

# A run that lasts well beyond the start-up of a second `evo` process (tens of seconds); the
# tests stop it once they have raced it.
LONGEST = LONGER + ["phases.ancestral.generations=2000"]


def evo(*args, cwd, session: bool = False) -> subprocess.Popen:
    """`evo ARGS` in a subprocess (in a session of its own with `session`)."""
    return subprocess.Popen(evo_args(*args), env=evo_env(), cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=session)


def refused(proc: subprocess.Popen, holder: int | None = None) -> None:
    """The process ended with exit 2 and one line naming the lock's holder."""
    _, err = proc.communicate()
    assert proc.returncode == 2, err
    assert "in use by another evo process (pid" in err and err.count("\n") == 1, err
    if holder is not None:
        assert f"pid {holder} on " in err, err


def one_writer(out: Path) -> None:
    """The CSVs of a run written by one process: every generation once, in order, with its
    whole population (rows of a generation a kill cut short aside)."""
    gens = pd.read_csv(out / "generations.csv")
    assert list(gens.generation) == list(range(len(gens)))
    individuals = pd.read_csv(out / "individuals.csv")
    individuals = individuals[individuals.generation <= gens.generation.max()]
    assert individuals.groupby("generation").size().eq(48).all()
    assert set(individuals.generation) == set(gens.generation)


def test_resume_or_force_while_the_run_writes_is_refused(tmp_path):
    """While `evo run` writes a run directory, `--resume` and `--force` on it get one line
    naming the holder and exit 2; what the run wrote is one writer's."""
    out = tmp_path / "run"
    first = evo("run", "evolution", "--out", str(out), "--quiet", *set_args(LONGEST),
                cwd=tmp_path)
    wait_for_rows(out, 2, first)
    refused(evo("run", str(out), "--resume", "--quiet", cwd=tmp_path), first.pid)
    refused(evo("run", "evolution", "--out", str(out), "--force", "--quiet",
                *set_args(LONGEST), cwd=tmp_path), first.pid)
    assert first.poll() is None, "the run ended before the test could race it"
    first.send_signal(signal.SIGTERM)
    assert first.wait() == 128 + signal.SIGTERM
    one_writer(out)


def test_two_resumes_at_once_give_one_writer(tmp_path):
    """Two `evo run DIR --resume` started together on a stopped run: one continues it, the
    other is refused, and the run ends with the uninterrupted bytes (3 trials)."""
    for trial in range(3):
        out = start("evolution", LONGER, tmp_path / f"run{trial}", quiet=True, stop_after=2)
        racers = [evo("run", str(out), "--resume", "--quiet", cwd=tmp_path) for _ in range(2)]
        codes = sorted(proc.wait() for proc in racers)
        assert codes == [0, 2], codes
    whole = start("evolution", LONGER, tmp_path / "whole", quiet=True)
    for trial in range(3):
        assert csv_bytes(tmp_path / f"run{trial}") == csv_bytes(whole)


def test_two_fresh_runs_into_one_directory(tmp_path):
    """Two `evo run --out DIR` started together: exactly one runs; the directory it leaves
    is whole (config, headers, every row), never a mix (3 trials)."""
    whole = start("evolution", TINY, tmp_path / "whole", quiet=True)
    for trial in range(3):
        out = tmp_path / f"new{trial}"
        racers = [evo("run", "evolution", "--out", str(out), "--quiet", *set_args(TINY),
                      cwd=tmp_path) for _ in range(2)]
        codes = sorted(proc.wait() for proc in racers)
        assert codes == [0, 2], codes
        assert csv_bytes(out) == csv_bytes(whole)
        assert json.loads((out / "meta.json").read_text())["status"] == "done"
        assert not [p for p in tmp_path.iterdir() if "creating" in p.name]


def test_one_sweep_per_sweep_directory_and_one_task_per_point(tmp_path):
    """A second `evo sweep` on a sweep directory in use, and the same `--task-index` run
    while the point runs (a SLURM requeue while the first task still runs), are refused
    with one line; the point's CSVs are one writer's."""
    sweep = tmp_path / "s.toml"
    sweep.write_text(sweep_text(LONGEST))
    out = tmp_path / "out"
    first = evo("sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet",
                cwd=tmp_path, session=True)
    try:
        while first.poll() is None and not list(out.glob("*/checkpoint.npz")):
            time.sleep(0.05)
        refused(evo("sweep", str(sweep), "--out", str(out), "--quiet", cwd=tmp_path))
        refused(evo("sweep", str(sweep), "--out", str(out), "--task-index", "0", "--quiet",
                    cwd=tmp_path))
        assert first.poll() is None, "the sweep ended before the test could race it"
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the sweep and its worker
        first.wait()
    one_writer(next(p for p in out.iterdir() if p.is_dir()))


def test_a_lock_taken_a_moment_ago_still_names_its_holder(tmp_path):
    """A writer that finds the lock taken before its holder wrote its pid (as two SLURM
    tasks started together did) still names the holder, read a moment later; a holder
    that never writes its line is `unknown`."""
    import fcntl
    import threading

    from evo.errors import Busy
    from evo.store.lock import DirectoryLock

    run = tmp_path / "run"
    lock_file = tmp_path / ".run.lock"
    held = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(held, fcntl.LOCK_EX)
    writer = threading.Timer(0.05, os.pwrite, (held, b"pid 4242 on elsewhere\n", 0))
    writer.start()
    with pytest.raises(Busy, match=r"\(pid 4242 on elsewhere\)"):
        DirectoryLock(run).acquire()
    writer.join()
    os.ftruncate(held, 0)
    with pytest.raises(Busy, match=r"\(unknown\)"):
        DirectoryLock(run).acquire()
    os.close(held)
