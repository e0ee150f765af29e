"""DEAP's variation operators, drawing from a generator they are given, not the global one.

DEAP's `selTournament`, `cxBlend` and `mutGaussian` draw from the process-wide `random`
module, which any other thread of the process may draw from too (dask's workers do: back-off
and jitter), silently changing a population. These are the same operators, call for call and
draw for draw, on a private `random.Random` seeded per generation, so breeding gives the same
bytes as DEAP's own with the global generator seeded alike, whatever else runs.
"""

import random
from operator import attrgetter


def sel_tournament(individuals, k: int, tournsize: int, rng: random.Random) -> list:
    """DEAP's selTournament: k times, the fittest of `tournsize` drawn with replacement (the
    first of equals)."""
    chosen = []
    for _ in range(k):
        aspirants = [rng.choice(individuals) for _ in range(tournsize)]
        chosen.append(max(aspirants, key=attrgetter("fitness")))
    return chosen


def cx_blend(ind1, ind2, alpha: float, rng: random.Random) -> tuple:
    """DEAP's cxBlend, in place: each gene pair mixed by its own gamma in [-alpha, 1 + alpha]."""
    for i, (x1, x2) in enumerate(zip(ind1, ind2)):
        gamma = (1. + 2. * alpha) * rng.random() - alpha
        ind1[i] = (1. - gamma) * x1 + gamma * x2
        ind2[i] = gamma * x1 + (1. - gamma) * x2
    return ind1, ind2


def mut_gaussian(individual, mu: float, sigma, indpb: float, rng: random.Random) -> tuple:
    """DEAP's mutGaussian, in place: each gene, with probability indpb, plus N(mu, sigma_i)."""
    for i, s in enumerate(sigma[:len(individual)]):
        if rng.random() < indpb:
            individual[i] += rng.gauss(mu, s)
    return individual,
