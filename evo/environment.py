"""From a validated scenario to the kernel's arrays: one WorldSpec per phase."""

import numpy as np

from agents.codes import LAYOUTS, STARTS
from agents.world import WorldSpec, make_world_spec, parse_region


def phase_world(scenario, phase) -> WorldSpec:
    """The environment distribution of one phase of a scenario."""
    names = scenario.object_names
    region = np.zeros(len(names), dtype=np.int64)
    region_arg = np.full(len(names), -1, dtype=np.int64)
    for obj, text in phase.regions.items():
        t = names.index(obj)
        region[t], region_arg[t] = parse_region(text, names)
    world = scenario.world
    return make_world_spec(
        world.height, world.width, LAYOUTS[world.layout], world.wall_density,
        world.episode_steps, STARTS[world.start],
        value=scenario.values(),
        intended=scenario.intended_values(),
        terminal=[obj.terminal for obj in scenario.objects],
        counts=scenario.phase_counts(phase),
        region=region,
        region_arg=region_arg,
        respawn=[name in phase.respawn for name in names],
    )


def phase_worlds(scenario) -> list[WorldSpec]:
    """Every phase's WorldSpec, in schedule order."""
    return [phase_world(scenario, phase) for phase in scenario.phases]


def type_frequencies(scenario, phase) -> np.ndarray:
    """Share q_t of each object type among the objects a phase places (T,)."""
    counts = scenario.phase_counts(phase).astype(np.float64)
    return counts / counts.sum()
