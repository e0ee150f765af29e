"""Sweeps: points from a grid, local and dask backends, resume, failures, SLURM, collect."""

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from evo.analysis.many import collect
from evo.cli import main
from evo.errors import UserError
from evo.sweep.backends import dask_client
from evo.sweep.run import INCOMPLETE, run_sweep
from evo.sweep.spec import load_sweep
from tests.evo.helpers import csv_bytes, evo_args, evo_env

SWEEP = '''
scenario = "evolution"
seeds = [0, 1]
[set]
"ga.population" = 12
"ga.episodes" = 2
"world.episode_steps" = 20
"phases.modern.generations" = 2
"record.crosseval_episodes" = 2
[grid]
"phases.ancestral.generations" = [3, 4]
[dask]
host = "127.0.0.1"
[slurm]
cpus_per_task = 2
mem = "3G"
time = "00:30:00"
partition = "short"
'''


def write_sweep(tmp_path: Path, text: str = SWEEP, name: str = "tiny.toml") -> Path:
    """A sweep file in tmp_path."""
    path = tmp_path / name
    path.write_text(text)
    return path


def point_csvs(sweep_dir: Path) -> dict:
    """Every point's CSV bytes (wall clock aside), by point directory name."""
    return {d.name: csv_bytes(d) for d in sorted(sweep_dir.iterdir()) if d.is_dir()}


def test_points_are_the_product_of_grid_zip_and_seeds(tmp_path):
    """2 grid values x a zip group of 3 x 2 seeds = 12 points, each with readable name."""
    text = SWEEP + '''
[[zip]]
"ga.tournament" = [2, 3, 4]
"ga.elite" = [1, 2, 3]
'''
    sweep = load_sweep(write_sweep(tmp_path, text))
    assert len(sweep.points) == 12
    assert len({p.name for p in sweep.points}) == 12
    first = sweep.points[0]
    assert first.name == "generations=3__tournament=2__elite=1__seed=0"
    assert "ga.population=12" in first.overrides and first.overrides[-1] == "seed=0"
    assert {(p.swept["ga.tournament"], p.swept["ga.elite"]) for p in sweep.points} == {
        (2, 1), (3, 2), (4, 3)}


@pytest.mark.parametrize("text, message", [
    (SWEEP.replace("[3, 4]", "[]"), "grid.phases.ancestral.generations: must be a non-empty"),
    (SWEEP.replace('"phases.ancestral', '"phases.ancestrall'), "ancestrall"),
    (SWEEP + "[[zip]]\n\"ga.tournament\" = [2, 3]\n\"ga.elite\" = [1]\n", "different lengths"),
    (SWEEP.replace("seeds = [0, 1]", "seeds = []"), "seeds"),
    (SWEEP + "bogus = 1\n", "bogus"),
    ("scenario = [", "invalid TOML"),
    (SWEEP.replace("seeds = [0, 1]", "seeds = [0, 0]"), "points 0 and 1 are the same run"),
    (SWEEP.replace("[3, 4]", "[3, 3]"), "are the same run"),
    (SWEEP.replace('"phases.ancestral.generations" = [3, 4]',
                   '"ga.sigma" = [0.1, 0.10]'), "are the same run"),
    (SWEEP.replace('mem = "3G"', 'mem = "3G\\n#!/bin/sh\\nrm -rf ~"'), "slurm.mem"),
    (SWEEP.replace('partition = "short"', 'partition = "short; touch /tmp/x"'),
     "slurm.partition"),
    (SWEEP + 'name = "x\\ny"\n', "name"),
    (SWEEP.replace('[slurm]', '[slurm]\nextra = ["--qos=a b"]'), "slurm.extra"),
    (SWEEP.replace('[slurm]', '[slurm]\nsetup = ["a\\nb"]'), "slurm.setup"),
    (SWEEP.replace('host = "127.0.0.1"', 'host = ""'), "dask.host"),
    (SWEEP.replace('host = "127.0.0.1"', 'host = "127.0.0.1 --evil"'), "dask.host"),
    (SWEEP.replace('host = "127.0.0.1"', 'hots = "127.0.0.1"'), "dask.hots"),
    (SWEEP.replace('host = "127.0.0.1"', 'host = "127.0.0.1"\nscheduler = "tcp://127.0.0.1:8786"'),
     "host: evo starts no scheduler when one is given"),
    (SWEEP.replace('host = "127.0.0.1"', 'host = "127.0.0.1"\ncluster = { interface = "lo" }'),
     "host: cluster.interface binds too"),
])
def test_bad_sweep_files_are_one_line_and_write_nothing(tmp_path, capsys, text, message):
    """An empty grid, a typo in a key, unequal zip lists, no seeds, an unknown key, broken
    TOML, the same point twice (a seed or a value repeated, 0.1 and 0.10), values that
    would put lines or commands into the SLURM script, an empty or unknown dask host or one
    beside a scheduler or interface that binds instead: one line naming the file and the
    problem, exit 2, no sweep directory."""
    path = write_sweep(tmp_path, text)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tiny.toml" in err and message in err
    assert not out.exists()


def test_local_and_dask_give_identical_points_and_a_rerun_skips_them(tmp_path):
    """The local pool and a real dask LocalCluster (worker processes) write byte-identical
    point CSVs; re-running a finished sweep changes nothing and exits 0."""
    sweep = load_sweep(write_sweep(tmp_path))
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert run_sweep(sweep, local, "local", workers=2, threads=1, quiet=True) == 0
    assert run_sweep(sweep, dask, "dask", workers=2, threads=1, quiet=True) == 0
    assert len(point_csvs(local)) == 4
    assert point_csvs(local) == point_csvs(dask)
    manifest = pd.read_csv(local / "manifest.csv")
    assert list(manifest.status) == ["done"] * 4
    assert list(manifest["phases.ancestral.generations"]) == [3, 3, 4, 4]
    before = point_csvs(local)
    assert run_sweep(sweep, local, "local", workers=2, threads=1, quiet=True) == 0
    assert point_csvs(local) == before


def test_the_dask_scheduler_and_workers_listen_on_the_sweep_files_host(tmp_path):
    """The cluster that `--backend dask` starts for a sweep file with `[dask] host =
    "127.0.0.1"`: the scheduler, both workers and their nannies are on that address."""
    sweep = load_sweep(write_sweep(tmp_path))
    with dask_client(sweep.spec.dask, workers=2) as (client, remote):
        client.wait_for_workers(2)
        info = client.scheduler_info()
    workers = info["workers"]
    addresses = [info["address"], *workers, *(w["nanny"] for w in workers.values())]
    assert len(addresses) == 5 and not remote
    assert all(a.startswith("tcp://127.0.0.1:") for a in addresses), addresses


def test_one_broken_point_does_not_stop_the_others(tmp_path, capsys):
    """A point whose values would overflow is invalid; the others finish, the manifest
    records the error, the console says which points are not done and why (quiet or not),
    the exit status says the sweep is incomplete, and `evo collect` warns about them."""
    text = SWEEP.replace('"phases.ancestral.generations" = [3, 4]',
                         '"objects.fruit.value" = [1.0, 1.7e308]')
    sweep = load_sweep(write_sweep(tmp_path, text))
    out = tmp_path / "out"
    assert run_sweep(sweep, out, "local", workers=2, threads=1, quiet=True) == INCOMPLETE
    manifest = pd.read_csv(out / "manifest.csv")
    broken = manifest["objects.fruit.value"] > 1e300
    assert (manifest.status[~broken] == "done").all()
    assert (manifest.status[broken] == "invalid").all()
    assert manifest.error[broken].str.contains("must be <= 1e+12", regex=False).all()
    printed = capsys.readouterr().err.splitlines()
    for point, name in zip(manifest.point[broken], manifest.dir[broken]):
        line = next(line for line in printed if f"point {point} ({name}) invalid" in line)
        assert "objects.fruit.value: must be <= 1e+12" in line
    assert "2 of 4 points not done" in printed[-1]

    assert main(["collect", str(out), "-o", str(tmp_path / "table.csv")]) == 0
    warning = capsys.readouterr().err
    assert "warning: 2 points are not done (2 invalid)" in warning

    broken_point = int(manifest.point[broken].iloc[0])
    assert main(["sweep", str(tmp_path / "tiny.toml"), "--out", str(out), "--task-index",
                 str(broken_point)]) == INCOMPLETE
    [said] = capsys.readouterr().err.splitlines()
    assert f"point {broken_point} (" in said and "invalid: " in said
    assert said.endswith("must be <= 1e+12 (got 1.7e+308)")


def children(pid: int) -> list:
    """Process ids whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def spawned_workers(pid: int) -> list:
    """The process-pool workers (spawned processes) of process `pid`."""
    return [child for child in children(pid)
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]


def kill_a_worker(pid: int, out: Path, alive=lambda: True, spare=frozenset()) -> None:
    """SIGKILL one pool worker of process `pid` (not one of `spare`, spawned before) once
    a point of `out` has a checkpoint."""
    while alive() and not list(out.glob("*/checkpoint.npz")):
        time.sleep(0.05)
    workers = [worker for worker in spawned_workers(pid) if worker not in spare]
    assert workers, "no worker process to kill"
    os.kill(workers[0], signal.SIGKILL)


LONG_SWEEP = SWEEP.replace('"phases.modern.generations" = 2', '"phases.modern.generations" = 30')


@pytest.fixture(scope="module")
def long_sweep(tmp_path_factory):
    """A sweep long enough to kill a worker in, and its points run without interruption."""
    tmp = tmp_path_factory.mktemp("long")
    path = write_sweep(tmp, LONG_SWEEP)
    whole = tmp / "whole"
    assert run_sweep(load_sweep(path), whole, "local", workers=2, threads=1, quiet=True) == 0
    return path, point_csvs(whole)


def test_killed_worker_is_replaced_and_the_sweep_completes(long_sweep, tmp_path):
    """SIGKILL one worker process mid-sweep: the broken pool's points resume in a fresh pool,
    the sweep ends complete (exit 0), and every point equals an uninterrupted sweep's."""
    path, whole = long_sweep
    out = tmp_path / "killed"
    args = evo_args("sweep", str(path), "--out", str(out), "--workers", "2", "--quiet")
    proc = subprocess.Popen(args, env=evo_env(), cwd=tmp_path, stderr=subprocess.PIPE)
    kill_a_worker(proc.pid, out, alive=lambda: proc.poll() is None)
    assert proc.wait() == 0, proc.stderr.read().decode()
    assert (pd.read_csv(out / "manifest.csv").status == "done").all()
    assert point_csvs(out) == whole


def test_workers_that_keep_dying_leave_the_sweep_incomplete(long_sweep, tmp_path,
                                                            monkeypatch):
    """With no fresh pool left to try, the points of a broken pool are reported failed (the
    sweep exits 3, finished points stay on disk); running the sweep again completes it,
    every point equal to an uninterrupted sweep's."""
    from evo.sweep import backends

    monkeypatch.setattr(backends, "POOL_RESTARTS", 0)
    path, whole = long_sweep
    out = tmp_path / "killed"
    # Only this sweep's workers: earlier tests may have left spawned processes of their own.
    spare = frozenset(spawned_workers(os.getpid()))
    killer = threading.Thread(target=kill_a_worker, args=(os.getpid(), out),
                              kwargs={"spare": spare})
    killer.start()
    assert run_sweep(load_sweep(path), out, "local", workers=2, threads=1,
                     quiet=True) == INCOMPLETE
    killer.join()
    manifest = pd.read_csv(out / "manifest.csv")
    assert manifest.error[manifest.status != "done"].str.contains("worker died").any()
    monkeypatch.undo()
    assert main(["sweep", str(path), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    assert point_csvs(out) == whole


def test_a_sweep_ends_naming_its_directory_and_the_next_command(tmp_path, capsys):
    """Like `evo run`, a finished `evo sweep` ends by naming its directory and the commands
    that read it (`evo collect`, `evo analyze`)."""
    path = write_sweep(tmp_path, SWEEP.replace("seeds = [0, 1]", "seeds = [0]"))
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        f"Sweep directory: {out}", f"Next: evo collect {out} -o table.csv, or evo analyze {out}"]


def test_task_index_runs_one_point_idempotently(tmp_path):
    """--task-index N runs exactly point N; repeating it is a no-op; others stay pending."""
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--task-index", "2", "--quiet"]) == 0
    point = load_sweep(path).points[2]
    assert [d.name for d in out.iterdir() if d.is_dir()] == [point.name]
    first = csv_bytes(out / point.name)
    assert main(["sweep", str(path), "--out", str(out), "--task-index", "2", "--quiet"]) == 0
    assert csv_bytes(out / point.name) == first
    manifest = pd.read_csv(out / "manifest.csv")
    assert list(manifest.status) == ["pending", "pending", "done", "pending"]
    assert main(["sweep", str(path), "--out", str(out), "--task-index", "4"]) == 2


def test_emit_slurm_writes_an_array_script(tmp_path, capsys):
    """The sbatch script covers every point, runs one per task and takes its resources from
    the sweep file's [slurm] table; it asks for SIGTERM before the time limit and execs evo,
    so the signal reaches evo (tests/cluster run it on a real SLURM)."""
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--emit-slurm"]) == 0
    script = (out / "sweep.sbatch").read_text()
    assert script.startswith("#!/bin/bash\n")
    for line in ("#SBATCH --array=0-3", "#SBATCH --cpus-per-task=2", "#SBATCH --mem=3G",
                 "#SBATCH --time=00:30:00", "#SBATCH --partition=short",
                 "#SBATCH --signal=B:TERM@120"):
        assert line + "\n" in script
    command = [line for line in script.splitlines() if "--task-index" in line]
    assert len(command) == 1 and command[0].startswith("exec ")
    assert f"{out.resolve()}/sweep.toml" in command[0]
    assert '--task-index "$SLURM_ARRAY_TASK_ID"' in command[0]
    assert "sweep.sbatch" in capsys.readouterr().out


def test_collect_makes_one_tidy_table(tmp_path):
    """evo collect: every point's generations with the swept value and seed as columns."""
    sweep = load_sweep(write_sweep(tmp_path))
    out = tmp_path / "out"
    assert run_sweep(sweep, out, "local", workers=2, threads=1, quiet=True) == 0
    table_file = tmp_path / "table.csv"
    assert main(["collect", str(out), "-o", str(table_file)]) == 0
    table = pd.read_csv(table_file)
    assert len(table) == 2 * (3 + 2) + 2 * (4 + 2)
    assert {"point", "seed", "phases.ancestral.generations", "generation",
            "fitness_mean"} <= set(table.columns)
    means = table.groupby(["phases.ancestral.generations", "seed"]).generation.max()
    assert means.to_dict() == {(3, 0): 4, (3, 1): 4, (4, 0): 5, (4, 1): 5}
    with pytest.raises(UserError, match="not a sweep directory"):
        collect(tmp_path)

    # The summary table is `evo analyze`'s combined table (one function builds both), the
    # pairs and shifts included, once per point.
    assert main(["analyze", str(out), "--no-plots", "--quiet"]) == 0
    summary = collect(out, "summary")
    analysed = pd.read_csv(out / "analysis.csv")
    assert len(summary) == 4 and summary.columns.is_unique
    assert list(summary.columns) == list(analysed.columns)
    assert {"goal_generalisation_ancestral_to_modern",
            "fitness_after_shift_to_modern"} <= set(summary.columns)
    by_path = summary.set_index("path")
    for _, row in analysed.iterrows():
        assert by_path.loc[row.path, "seed"] == row.seed
        assert by_path.loc[row.path, "goal_generalisation_ancestral_to_modern"] \
            == pytest.approx(row.goal_generalisation_ancestral_to_modern, nan_ok=True)


def test_point_directories_are_unique_by_construction(tmp_path):
    """Values that sanitise to the same directory name (`a/b` and `a-b`) get distinct
    directories, each named readably with a short digest; other points keep their names."""
    text = SWEEP.replace('"phases.ancestral.generations" = [3, 4]',
                         '"description" = ["a/b", "a-b", "plain"]')
    sweep = load_sweep(write_sweep(tmp_path, text))
    names = [point.name for point in sweep.points]
    assert len(set(names)) == len(names) == 6
    assert "description=plain__seed=0" in names
    clashing = [name for name in names if name.startswith("description=a-b__seed=0__")]
    assert len(clashing) == 2


# Points of several seconds each, more points than workers: a stop finds some running and
# some queued.
STOPPABLE = '''
scenario = "evolution"
seeds = [0, 1, 2, 3, 4, 5]
[set]
"ga.population" = 48
"ga.episodes" = 4
"world.episode_steps" = 40
"phases.ancestral.generations" = 400
"phases.modern.generations" = 10
"record.crosseval_every" = 100
'''


def wait_gone(pids, limit: float = 120.0) -> list:
    """The processes of `pids` still alive after they had up to `limit` seconds to end (a
    bound only so that a regression fails instead of hanging)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()
                 and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


@pytest.mark.parametrize("how", ["SIGTERM to the sweep", "Ctrl-C to the terminal"])
def test_a_sweep_stops_when_asked(tmp_path, how):
    """SIGTERM to `evo sweep`, or Ctrl-C (SIGINT to its whole process group): the running
    points stop after their generation, no queued point starts, the sweep exits 128+signal
    with one line, and the manifest says which points are done, interrupted and pending."""
    path = write_sweep(tmp_path, STOPPABLE)
    out = tmp_path / "out"
    proc = subprocess.Popen(evo_args("sweep", str(path), "--out", str(out), "--workers", "2",
                                     "--quiet"), env=evo_env(), cwd=tmp_path,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    while proc.poll() is None and len(list(out.glob("*/checkpoint.npz"))) < 2:
        time.sleep(0.05)
    workers = spawned_workers(proc.pid)
    signum = signal.SIGTERM if how.startswith("SIGTERM") else signal.SIGINT
    if signum == signal.SIGTERM:
        proc.send_signal(signum)
    else:
        os.killpg(proc.pid, signum)
    _, err = proc.communicate()
    assert proc.returncode == 128 + signum, err
    assert err.count("\n") == 1 and "run it again to continue" in err
    assert wait_gone(workers) == []
    manifest = pd.read_csv(out / "manifest.csv")
    assert set(manifest.status) <= {"done", "interrupted", "pending"}, manifest.status
    assert (manifest.status == "interrupted").sum() >= 1
    assert (manifest.status == "pending").sum() >= 1
    started = {p.name for p in out.iterdir() if p.is_dir()}
    assert set(manifest.dir[manifest.status == "pending"]).isdisjoint(started)


def test_a_killed_sweep_leaves_no_worker_behind(tmp_path):
    """SIGKILL to `evo sweep` (nothing of it can run): its workers are asked to stop as it
    dies, end their points after the current generation (interrupted, resumable) and exit;
    none goes on writing."""
    path = write_sweep(tmp_path, STOPPABLE)
    out = tmp_path / "out"
    proc = subprocess.Popen(evo_args("sweep", str(path), "--out", str(out), "--workers", "2",
                                     "--quiet"), env=evo_env(), cwd=tmp_path,
                            stderr=subprocess.DEVNULL)
    while proc.poll() is None and len(list(out.glob("*/checkpoint.npz"))) < 2:
        time.sleep(0.05)
    workers = spawned_workers(proc.pid)
    assert workers
    proc.kill()
    proc.wait()
    assert wait_gone(workers) == []
    statuses = [json.loads(p.read_text())["status"] for p in out.glob("*/meta.json")]
    assert statuses and set(statuses) <= {"done", "interrupted"}, statuses


def test_a_full_disk_during_a_sweep_is_one_line(tmp_path, capsys, monkeypatch):
    """The disk fills while the manifest is written: one line, exit 2, no traceback."""
    import errno

    from evo.sweep import manifest

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(manifest, "write_atomic", full)
    path = write_sweep(tmp_path)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "manifest.csv: cannot write or read (No space left on device)" in err
    assert err.count("\n") == 1


def test_status_counts_points_and_says_how_to_continue(tmp_path, capsys):
    """`evo status`: points by status read from each point's meta.json (done, interrupted,
    failed, invalid, pending), each failed or invalid point's error on its own line, the
    command that continues the sweep (its array script once one was written), exit 3 until
    every point is done."""
    text = SWEEP.replace('"phases.ancestral.generations" = [3, 4]',
                         '"objects.fruit.value" = [1.0, 1.7e308]')
    path = write_sweep(tmp_path, text)
    out = tmp_path / "out"
    assert run_sweep(load_sweep(path), out, "local", workers=2, threads=1,
                     quiet=True) == INCOMPLETE
    capsys.readouterr()
    done = sorted(p for p in out.iterdir() if p.is_dir())
    meta = json.loads((done[0] / "meta.json").read_text())
    (done[0] / "meta.json").write_text(json.dumps({**meta, "status": "interrupted"}))
    meta = json.loads((done[1] / "meta.json").read_text())
    (done[1] / "meta.json").write_text(json.dumps({**meta, "status": "failed",
                                                   "error": "disk full"}))
    assert main(["status", str(out)]) == INCOMPLETE
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "4 points: 1 interrupted, 1 failed, 2 invalid"
    assert any(line.endswith(": disk full") for line in printed)
    assert sum("must be <= 1e+12" in line for line in printed) == 2
    assert printed[-1] == f"continue with: evo sweep {out / 'sweep.toml'} --out {out}"
    assert main(["status", str(tmp_path)]) == 2
    assert main(["sweep", str(path), "--out", str(out), "--emit-slurm"]) == 0
    capsys.readouterr()
    assert main(["status", str(out)]) == INCOMPLETE
    assert capsys.readouterr().out.splitlines()[-1] == \
        f"continue with: sbatch {out / 'sweep.sbatch'}"


def test_a_finished_point_reads_only_its_own_meta(tmp_path, monkeypatch):
    """The manifest is rebuilt from every point's meta.json once per sweep; after that a
    finished point (in a pool or as an array task) reads only its own meta.json, so the
    bookkeeping per point does not grow with the sweep."""
    from evo.sweep import manifest

    sweep = load_sweep(write_sweep(tmp_path))
    out = tmp_path / "out"
    assert run_sweep(sweep, out, "local", workers=2, threads=1, quiet=True) == 0
    read = []
    real = manifest._row
    monkeypatch.setattr(manifest, "_row", lambda point, *rest: read.append(point.index)
                        or real(point, *rest))
    kept = manifest.Manifest(sweep, out, {}, every=0.0)
    assert sorted(read) == [0, 1, 2, 3]  # the one full rebuild
    read.clear()
    kept.update(sweep.points[2], {"status": "done", "error": None})
    assert read == [2]
    read.clear()
    row = manifest.update_point(sweep, out, {}, sweep.points[1],
                                {"status": "failed", "error": "boom"})
    assert read == [1] and row["status"] == "failed"
    table = pd.read_csv(out / "manifest.csv")
    assert list(table.status) == ["done", "failed", "done", "done"]
