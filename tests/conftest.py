"""Fixtures every test folder may use, and the numba cache filled before the tests start."""

import os

import pytest

# Tests run more processes than cores (xdist workers, their pools, SLURM jobs): OpenMP threads
# that spin while they wait for the next parallel region would burn the cores the others
# need. Set before numba starts its threads; `evo` subprocesses inherit it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from tests.tools.shared_runs import SharedRuns


def pytest_sessionstart(session):
    """Compile the kernel once, before pytest-xdist starts its workers (this hook runs first
    in the controlling process): a fresh clone's empty numba cache would otherwise be
    compiled anew by every worker and every `evo` subprocess started before it is written."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from agents.kernel import evaluate, run_episode_traced
    from evo.bench.workload import generation_zero
    from evo.scenario import load_scenario

    # `emergence` plays both machines that search or react (its kind is `mixed`).
    compiled, params, seeds = generation_zero(load_scenario("emergence", ["ga.population=8"]))
    evaluate(params, compiled.worlds[0], seeds[:1])
    for agent in range(len(params.machine)):
        run_episode_traced(params, agent, compiled.worlds[0], int(seeds[0]))


def pytest_collection_modifyitems(config, items):
    """The order pytest-xdist hands modules out in: the cluster tests first, then the
    statistical ones, then the rest. The SLURM tests mostly wait for their jobs and are the
    longest module: started last, they would finish long after the others; the statistical
    ones are the next longest."""
    items.sort(key=lambda item: (item.get_closest_marker("cluster") is None,
                                 item.get_closest_marker("slow") is None))


@pytest.fixture(scope="session")
def shared_runs(tmp_path_factory) -> SharedRuns:
    """The session's deterministic runs, made once and read by every test that asks
    (`SharedRuns.run`); pytest-xdist's workers share them through their common root."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return SharedRuns(root / "shared-runs")
