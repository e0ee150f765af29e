"""`evo analyze` of many runs (a sweep, a folder of sweeps) on a pool of worker processes.

Each run is analysed on its own, so the runs are spread over the same kind of pool a sweep
runs its points on (spawned processes that die with the command); the combined table lists
them in the order of `find_runs`, whatever order they finish in.
"""

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from evo.analysis.params import Thresholds
from evo.analysis.pipeline import analyze_run
from evo.analysis.summary import flatten
from evo.errors import UserError
from evo.store.read import is_run_dir
from evo.sweep.collect import collect as collect_points
from evo.sweep.collect import manifest_of
from evo.sweep.manifest import read_manifest


class Analysed(NamedTuple):
    """What analysing one run left: its summary and files, or the one-line error."""

    path: Path
    summary: dict | None
    files: dict
    error: str | None


def find_runs(path) -> list[Path]:
    """`path` if it is a run directory, else the run directories one or two levels below it
    (a sweep directory, or a folder of sweeps)."""
    path = Path(path)
    if is_run_dir(path):
        return [path]
    if not path.is_dir():
        raise UserError(f"{path}: no such directory")
    found = [*path.glob("*/config.toml"), *path.glob("*/*/config.toml")]
    runs = sorted({p.parent for p in found if is_run_dir(p.parent)})
    if not runs:
        raise UserError(f"{path}: not a run directory, and no run directory below it")
    return runs


def analyse(path: Path, thresholds: Thresholds | None, plots: bool) -> Analysed:
    """Analyse one run; a bad run is its error line, never an exception."""
    try:
        analysis = analyze_run(path, thresholds, plots)
    except UserError as exc:
        return Analysed(Path(path), None, {}, str(exc))
    return Analysed(Path(path), analysis.summary, analysis.files, None)


def analyze_many(paths, thresholds: Thresholds | None = None, plots: bool = True,
                 on_run=None, workers: int = 1) -> tuple[pd.DataFrame, list[tuple[Path, str]]]:
    """Analyse every run at or below `paths`, on `workers` processes; returns the combined
    table (one row per run, in `find_runs` order) and the (run, error line) of runs that
    could not be analysed. A bad run never stops the others. `on_run(analysed)` is called
    as each run finishes."""
    runs = [run for p in paths for run in find_runs(p)]
    done = {}
    for analysed in _each(runs, thresholds, plots, workers):
        done[analysed.path] = analysed
        if on_run is not None:
            on_run(analysed)
    rows, errors, manifests = [], [], {}
    for path in runs:
        analysed = done[path]
        if analysed.error is not None:
            errors.append((path, analysed.error))
            rows.append({**swept_values(path, manifests), "path": str(path),
                         "error": analysed.error})
        else:
            rows.append(combined_row(path, analysed.summary, manifests))
    return pd.DataFrame(rows), errors


def _each(runs, thresholds, plots, workers):
    """Each run analysed, in this process (one worker or one run) or on a pool."""
    if workers <= 1 or len(runs) <= 1:
        for path in runs:
            yield analyse(path, thresholds, plots)
        return
    from evo.sweep.worker import die_with_parent

    pool = ProcessPoolExecutor(max_workers=min(workers, len(runs)),
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=die_with_parent)
    try:
        futures = [pool.submit(analyse, path, thresholds, plots) for path in runs]
        for future in as_completed(futures):
            yield future.result()
    finally:  # on Ctrl-C or an error, runs not started yet are dropped
        pool.shutdown(wait=True, cancel_futures=True)


def collect(sweep_dir, table: str = "generations") -> pd.DataFrame:
    """`evo collect`: one run table of every point (`evo.sweep.collect`), or `summary`: the
    rows of `evo analyze`'s combined table for every point analysed so far."""
    sweep_dir = Path(sweep_dir)
    if table != "summary":
        return collect_points(sweep_dir, table)
    manifest, _ = manifest_of(sweep_dir)
    rows, cache = [], {}
    for name in manifest["dir"]:
        file = sweep_dir / name / "summary.json"
        if file.is_file():
            rows.append(combined_row(file.parent, json.loads(file.read_text(encoding="utf-8")),
                                     cache))
    if not rows:
        raise UserError(f"{sweep_dir}: no point has a summary table yet (run `evo analyze "
                        f"{sweep_dir}` first)")
    return pd.DataFrame(rows)


def combined_row(run_path: Path, summary: dict, cache: dict) -> dict:
    """One run's row of the combined table: its sweep point's number and swept values, then
    its summary.json flattened (`evo analyze` and `evo collect --table summary` both)."""
    return {**swept_values(run_path, cache), **flatten(summary)}


def swept_values(run_path: Path, cache: dict) -> dict:
    """A sweep point's number and swept values, from its sweep's manifest.csv (empty for a
    run that is not a sweep point), so the combined table can be grouped by them."""
    sweep_dir = Path(run_path).parent
    if sweep_dir not in cache:
        try:
            manifest, swept = read_manifest(sweep_dir)
            cache[sweep_dir] = manifest.set_index("dir")[["point", *swept]]
        except (OSError, ValueError, KeyError, pd.errors.ParserError):
            cache[sweep_dir] = None
    manifest = cache[sweep_dir]
    name = Path(run_path).name
    if manifest is None or name not in manifest.index:
        return {}
    return manifest.loc[name].to_dict()
