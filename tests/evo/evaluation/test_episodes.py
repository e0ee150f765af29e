"""One evaluation for the loop, the analysis and the replay: the same episodes, the same
twins, and flags forced without changing anything else."""

import numpy as np

from evo.evaluation import evaluation_seeds, forced, on_phase, twins
from evo.evolution.loop import start
from evo.replay import replay
from evo.scenario import compile_scenario, load_scenario
from evo.store.read import load_run
from tests.evo.helpers import TINY


def test_the_loop_the_analysis_and_the_replay_play_the_same_episodes(tmp_path):
    """Re-evaluating the recorded genomes of a cross-evaluated generation on each phase
    gives crosseval.csv's returns and twin returns exactly, and the replay's episode k is
    evaluation episode k of that phase."""
    out = start("evolution", TINY, tmp_path, quiet=True)
    run = load_run(out)
    spec, cross, ind = run.compiled, run.crosseval, run.individuals
    generation = int(cross.generation.max())
    genes = ind[ind.generation == generation].sort_values("id")
    params = spec.decode(genes[list(spec.layout.names)].to_numpy(np.float64))
    twin = twins(spec, params)
    for k, phase in enumerate(spec.phase_names):
        rows = cross[(cross.generation == generation) & (cross.eval_phase == phase)]
        rows = rows.sort_values("id")
        assert rows.id.tolist() == genes.id.tolist()
        np.testing.assert_array_equal(on_phase(spec, params, k).base.mean(axis=1),
                                      rows.base_return)
        np.testing.assert_array_equal(on_phase(spec, twin.aligned, k).base.mean(axis=1),
                                      rows.aligned_twin_return)
        np.testing.assert_array_equal(on_phase(spec, twin.intended, k).intended.mean(axis=1),
                                      rows.intended_twin_return)
    elite = replay(out, generation=generation, individual=int(genes.id.iloc[0]), k=1)[0]
    alone = params._replace(**{f: getattr(params, f)[:1] for f in params._fields
                               if getattr(params, f) is not None})
    seed = evaluation_seeds(spec.scenario, spec.phase_index(elite.phase))[1:2]
    assert elite.trace.base == on_phase(spec, alone, spec.phase_index(elite.phase),
                                        seed).base[0, 0]


def test_a_forced_flag_changes_that_flag_only():
    """Forcing the inspection cue on sets its bit in the default placement's mask and every
    variant's, forcing it off clears them; every other field of the world is the same."""
    spec = compile_scenario(load_scenario("inspection"))
    world = spec.worlds[0]
    flag = spec.flag_names.index("inspected")
    on, off = forced(world, flag, True), forced(world, flag, False)
    assert on.flags >> flag & 1 and not off.flags >> flag & 1
    assert (on.variant_flags >> flag & 1).all() and not (off.variant_flags >> flag & 1).any()
    for name in world._fields:
        if name not in ("flags", "variant_flags"):
            assert np.array_equal(getattr(on, name), getattr(world, name)), name
            assert np.array_equal(getattr(off, name), getattr(world, name)), name
    # Both directions change something: the default placement has no cue, the variant has.
    assert not world.flags >> flag & 1 and (world.variant_flags >> flag & 1).all()
