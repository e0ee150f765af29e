"""Refactoring guard: every built-in scenario's run and analysis, byte for byte.

    python -m tests.tools.same_bytes write DIR     # run every built-in scenario, seeds 0 and 1
    python -m tests.tools.same_bytes compare A B   # exit 1 unless A and B hold the same bytes

`write` runs each built-in scenario as shipped (seeds 0 and 1) into DIR/<scenario>-seed<s>
and analyses it (no plots). `compare` checks every CSV and summary.json of two such
directories, ignoring only what cannot repeat: the `wall_s` column of generations.csv and
the run's own path inside summary.json. Run `write` on the commit before a refactoring and
on the refactored one, then `compare`. Names that a refactoring renamed on purpose (RENAMED)
are read in their new spelling on both sides, so nothing else may differ.
"""

import json
import sys
from pathlib import Path

SEEDS = (0, 1)
# Output names renamed on purpose, old -> new: the one spelling of the code and the docs.
RENAMED = {b"behavioral_alignment": b"behavioural_alignment",
           b",view,": b",view_radius,"}  # the reactive gene of agent.view_radius
FILES = ("generations.csv", "individuals.csv", "crosseval.csv", "drift.csv", "classes.csv",
         "lineage.csv", "summary.json")


def write(folder: Path) -> None:
    """Run and analyse every built-in scenario for each seed into `folder`."""
    from evo.analysis import analyze_run
    from evo.evolution.loop import start
    from evo.scenario import list_scenarios

    for name, _ in list_scenarios():
        for seed in SEEDS:
            out = folder / f"{name}-seed{seed}"
            start(name, [f"seed={seed}"], out, force=True, quiet=True)
            analyze_run(out, plots=False)
            print(out, flush=True)


def normalised(path: Path) -> bytes:
    """A file's bytes without what legitimately differs between two runs, in today's names."""
    data = path.read_bytes()
    for old, new in RENAMED.items():
        data = data.replace(old, new)
    if path.name == "generations.csv":
        lines = data.decode("utf-8").splitlines()
        assert lines[0].endswith(",wall_s"), path
        return "\n".join(line.rsplit(",", 1)[0] for line in lines).encode()
    if path.name == "summary.json":
        summary = json.loads(data)
        summary["run"].pop("path")
        return json.dumps(summary, sort_keys=True).encode()
    return data


def compare(a: Path, b: Path) -> int:
    """0 when every run of `a` has the same files as in `b`; prints each difference."""
    runs = sorted(p.name for p in a.iterdir() if p.is_dir())
    if runs != sorted(p.name for p in b.iterdir() if p.is_dir()) or not runs:
        print(f"different runs: {runs} vs {sorted(p.name for p in b.iterdir())}")
        return 1
    differ = 0
    for run in runs:
        for name in FILES:
            if normalised(a / run / name) != normalised(b / run / name):
                print(f"differs: {run}/{name}")
                differ += 1
    print(f"{len(runs)} runs x {len(FILES)} files compared: {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    command, *paths = sys.argv[1:]
    if command == "write":
        write(Path(paths[0]))
    else:
        raise SystemExit(compare(Path(paths[0]), Path(paths[1])))
