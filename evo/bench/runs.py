"""Whole runs: generations through `evo.evolution`, and `evo run` in subprocesses."""

import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

from evo.bench.table import Row, check
from evo.bench.workload import Budget, workload


def generation_rows(budget: Budget, workdir: Path) -> list[Row]:
    """Real generations through `evo.evolution`; the share of their time spent outside the
    kernel."""
    from agents.kernel import evaluate
    from evo.evolution.experiment import Experiment
    from evo.evolution.loop import run_experiment
    from evo.scenario import compile_scenario
    from evo.store.rundir import RunDir

    kernel_s = [0.0]  # seconds inside the kernel so far

    def timed_evaluate(*args):
        tic = time.perf_counter()
        returns = evaluate(*args)
        kernel_s[0] += time.perf_counter() - tic
        return returns

    scenario = workload(budget)
    exp = Experiment(compile_scenario(scenario), evaluate=timed_evaluate)
    run = RunDir.create(workdir / "generations", scenario.to_toml(), scenario.seed,
                        exp.compiled.columns.headers(), force=False)
    marks = [(time.perf_counter(), kernel_s[0])]
    run_experiment(exp, run, progress=lambda *_: marks.append((time.perf_counter(),
                                                               kernel_s[0])))
    run.release()
    wall = np.diff([m[0] for m in marks])
    kernel = np.diff([m[1] for m in marks])
    record = scenario.record
    crosseval = np.array([g % record.crosseval_every == 0 or g in exp.compiled.phase_last
                          for g in range(len(wall))])
    plain = ~crosseval

    def share(mask):
        return float((wall[mask] - kernel[mask]).sum() / wall[mask].sum())

    target, met = check(share(plain), "<=", 0.10, "10%")
    return [
        Row("generation", "generation_s", "wall time of a generation", float(wall[plain].mean()),
            "s", detail=f"mean of {plain.sum()} generations without cross-evaluation, "
            f"population {scenario.ga.population}"),
        Row("generation", "outside_kernel_s", "of which outside the kernel",
            float((wall[plain] - kernel[plain]).mean()), "s",
            detail="DEAP breeding, decoding, alignment, CSV rows, pickling the checkpoint (its "
            "fsyncs run on a writer thread during the next kernel call)"),
        Row("generation", "outside_kernel_share", "outside-kernel share of a generation",
            share(plain), "share", target, met, detail="generations without cross-evaluation"),
        Row("generation", "outside_kernel_share_all", "outside-kernel share, all generations",
            share(np.ones_like(plain)), "share",
            detail=f"{len(wall)} generations, {crosseval.sum()} with cross-evaluation "
            f"(every {record.crosseval_every} and at the phase end)"),
    ]


def startup_rows(budget: Budget, workdir: Path) -> list[Row]:
    """`evo run` in subprocesses: cold and warm time to the first generation, peak memory."""
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                       os.environ.get("PYTHONPATH")]))}
    if budget.cold_start:  # an empty cache: the first run compiles everything
        env["NUMBA_CACHE_DIR"] = str(workdir / "numba-cache")
    one_generation = _scenario_file(workdir / "one.toml",
                                    workload(budget, "phases.bench.generations=1"))
    rows = []
    for name in ("cold", "warm"):
        run = run_evo(["run", str(one_generation), "--out", str(workdir / name), "--quiet"],
                      env, workdir / name / "generations.csv")
        own = _first_generation_wall(workdir / name / "generations.csv")
        label = f"{name} `evo run`: to the first generation"
        if name == "warm":
            target, met = check(run.first_row_s, "<=", 3.0)
        else:
            target, met = "", ""
        cache = "" if budget.cold_start or name == "warm" else \
            "; not cold: the tiny bench keeps the numba cache it finds"
        rows.append(Row("startup", f"{name}_first_generation_s", label, run.first_row_s, "s",
                        target, met, detail=f"generation 0's own wall_s {own:.2f} s (kernel "
                        f"compile or cache load, cross-evaluation); whole run "
                        f"{run.total_s:.2f} s{cache}"))
    # The same warm start with almost no work: what start-up alone costs (interpreter,
    # imports, numba cache load, run directory), apart from the workload's generation 0.
    trivial = _scenario_file(workdir / "trivial.toml", workload(
        budget, "ga.population=4", "ga.episodes=1", "record.crosseval_episodes=1",
        "world.episode_steps=1", "phases.bench.generations=1"))
    run = run_evo(["run", str(trivial), "--out", str(workdir / "trivial"), "--quiet"], env,
                  workdir / "trivial" / "generations.csv")
    rows.append(Row("startup", "warm_startup_s", "warm start-up alone", run.first_row_s, "s",
                    detail="the same warm run with 4 agents and 1 step: to its first "
                    "generation"))
    memory = _scenario_file(workdir / "memory.toml", workload(
        budget, f"ga.population={budget.memory_population}",
        f"phases.bench.generations={budget.memory_generations}"))
    run = run_evo(["run", str(memory), "--out", str(workdir / "memory"), "--quiet"], env, None)
    mib = run.max_rss_kib / 1024
    target, met = check(mib, "<", 1024)
    rows.append(Row("memory", "peak_memory_mib", f"peak memory, population "
                    f"{budget.memory_population}", mib, "MiB", target, met,
                    detail=f"ru_maxrss of `evo run`, {budget.memory_generations} generations"))
    return rows


class EvoRun(NamedTuple):
    """What a subprocess `evo` run took."""

    first_row_s: float  # until generations.csv held its first row (NaN if not watched)
    total_s: float
    max_rss_kib: int


def run_evo(args: list[str], env: dict, watch: Path | None) -> EvoRun:
    """Run `evo ARGS` and time it; with `watch`, also until that CSV holds its first row."""
    from evo.errors import UserError

    with tempfile.TemporaryFile() as stderr:
        tic = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "evo", *args], env=env,
                                stdout=subprocess.DEVNULL, stderr=stderr)
        first_row = math.nan
        while True:
            # wait4, not wait: it gives this child's own peak memory, not the maximum
            # over every child this process ever had.
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            now = time.perf_counter()
            if watch is not None and math.isnan(first_row) and _has_a_row(watch):
                first_row = now - tic
            if pid != 0:
                break
            time.sleep(0.005)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            stderr.seek(0)
            lines = stderr.read().decode(errors="replace").strip().splitlines()
            raise UserError(f"bench: `evo {' '.join(args)}` failed: "
                            f"{lines[-1] if lines else f'exit status {proc.returncode}'}")
    return EvoRun(first_row, now - tic, usage.ru_maxrss)


def _has_a_row(path: Path) -> bool:
    """Whether a CSV holds its header and at least one whole row."""
    try:
        return path.read_bytes().count(b"\n") >= 2
    except OSError:
        return False


def _first_generation_wall(path: Path) -> float:
    """The wall_s of generation 0 as its run recorded it."""
    header, row = path.read_text(encoding="utf-8").splitlines()[:2]
    return float(row.split(",")[header.split(",").index("wall_s")])


def _scenario_file(path: Path, scenario) -> Path:
    """Write a resolved scenario where a subprocess can read it."""
    path.write_text(scenario.to_toml(), encoding="utf-8")
    return path
