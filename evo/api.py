"""basemesa from Python: run, load, analyse, replay, sweep, collect and study, in a notebook or
a script.

    from evo import api
    run = api.run("evolution", seed=0, overrides=["ga.population=32"])
    run.generations.plot(x="generation", y=["fitness_mean", "mesa_return_mean"])
    analysis = api.analyze(run)
    api.replay(run, phase="all")          # writes RUN_DIR/replay.gif, returns its path

Every function does what the command of the same name does, and fails the same way: with
`api.Error` (the command line's own error), whose message is the one line the command prints,
naming this module's arguments (`resume=True`, `force=True`, `out=`) where the command
names its flags.
"""

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from evo.errors import UserError as Error
from evo.store.files import RUNS

__all__ = ["Analysis", "Error", "Run", "analyze", "collect", "load", "replay", "run", "study",
           "sweep"]


@dataclass(frozen=True)
class Run:
    """A run directory; its tables are read when first asked for (whole rows only)."""

    path: Path

    @cached_property
    def config(self) -> dict:
        """The resolved scenario (config.toml) as a dict."""
        from evo.scenario import load_scenario

        return load_scenario(str(self.path / "config.toml")).model_dump()

    @cached_property
    def meta(self) -> dict:
        """meta.json: seed, status, versions, times."""
        from evo.store.rundir import read_meta

        return read_meta(self.path)

    @cached_property
    def generations(self) -> pd.DataFrame:
        """generations.csv: one row per generation."""
        return self._table("generations.csv")

    @cached_property
    def individuals(self) -> pd.DataFrame:
        """individuals.csv: one row per individual per recorded generation."""
        return self._table("individuals.csv")

    @cached_property
    def crosseval(self) -> pd.DataFrame:
        """crosseval.csv: each cross-evaluated individual on every phase."""
        return self._table("crosseval.csv")

    def _table(self, name: str) -> pd.DataFrame:
        from evo.store.read import read_whole_lines

        return read_whole_lines(self.path / name)[0]


@dataclass
class Analysis:
    """A run's analysis: summary.json as a dict, the tables, and the figures."""

    run: Run
    summary: dict
    drift: pd.DataFrame
    classes: pd.DataFrame
    files: dict = field(default_factory=dict)  # what it wrote, by name
    _computed: object = None  # evo.analysis.pipeline.RunAnalysis

    @cached_property
    def figures(self) -> dict:
        """The figures of the report as matplotlib Figures, by name."""
        from evo.analysis.plots import FIGURES

        figures = {name: draw(self._computed) for name, draw in FIGURES.items()}
        return {name: figure for name, figure in figures.items() if figure is not None}


def run(scenario: str, seed: int = 0, overrides=None, out=None, quiet: bool = True,
        resume: bool = False, force: bool = False) -> Run:
    """Run a scenario (a built-in name, a .toml path, or the text of a scenario file) to the
    end; the run directory defaults to runs/<name>-seed<seed>.

    An existing run directory is refused unless `resume` (continue it from its checkpoint,
    or start it when there is none yet, so a notebook cell can run again) or `force`
    (replace it)."""
    from evo.errors import API_WORDS
    from evo.evolution.loop import default_run_dir, run_scenario
    from evo.evolution.loop import resume as continue_run
    from evo.scenario import load_scenario, validate_scenario
    from evo.scenario.load import first_difference

    if resume and force:
        raise Error("resume=True continues a run and force=True replaces it: give one of them")
    settings = [*(overrides or []), f"seed={seed}"]
    if "\n" in scenario:  # the text of a scenario file (a name or a path has no line break)
        try:
            data = tomllib.loads(scenario)
        except tomllib.TOMLDecodeError as exc:
            raise Error(f"<scenario text>: invalid TOML: {exc}") from None
        given = validate_scenario(data, "<scenario text>", settings)
    else:
        given = load_scenario(scenario, settings)
    path = Path(out) if out is not None else default_run_dir(given)
    if resume and (path / "config.toml").is_file():
        differs = first_difference(given.model_dump(),
                                   load_scenario(str(path / "config.toml")).model_dump(),
                                   "this call")
        if differs:
            raise Error(f"{path}: resume=True continues the run with its own config.toml, "
                        f"which this call contradicts ({differs}); use force=True to replace "
                        "it, or out= to choose another")
        return Run(continue_run(path, quiet=quiet, words=API_WORDS))
    return Run(run_scenario(given, path, force, quiet, words=API_WORDS))


def load(run_dir) -> Run:
    """A run directory written by `run` or `evo run`."""
    path = Path(run_dir)
    if not (path / "config.toml").is_file():
        raise Error(f"{path}: not a run directory (no config.toml)")
    return Run(path)


def analyze(target, thresholds: dict | None = None, plots: bool = True) -> Analysis:
    """Analyse a run (a Run or its directory), writing its report as `evo analyze` does."""
    from evo.analysis import analyze_run, parse_thresholds

    path = _path(target)
    computed = analyze_run(path, parse_thresholds(
        [f"{k}={v}" for k, v in (thresholds or {}).items()]), plots)
    return Analysis(load(path), computed.summary, computed.drift, computed.classes,
                    computed.files, computed)


def replay(target, generation: int | None = None, individual="elite", phase=None,
           episode: int = 0, out=None, frames: bool = False):
    """Replay one individual of a run (as `evo replay`): writes a GIF (default
    RUN_DIR/replay.gif) and returns its path, or with `frames` returns the frames as RGB
    arrays (H, W, 3) uint8."""
    from evo.replay import gif
    from evo.replay import replay as episodes_of
    from evo.replay.draw import frames_of
    from evo.store.files import write_atomic

    path = _path(target)
    episodes = episodes_of(path, generation, individual, phase, episode)
    if frames:
        return [np.asarray(image.convert("RGB")) for image in frames_of(episodes)]
    output = Path(out) if out is not None else path / "replay.gif"
    write_atomic(output, gif(episodes))
    return output


def sweep(sweep_file, out=None, backend: str = "local", workers: int | None = None,
          threads: int | None = None, quiet: bool = True) -> Path:
    """Run (or continue) a sweep as `evo sweep` does; returns the sweep directory. Raises
    Error if a point is not done."""
    from evo.sweep.run import INCOMPLETE, run_sweep
    from evo.sweep.spec import load_sweep

    spec = load_sweep(sweep_file)
    folder = Path(out) if out is not None else RUNS / spec.name
    if run_sweep(spec, folder, backend, None, workers, threads, None, quiet) == INCOMPLETE:
        raise Error(f"{folder}: some points are not done (see its manifest.csv)")
    return folder


def study(source: str, out=None, quick: bool = False, seeds: int | None = None,
          overrides=(), backend: str = "local", workers: int | None = None,
          quiet: bool = True) -> pd.DataFrame:
    """Run (or continue) a study as `evo study` does; returns its study.csv (the study
    directory's other files, study.md and the figure, are beside it). Raises Error if a
    run is not done."""
    from evo.study.run import run_study
    from evo.study.spec import load_study
    from evo.sweep.run import INCOMPLETE

    spec = load_study(source, list(overrides), quick=quick, seeds=seeds)
    folder = Path(out) if out is not None else RUNS / spec.name
    command = f"api.study({source!r}, quick={quick}, seeds={seeds}, overrides={overrides!r})"
    if run_study(spec, folder, command, backend, None, workers, None, quiet=quiet) \
            == INCOMPLETE:
        raise Error(f"{folder}: some runs are not done (see points/manifest.csv)")
    return pd.read_csv(folder / "study.csv")


def collect(sweep_dir, table: str = "generations") -> pd.DataFrame:
    """One tidy table over every point of a sweep, as `evo collect` writes."""
    from evo.analysis.many import collect as collect_table

    return collect_table(Path(sweep_dir), table)


def _path(target) -> Path:
    """The directory of a Run or of a path."""
    return target.path if isinstance(target, Run) else load(target).path
