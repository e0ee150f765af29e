"""`evo bench`: how many agent-steps per second basemesa delivers, and what it wastes.

One fixed workload (`WORKLOAD_TOML`: a 15x15 open world, 20 objects of four types,
population 256, 8 episodes of 100 steps, horizon 15 for every agent), so every machine
does the same work and the CSVs of two machines can be compared row by row. The agents
are generation 0 of `evo run` on that scenario: genomes drawn from its seed, and its
episode seeds. The measurements, in the order they run:

- the numba kernel on 1 thread, 2 threads and all threads (compiled first, best of a few
  repeats), as `evo run` plays (amortised planning) and re-planning every step, and the
  plain-Python reference on an evenly spread slice of the same agents and episodes,
  checked to give the same returns as the kernel on that slice;
- what the machine itself allows: 2 threads over 1 on a loop with no memory traffic;
- a few real generations through `evo.run` (DEAP breeding, CSV rows, checkpoints), with
  the seconds spent inside the kernel counted by `Experiment.kernel_s`;
- `evo run` in subprocesses: a cold start (empty numba cache) and a warm one, to the first
  row of generations.csv; the peak memory (ru_maxrss) of a population-1024 run;
- a sweep over grid size x horizon, so users see how the cost per step grows, with and
  without amortised planning.

Every DESIGN section 10 target is printed next to its measured value with pass or fail.
"""

import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numba import njit, prange

WORKLOAD_TOML = """\
name = "bench"
description = "The fixed workload of `evo bench`: 15x15 open world, 20 objects, horizon 15"
seed = 0
features = ["sweet", "fatty", "bitter", "green"]

[world]
height = 15
width = 15
layout = "open"
episode_steps = 100
start = "center"

[[objects]]
name = "fruit"
features = { sweet = 1 }
value = 1.0

[[objects]]
name = "nuts"
features = { fatty = 1 }
value = 1.0

[[objects]]
name = "leaves"
features = { green = 1, bitter = 0.5 }
value = 0.1

[[objects]]
name = "toxic_berry"
features = { bitter = 1, sweet = 0.5 }
value = -1.0

[[phases]]
name = "bench"
generations = 10
counts = { fruit = 6, nuts = 4, leaves = 6, toxic_berry = 4 }

[agent]
kind = "planner"
horizon_min = 15
horizon_max = 15

[ga]
population = 256
episodes = 8

[record]
individuals_every = 1
crosseval_every = 5
crosseval_episodes = 8
"""

@dataclass(frozen=True)
class Budget:
    """How much work each measurement does: the full workload, or a tiny one for tests."""

    population: int = 256
    """agents evaluated by the kernel rows (the workload's population)"""
    episodes: int = 8
    """episodes per agent"""
    episode_steps: int = 100
    """steps per episode"""
    repeats: int = 9
    """timed repeats of each kernel measurement; the best one counts (on a shared machine
    the median drifts with other processes' load, the best much less)"""
    reference_agents: int = 32
    """agents of the slice the plain-Python reference plays, spread over the population"""
    reference_episodes: int = 2
    """episodes of that slice (the first ones of the workload)"""
    reference_repeats: int = 3
    """timed repeats of the reference on its slice, after one untimed; the best one counts"""
    generations: int = 10
    """generations of the in-process `evo.run` measurement"""
    memory_population: int = 1024
    """population of the peak-memory run"""
    memory_generations: int = 3
    """generations of the peak-memory run"""
    scaling_grids: tuple = (15, 31, 63)
    """square grid sizes of the scaling sweep"""
    scaling_horizons: tuple = (5, 15, 30)
    """horizons of the scaling sweep"""
    scaling_population: int = 64
    """agents per point of the scaling sweep"""
    scaling_episodes: int = 8
    """episodes per agent per point of the scaling sweep"""
    scaling_repeats: int = 5
    """timed repeats per point of the scaling sweep"""
    spin_rounds: int = 2_000_000
    """rounds per task of the machine-ceiling loop"""
    max_seconds: float | None = 300.0
    """the whole bench should finish within this (DESIGN section 10); None: no target"""


FULL = Budget()
TINY = Budget(population=16, episodes=2, episode_steps=20, repeats=1, reference_agents=2,
              reference_episodes=1, reference_repeats=1, generations=3, memory_population=32,
              memory_generations=2, scaling_population=4, scaling_episodes=1, scaling_repeats=1,
              spin_rounds=20_000, max_seconds=None)


class Row(NamedTuple):
    """One line of the table: a measured value, with its target when DESIGN sets one."""

    section: str
    metric: str  # stable key: compare machines on it
    label: str  # what the printed table says
    value: float | str
    unit: str
    target: str = ""  # e.g. ">= 500"
    met: str = ""  # "yes", "no", or "" without a target
    detail: str = ""
    printed: bool = True  # False: in the CSV only (the printed table says it in a detail)


CSV_COLUMNS = ("host", "section", "metric", "value", "unit", "target", "met", "detail")


def check(value: float, op: str, bound: float, shown: str | None = None) -> tuple[str, str]:
    """A target as printed (`>= 500`, or `shown`) and whether the value meets it (yes/no)."""
    met = value >= bound if op == ">=" else value <= bound if op == "<=" else value < bound
    return f"{op} {shown or f'{bound:g}'}", "yes" if met else "no"


# --- the workload -----------------------------------------------------------------------


def workload(budget: Budget, *overrides: str):
    """The bench scenario sized by `budget`, with extra `key=value` overrides."""
    from evo.scenario import validate_scenario

    sized = [f"ga.population={budget.population}", f"ga.episodes={budget.episodes}",
             f"world.episode_steps={budget.episode_steps}",
             f"record.crosseval_episodes={budget.episodes}",
             f"phases.bench.generations={budget.generations}"]
    return validate_scenario(tomllib.loads(WORKLOAD_TOML), "<bench workload>",
                             [*sized, *overrides])


def generation_zero(scenario):
    """(Experiment, AgentParams, episode seeds) of generation 0 of `evo run` on a scenario."""
    from evo import seeds
    from evo.evolve import initial_population
    from evo.run import Experiment

    exp = Experiment(scenario)
    pop = initial_population(exp.layout, scenario.ga.population, seeds.init_rng(scenario.seed))
    return exp, exp.decode(pop.genomes), seeds.episode_seeds(scenario.seed, 0,
                                                             scenario.ga.episodes)


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


def slice_params(params, agents):
    """The AgentParams of some agents (indices), in their order."""
    return type(params)(*(np.ascontiguousarray(a[agents]) for a in params))


def same_returns(a, b) -> bool:
    """Whether two evaluations agree on every output, to the last bit."""
    return all(np.array_equal(x, y) for x, y in zip(a, b))


# --- measurements -----------------------------------------------------------------------


def machine_rows(budget: Budget, mode: str) -> list[Row]:
    """What the numbers were measured on: host, CPU, threads, versions, source, load."""
    import numba

    from evo.rundir import git_commit, versions

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
    root = Path(__file__).resolve().parents[1]
    try:
        status = subprocess.run(["git", "status", "--porcelain", "--", "agents", "evo"],
                                cwd=root, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        status = ""
    return commit[:12] + (" +changes" if status.strip() else "")


def throughput_rows(budget: Budget, workdir: Path) -> list[Row]:
    """The kernel on 1, 2 and all threads, amortised and re-planning every step, against
    the reference on a slice of the same work."""
    import numba

    from agents.kernel import evaluate
    from agents.reference import evaluate_reference

    exp, params, episode_seeds = generation_zero(workload(budget))
    world = exp.worlds[0]
    tic = time.perf_counter()
    returns = evaluate(params, world, episode_seeds)  # compiles, or loads the numba cache
    compile_s = time.perf_counter() - tic
    steps = int(returns.steps.sum())

    all_threads = numba.config.NUMBA_NUM_THREADS
    counts = sorted({1, min(2, all_threads), all_threads})

    def play(amortize):
        return lambda: evaluate(params, world, episode_seeds, amortize=amortize)

    calls = {(amortize, threads): (threads, play(amortize))
             for amortize in (True, False) for threads in counts}
    speed = {key: (steps / best, steps / median)
             for key, (best, median) in time_interleaved(calls, budget.repeats).items()}

    # The reference plays agents spread over the population on the first episodes; the
    # kernel must return exactly the same on that slice, or the comparison is void.
    agents = np.unique(np.linspace(0, len(params.horizon) - 1, budget.reference_agents)
                       .round().astype(np.int64))
    sub_params, sub_seeds = slice_params(params, agents), episode_seeds[:budget.reference_episodes]
    reference = evaluate_reference(sub_params, world, sub_seeds)  # also warms it up
    # Best of a few, like the kernel: one pass over the slice varies by a third here.
    reference_s, reference_median = time_calls(
        lambda: evaluate_reference(sub_params, world, sub_seeds), budget.reference_repeats)
    sub_steps = int(reference.steps.sum())
    reference_speed = sub_steps / reference_s
    numba.set_num_threads(1)
    agree = all(same_returns(reference, evaluate(sub_params, world, sub_seeds, amortize=a))
                for a in (True, False))
    slice_best, _ = time_calls(lambda: evaluate(sub_params, world, sub_seeds, amortize=False),
                               max(budget.repeats, 3), min_seconds=0.05)
    numba.set_num_threads(all_threads)
    searches, balls = planner_shares(sub_params, world, sub_seeds)

    # Rows for 1 thread, 2 (when all is more) and all threads, amortised then every step.
    thread_rows = [(1, "1_thread", "1 thread"), (all_threads, "all_threads",
                                                 f"all threads ({all_threads})")]
    if all_threads > 2:
        thread_rows.insert(1, (2, "2_threads", "2 threads"))

    def kernel_row(amortize, threads, name, label):
        best, median = speed[amortize, threads]
        how = "" if amortize else " re-planning every step"
        return Row("throughput", f"kernel{'' if amortize else '_every_step'}_{name}",
                   f"kernel{how}, {label}", best, "agent-steps/s",
                   detail=f"best of {budget.repeats}; median {median:,.0f}")

    amortised_all, every_all = speed[True, all_threads][0], speed[False, all_threads][0]
    rows = [
        Row("throughput", "work", "workload per evaluation", steps, "agent-steps",
            detail=f"{returns.expanded.sum() / steps:.1f} cells expanded per step (searches "
            f"at plan events, what the speed prior charges); first call (compile or cache "
            f"load) {compile_s:.2f} s, excluded"),
        *[kernel_row(True, *row) for row in thread_rows],
        *[kernel_row(False, *row) for row in thread_rows],
        Row("throughput", "reference", "reference (plain Python), 1 thread", reference_speed,
            "agent-steps/s", detail=f"best of {budget.reference_repeats}; median "
            f"{sub_steps / reference_median:,.0f}; {len(agents)} agents x {len(sub_seeds)} "
            "episodes of the workload; searches every step; the kernel gives "
            + ("identical returns" if agree else "DIFFERENT RETURNS: comparison void")),
    ]
    target, met = check(amortised_all / reference_speed, ">=", 500)
    rows.append(Row("ratios", "kernel_all_over_reference",
                    "kernel all threads / reference 1 thread", amortised_all / reference_speed,
                    "x", target, met if agree else "no", detail="amortised planning, as "
                    f"`evo run` plays; re-planning every step: {every_all / reference_speed:.0f}x"))
    rows.append(Row("ratios", "kernel_every_step_all_over_reference",
                    "kernel re-planning every step, all threads / reference",
                    every_all / reference_speed, "x", printed=False))
    rows.append(Row("ratios", "kernel_1_over_reference_same_slice",
                    "kernel 1 thread / reference, identical slice",
                    (sub_steps / slice_best) / reference_speed, "x",
                    detail="both re-planning every step; DESIGN expects about 70x from a "
                    "plain numba BFS"))
    if all_threads >= 2:
        ratio = speed[True, 2][0] / speed[True, 1][0]
        target, met = check(ratio, ">=", 1.8)
        rows.append(Row("ratios", "kernel_2_over_1_thread", "kernel 2 threads / 1 thread",
                        ratio, "x", target, met, detail="re-planning every step: "
                        f"{speed[False, 2][0] / speed[False, 1][0]:.2f}x"))
    else:
        rows.append(Row("ratios", "kernel_2_over_1_thread", "kernel 2 threads / 1 thread",
                        "n/a", "x", ">= 1.8", "", "one core only"))
    rows.append(machine_ceiling_row(budget))
    rows.append(Row("ratios", "amortised_planning_gain",
                    "amortised planning / re-planning every step", amortised_all / every_all,
                    "x", detail=f"all threads; 1 thread: "
                    f"{speed[True, 1][0] / speed[False, 1][0]:.2f}x; the amortised kernel "
                    f"searches on {100 * searches:.0f}% of steps and grows a ball on "
                    f"{100 * balls:.0f}% (on the reference's slice)"))
    rows.append(Row("ratios", "amortised_search_share", "share of steps that search",
                    searches, "share", printed=False))
    rows.append(Row("ratios", "amortised_ball_share", "share of steps that grow a ball",
                    balls, "share", printed=False))
    return rows


def planner_shares(params, world, episode_seeds) -> tuple[float, float]:
    """Shares of steps at which the amortised kernel runs a queue search and grows a
    row-bitset ball, over every agent and episode given (traced one by one: keep them few)."""
    from agents.kernel import run_episode_traced

    searches = balls = steps = 0
    for p in range(len(params.horizon)):
        for seed in episode_seeds:
            trace = run_episode_traced(params, p, world, int(seed), amortize=True)
            searches, balls = searches + trace.searches, balls + trace.balls
            steps += trace.steps
    return searches / max(steps, 1), balls / max(steps, 1)


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


def generation_rows(budget: Budget, workdir: Path) -> list[Row]:
    """Real generations through `evo.run`; the share of their time spent outside the kernel."""
    from evo.rundir import RunDir
    from evo.run import Experiment, run_experiment

    scenario = workload(budget)
    exp = Experiment(scenario)
    run = RunDir.create(workdir / "generations", scenario.to_toml(), scenario.seed,
                        exp.headers, force=False)
    marks = [(time.perf_counter(), exp.kernel_s)]
    run_experiment(exp, run, progress=lambda *_: marks.append((time.perf_counter(),
                                                               exp.kernel_s)))
    wall = np.diff([m[0] for m in marks])
    kernel = np.diff([m[1] for m in marks])
    record = scenario.record
    crosseval = np.array([g % record.crosseval_every == 0 or g in exp.phase_ends
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
    cache = workdir / "numba-cache"  # empty: the first run compiles everything
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                       os.environ.get("PYTHONPATH")]))}
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
        rows.append(Row("startup", f"{name}_first_generation_s", label, run.first_row_s, "s",
                        target, met, detail=f"generation 0's own wall_s {own:.2f} s (kernel "
                        f"compile or cache load, cross-evaluation); whole run "
                        f"{run.total_s:.2f} s"))
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
    header, row = path.read_text().splitlines()[:2]
    return float(row.split(",")[header.split(",").index("wall_s")])


def _scenario_file(path: Path, scenario) -> Path:
    """Write a resolved scenario where a subprocess can read it."""
    path.write_text(scenario.to_toml())
    return path


def scaling_rows(budget: Budget, workdir: Path) -> list[Row]:
    """Agent-steps/s over grid size x horizon on all threads, amortised and re-planning every
    step, with the cells a search expands."""
    import numba

    from agents.kernel import evaluate

    small = replace(budget, population=budget.scaling_population,
                    episodes=budget.scaling_episodes)
    all_threads = numba.config.NUMBA_NUM_THREADS
    rows = []
    for grid in budget.scaling_grids:
        for horizon in budget.scaling_horizons:
            scenario = workload(small, f"world.height={grid}", f"world.width={grid}",
                                f"agent.horizon_min={horizon}", f"agent.horizon_max={horizon}")
            exp, params, episode_seeds = generation_zero(scenario)
            world = exp.worlds[0]
            returns = evaluate(params, world, episode_seeds)
            steps = int(returns.steps.sum())
            timings = time_interleaved(
                {a: (all_threads, lambda a=a: evaluate(params, world, episode_seeds, amortize=a))
                 for a in (True, False)}, budget.scaling_repeats)
            amortised, every_step = steps / timings[True][0], steps / timings[False][0]
            cells = returns.expanded.sum() / steps
            searches, balls = planner_shares(
                slice_params(params, np.arange(min(8, len(params.horizon)))), world,
                episode_seeds[:2])
            # A search expands the free cells within distance h - 1 of the agent: a diamond
            # of 2h^2 - 2h + 1 cells in an open world, clipped by the grid's edges.
            reach = min(2 * horizon * horizon - 2 * horizon + 1, grid * grid)
            key = f"scaling_grid{grid}_horizon{horizon}"
            rows += [
                Row("scaling", f"{key}_agent_steps_per_s", f"grid {grid}x{grid}, horizon "
                    f"{horizon}", amortised, "agent-steps/s",
                    detail=f"every step {every_step:,.0f}/s (gain {amortised / every_step:.1f}x);"
                    f" searches on {100 * searches:.0f}% of steps, balls on "
                    f"{100 * balls:.0f}%; {cells:.0f} cells/step "
                    f"charged; a search <= {reach} cells"),
                Row("scaling", f"{key}_every_step_agent_steps_per_s", "", every_step,
                    "agent-steps/s", printed=False),
                Row("scaling", f"{key}_cells_per_step", "", cells, "cells", printed=False),
                Row("scaling", f"{key}_search_share", "", searches, "share", printed=False),
                Row("scaling", f"{key}_ball_share", "", balls, "share", printed=False),
            ]
    return rows


# --- the command ------------------------------------------------------------------------


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
    console.print(render(rows, host))
    write_csv(out, rows, host)
    console.print(f"wrote {out}")
    return rows


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


def default_output(host: str, tiny: bool) -> Path:
    """benchmarks/results/<host>.csv (a tiny run never overwrites the real one)."""
    return Path("benchmarks") / "results" / f"{host}{'-tiny' if tiny else ''}.csv"


def format_value(row: Row) -> str:
    """A value as the printed table shows it."""
    value = row.value
    if isinstance(value, str):
        return value
    if row.unit == "agent-steps/s" or row.unit == "agent-steps":
        return f"{value:,.0f}"
    if row.unit == "x":
        return f"{value:,.1f}x"
    if row.unit == "share":
        return f"{100 * value:.1f}%"
    if row.unit == "cells":
        return f"{value:,.1f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def render(rows: list[Row], host: str):
    """The rich table: one section per kind of measurement, targets beside values."""
    from rich.table import Table

    machine = {row.metric: row.value for row in rows if row.section == "machine"}
    title = (f"evo bench on {host}: {machine.get('cpu')}, {machine.get('cores')} cores, "
             f"{machine.get('numba_threads')} numba threads; {machine.get('versions')}; "
             f"source {machine.get('source')}; load average at start "
             f"{machine.get('load_at_start')}; {machine.get('mode')} workload")
    table = Table(title=title, title_justify="left")
    for column, justify in (("measure", "left"), ("value", "right"), ("unit", "left"),
                            ("target", "right"), ("met", "center"), ("detail", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    section = None
    for row in rows:
        if row.section == "machine" or not row.printed:
            continue
        if section is not None and row.section != section:
            table.add_section()
        section = row.section
        met = {"yes": "[green]pass[/]", "no": "[red]FAIL[/]"}.get(row.met, "")
        unit = "" if row.unit in ("share", "x") else row.unit
        table.add_row(row.label, format_value(row), unit, row.target, met, row.detail)
    return table


def write_csv(path: Path, rows: list[Row], host: str) -> None:
    """The table as a tidy CSV, one row per measure, host in every row."""
    import csv
    import io

    from evo.errors import UserError
    from evo.rundir import write_atomic

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        value = row.value
        if isinstance(value, (float, np.floating)):
            value = repr(float(value))  # shortest round-trip form
        elif isinstance(value, np.integer):
            value = int(value)
        writer.writerow([host, row.section, row.metric, value, row.unit, row.target, row.met,
                         row.detail])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, buffer.getvalue().encode())
    except OSError as exc:
        raise UserError(f"{path}: cannot write the bench table: {exc.strerror or exc}") from None
