"""The session's shared runs: one run per scenario, overrides, stop and code, made once."""

import json
import multiprocessing
import shutil
from pathlib import Path

from tests.evo.helpers import TINY
from tests.tools.shared_runs import DONE, REPO, SharedRuns, source_digest


def test_a_run_is_keyed_by_what_it_ran_and_by_the_code(tmp_path):
    """Another scenario, another override, another stop or a change to any source file of
    evo/ or agents/ (a built-in scenario included) is another run: no test reads a run that
    other code made."""
    runs = SharedRuns(tmp_path / "runs")
    key = runs.key("evolution", TINY, None)
    assert key == runs.key("evolution", list(TINY), None)
    assert len({key, runs.key("coinrun", TINY, None), runs.key("evolution", TINY[:-1], None),
                runs.key("evolution", TINY, 2)}) == 4
    copy = tmp_path / "copy"
    for package in ("evo", "agents"):
        shutil.copytree(REPO / package, copy / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    assert source_digest(copy) == source_digest()
    builtin = copy / "evo" / "scenario" / "builtins" / "evolution.toml"
    builtin.write_text(builtin.read_text() + "\n")
    assert source_digest(copy) != source_digest()


def _ask(root: str, answer: str, start) -> None:
    """In a worker process: wait for the start, ask for the shared TINY run, write its path."""
    start.wait()
    path = SharedRuns(root).run("evolution", TINY, stop_after=2)
    Path(answer).write_text(str(path))


def test_two_workers_asking_at_once_get_one_run(tmp_path):
    """Two processes that ask for the same run in the same moment (as two pytest-xdist
    workers do) get the same directory, made once: had both made it, the second `evo run`
    would have been refused (one writer per directory) or would have replaced the first's
    marker. It is whole (done marker, last generation 2), and asked again it is read."""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    answers = [tmp_path / f"answer{i}" for i in range(2)]
    workers = [context.Process(target=_ask, args=(str(tmp_path), str(answer), start))
               for answer in answers]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join()
    assert [worker.exitcode for worker in workers] == [0, 0]
    paths = {answer.read_text() for answer in answers}
    [path] = paths
    made_by = (tmp_path / path / DONE).read_text()
    assert made_by.startswith("pid ")
    meta = json.loads((tmp_path / path / "meta.json").read_text())
    assert meta["last_generation"] == 2
    # Asked again, it is read, not made: the marker is the first maker's.
    assert SharedRuns(tmp_path).run("evolution", TINY, stop_after=2) == tmp_path / path
    assert (tmp_path / path / DONE).read_text() == made_by
