"""One generation's work on a compiled scenario: evaluate, measure, and name every value.

`Experiment` holds what a run needs besides its state: the compiled scenario, DEAP's
toolbox and the kernel's evaluation function (replaceable, so that `evo bench` can time it
without the domain objects knowing). The row functions name each value where it is produced;
`evo.scenario.records` lays them out in the declared columns.
"""

import numpy as np

from agents.genome import AgentParams, gene
from agents.kernel import evaluate
from agents.kinds import optimizers
from evo.evaluation import evaluation_seeds, on_phase, twins
from evo.evolution.alignment import nanmean_or_nan, weighted_pearson
from evo.evolution.ga import make_toolbox
from evo.scenario.compiled import CompiledScenario
from evo.scenario.outcomes import OUTCOME_COLUMNS, outcome_shares
from evo.scenario.records import by_name, table_rows


class Experiment:
    """A compiled scenario made ready to run: its DEAP toolbox and evaluation function."""

    def __init__(self, compiled: CompiledScenario, evaluate=evaluate):
        self.compiled = compiled
        self.scenario = compiled.scenario
        self.toolbox = make_toolbox(self.scenario.ga, compiled.layout)
        self._evaluate = evaluate  # agents.kernel.evaluate(params, world, seeds)

    def evaluate(self, params: AgentParams, phase_index: int, episode_seeds: np.ndarray):
        """Evaluate agents on a phase; returns (Returns, cells expanded per step (P,))."""
        returns = on_phase(self.compiled, params, phase_index, episode_seeds,
                           play=self._evaluate)
        cells_per_step = returns.expanded.sum(axis=1) / np.maximum(returns.steps.sum(axis=1), 1)
        return returns, cells_per_step

    def alignment(self, reward: np.ndarray, phase_index: int) -> np.ndarray:
        """Reward alignment of internal rewards (P, T) to a phase (P,), NaN if undefined."""
        return weighted_pearson(reward, self.compiled.values,
                                self.compiled.frequencies[phase_index])


def generation_row(exp, generation, phase_name, fitness, base, returns, params, cells,
                   alignments, phase_index, wall) -> list:
    """The row of generations.csv: the population's statistics this generation (`base`:
    each agent's mean base return (P,))."""
    columns = exp.compiled.columns
    values = {
        "generation": generation, "phase": phase_name, "fitness_mean": fitness.mean(),
        "fitness_max": fitness.max(), "fitness_min": fitness.min(),
        "fitness_std": fitness.std(), "base_return_mean": base.mean(),
        "mesa_return_mean": returns.mesa.mean(),
        "intended_return_mean": returns.intended.mean(),
        "horizon_mean": params.horizon.mean(), "gamma_mean": params.gamma.mean(),
        "alignment_mean": nanmean_or_nan(alignments[phase_index]),
        **dict(zip(columns.alignment, map(nanmean_or_nan, alignments))),
        "cells_expanded_mean": cells.mean(),
        "optimizer_share": optimizers(params.machine).mean(), "wall_s": round(wall, 4),
    }
    return table_rows(columns.generations, values, 1)


def individual_rows(exp, generation, phase_name, pop, returns, fitness, cells,
                    alignment) -> list:
    """Rows of individuals.csv: lineage, genes, fitness, returns, consumption per episode."""
    compiled = exp.compiled
    layout = compiled.layout
    # Genes by name; an integer gene (the horizon) as the integer the agent really used.
    genes = {name: (gene(pop.genomes, layout, name) if layout.integer[j]
                    else pop.genomes[:, j]).tolist() for j, name in enumerate(layout.names)}
    # Python lists, not numpy scalars: formatting them is the cost of a generation's CSV.
    values = {
        "generation": generation, "phase": phase_name, "id": pop.ids.tolist(),
        "parent1": pop.parents[:, 0].tolist(), "parent2": pop.parents[:, 1].tolist(),
        "elite": pop.elite.astype(np.int64).tolist(), **genes, "fitness": fitness.tolist(),
        "base_return": returns.base.mean(axis=1).tolist(),
        "mesa_return": returns.mesa.mean(axis=1).tolist(),
        "intended_return": returns.intended.mean(axis=1).tolist(),
        "cells_expanded": cells.tolist(), "alignment": alignment.tolist(),
        **by_name(compiled.columns.consumed, returns.consumed.mean(axis=1)),
        **by_name(OUTCOME_COLUMNS, outcome_shares(returns, compiled.terminal)),
    }
    return table_rows(compiled.columns.individuals, values, len(pop.ids))


def crosseval_rows(exp, generation, phase_name, pop) -> list:
    """Rows of crosseval.csv: the population on every phase, with fixed evaluation seeds.

    Beside each individual, on the same episodes (`evo.evaluation.twins`): its aligned twin
    (rewarded by the base objective, flags included) and itself with the horizon raised to
    the maximum, which the analysis needs for the aligned-twin ratio, capability
    generalisation and the capability-boost test; and its intended twin (rewarded by the
    intended objective), whose intended return measures the outer gap.
    """
    compiled = exp.compiled
    params = compiled.decode(pop.genomes)
    size = len(pop.ids)
    twin = twins(compiled, params)
    rows = []
    for eval_index, eval_name in enumerate(compiled.phase_names):
        eval_seeds = evaluation_seeds(exp.scenario, eval_index)

        def mean_of(agents, field):
            """Each agent's mean `field` return on this phase's evaluation episodes."""
            return getattr(exp.evaluate(agents, eval_index, eval_seeds)[0], field).mean(axis=1)

        returns, cells = exp.evaluate(params, eval_index, eval_seeds)
        boosted_returns = exp.evaluate(twin.boosted, eval_index, eval_seeds)[0]
        values = {
            "generation": generation, "phase": phase_name, "eval_phase": eval_name,
            "id": pop.ids.tolist(), "base_return": returns.base.mean(axis=1).tolist(),
            "mesa_return": returns.mesa.mean(axis=1).tolist(),
            "intended_return": returns.intended.mean(axis=1).tolist(),
            "cells_expanded": cells.tolist(),
            **by_name(compiled.columns.consumed, returns.consumed.mean(axis=1)),
            "aligned_twin_return": mean_of(twin.aligned, "base").tolist(),
            "max_horizon_base_return": boosted_returns.base.mean(axis=1).tolist(),
            "max_horizon_mesa_return": boosted_returns.mesa.mean(axis=1).tolist(),
            "max_horizon_twin_return": mean_of(twin.boosted_aligned, "base").tolist(),
            **by_name(OUTCOME_COLUMNS, outcome_shares(returns, compiled.terminal)),
            "intended_twin_return": mean_of(twin.intended, "intended").tolist(),
        }
        rows += table_rows(compiled.columns.crosseval, values, size)
    return rows
