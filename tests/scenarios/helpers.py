"""Running built-in scenarios for the statistical tests, and reading back what they record."""

from pathlib import Path

import pandas as pd

from evo.evolution.loop import start
from evo.scenario import load_scenario

SEEDS = (0, 1, 2)

# Cross-evaluate only at the end of each phase: it changes nothing that evolution does
# (its episode seeds are its own) and is most of the cost of a short run.
QUICK = ["record.crosseval_every=100000"]


def run(tmp: Path, scenario: str, seed: int, overrides=(), until_phase: int | None = None):
    """Run a scenario quietly, stopping after the last generation of phase `until_phase`
    (all phases when None); returns the run directory."""
    overrides = [f"seed={seed}", *QUICK, *overrides]
    stop_after = None
    if until_phase is not None:
        loaded = load_scenario(scenario, overrides)
        stop_after = sum(p.generations for p in loaded.phases[: until_phase + 1]) - 1
    name = "-".join([scenario, str(seed), *overrides[len(QUICK) + 1:]]).replace("/", "_")
    return start(scenario, overrides, tmp / name, quiet=True, stop_after=stop_after)


def last_crosseval(out: Path) -> pd.DataFrame:
    """crosseval.csv rows of the last recorded generation."""
    cross = pd.read_csv(out / "crosseval.csv")
    return cross[cross.generation == cross.generation.max()]
