"""Sweeps on a real SLURM: the emitted job array and dask-jobqueue's SLURMCluster write the
local backend's bytes, and a task that is cancelled, reaches its time limit or is submitted
twice at once still ends `done` with those bytes.

Every test submits real jobs to the cluster of scripts/slurm-up.sh (see conftest.py) and
waits for them through SLURM itself (`sbatch --wait`, `squeue`); the jobs' own time limits
bound how long anything can wait.
"""

import re
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.evo.helpers import csv_bytes, evo_args, evo_env

pytestmark = [pytest.mark.cluster, pytest.mark.usefixtures("slurm")]

TINY_SET = '''[set]
"ga.population" = 12
"ga.episodes" = 2
"world.episode_steps" = 20
"phases.modern.generations" = 2
"record.crosseval_episodes" = 2
'''

# Eight points of a few seconds each.
SHORT = f'''scenario = "evolution"
seeds = [0, 1, 2, 3]
{TINY_SET}[grid]
"phases.ancestral.generations" = [3, 4]
[slurm]
mem = "1G"
time = "00:10:00"
'''

# One point of about 70 s on one core (measured alone): long enough to outlast a one-minute
# time limit (SLURM's early signal comes 20-50 s into the job: it checks every 30 s).
LONG = '''scenario = "evolution"
seeds = [0]
[set]
"ga.population" = 128
"ga.episodes" = 16
"world.episode_steps" = 300
"phases.ancestral.generations" = 140
"phases.modern.generations" = 70
"record.crosseval_episodes" = 2
'''
LONG_GENERATIONS = 210
# The same generations at an eighth of the work (10-20 s on one core): enough for a task to be
# cancelled with generations on disk, or to be running when a second submission starts.
MEDIUM = LONG.replace('"ga.population" = 128', '"ga.population" = 32').replace(
    '"ga.episodes" = 16', '"ga.episodes" = 8')
SLURM_LONG = '[slurm]\nmem = "1G"\ntime = "00:10:00"\n'
SLURM_ONE_MINUTE = '[slurm]\nmem = "1G"\ntime = "00:01:00"\nsignal_seconds = 10\n'

DASK = '''[dask]
jobqueue = "slurm"
workers = 2
threads_per_worker = 1
host = "127.0.0.1"
'''

# What a dask worker's log says of where it listens and which scheduler it joined (the
# nanny's address is quoted).
ADDRESS_LINE = re.compile(r"(Start worker at|Start Nanny at|Registered to):\s+'?([^\s']+)")


def evo(*args, cwd: Path) -> subprocess.Popen:
    """The real `evo ARGS`, started in the background."""
    return subprocess.Popen(evo_args(*args), env=evo_env(), cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finished(proc: subprocess.Popen) -> int:
    """Wait for a process; its exit status, with its output in the message if it failed."""
    out, err = proc.communicate()
    assert proc.returncode in (0, 3), f"exit {proc.returncode}: {out}{err}"
    return proc.returncode


def reference(tmp_path: Path, text: str) -> subprocess.Popen:
    """The sweep run on the local backend, one worker, in the background (beside the jobs:
    the cluster gives each task one of the machine's cores)."""
    sweep = tmp_path / "reference.toml"
    sweep.write_text(text)
    return evo("sweep", str(sweep), "--out", str(tmp_path / "reference"), "--backend",
               "local", "--workers", "1", "--threads-per-worker", "1", "--quiet",
               cwd=tmp_path)


def emit(tmp_path: Path, text: str, name: str) -> tuple[Path, Path]:
    """A sweep directory `name` and its array script, written by the real command."""
    sweep = tmp_path / f"{name}.toml"
    sweep.write_text(text)
    out = tmp_path / name
    done = subprocess.run(evo_args("sweep", str(sweep), "--out", str(out), "--emit-slurm"),
                          env=evo_env(), cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out, out / "sweep.sbatch"


def sbatch(*args, cwd: Path) -> subprocess.Popen:
    """`sbatch --parsable ARGS` in the background (with --wait it ends with the job)."""
    return subprocess.Popen(["sbatch", "--parsable", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def submitted(proc: subprocess.Popen) -> str:
    """The job id sbatch printed (it prints it at submission, before any --wait)."""
    line = proc.stdout.readline().strip()
    assert line, proc.stderr.read()
    return line.split(";")[0]


def job_states(job: str) -> list[str]:
    """The states squeue shows for a job's tasks (none once every task has ended)."""
    shown = subprocess.run(["squeue", "-h", "-j", job, "-o", "%T"], capture_output=True,
                           text=True)
    return shown.stdout.split()


def wait_gone(job: str) -> None:
    """Wait until squeue no longer lists the job (its time limit bounds the wait)."""
    while job_states(job):
        time.sleep(1)


def rows(out: Path) -> int:
    """Generations a run directory has written so far."""
    path = out / "generations.csv"
    return max(0, len(path.read_text().splitlines()) - 1) if path.exists() else 0


def points(sweep_dir: Path) -> dict:
    """Every point's CSV bytes (wall clock aside), by point directory."""
    return {d.name: csv_bytes(d) for d in sorted(sweep_dir.iterdir())
            if (d / "config.toml").exists()}


def statuses(sweep_dir: Path) -> list[str]:
    """The manifest's status column."""
    return list(pd.read_csv(sweep_dir / "manifest.csv").status)


def job_outputs(sweep_dir: Path) -> list[str]:
    """What each array task printed (its slurm-*.out), in file-name order."""
    return [p.read_text() for p in sorted(sweep_dir.glob("slurm-*.out"))]


def test_emitted_array_gives_the_local_backends_bytes(tmp_path):
    """Two sweep directories, their 8-point arrays submitted at once with `sbatch --wait`
    (16 tasks on the node's cores, several starting in the same second): every point
    `done`, every task silent, each point's CSVs the local backend's bytes; submitting one
    array again skips every point and changes no byte."""
    local = reference(tmp_path, SHORT)
    emitted = [emit(tmp_path, SHORT, name) for name in ("first", "second")]
    jobs = [sbatch("--wait", str(script), cwd=tmp_path) for _, script in emitted]
    for job in jobs:
        _, err = job.communicate()
        assert job.returncode == 0, err
    assert finished(local) == 0
    expected = points(tmp_path / "reference")
    assert len(expected) == 8
    for out, _ in emitted:
        assert statuses(out) == ["done"] * 8
        assert job_outputs(out) == [""] * 8
        assert points(out) == expected
    out, script = emitted[0]
    again = sbatch("--wait", str(script), cwd=tmp_path)
    _, err = again.communicate()
    assert again.returncode == 0, err
    assert statuses(out) == ["done"] * 8 and points(out) == expected


def test_dask_jobqueue_slurm_cluster_gives_the_local_backends_bytes(tmp_path):
    """`--backend dask` with `jobqueue = "slurm"`: the workers are SLURM jobs that
    dask-jobqueue submits; every point `done` with the local backend's bytes, each worker's
    log says it and its nanny listened on the sweep file's host (127.0.0.1) and joined a
    scheduler there, and the worker jobs are gone when the sweep ends."""
    local = reference(tmp_path, SHORT)
    logs = tmp_path / "dask-logs"
    text = SHORT + DASK + ("[dask.cluster]\ncores = 1\nprocesses = 1\nmemory = \"1GB\"\n"
                           f"walltime = \"00:10:00\"\njob_name = \"basemesa-dask\"\n"
                           f"log_directory = \"{logs}\"\n")
    sweep = tmp_path / "dask.toml"
    sweep.write_text(text)
    out = tmp_path / "dask"
    run = evo("sweep", str(sweep), "--out", str(out), "--backend", "dask", "--quiet",
              cwd=tmp_path)
    assert finished(run) == 0
    assert finished(local) == 0
    assert statuses(out) == ["done"] * 8
    assert points(out) == points(tmp_path / "reference")
    said = [line for log in sorted(logs.glob("*.*")) for line in log.read_text().splitlines()]
    assert said, "no worker job ran"
    addresses = [m.groups() for m in map(ADDRESS_LINE.search, said) if m]
    assert {what for what, _ in addresses} == {"Start worker at", "Start Nanny at",
                                               "Registered to"}, said
    assert all(a.startswith("tcp://127.0.0.1:") for _, a in addresses), addresses
    left = subprocess.run(["squeue", "-h", "-n", "basemesa-dask", "-o", "%i %T"],
                          capture_output=True, text=True).stdout
    while left.strip():  # dask-jobqueue cancels its jobs as it closes; squeue may lag
        time.sleep(1)
        left = subprocess.run(["squeue", "-h", "-n", "basemesa-dask", "-o", "%i %T"],
                              capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def local_bytes(tmp_path_factory):
    """The LONG and MEDIUM points' bytes on the local backend (`local_bytes("long")`):
    both started at once, in the background, read by the first test that needs them."""
    started = {}
    for name, text in (("long", LONG), ("medium", MEDIUM)):
        folder = tmp_path_factory.mktemp(name)
        started[name] = (folder, reference(folder, text))
    cache = {}

    def expected(name: str) -> dict:
        if name not in cache:
            folder, local = started[name]
            assert finished(local) == 0
            cache[name] = points(folder / "reference")
            assert len(cache[name]) == 1
        return cache[name]

    yield expected
    for _, local in started.values():
        if local.poll() is None:
            local.kill()
            local.wait()


def test_cancelled_task_resumes_from_its_checkpoint(tmp_path, local_bytes):
    """A running array task cancelled with `scancel` (SIGTERM, then SIGKILL): the point is
    `interrupted` with whole generations on disk; the array submitted again resumes it from
    its checkpoint (the generations already written keep their bytes, wall clock included)
    to the local backend's bytes."""
    out, script = emit(tmp_path, MEDIUM + SLURM_LONG, "cancelled")
    job = submitted(sbatch(str(script), cwd=tmp_path))
    run_dir = None
    while job_states(job) and (run_dir is None or rows(run_dir) < 10):
        time.sleep(0.5)
        run_dir = next((d for d in out.iterdir() if (d / "config.toml").exists()), None)
    assert job_states(job), "the task ended before it could be cancelled; make MEDIUM longer"
    subprocess.run(["scancel", job], check=True)
    wait_gone(job)
    assert statuses(out) == ["interrupted"]
    written = rows(run_dir)
    assert 10 <= written < LONG_GENERATIONS
    before = (run_dir / "generations.csv").read_text().splitlines()[:written + 1]
    again = sbatch("--wait", str(script), cwd=tmp_path)
    _, err = again.communicate()
    assert again.returncode == 0, err
    assert statuses(out) == ["done"]
    assert (run_dir / "generations.csv").read_text().splitlines()[:written + 1] == before
    assert points(out) == local_bytes("medium")


def test_a_task_at_its_time_limit_stops_then_a_new_submission_finishes_it(tmp_path,
                                                                          local_bytes):
    """`time = "00:01:00"`, `signal_seconds = 10`: SLURM sends SIGTERM before the limit,
    evo stops after a whole generation, the task says so in one line and the manifest says
    `interrupted`; the script submitted again (with a longer limit) finishes the point with
    the local backend's bytes."""
    out, script = emit(tmp_path, LONG + SLURM_ONE_MINUTE, "limited")
    first = sbatch("--wait", str(script), cwd=tmp_path)
    first.communicate()
    assert first.returncode != 0  # the task ended with exit 3: its point is not done
    assert statuses(out) == ["interrupted"]
    [said] = job_outputs(out)
    told = [line for line in said.splitlines() if line.startswith("evo")]
    assert len(told) == 1 and "point 0" in told[0] and "interrupted: SIGTERM: stopped after " \
        "generation" in told[0] and "Traceback" not in said, said
    run_dir = next(d for d in out.iterdir() if (d / "config.toml").exists())
    assert 0 < rows(run_dir) < LONG_GENERATIONS
    again = sbatch("--wait", "--time=10", str(script), cwd=tmp_path)
    _, err = again.communicate()
    assert again.returncode == 0, err
    assert statuses(out) == ["done"]
    assert points(out) == local_bytes("long")


def test_two_submissions_of_one_task_at_once_leave_one_writer(tmp_path, local_bytes):
    """The same array task submitted twice (as a requeue that starts while the old task
    runs): both start together, one runs the point and the other is refused in one line
    naming the holder; the point ends `done` with the local backend's bytes."""
    out, script = emit(tmp_path, MEDIUM + SLURM_LONG, "twice")
    jobs = [sbatch("--wait", "--array=0", str(script), cwd=tmp_path) for _ in range(2)]
    codes = []
    for job in jobs:
        job.communicate()
        codes.append(job.returncode)
    assert sorted(codes) != [0, 0] and 0 in codes, codes
    said = sorted(job_outputs(out))
    assert said[0] == "", said
    assert said[1].count("\n") == 1 and "in use by another evo process (pid" in said[1], said
    assert statuses(out) == ["done"]
    assert points(out) == local_bytes("medium")


def test_a_study_run_as_a_slurm_array_reports_the_local_bytes(tmp_path):
    """`evo study coinrun-curve --quick --emit-slurm`, the array submitted with `sbatch
    --wait`, then the same command without --emit-slurm: it runs nothing more and writes
    the study.csv that the local backend writes."""
    local, cluster = tmp_path / "local", tmp_path / "cluster"
    # The local study runs in the background, beside the array.
    done = evo("study", "coinrun-curve", "--quick", "--out", str(local), "--quiet",
               "--workers", "1", cwd=tmp_path)
    emitted = subprocess.run(evo_args("study", "coinrun-curve", "--quick", "--out",
                                      str(cluster), "--emit-slurm"), env=evo_env(),
                             cwd=tmp_path, capture_output=True, text=True)
    assert emitted.returncode == 0, emitted.stderr
    job = sbatch("--wait", str(cluster / "points" / "sweep.sbatch"), cwd=tmp_path)
    _, err = job.communicate()
    assert job.returncode == 0, err
    assert set(statuses(cluster / "points")) == {"done"}
    stamps = {p: p.stat().st_mtime_ns for p in cluster.glob("points/*/generations.csv")}
    report = subprocess.run(evo_args("study", "coinrun-curve", "--quick", "--out",
                                     str(cluster), "--quiet"), env=evo_env(), cwd=tmp_path,
                            capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    assert finished(done) == 0
    assert {p: p.stat().st_mtime_ns for p in cluster.glob("points/*/generations.csv")} \
        == stamps
    assert (cluster / "study.csv").read_bytes() == (local / "study.csv").read_bytes()
