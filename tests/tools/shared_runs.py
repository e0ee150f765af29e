"""Deterministic runs shared by every test of one session: each made once, then read.

A run is a function of its scenario, its overrides, where it stops and the code, so two test
files that need `evolution` seed 0 can share one. A shared run is keyed by all four (the code
by a digest of every source file of `evo/` and `agents/`, built-in scenarios included), so
no test ever reads a run that other code made. Runs live under the session's temporary root,
which pytest-xdist's workers share: the first worker to ask for a run makes it while holding
its lock, the others wait for it and read it. A shared run is read-only: a test that writes
into a run directory (a resume, damage) makes its own. Its analysis (deterministic too) is
written once into it on request (`analysed`), under the same lock.
"""

import fcntl
import hashlib
import json
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DONE = ".shared-run-done"  # written once the run is whole
ANALYSED = {False: ".shared-analysis-done", True: ".shared-analysis-plots-done"}


def source_digest(root: Path = REPO) -> str:
    """SHA-256 over the paths and bytes of every source file under `root` that can change a
    run (evo/ and agents/, their .py and .toml files)."""
    digest = hashlib.sha256()
    for package in ("evo", "agents"):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


class SharedRuns:
    """The session's shared runs under `root`, made on first use."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._code = source_digest()

    def key(self, scenario: str, overrides, stop_after) -> str:
        """The folder name of a run: its scenario, overrides and stop, and the code."""
        what = json.dumps([scenario, list(overrides), stop_after, self._code])
        return f"{Path(scenario).stem}-{hashlib.sha256(what.encode()).hexdigest()[:16]}"

    def run(self, scenario: str, overrides=(), stop_after: int | None = None) -> Path:
        """The run directory of `evo run SCENARIO --set OVERRIDES` stopped after generation
        `stop_after` (None: every generation)."""
        return self._made(scenario, list(overrides), stop_after, None)

    def analysed(self, scenario: str, overrides=(), stop_after: int | None = None,
                 plots: bool = False) -> Path:
        """`run`, analysed by `evo analyze` (with its plots and replays when `plots`)."""
        return self._made(scenario, list(overrides), stop_after, plots)

    def _made(self, scenario: str, overrides: list, stop_after, plots: bool | None) -> Path:
        """The run (and its analysis unless `plots` is None), made unless it already is."""
        from evo.analysis import analyze_run
        from evo.evolution.loop import start

        out = self.root / self.key(scenario, overrides, stop_after)
        with open(self.root / f".{out.name}.shared-lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be making this run
            if not (out / DONE).is_file():
                start(scenario, overrides, out, force=True, quiet=True, stop_after=stop_after)
                (out / DONE).write_text(f"pid {os.getpid()}\n")
            # An analysis with plots writes everything one without them does.
            if plots is not None and not any((out / ANALYSED[p]).is_file()
                                             for p in (plots, True)):
                analyze_run(out, plots=plots)
                (out / ANALYSED[plots]).write_text(f"pid {os.getpid()}\n")
        return out
