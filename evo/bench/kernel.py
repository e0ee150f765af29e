"""The kernel's throughput: threads, amortised planning, the reference, grid and horizon."""

import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from agents.kinds import optimizers
from evo.bench.machine import machine_ceiling_row
from evo.bench.table import Row, check
from evo.bench.timing import time_calls, time_interleaved
from evo.bench.workload import Budget, generation_zero, same_returns, slice_params, workload


def throughput_rows(budget: Budget, workdir: Path) -> list[Row]:
    """The kernel on 1, 2 and all threads, amortised and re-planning every step, against
    the reference on a slice of the same work."""
    import numba

    from agents.kernel import evaluate
    from agents.reference import evaluate_reference

    compiled, params, episode_seeds = generation_zero(workload(budget))
    world = compiled.worlds[0]
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
    agents, sub_params, sub_seeds = reference_slice(params, episode_seeds, budget)
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
                    detail="both re-planning every step; a plain numba BFS gives about 70x"))
    if all_threads >= 2:
        ratio = speed[True, 2][0] / speed[True, 1][0]
        target, met = check(ratio, ">=", 1.8)
        rows.append(Row("ratios", "kernel_2_over_1_thread", "kernel 2 threads / 1 thread",
                        ratio, "x", target, met, detail="re-planning every step: "
                        f"{speed[False, 2][0] / speed[False, 1][0]:.2f}x"))
    else:
        rows.append(Row("ratios", "kernel_2_over_1_thread", "kernel 2 threads / 1 thread",
                        "n/a", "x", ">= 1.8", "", "one core only"))
    rows += state_rows(budget)
    rows += kind_rows(budget)
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


def state_rows(budget: Budget) -> list[Row]:
    """The kernel on all threads on the workload with a state (`workload.with_state`), and
    its agent-steps/s over the stateless workload's on the same grid, timed interleaved so
    that a burst of load elsewhere hits both alike."""
    import numba

    from agents.kernel import evaluate

    threads = numba.config.NUMBA_NUM_THREADS
    plays, steps = {}, {}
    for state in (False, True):
        compiled, params, episode_seeds = generation_zero(workload(budget, state=state))
        world = compiled.worlds[0]
        returns = evaluate(params, world, episode_seeds)
        steps[state] = int(returns.steps.sum())
        plays[state] = (threads, lambda p=params, w=world, e=episode_seeds: evaluate(p, w, e))
    timings = time_interleaved(plays, budget.repeats)
    best, median = timings[True]
    speed, stateless = steps[True] / best, steps[False] / timings[False][0]
    target, met = check(speed / stateless, ">=", 0.8)
    return [
        Row("throughput", "kernel_state_all_threads",
            f"kernel with a state (thirst), all threads ({threads})", speed, "agent-steps/s",
            detail=f"best of {budget.repeats}; median {steps[True] / median:,.0f}; "
            f"{returns.expanded.sum() / steps[True]:.1f} cells expanded per step"),
        Row("ratios", "kernel_state_over_stateless", "kernel with a state / without",
            speed / stateless, "x", target, met, detail="all threads, amortised, the same "
            "grid and population, timed interleaved; thirst changes the reward, and each "
            "change is a plan event"),
    ]


def kind_rows(budget: Budget) -> list[Row]:
    """The workload played by reactive agents (all threads, against the reference on the
    same slice as the planner's) and by a mixed population (half planners, half policies)."""
    import numba

    from agents.kernel import evaluate
    from agents.reference import evaluate_reference

    rows = []
    threads = numba.config.NUMBA_NUM_THREADS
    for kind in ("reactive", "mixed"):
        scenario = workload(budget, f"agent.kind=\"{kind}\"")
        compiled, params, episode_seeds = generation_zero(scenario)
        world = compiled.worlds[0]
        returns = evaluate(params, world, episode_seeds)
        steps = int(returns.steps.sum())
        best, median = time_calls(lambda: evaluate(params, world, episode_seeds), budget.repeats)
        share = optimizers(params.machine).mean()
        rows.append(Row("throughput", f"kernel_{kind}_all_threads",
                        f"kernel, {kind} agents, all threads ({threads})", steps / best,
                        "agent-steps/s", detail=f"best of {budget.repeats}; median "
                        f"{steps / median:,.0f}" + (f"; {share:.0%} planners" if kind == "mixed"
                                                    else "")))
        if kind != "reactive":
            continue
        agents, sub_params, sub_seeds = reference_slice(params, episode_seeds, budget)
        reference = evaluate_reference(sub_params, world, sub_seeds)
        reference_s, _ = time_calls(lambda: evaluate_reference(sub_params, world, sub_seeds),
                                    budget.reference_repeats)
        agree = same_returns(reference, evaluate(sub_params, world, sub_seeds))
        ratio = (steps / best) / (int(reference.steps.sum()) / reference_s)
        target, met = check(ratio, ">=", 500)
        rows.append(Row("ratios", "kernel_reactive_all_over_reference",
                        "reactive kernel all threads / its reference 1 thread", ratio, "x",
                        target, met if agree else "no", detail="the reference plays "
                        f"{len(agents)} agents x {len(sub_seeds)} episodes; the kernel gives "
                        + ("identical returns" if agree else "DIFFERENT RETURNS: void")))
    return rows


def reference_slice(params, episode_seeds, budget: Budget):
    """(agents, their params, episode seeds) the reference plays: agents spread evenly over
    the population, on the first episodes."""
    agents = np.unique(np.linspace(0, len(params.horizon) - 1, budget.reference_agents)
                       .round().astype(np.int64))
    return agents, slice_params(params, agents), episode_seeds[:budget.reference_episodes]


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
            compiled, params, episode_seeds = generation_zero(scenario)
            world = compiled.worlds[0]
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
