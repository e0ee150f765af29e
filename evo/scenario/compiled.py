"""A validated scenario compiled, once, into every array the rest of basemesa reads.

The kernel's per-phase worlds, the generational loop's genome layout and decoding, the
analysis's type frequencies and the CSV columns all come from one `CompiledScenario`;
nothing downstream reads the scenario's tables to build an array of its own.
"""

from typing import NamedTuple

import numpy as np

from agents.codes import LAYOUTS, REGIONS, STARTS, VARIATIONS
from agents.genome import AgentParams, GenomeLayout
from agents.kinds import KINDS, AgentKind, decode
from agents.world import WorldSpec, allows, make_world_spec
from evo.scenario import seeds
from evo.scenario.model import Scenario
from evo.scenario.records import Columns, declare


class CompiledScenario(NamedTuple):
    """A scenario as arrays: K phases, T object types, F features, G genes."""

    scenario: Scenario  # the validated model: GA, recording and agent settings
    phase_names: tuple[str, ...]  # (K,)
    object_names: tuple[str, ...]  # (T,)
    feature_names: tuple[str, ...]  # (F,)
    features: np.ndarray  # (T, F) float64: observable features phi of each type
    values: np.ndarray  # (T,) float64: the base objective per type
    intended: np.ndarray  # (T,) float64: what the designer meant per type
    terminal: np.ndarray  # (T,) bool: consuming one ends the episode
    flag_names: tuple[str, ...]  # (K,): the flags, bit k of a mask (agents.world)
    flag_values: np.ndarray  # (K, T) float64: added to `values` while flag k is on
    flag_intended: np.ndarray  # (K, T) float64: added to `intended` while flag k is on
    worlds: tuple[WorldSpec, ...]  # (K,): each phase's environment, as the kernel takes it
    counts: np.ndarray  # (K, T) float64: objects placed per episode, variants averaged
    frequencies: np.ndarray  # (K, T) float64: type frequencies q of each phase
    phase_first: np.ndarray  # (K,) int64: first generation of each phase
    phase_last: np.ndarray  # (K,) int64: last generation of each phase
    kind: AgentKind
    layout: GenomeLayout
    columns: Columns

    @property
    def total_generations(self) -> int:
        """Generations summed over all phases."""
        return int(self.phase_last[-1]) + 1

    @property
    def evolved(self) -> list[int]:
        """Indices of the phases evolution runs in (the others are evaluation-only)."""
        return [k for k in range(len(self.phase_names))
                if self.phase_last[k] >= self.phase_first[k]]

    @property
    def weight_columns(self) -> list[str]:
        """The reward-weight genes `w_<feature>` (a list, to index DataFrames with)."""
        return list(self.layout.names[self.layout.weights])

    @property
    def flag_weight_columns(self) -> list[str]:
        """The genes `w_<feature>_if_<flag>` of the flags' reward terms (none without flags)."""
        return list(self.layout.names[self.layout.flag_weights])

    @property
    def consumed_columns(self) -> list[str]:
        """The `consumed_<type>` columns of individuals.csv and crosseval.csv."""
        return list(self.columns.consumed)

    @property
    def horizon_max(self) -> int:
        """The largest planning horizon a genome can encode."""
        return int(self.layout.high[self.layout.index("horizon")])

    def phase_at(self, generation: int) -> int:
        """The index of the phase that generation `generation` (from 0) runs in (never an
        evaluation-only phase: its empty range ends where the previous phase's does, and
        the search finds the first phase whose range reaches the generation)."""
        if not 0 <= generation < self.total_generations:
            raise ValueError(f"generation {generation} is outside "
                             f"0..{self.total_generations - 1}")
        return int(np.searchsorted(self.phase_last, generation))

    def phase_index(self, name: str) -> int:
        """The index of a phase by name."""
        return self.phase_names.index(name)

    def alignment_column(self, phase: str) -> str:
        """The generations.csv column of the population's reward alignment to a phase."""
        return self.columns.alignment[self.phase_index(phase)]

    def decode(self, genomes: np.ndarray) -> AgentParams:
        """Kernel parameters of genomes (P, G) of the scenario's agent kind."""
        return decode(self.kind, genomes, self.layout, self.features, self.values,
                      self.flag_values)

    def rewards(self, genomes: np.ndarray) -> np.ndarray:
        """The internal reward R (P, T) that genomes (P, G) carry with no flag on (NaN genes
        give NaN)."""
        return self.kind.reward(genomes, self.layout, self.features, self.values)

    def flag_rewards(self, genomes: np.ndarray) -> np.ndarray:
        """What each flag adds to the internal reward of genomes (P, G): (P, K, T)."""
        return self.kind.flag_reward(genomes, self.layout, self.features, self.flag_values)

    def consumable(self, flags: int) -> np.ndarray:
        """Which types (T,) the flags `flags` (a mask) let an agent consume."""
        world = self.worlds[0]  # requires and blocked_by belong to the types, in every phase
        return np.array([allows(flags, world.requires[t], world.blocked_by[t])
                         for t in range(len(self.values))], dtype=np.bool_)

    @property
    def context_flags(self) -> list[int]:
        """The flags that only placements set (no onset, no type sets or clears them): the
        context an episode is played in, such as an inspection's cue."""
        changing = int(np.bitwise_or.reduce(
            [0, *(w.sets[t] | w.clears[t] for w in self.worlds for t in range(len(w.sets)))]))
        return [k for k, flag in enumerate(self.scenario.flags)
                if flag.onset == 0 and not changing >> k & 1]


def compile_scenario(scenario: Scenario) -> CompiledScenario:
    """Every array of a validated scenario, built once."""
    objects = [obj.name for obj in scenario.objects]
    features = np.zeros((len(objects), len(scenario.features)), dtype=np.float64)
    for t, obj in enumerate(scenario.objects):
        for feature, amount in obj.features.items():
            features[t, scenario.features.index(feature)] = amount
    values = np.array([obj.value for obj in scenario.objects], dtype=np.float64)
    intended = np.array([obj.intended for obj in scenario.objects], dtype=np.float64)
    terminal = np.array([obj.terminal for obj in scenario.objects], dtype=np.bool_)
    counts = np.array([phase_counts(phase, objects) for phase in scenario.phases])
    lengths = np.array([phase.generations for phase in scenario.phases], dtype=np.int64)
    last = np.cumsum(lengths) - 1
    flag_names = tuple(flag.name for flag in scenario.flags)
    flag_values, flag_intended = (
        np.array([[getattr(obj, field).get(k, 0.0) for obj in scenario.objects]
                  for k in flag_names], dtype=np.float64).reshape(len(flag_names), len(objects))
        for field in ("value_if", "intended_if"))
    kind = KINDS[scenario.agent.kind]
    layout = kind.genes(scenario.features, scenario.agent.model_dump(), flags=flag_names)
    phase_names = tuple(phase.name for phase in scenario.phases)
    worlds = tuple(phase_world(scenario, k, objects, values, intended, terminal, flag_values,
                               flag_intended) for k in range(len(scenario.phases)))
    return CompiledScenario(
        scenario, phase_names, tuple(objects), tuple(scenario.features), features, values,
        intended, terminal, flag_names, flag_values, flag_intended, worlds, counts,
        counts / counts.sum(axis=1, keepdims=True),
        last - lengths + 1, last, kind, layout, declare(phase_names, objects, layout.names))


def placement_counts(placement, objects: list[str]) -> np.ndarray:
    """Objects of each type one placement (a phase's default or a variant) puts down (T,)."""
    return np.array([placement.counts.get(name, 0) for name in objects], dtype=np.int64)


def phase_counts(phase, objects: list[str]) -> np.ndarray:
    """Objects of each type a phase places per episode, averaged over its variants (T,)."""
    counts = np.zeros(len(objects), dtype=np.float64)
    for share, placement in phase.placements():
        counts += share * placement_counts(placement, objects)
    return counts


def placement_arrays(placement, objects: list[str]):
    """Counts, region codes and region arguments (each (T,) int64) of a phase or variant;
    the region strings are already validated (`adjacent:<type>` names a known type)."""
    region = np.zeros(len(objects), dtype=np.int64)
    region_arg = np.full(len(objects), -1, dtype=np.int64)
    for name, text in placement.regions.items():
        code, _, target = text.partition(":")
        t = objects.index(name)
        region[t] = REGIONS[code]
        region_arg[t] = objects.index(target) if target else -1
    return placement_counts(placement, objects), region, region_arg


def mask(names, flags: list[str]) -> int:
    """The bit mask of some flags (names) among the scenario's flags (in order)."""
    return sum(1 << flags.index(name) for name in set(names))


def phase_world(scenario, k, objects, values, intended, terminal, flag_values,
                flag_intended) -> WorldSpec:
    """The environment distribution of phase k, as the kernel takes it."""
    phase = scenario.phases[k]
    counts, region, region_arg = placement_arrays(phase, objects)
    variants = [placement_arrays(variant, objects) for variant in phase.variants]
    world = scenario.world
    flags = [flag.name for flag in scenario.flags]

    def per_type(field):
        return [mask(getattr(obj, field), flags) for obj in scenario.objects]

    return make_world_spec(
        world.height, world.width, LAYOUTS[world.layout], world.wall_density,
        world.episode_steps, STARTS[world.start], value=values, intended=intended,
        terminal=terminal, counts=counts, region=region, region_arg=region_arg,
        respawn=[name in phase.respawn for name in objects],
        maze_openings=world.maze_openings, barrier_density=world.barrier_density,
        fixed_walls=world.map_walls(),
        variant_share=[variant.share for variant in phase.variants],
        variant_counts=[v[0] for v in variants] or None,
        variant_region=[v[1] for v in variants] or None,
        variant_region_arg=[v[2] for v in variants] or None,
        flags=mask(phase.flags, flags),
        variant_flags=[mask(variant.flags, flags) for variant in phase.variants],
        onset=[flag.onset for flag in scenario.flags], sets=per_type("sets"),
        clears=per_type("clears"), requires=per_type("requires"),
        blocked_by=per_type("blocked_by"), value_if=flag_values,
        intended_if=flag_intended, variation=VARIATIONS[world.variation],
        world_seed=seeds.world_seed(scenario.seed, k),
    )
