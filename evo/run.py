"""One run of the experiment: the generational loop over the phase schedule, recorded.

Per generation g (counted from 0 across phases): breed from generation g-1 (or draw the
initial population), evaluate everyone on the current phase with the generation's common
episode seeds, append the CSV rows, update the hall of fame, write the checkpoint.
Every `crosseval_every` generations, and at the last generation of each phase, the
population is also evaluated on every phase with that phase's fixed evaluation seeds.
"""

import signal
import time
from pathlib import Path

import numpy as np

from agents.codes import KINDS
from agents.genome import AgentParams, decode, make_layout
from agents.kernel import evaluate
from evo import seeds
from evo.alignment import nanmean_or_nan, weighted_pearson
from evo.environment import phase_worlds, type_frequencies
from evo.errors import Interrupted, UserError
from evo.evolve import (
    Population, hall_of_fame_state, initial_population, make_hall_of_fame, make_toolbox,
    next_generation, update_hall_of_fame,
)
from evo.outcomes import OUTCOME_COLUMNS, outcome_shares
from evo.rundir import RunDir, now
from evo.signals import StopSignal


class Experiment:
    """A scenario made ready to run: genome layout, phase worlds, toolbox, CSV columns."""

    def __init__(self, scenario):
        self.scenario = scenario
        agent = scenario.agent
        self.layout = make_layout(scenario.features, agent.weight_bound, agent.horizon_min,
                                  agent.horizon_max, agent.gamma_min, agent.gamma_max)
        self.kind = KINDS[agent.kind]
        self.worlds = phase_worlds(scenario)
        self.features = scenario.feature_matrix()
        self.values = scenario.values()
        self.intended = scenario.intended_values()
        self.terminal = np.array([obj.terminal for obj in scenario.objects], dtype=np.bool_)
        self.frequencies = [type_frequencies(scenario, p) for p in scenario.phases]
        self.toolbox = make_toolbox(scenario.ga, self.layout)
        # Seconds spent inside the kernel so far: `evo bench` sets it against the wall time
        # of generations to measure what DEAP and recording cost around the kernel.
        self.kernel_s = 0.0
        self.phase_names = [p.name for p in scenario.phases]
        self.phase_ends = np.cumsum([p.generations for p in scenario.phases]) - 1
        consumed = [f"consumed_{name}" for name in scenario.object_names]
        self.headers = {
            "generations.csv": [
                "generation", "phase", "fitness_mean", "fitness_max", "fitness_min",
                "fitness_std", "base_return_mean", "mesa_return_mean", "intended_return_mean",
                "horizon_mean", "gamma_mean", "alignment_mean",
                *[f"alignment_{name}" for name in self.phase_names],
                "cells_expanded_mean", "wall_s",
            ],
            "individuals.csv": [
                "generation", "phase", "id", "parent1", "parent2", "elite",
                *self.layout.names, "fitness", "base_return", "mesa_return",
                "intended_return", "cells_expanded", "alignment", *consumed,
                *OUTCOME_COLUMNS,
            ],
            "crosseval.csv": [
                "generation", "phase", "eval_phase", "id", "base_return", "mesa_return",
                "intended_return", "cells_expanded", *consumed,
                "aligned_twin_return", "max_horizon_base_return", "max_horizon_mesa_return",
                "max_horizon_twin_return",
                *OUTCOME_COLUMNS, "intended_twin_return",
            ],
        }

    def decode(self, genomes: np.ndarray) -> AgentParams:
        """Kernel parameters of genomes (P, G)."""
        return decode(genomes, self.layout, self.features, self.values, self.kind)

    def evaluate(self, params: AgentParams, phase_index: int, episode_seeds: np.ndarray):
        """Evaluate agents on a phase; returns (Returns, cells expanded per step (P,))."""
        tic = time.perf_counter()
        returns = evaluate(params, self.worlds[phase_index], episode_seeds)
        self.kernel_s += time.perf_counter() - tic
        cells_per_step = returns.expanded.sum(axis=1) / np.maximum(returns.steps.sum(axis=1), 1)
        return returns, cells_per_step

    def outcomes(self, returns) -> np.ndarray:
        """Shares of each agent's episodes per OUTCOME_COLUMNS, (P, 3)."""
        return outcome_shares(returns, self.terminal)

    def alignment(self, reward: np.ndarray, phase_index: int) -> np.ndarray:
        """Reward alignment of internal rewards (P, T) to a phase (P,), NaN if undefined."""
        return weighted_pearson(reward, self.values, self.frequencies[phase_index])


def run_experiment(exp: Experiment, run: RunDir, checkpoint: dict | None = None,
                   stop_after: int | None = None, progress=None, stop=None) -> None:
    """Run (or continue from `checkpoint`) every generation of a scenario into `run`.

    `stop_after` ends the loop after that generation (for tests of resuming); `progress`
    is called with (generation, phase name, mean fitness) after each generation; the loop
    also ends after a generation when `stop.received` is set (a StopSignal).
    """
    scenario = exp.scenario
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

    last = scenario.total_generations - 1 if stop_after is None else stop_after
    for generation in range(first, last + 1):
        tic = time.perf_counter()
        phase_index, phase = scenario.phase_at(generation)
        if pop is None:
            pop = initial_population(exp.layout, ga.population, seeds.init_rng(root))
        else:
            pop = next_generation(pop, fitness, ga, exp.layout, exp.toolbox,
                                  seeds.breeding_seed(root, generation - 1), next_id)
            next_id += int((~pop.elite).sum())
        episode_seeds = seeds.episode_seeds(root, generation, ga.episodes)
        params = exp.decode(pop.genomes)
        returns, cells = exp.evaluate(params, phase_index, episode_seeds)
        with np.errstate(over="ignore", invalid="ignore"):  # check_finite says it better
            base = returns.base.mean(axis=1)
            fitness = base - ga.speed_prior * cells
        check_finite(fitness, returns, generation)
        alignments = [exp.alignment(params.reward, i) for i in range(len(exp.worlds))]

        crosseval = generation % record.crosseval_every == 0 or generation in exp.phase_ends
        # Individuals are also written wherever they are cross-evaluated, so the analysis
        # always has the genes (reward alignment, proxies) of a cross-evaluated population.
        if generation % record.individuals_every == 0 or crosseval:
            run.append_rows("individuals.csv",
                            individual_rows(exp, generation, phase.name, pop, params, returns,
                                            fitness, cells, alignments[phase_index]))
        if crosseval:
            run.append_rows("crosseval.csv", crosseval_rows(exp, generation, phase.name, pop))
        update_hall_of_fame(hof, pop.genomes, pop.ids, fitness)
        wall = time.perf_counter() - tic
        run.append_rows("generations.csv", [[
            generation, phase.name, fitness.mean(), fitness.max(), fitness.min(), fitness.std(),
            base.mean(), returns.mesa.mean(), returns.intended.mean(),
            params.horizon.mean(), params.gamma.mean(),
            nanmean_or_nan(alignments[phase_index]), *map(nanmean_or_nan, alignments),
            cells.mean(), round(wall, 4),
        ]])
        # Durable in the background (rows, checkpoint, meta.json) while the next generation
        # computes; `run.flush()` and `run.close()` wait for it.
        run.save_checkpoint({
            "generation": generation, "population": pop._asdict(), "fitness": fitness,
            "next_id": next_id, "hall_of_fame": hall_of_fame_state(hof),
        })
        if progress is not None:
            progress(generation, phase.name, float(fitness.mean()))
        if stop is not None and stop.received is not None:
            break
    if last == scenario.total_generations - 1 and (stop is None or stop.received is None):
        run.write_meta(status="done", ended=now())
    run.close()


def check_finite(fitness, returns, generation) -> None:
    """Refuse to select on a non-finite fitness: it would silently poison the ranking."""
    if not np.all(np.isfinite(fitness)) or not np.all(np.isfinite(returns.mesa)):
        raise UserError(f"generation {generation}: non-finite fitness or return; "
                        "check object values and feature weights")


def individual_rows(exp, generation, phase_name, pop, params, returns, fitness, cells, alignment):
    """Rows of individuals.csv: lineage, genes, fitness, returns, consumption per episode."""
    # Genes by name, with the horizon as the integer the planner really used.
    genes = pop.genomes.tolist()
    for row, horizon in zip(genes, params.horizon.tolist()):
        row[exp.layout.horizon] = horizon
    # Python lists, not numpy scalars: formatting them is the cost of a generation's CSV.
    columns = [pop.ids, pop.parents[:, 0], pop.parents[:, 1], pop.elite.astype(np.int64),
               genes, fitness, returns.base.mean(axis=1), returns.mesa.mean(axis=1),
               returns.intended.mean(axis=1), cells, alignment,
               returns.consumed.mean(axis=1), exp.outcomes(returns)]
    columns = [c if isinstance(c, list) else c.tolist() for c in columns]
    return [
        [generation, phase_name, ident, parent1, parent2, elite, *gene, fit, base, mesa,
         intended, cell, align, *consumed, *outcome]
        for (ident, parent1, parent2, elite, gene, fit, base, mesa, intended, cell, align,
             consumed, outcome) in zip(*columns)
    ]


def crosseval_rows(exp, generation, phase_name, pop):
    """Rows of crosseval.csv: the population on every phase, with fixed evaluation seeds.

    Beside each individual, on the same episodes: its aligned twin (same planner, horizon
    and gamma, rewarded by the base objective) and itself with the horizon raised to the
    maximum, which the analysis needs for the aligned-twin ratio, capability
    generalisation and the capability-boost test; and its intended twin (rewarded by the
    intended objective), whose intended return measures the outer gap.
    """
    params = exp.decode(pop.genomes)
    size = len(pop.ids)
    twin = params._replace(reward=np.tile(exp.values, (size, 1)),
                           wanders=np.zeros(size, dtype=np.bool_))
    intended_twin = twin._replace(reward=np.tile(exp.intended, (size, 1)))
    max_horizon = np.full(size, int(exp.layout.high[exp.layout.horizon]), dtype=np.int64)
    boosted = params._replace(horizon=max_horizon)
    boosted_twin = twin._replace(horizon=max_horizon)
    num_episodes = exp.scenario.record.crosseval_episodes
    rows = []
    for eval_index, eval_name in enumerate(exp.phase_names):
        eval_seeds = seeds.crosseval_seeds(exp.scenario.seed, eval_index, num_episodes)
        returns, cells = exp.evaluate(params, eval_index, eval_seeds)
        twin_base = exp.evaluate(twin, eval_index, eval_seeds)[0].base.mean(axis=1)
        boosted_returns = exp.evaluate(boosted, eval_index, eval_seeds)[0]
        boosted_base = boosted_returns.base.mean(axis=1)
        boosted_mesa = boosted_returns.mesa.mean(axis=1)
        boosted_twin_base = exp.evaluate(boosted_twin, eval_index, eval_seeds)[0].base.mean(axis=1)
        intended_twin_intended = exp.evaluate(intended_twin, eval_index, eval_seeds)[0] \
            .intended.mean(axis=1)
        consumed = returns.consumed.mean(axis=1)
        outcomes = exp.outcomes(returns)
        base, mesa, intended = (r.mean(axis=1)
                                for r in (returns.base, returns.mesa, returns.intended))
        rows += [
            [generation, phase_name, eval_name, pop.ids[i], base[i], mesa[i], intended[i],
             cells[i], *consumed[i], twin_base[i], boosted_base[i], boosted_mesa[i],
             boosted_twin_base[i], *outcomes[i], intended_twin_intended[i]]
            for i in range(size)
        ]
    return rows


def default_run_dir(scenario) -> Path:
    """Where a run goes without --out: runs/<scenario>-seed<seed>."""
    return Path("runs") / f"{scenario.name}-seed{scenario.seed}"


def start(source: str, overrides, out: Path | None, force: bool = False,
          quiet: bool = False, stop_after: int | None = None) -> Path:
    """Load a scenario and run it into a fresh run directory; returns the directory."""
    from evo.scenario import load_scenario

    scenario = load_scenario(source, overrides)
    exp = Experiment(scenario)
    out = Path(out) if out is not None else default_run_dir(scenario)
    run = RunDir.create(out, scenario.to_toml(), scenario.seed, exp.headers, force)
    _execute(exp, run, None, stop_after, quiet)
    return out


def resume(path: Path, quiet: bool = False, stop_after: int | None = None) -> Path:
    """Continue a stopped run from its checkpoint, with its own config.toml."""
    from evo.scenario import load_scenario

    run, checkpoint = RunDir.open_for_resume(path)
    scenario = load_scenario(str(Path(path) / "config.toml"))
    if checkpoint is not None and checkpoint["generation"] >= scenario.total_generations - 1:
        run.write_meta(status="done")
        if not quiet:
            print(f"{path}: already complete")
        return Path(path)
    _execute(Experiment(scenario), run, checkpoint, stop_after, quiet)
    return Path(path)


def _execute(exp: Experiment, run: RunDir, checkpoint, stop_after, quiet) -> None:
    """Run the loop with a progress bar; the run's status says how it ended.

    A signal ends the run after the current generation (`interrupted`); a write that fails
    (a full disk) or a bad number ends it at once (`failed`). Either way the checkpoint on
    disk is the last whole generation, and `--resume` continues from it.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    done = 0 if checkpoint is None else checkpoint["generation"] + 1
    try:
        with StopSignal() as stop:
            if quiet:
                run_experiment(exp, run, checkpoint, stop_after, stop=stop)
            else:
                columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TimeElapsedColumn(), TextColumn("{task.fields[status]}"))
                with Progress(*columns, transient=False) as bar:
                    task = bar.add_task(exp.scenario.name, completed=done, status="compiling...",
                                        total=exp.scenario.total_generations)

                    def advance(generation, phase_name, fitness_mean):
                        bar.update(task, completed=generation + 1,
                                   status=f"phase {phase_name}  fitness {fitness_mean:.2f}")

                    run_experiment(exp, run, checkpoint, stop_after, advance, stop)
    except OSError as exc:
        _flush_quietly(run)  # what is on disk, for the message
        error = UserError(f"{run.path}: cannot write ({exc.strerror or exc}); the checkpoint "
                          f"holds generation {_last_generation(run)}: free space, then "
                          f"`evo run {run.path} --resume`")
        _mark_failed(run, str(error))
        raise error from None
    except BaseException as exc:
        _mark_failed(run, str(exc) or type(exc).__name__)
        raise
    if stop.received is not None:
        run.write_meta(status="interrupted", ended=now())
        name = signal.Signals(stop.received).name
        raise Interrupted(stop.received, f"{name}: stopped after generation "
                          f"{_last_generation(run)}; continue with "
                          f"`evo run {run.path} --resume`")


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
