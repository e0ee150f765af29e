"""From a validated scenario to the kernel's arrays: one WorldSpec per phase."""

import numpy as np

from agents.codes import LAYOUTS, STARTS
from agents.world import WorldSpec, make_world_spec, parse_region


def placement_arrays(scenario, placement) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts, region codes and region arguments (each (T,) int64) of a phase or variant."""
    names = scenario.object_names
    region = np.zeros(len(names), dtype=np.int64)
    region_arg = np.full(len(names), -1, dtype=np.int64)
    for obj, text in placement.regions.items():
        t = names.index(obj)
        region[t], region_arg[t] = parse_region(text, names)
    return scenario.placement_counts(placement), region, region_arg


def phase_world(scenario, phase) -> WorldSpec:
    """The environment distribution of one phase of a scenario."""
    names = scenario.object_names
    counts, region, region_arg = placement_arrays(scenario, phase)
    variants = [placement_arrays(scenario, variant) for variant in phase.variants]
    world = scenario.world
    return make_world_spec(
        world.height, world.width, LAYOUTS[world.layout], world.wall_density,
        world.episode_steps, STARTS[world.start],
        value=scenario.values(),
        intended=scenario.intended_values(),
        terminal=[obj.terminal for obj in scenario.objects],
        counts=counts,
        region=region,
        region_arg=region_arg,
        respawn=[name in phase.respawn for name in names],
        maze_openings=world.maze_openings,
        barrier_density=world.barrier_density,
        fixed_walls=world.map_walls(),
        variant_share=[variant.share for variant in phase.variants],
        variant_counts=[v[0] for v in variants] or None,
        variant_region=[v[1] for v in variants] or None,
        variant_region_arg=[v[2] for v in variants] or None,
    )


def phase_worlds(scenario) -> list[WorldSpec]:
    """Every phase's WorldSpec, in schedule order."""
    return [phase_world(scenario, phase) for phase in scenario.phases]


def type_frequencies(scenario, phase) -> np.ndarray:
    """Share q_t of each object type among the objects a phase places, its variants
    weighted by their shares (T,)."""
    counts = scenario.phase_counts(phase)
    return counts / counts.sum()
