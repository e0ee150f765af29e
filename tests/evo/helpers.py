"""Helpers for tests that run `evo` for real."""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# A five-generation `evolution` run that takes a second or two.
TINY = [
    "ga.population=12", "ga.episodes=2", "ga.elite=2",
    "phases.ancestral.generations=3", "phases.modern.generations=2",
    "record.crosseval_every=2", "record.crosseval_episodes=3", "world.episode_steps=20",
]


def evo_env() -> dict:
    """The environment of an `evo` subprocess that imports this checkout."""
    return {**os.environ, "PYTHONPATH": str(REPO)}


def evo_args(*args) -> list:
    """The argv of the real `evo` command."""
    return [sys.executable, "-m", "evo", *args]


def set_args(overrides) -> list:
    """`--set` arguments for a list of overrides."""
    return [arg for item in overrides for arg in ("--set", item)]


def csv_bytes(path: Path) -> dict:
    """Each CSV's bytes, with the wall-clock column (last in generations.csv) cut off."""
    files = {}
    for name in ("generations.csv", "individuals.csv", "crosseval.csv"):
        lines = (path / name).read_text().splitlines()
        if name == "generations.csv":
            assert lines[0].endswith(",wall_s")
            lines = [line.rsplit(",", 1)[0] for line in lines]
        files[name] = "\n".join(lines)
    return files


def assert_real_plot(path: Path) -> None:
    """A PNG drawn from data: it decodes, is at least 500 x 300 pixels, and at least 1000 of
    its pixels are coloured (data is drawn in colour; empty axes with their grey text and
    ticks have none)."""
    import matplotlib.image

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
    image = matplotlib.image.imread(path)[..., :3]
    assert image.shape[0] >= 300 and image.shape[1] >= 500, path
    coloured = (image.max(axis=2) - image.min(axis=2)) > 0.2
    assert coloured.sum() >= 1000, path


def sweep_text(overrides, seeds=(0,)) -> str:
    """A sweep file of `evolution` with these overrides shared by every point (the last value
    of a key wins), over `seeds`."""
    shared = dict(item.split("=", 1) for item in overrides)
    return (f'scenario = "evolution"\nseeds = {list(seeds)}\n[set]\n'
            + "".join(f'"{key}" = {value}\n' for key, value in shared.items()))
