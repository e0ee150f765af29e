"""One run of the experiment: the generational loop over the phase schedule, recorded.

Per generation g (counted from 0 across phases): breed from generation g-1 (or draw the
initial population), evaluate everyone on the current phase with the generation's common
episode seeds, append the CSV rows, update the hall of fame, write the checkpoint.
Every `crosseval_every` generations, and at the last generation of each phase, the
population is also evaluated on every phase with that phase's fixed evaluation seeds.
"""

import re
import signal
import time
from pathlib import Path

import numpy as np

from evo.errors import CLI_WORDS, Interrupted, UserError, Wording
from evo.evolution import memory
from evo.evolution.experiment import (
    Experiment,
    crosseval_rows,
    generation_row,
    individual_rows,
)
from evo.evolution.ga import (
    Population,
    hall_of_fame_state,
    initial_population,
    make_hall_of_fame,
    next_generation,
    update_hall_of_fame,
)
from evo.evolution.signals import StopSignal
from evo.scenario import compile_scenario, load_scenario, seeds
from evo.store.files import RUNS
from evo.store.rundir import RunDir, now


def run_experiment(exp: Experiment, run: RunDir, checkpoint: dict | None = None,
                   stop_after: int | None = None, progress=None, stop=None) -> bool:
    """Run (or continue from `checkpoint`) every generation of a scenario into `run`.

    `stop_after` ends the loop after that generation (for tests of resuming); `progress`
    is called with (generation, phase name, mean fitness) after each generation; the loop
    also ends after a generation when `stop.received` is set (a StopSignal). Returns whether
    the run is finished (its last generation done).
    """
    scenario, compiled = exp.scenario, exp.compiled
    ga, record, root = scenario.ga, scenario.record, scenario.seed
    hof = make_hall_of_fame()
    if checkpoint is None:
        first, pop, fitness, next_id = 0, None, None, ga.population
    else:
        first = checkpoint["generation"] + 1
        pop = Population(*(checkpoint["population"][k] for k in Population._fields))
        fitness, next_id = checkpoint["fitness"], checkpoint["next_id"]
        saved = checkpoint["hall_of_fame"]
        update_hall_of_fame(hof, saved["genomes"], saved["ids"], saved["fitness"])

    last = compiled.total_generations - 1 if stop_after is None else stop_after
    done = first - 1  # the last generation run whole
    for generation in range(first, last + 1):
        tic = time.perf_counter()
        phase_index = compiled.phase_at(generation)
        phase_name = compiled.phase_names[phase_index]
        if pop is None:
            pop = initial_population(compiled.layout, ga.population, seeds.init_rng(root))
        else:
            pop = next_generation(pop, fitness, ga, compiled.layout, exp.toolbox,
                                  seeds.breeding_seed(root, generation - 1), next_id)
            next_id += int((~pop.elite).sum())
        episode_seeds = seeds.episode_seeds(root, generation, ga.episodes)
        params = compiled.decode(pop.genomes)
        returns, cells = exp.evaluate(params, phase_index, episode_seeds)
        with np.errstate(over="ignore", invalid="ignore"):  # check_finite says it better
            base = returns.base.mean(axis=1)
            fitness = base - ga.speed_prior * cells
        check_finite(fitness, returns, generation)
        alignments = [exp.alignment(params.reward, i) for i in range(len(compiled.worlds))]

        crosseval = (generation % record.crosseval_every == 0
                     or generation in compiled.phase_last)
        # Individuals are also written wherever they are cross-evaluated, so the analysis
        # always has the genes (reward alignment, proxies) of a cross-evaluated population.
        if generation % record.individuals_every == 0 or crosseval:
            run.append_rows("individuals.csv",
                            individual_rows(exp, generation, phase_name, pop, returns, fitness,
                                            cells, alignments[phase_index]))
        if crosseval:
            run.append_rows("crosseval.csv", crosseval_rows(exp, generation, phase_name, pop))
        update_hall_of_fame(hof, pop.genomes, pop.ids, fitness)
        run.append_rows("generations.csv", generation_row(
            exp, generation, phase_name, fitness, base, returns, params, cells, alignments,
            phase_index, time.perf_counter() - tic))
        # Durable in the background (rows, checkpoint, meta.json) while the next generation
        # computes; `run.flush()` and `run.close()` wait for it.
        run.save_checkpoint({
            "generation": generation, "population": pop._asdict(), "fitness": fitness,
            "next_id": next_id, "hall_of_fame": hall_of_fame_state(hof),
        })
        done = generation
        if progress is not None:
            progress(generation, phase_name, float(fitness.mean()))
        if stop is not None and stop.received is not None:
            break
    # A stop asked for during the last generation still leaves a finished run: done.
    finished = done == compiled.total_generations - 1
    if finished:
        run.write_meta(status="done", ended=now())
    run.close()
    return finished


def check_finite(fitness, returns, generation) -> None:
    """Refuse to select on a non-finite fitness: it would silently poison the ranking."""
    if not np.all(np.isfinite(fitness)) or not np.all(np.isfinite(returns.mesa)):
        raise UserError(f"generation {generation}: non-finite fitness or return; "
                        "check object values and feature weights")


def default_run_dir(scenario) -> Path:
    """Where a run goes without --out: runs/<scenario>-seed<seed>, always inside runs/ (the
    name reduced to letters, digits, `.`, `_` and `-`, starting with neither `.` nor `-`)."""
    name = re.sub(r"[^A-Za-z0-9._-]", "-", scenario.name).lstrip(".-") or "run"
    return RUNS / f"{name}-seed{scenario.seed}"


def start(source: str, overrides, out: Path | None, force: bool = False,
          quiet: bool = False, stop_after: int | None = None) -> Path:
    """Load a scenario and run it into a fresh run directory; returns the directory."""
    return run_scenario(load_scenario(source, overrides), out, force, quiet, stop_after)


def run_scenario(scenario, out: Path | None, force: bool = False, quiet: bool = False,
                 stop_after: int | None = None, words: Wording = CLI_WORDS) -> Path:
    """Run a validated scenario into a fresh run directory; returns the directory (messages
    name the caller's options in `words`)."""
    exp = Experiment(compile_scenario(scenario))
    memory.check(exp.compiled)
    out = Path(out) if out is not None else default_run_dir(scenario)
    run = RunDir.create(out, scenario.to_toml(), scenario.seed,
                        exp.compiled.columns.headers(), force, words)
    _execute(exp, run, None, stop_after, quiet, words)
    return out


def resume(path: Path, quiet: bool = False, stop_after: int | None = None,
           words: Wording = CLI_WORDS) -> Path:
    """Continue a stopped run from its checkpoint, with its own config.toml."""
    if not (Path(path) / "config.toml").is_file():
        raise UserError(f"{path}: not a run directory (no config.toml)")
    compiled = compile_scenario(load_scenario(str(Path(path) / "config.toml")))
    memory.check(compiled)
    run, checkpoint = RunDir.open_for_resume(path, compiled)
    if checkpoint is not None and checkpoint["generation"] >= compiled.total_generations - 1:
        try:
            run.write_meta(status="done")
        finally:
            run.release()
        if not quiet:
            print(f"{path}: already complete")
        return Path(path)
    _execute(Experiment(compiled), run, checkpoint, stop_after, quiet, words)
    return Path(path)


def _execute(exp: Experiment, run: RunDir, checkpoint, stop_after, quiet,
             words: Wording) -> None:
    """Run the loop with a progress bar; the run's status says how it ended.

    A signal ends the run after the current generation (`interrupted`); a write that fails
    (a full disk) or a bad number ends it at once (`failed`). Either way the checkpoint on
    disk is the last whole generation, and a resume (named in `words`) continues from it.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    done = 0 if checkpoint is None else checkpoint["generation"] + 1
    try:
        with StopSignal() as stop:
            if quiet:
                finished = run_experiment(exp, run, checkpoint, stop_after, stop=stop)
            else:
                columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TimeElapsedColumn(), TextColumn("{task.fields[status]}"))
                with Progress(*columns, transient=False) as bar:
                    task = bar.add_task(exp.scenario.name, completed=done, status="compiling...",
                                        total=exp.compiled.total_generations)

                    def advance(generation, phase_name, fitness_mean):
                        bar.update(task, completed=generation + 1,
                                   status=f"phase {phase_name}  fitness {fitness_mean:.2f}")

                    finished = run_experiment(exp, run, checkpoint, stop_after, advance,
                                              stop)
    except OSError as exc:
        _flush_quietly(run)  # what is on disk, for the message
        error = UserError(f"{run.path}: cannot write ({exc.strerror or exc}); the checkpoint "
                          f"holds generation {_last_generation(run)}: free space, then "
                          f"{words.again(run.path)}")
        _mark_failed(run, str(error))
        raise error from None
    except BaseException as exc:
        _mark_failed(run, str(exc) or type(exc).__name__)
        raise
    finally:
        run.release()
    if stop.received is not None and not finished:
        run.write_meta(status="interrupted", ended=now())
        name = signal.Signals(stop.received).name
        raise Interrupted(stop.received, f"{name}: stopped after generation "
                          f"{_last_generation(run)}; continue with "
                          f"{words.again(run.path)}")


def _last_generation(run: RunDir):
    """The last generation the run directory holds whole, or 'none'."""
    last = run.meta.get("last_generation")
    return "none" if last is None else last


def _flush_quietly(run: RunDir) -> None:
    """Let the generation in flight finish; a failure there is already being reported."""
    try:
        run.flush()
    except OSError:
        pass


def _mark_failed(run: RunDir, error: str) -> None:
    """Record a failed run and why in meta.json, if the disk still takes that much."""
    _flush_quietly(run)
    try:
        run.write_meta(status="failed", ended=now(), error=error)
    except OSError:
        pass
