"""The base optimizer: DEAP's tournament selection, blend crossover and Gaussian mutation.

The population travels between generations as plain arrays (`Population`); DEAP
individuals are built only while breeding, so checkpoints and CSVs never depend on DEAP's
classes. The operators (`evo.evolution.operators`, DEAP's own draw for draw) draw from a
private generator seeded per generation from the run's root seed
(`evo.scenario.seeds.breeding_seed`), never from the process-wide `random`.
"""

import random
from typing import NamedTuple

import numpy as np
from deap import base, creator, tools

from agents.genome import GenomeLayout
from evo.evolution.operators import cx_blend, mut_gaussian, sel_tournament
from evo.store.checkpoint import HALL_OF_FAME

NO_PARENT = -1


class Population(NamedTuple):
    """One generation's individuals (P rows) with their lineage."""

    genomes: np.ndarray  # (P, G) float64
    ids: np.ndarray  # (P,) int64: unique over the run; an elite keeps its id
    parents: np.ndarray  # (P, 2) int64: parents' ids, NO_PARENT where there is none
    elite: np.ndarray  # (P,) bool: copied unchanged from the previous generation


def _deap_classes():
    """DEAP's fitness and individual classes, created once per process."""
    if not hasattr(creator, "BasemesaFitness"):
        creator.create("BasemesaFitness", base.Fitness, weights=(1.0,))
        creator.create("BasemesaIndividual", np.ndarray, fitness=creator.BasemesaFitness)
    return creator.BasemesaIndividual


def _individual(genome: np.ndarray, fitness: float, parent_ids: list):
    """A DEAP individual viewing a genome row, with its fitness and parents' ids.

    A view, not DEAP's constructor (which copies through a Python list): selection only
    reads it, and variation works on clones.
    """
    ind = genome.view(_deap_classes())
    ind.fitness = creator.BasemesaFitness((fitness,))
    ind.parent_ids = parent_ids
    return ind


def _clone(ind):
    """An offspring: a copy of the genome and the parents' ids (DEAP's deepcopy, minus the
    fitness, which the next evaluation replaces)."""
    twin = np.ndarray.copy(ind)
    twin.parent_ids = list(ind.parent_ids)
    return twin


def make_toolbox(ga, layout: GenomeLayout) -> base.Toolbox:
    """The toolbox of variation operators for a GA config."""
    toolbox = base.Toolbox()
    toolbox.register("clone", _clone)
    toolbox.register("select", sel_tournament, tournsize=ga.tournament)
    toolbox.register("mate", cx_blend, alpha=ga.blend_alpha)
    sigma = list(ga.sigma * (layout.high - layout.low))
    toolbox.register("mutate", mut_gaussian, mu=0.0, sigma=sigma, indpb=ga.indpb)
    return toolbox


def initial_population(layout: GenomeLayout, size: int, rng: np.random.Generator) -> Population:
    """Genomes drawn uniformly within the layout's bounds, without parents."""
    genomes = rng.uniform(layout.low, layout.high, size=(size, layout.size))
    return Population(
        genomes,
        np.arange(size, dtype=np.int64),
        np.full((size, 2), NO_PARENT, dtype=np.int64),
        np.zeros(size, dtype=np.bool_),
    )


def next_generation(pop: Population, fitness: np.ndarray, ga, layout: GenomeLayout,
                    toolbox: base.Toolbox, seed: int, next_id: int) -> Population:
    """Breed the next generation: elites, then tournament, crossover, mutation, clipping.

    New individuals get ids from `next_id` on; their parents are the ids they were
    selected from (two after a crossover, one otherwise).
    """
    rng = random.Random(seed)  # private: no other thread can draw from it
    individuals = [_individual(genome, fit, [ident, NO_PARENT])
                   for genome, fit, ident in zip(pop.genomes, fitness.tolist(), pop.ids.tolist())]

    # Stable sort: equal fitness keeps population order, so elites are reproducible.
    elite_idx = np.argsort(-fitness, kind="stable")[: ga.elite]
    offspring = [toolbox.clone(ind) for ind in
                 toolbox.select(individuals, len(individuals) - ga.elite, rng=rng)]
    for a, b in zip(offspring[::2], offspring[1::2]):
        if rng.random() < ga.cxpb:
            toolbox.mate(a, b, rng=rng)
            a.parent_ids = b.parent_ids = [a.parent_ids[0], b.parent_ids[0]]
    for ind in offspring:
        if rng.random() < ga.mutpb:
            toolbox.mutate(ind, rng=rng)

    num_new = len(offspring)
    genomes = np.concatenate([pop.genomes[elite_idx], np.array(offspring, dtype=np.float64)
                              .reshape(num_new, layout.size)])
    np.clip(genomes, layout.low, layout.high, out=genomes)
    return Population(
        genomes,
        np.concatenate([pop.ids[elite_idx], np.arange(next_id, next_id + num_new)]),
        np.concatenate([pop.parents[elite_idx],
                        np.array([ind.parent_ids for ind in offspring], dtype=np.int64)
                        .reshape(num_new, 2)]),
        np.concatenate([np.ones(len(elite_idx), np.bool_), np.zeros(num_new, np.bool_)]),
    )


def make_hall_of_fame(size: int = HALL_OF_FAME) -> tools.HallOfFame:
    """DEAP's hall of fame for numpy individuals (compared with numpy.array_equal)."""
    return tools.HallOfFame(size, similar=np.array_equal)


def update_hall_of_fame(hof: tools.HallOfFame, genomes: np.ndarray, ids: np.ndarray,
                        fitness: np.ndarray) -> None:
    """Offer evaluated individuals (genomes (N, G), ids and fitness (N,)) to the hall of fame."""
    if hof.maxsize and len(hof) >= hof.maxsize:
        # DEAP admits to a full hall only what beats its worst, and the worst only rises:
        # offering just those changes nothing but the cost of building the rest.
        better = np.asarray(fitness) > hof[-1].fitness.values[0]
        genomes, ids, fitness = genomes[better], ids[better], np.asarray(fitness)[better]
    candidates = []
    for genome, id_, fit in zip(genomes, np.asarray(ids).tolist(), np.asarray(fitness).tolist()):
        ind = _individual(genome, fit, [])  # the hall keeps a deep copy
        ind.id = id_
        candidates.append(ind)
    hof.update(candidates)


def hall_of_fame_state(hof: tools.HallOfFame) -> dict:
    """The hall of fame as plain arrays, for the checkpoint."""
    return {
        "genomes": np.array([np.asarray(ind, dtype=np.float64) for ind in hof]),
        "ids": np.array([ind.id for ind in hof], dtype=np.int64),
        "fitness": np.array([ind.fitness.values[0] for ind in hof], dtype=np.float64),
    }
