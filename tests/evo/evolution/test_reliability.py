"""Reliability: killed, interrupted, failing and mistyped runs lose nothing and say why."""

import errno
import json
import random
import signal
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from evo.cli import main
from evo.errors import UserError
from evo.evolution import memory
from evo.evolution.loop import check_finite, resume, start
from evo.scenario import compile_scenario, load_scenario
from evo.store.rundir import RunDir
from tests.evo.helpers import TINY, csv_bytes, evo_args, evo_env, set_args
from tests.evo.scenario.test_scenario import mutated_base, write

# Long enough (seconds, mostly compute) that kills land in the middle of the run.
LONGER = TINY + ["phases.ancestral.generations=25", "phases.modern.generations=15",
                 "ga.population=48", "ga.episodes=4", "world.episode_steps=40",
                 "record.crosseval_every=3"]


def meta(path: Path) -> dict:
    """A run's meta.json."""
    return json.loads((path / "meta.json").read_text())


def spawn_run(out: Path, *extra) -> subprocess.Popen:
    """`evo run` (or `evo run --resume`) in a subprocess."""
    if (out / "meta.json").exists():
        args = evo_args("run", str(out), "--resume", "--quiet", *extra)
    else:
        args = evo_args("run", "evolution", "--quiet", "--out", str(out), *set_args(LONGER))
    return subprocess.Popen(args, env=evo_env(), cwd=out.parent, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_rows(path: Path, rows: int, proc: subprocess.Popen) -> None:
    """Wait until generations.csv holds `rows` data rows (or the process has ended)."""
    csv = path / "generations.csv"
    while proc.poll() is None:
        if csv.exists() and csv.read_text().count("\n") > rows:
            return
        time.sleep(0.02)


def data_rows(path: Path) -> int:
    """Whole data rows in a run's generations.csv (0 before it exists)."""
    csv = path / "generations.csv"
    return max(csv.read_text().count("\n") - 1, 0) if csv.exists() else 0


def test_sigkill_at_random_moments_then_resume_gives_identical_csvs(tmp_path):
    """However often and wherever a run is SIGKILLed (during start-up, or at a random moment
    within a generation or two after some generation was written), resuming ends in the same
    bytes as an uninterrupted run."""
    whole = start("evolution", LONGER, tmp_path / "whole", quiet=True)
    # Kills land within about two generations of a new row, however fast this machine is.
    generation_s = pd.read_csv(whole / "generations.csv").wall_s.mean()
    out = tmp_path / "killed"
    delays = random.Random(1234)
    killed_mid_run = 0
    for cycle in range(10):
        proc = spawn_run(out)
        if cycle > 0:  # the first kill lands in start-up: imports, directory creation
            wait_for_rows(out, data_rows(out) + 1, proc)
        time.sleep(delays.uniform(0.0, 2 * generation_s))
        proc.kill()
        killed_mid_run += proc.wait() == -signal.SIGKILL and data_rows(out) > 0
    proc = spawn_run(out)
    assert proc.wait() == 0, proc.stderr.read()
    assert meta(out)["status"] == "done"
    assert csv_bytes(out) == csv_bytes(whole)
    assert killed_mid_run >= 5


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_after_a_whole_generation(tmp_path, signum):
    """SIGTERM/SIGINT: exit 128+signal, status `interrupted`, a message saying how to resume,
    files ending on the checkpoint's generation; resuming gives the uninterrupted bytes."""
    out = tmp_path / "run"
    proc = spawn_run(out)
    wait_for_rows(out, 2, proc)
    proc.send_signal(signum)
    _, err = proc.communicate()
    assert proc.returncode == 128 + signum
    assert "--resume" in err and err.count("\n") == 1
    info = meta(out)
    assert info["status"] == "interrupted"
    assert int(np.load(out / "checkpoint.npz")["generation"]) == info["last_generation"]
    last_row = (out / "generations.csv").read_text().splitlines()[-1]
    assert int(last_row.split(",")[0]) == info["last_generation"]
    resume(out, quiet=True)
    whole = start("evolution", LONGER, tmp_path / "whole", quiet=True)
    assert csv_bytes(out) == csv_bytes(whole)


def test_full_disk_keeps_the_last_checkpoint(tmp_path, monkeypatch):
    """A write failing with ENOSPC at generation 3 ends the run with one line naming the last
    whole generation; the checkpoint stays usable and resuming gives the uninterrupted bytes."""
    real_append = RunDir.append_rows

    def append_until_full(self, name, rows):
        rows = list(rows)
        if rows and rows[0][0] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_append(self, name, rows)

    monkeypatch.setattr(RunDir, "append_rows", append_until_full)
    out = tmp_path / "run"
    with pytest.raises(UserError, match="No space left.*generation 2.*--resume"):
        start("evolution", TINY, out, quiet=True)
    assert meta(out)["status"] == "failed"
    assert int(np.load(out / "checkpoint.npz")["generation"]) == 2
    monkeypatch.setattr(RunDir, "append_rows", real_append)
    resume(out, quiet=True)
    assert csv_bytes(out) == csv_bytes(start("evolution", TINY, tmp_path / "whole", quiet=True))


def test_full_disk_in_the_background_writer_keeps_the_last_checkpoint(tmp_path, monkeypatch):
    """Generation 3's checkpoint fails on the writer thread (ENOSPC) while generation 4
    computes: the run ends with the same one line as a failing append, naming generation 2,
    and resuming gives the uninterrupted bytes."""
    real_commit = RunDir._commit

    def commit_until_full(self, files, checkpoint, generation):
        if generation == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_commit(self, files, checkpoint, generation)

    monkeypatch.setattr(RunDir, "_commit", commit_until_full)
    out = tmp_path / "run"
    with pytest.raises(UserError, match="No space left.*generation 2.*--resume"):
        start("evolution", TINY, out, quiet=True)
    assert meta(out)["status"] == "failed" and meta(out)["last_generation"] == 2
    assert int(np.load(out / "checkpoint.npz")["generation"]) == 2
    monkeypatch.setattr(RunDir, "_commit", real_commit)
    resume(out, quiet=True)
    assert csv_bytes(out) == csv_bytes(start("evolution", TINY, tmp_path / "whole", quiet=True))


def test_non_finite_fitness_is_refused_not_selected(tmp_path, capsys):
    """Values that would overflow to inf are refused before anything runs (one line, nothing
    written); a non-finite fitness or return that still arose would stop the run, never
    reach selection."""
    out = tmp_path / "run"
    code = main(["run", "evolution", "--quiet", "--out", str(out),
                 *set_args(TINY + ["objects.fruit.value=1e308", "objects.nuts.value=1e308"])])
    err = capsys.readouterr().err
    assert code == 2 and "must be <= 1e+12" in err and err.count("\n") == 1
    assert not out.exists()
    returns = SimpleNamespace(mesa=np.zeros((2, 3)))
    with pytest.raises(UserError, match="generation 4: non-finite fitness"):
        check_finite(np.array([1.0, np.inf]), returns, 4)
    with pytest.raises(UserError, match="non-finite"):
        check_finite(np.ones(2), SimpleNamespace(mesa=np.full((2, 3), np.nan)), 4)


def test_config_and_meta_alone_reproduce_the_run(tmp_path):
    """config.toml (with its seed) re-run elsewhere gives the same CSVs; meta.json records the
    seed and the version of every package that can change a result."""
    first = start("evolution", TINY + ["seed=5"], tmp_path / "first", quiet=True)
    info = meta(first)
    assert info["seed"] == 5
    assert {"python", "numpy", "numba", "deap"} <= set(info["versions"])
    assert all(info["versions"][name] for name in ("python", "numpy", "numba", "deap"))
    again = start(str(first / "config.toml"), [], tmp_path / "again", quiet=True)
    assert csv_bytes(again) == csv_bytes(first)


def test_corrupt_checkpoint_is_one_line(tmp_path, capsys):
    """A truncated checkpoint.npz: --resume answers with one line naming the file."""
    out = start("evolution", TINY, tmp_path / "run", quiet=True, stop_after=2)
    data = (out / "checkpoint.npz").read_bytes()
    (out / "checkpoint.npz").write_bytes(data[: len(data) // 2])
    assert main(["run", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "checkpoint.npz" in err and "corrupt" in err and err.count("\n") == 1


def test_damaged_csv_is_refused_on_resume(tmp_path, capsys):
    """A CSV that lost rows the checkpoint counts on is refused, not silently continued."""
    out = start("evolution", TINY, tmp_path / "run", quiet=True, stop_after=2)
    lines = (out / "generations.csv").read_text().splitlines(keepends=True)
    (out / "generations.csv").write_text("".join(lines[:2]) + "garbage\x00,,\n")
    assert main(["run", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "generations.csv" in err and "damaged" in err


def test_unwritable_output_is_one_line_and_leaves_nothing(tmp_path, capsys):
    """An --out below a plain file cannot be created: one line, exit 2, nothing left behind."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["run", "evolution", "--quiet", "--out", str(blocker / "run")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


# Mutated scenarios run for one generation when their work is small enough for a test.
MAX_AGENT_STEPS = 200_000


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_scenarios_run_or_are_refused_cleanly(tmp_path_factory, data):
    """A scenario file with keys dropped or set to random values either runs (its first
    generation, through the real command) or is refused with one line and exit 2, and a
    refused file leaves no run directory behind."""
    raw = mutated_base(data)
    tmp = tmp_path_factory.mktemp("mutant")
    file = write(tmp, raw)
    try:
        scenario = load_scenario(file)
    except UserError as error:
        assert len(str(error).splitlines()) == 1
        event("refused on loading")
        return
    work = scenario.ga.population * scenario.ga.episodes * scenario.world.episode_steps
    if work > MAX_AGENT_STEPS:
        # Valid, and too big to run here: its memory estimate either fits or is one line.
        try:
            memory.check(compile_scenario(scenario))
        except UserError as error:
            assert len(str(error).splitlines()) == 1 and "GiB of memory" in str(error)
            event("refused for its memory")
        return
    out = tmp / "run"
    try:
        start(file, [], out, quiet=True, stop_after=0)
    except UserError as error:
        assert len(str(error).splitlines()) == 1
        assert not out.exists() or meta(out)["status"] == "failed"
        event("refused while running")
    else:
        assert meta(out)["last_generation"] == 0
        event("ran")
