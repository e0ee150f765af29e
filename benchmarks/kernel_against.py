"""This tree's kernel against an earlier revision's, alternated in one process.

    python benchmarks/kernel_against.py REV [ROUNDS] [THREADS]   # e.g. HEAD~3 40 2

REV's `agents/` is exported with `git archive` into a temporary folder as the package
`agents_at_rev` (its imports rewritten), so both kernels run in one process on `evo bench`'s
full workloads (planners, reactive agents, planners with a state). Both must return the same
bits; then each round times both on the same work, the first of the pair alternating, so a
busy machine slows both alike. Prints agent-steps per second (best and median) and the
median of the paired new/old time ratios: a refactoring of the kernel keeps it within 1.03.
Both revisions' `AgentParams` must have the same fields in the same order.
"""

import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import numba
import numpy as np

REPO = Path(__file__).resolve().parents[1]
WORKLOADS = {"planner": ((), False), "reactive": (('agent.kind="reactive"',), False),
             "planner+state": ((), True)}


def export(revision: str, folder: Path) -> None:
    """REV's agents/ as the package agents_at_rev in `folder`, imports rewritten."""
    archive = subprocess.run(["git", "archive", revision, "agents"], cwd=REPO,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "agents").rename(folder / "agents_at_rev")
    for path in (folder / "agents_at_rev").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("from agents.", "from agents_at_rev.")
                        .replace("from agents import", "from agents_at_rev import"),
                        encoding="utf-8")


def main(revision: str, rounds: int, threads: int) -> None:
    """Time both kernels on every workload and print the table."""
    import agents.kernel as new
    from evo.bench.workload import FULL, generation_zero, same_returns, workload

    folder = Path(tempfile.mkdtemp(prefix="kernel-against-"))
    export(revision, folder)
    sys.path.insert(0, str(folder))
    import agents_at_rev.genome as old_genome
    import agents_at_rev.kernel as old

    numba.set_num_threads(threads)
    cases = {}
    for name, (overrides, state) in WORKLOADS.items():
        compiled, params, seeds = generation_zero(workload(FULL, *overrides, state=state))
        world, old_params = compiled.worlds[0], old_genome.AgentParams(*params)
        ours = new.evaluate(params, world, seeds)  # compiles, or loads the numba cache
        assert same_returns(old.evaluate(old_params, world, seeds), ours), name
        cases[name] = ({"old": (old.evaluate, old_params), "new": (new.evaluate, params)},
                       world, seeds, int(ours.steps.sum()))
    times = {(name, side): [] for name in cases for side in ("old", "new")}
    for r in range(rounds):
        for name, (plays, world, seeds, _) in cases.items():
            for side in ("old", "new") if r % 2 == 0 else ("new", "old"):
                play, params = plays[side]
                tic = time.perf_counter()
                play(params, world, seeds)
                times[name, side].append(time.perf_counter() - tic)
    print(f"{revision} (old) against this tree (new): {rounds} rounds, {threads} threads; "
          "agent-steps/s best | median")
    for name, (*_, steps) in cases.items():
        old_s, new_s = np.array(times[name, "old"]), np.array(times[name, "new"])
        ratio = new_s / old_s
        print(f"{name:14s} old {steps / old_s.min():>11,.0f} | {steps / np.median(old_s):>11,.0f}"
              f"   new {steps / new_s.min():>11,.0f} | {steps / np.median(new_s):>11,.0f}"
              f"   new/old time: paired median {np.median(ratio):.3f} "
              f"(range {ratio.min():.3f}-{ratio.max():.3f})")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20,
         int(sys.argv[3]) if len(sys.argv) > 3 else numba.config.NUMBA_NUM_THREADS)
