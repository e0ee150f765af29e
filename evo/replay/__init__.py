"""Replays: watch one evolved agent play an episode, as a GIF or as text.

`replay(run_dir, ...)` picks a recorded individual of a run (by default the elite of the last
generation of the first phase) and replays it on a phase's evaluation episode, or on every
phase side by side; `draw.gif` and `draw.ascii_frames` turn the episodes into pictures.
"""

from pathlib import Path

import numpy as np

from evo.errors import UserError
from evo.replay.draw import ascii_frames, gif
from evo.replay.episode import Episode, episode
from evo.store.read import load_run

__all__ = ["Episode", "ascii_frames", "gif", "replay", "replay_run"]


def replay(run_dir, generation: int | None = None, individual="elite", phase=None,
           k: int = 0) -> list[Episode]:
    """The episodes of one individual of a run: on `phase` (a name, None for the phase it
    lived in, or "all" for every phase), evaluation episode k."""
    return replay_run(load_run(Path(run_dir)), generation, individual, phase, k)


def replay_run(run, generation: int | None = None, individual="elite", phase=None,
               k: int = 0) -> list[Episode]:
    """`replay` of a run already loaded (`evo.store.read.load_run`)."""
    compiled = run.compiled
    if generation is None:
        generation = min(int(compiled.phase_last[compiled.evolved[0]]), run.last_generation)
    rows = run.individuals[run.individuals.generation == generation]
    if rows.empty:
        recorded = sorted(set(run.individuals.generation))
        nearest = min(recorded, key=lambda g: abs(g - generation))
        raise UserError(f"{run.path}: generation {generation} has no individuals recorded "
                        f"(the nearest recorded is {nearest})")
    if individual == "elite":
        row = rows.loc[rows.fitness.idxmax()]  # the first of equals: the previous elites
    else:
        chosen = rows[rows.id == int(individual)]
        if chosen.empty:
            raise UserError(f"{run.path}: no individual {individual} in generation "
                            f"{generation}")
        row = chosen.iloc[0]
    genome = row[list(compiled.layout.names)].to_numpy(dtype=np.float64)
    lived = str(row.phase)
    if phase == "all":
        phases = list(compiled.phase_names)
    else:
        phases = [lived if phase is None else phase]
    unknown = [p for p in phases if p not in compiled.phase_names]
    if unknown:
        raise UserError(f"--phase: unknown phase {unknown[0]!r} (phases: "
                        f"{', '.join(compiled.phase_names)}, or all)")
    return [episode(compiled, genome, compiled.phase_index(p), k, generation, int(row.id))
            for p in phases]
