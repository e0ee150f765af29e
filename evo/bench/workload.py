"""The fixed workload of `evo bench`, and the agents it plays: generation 0 of `evo run`.

A 15x15 open world, 20 objects of four types, population 256, 8 episodes of 100 steps,
horizon 15 for every agent, so every machine does the same work and the CSVs of two
machines can be compared row by row. `Budget` sizes every measurement: the full workload,
or a tiny one that only keeps the benchmark from rotting.
"""

import tomllib
from dataclasses import dataclass

import numpy as np

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
    """generations of the in-process `evo.evolution` measurement"""
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
    """the whole bench should finish within this (benchmarks/README.md); None: no target"""
    cold_start: bool = True
    """time the first `evo run` with an empty numba cache (a whole compile, about 20 s of
    one core); False: with the caller's cache, as the warm one"""


FULL = Budget()
TINY = Budget(population=16, episodes=2, episode_steps=20, repeats=1, reference_agents=2,
              reference_episodes=1, reference_repeats=1, generations=3, memory_population=32,
              memory_generations=2, scaling_population=4, scaling_episodes=1, scaling_repeats=1,
              spin_rounds=20_000, max_seconds=None, cold_start=False)


def workload(budget: Budget, *overrides: str, state: bool = False):
    """The bench scenario sized by `budget`, with extra `key=value` overrides; with `state`,
    agents get thirsty (`with_state`)."""
    from evo.scenario import validate_scenario

    sized = [f"ga.population={budget.population}", f"ga.episodes={budget.episodes}",
             f"world.episode_steps={budget.episode_steps}",
             f"record.crosseval_episodes={budget.episodes}",
             f"phases.bench.generations={budget.generations}"]
    data = tomllib.loads(WORKLOAD_TOML)
    if state:
        data = with_state(data)
    return validate_scenario(data, "<bench workload>", [*sized, *overrides])


def with_state(data: dict) -> dict:
    """The workload with a state: `thirsty` comes with chance 0.1 per step, fruit cannot be
    eaten while it lasts and leaves quench it; the planner's reward gains a weight per
    feature for thirst, and a change of state is a plan event."""
    data["flags"] = [{"name": "thirsty", "onset": 0.1}]
    for obj in data["objects"]:
        if obj["name"] == "fruit":
            obj["blocked_by"] = ["thirsty"]
        if obj["name"] == "leaves":
            obj["clears"] = ["thirsty"]
    return data


def generation_zero(scenario):
    """(CompiledScenario, AgentParams, episode seeds) of generation 0 of `evo run` on a
    scenario."""
    from evo.evolution.ga import initial_population
    from evo.scenario import compile_scenario, seeds

    compiled = compile_scenario(scenario)
    pop = initial_population(compiled.layout, scenario.ga.population,
                             seeds.init_rng(scenario.seed))
    return compiled, compiled.decode(pop.genomes), seeds.episode_seeds(scenario.seed, 0,
                                                             scenario.ga.episodes)


def slice_params(params, agents):
    """The AgentParams of some agents (indices), in their order."""
    return type(params)(*(None if a is None else np.ascontiguousarray(a[agents])
                          for a in params))


def same_returns(a, b) -> bool:
    """Whether two evaluations agree on every output, to the last bit."""
    return all(np.array_equal(x, y) for x, y in zip(a, b))
