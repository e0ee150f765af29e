"""`evo analyze`: one run directory, or a sweep of them, from CSVs to report.md."""

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evo.analysis.classify import classify
from evo.analysis.drift import drift_table, lineage, regain
from evo.analysis.generalisation import phase_pairs
from evo.analysis.load import Run, is_run_dir, load_run
from evo.scenario import CompiledScenario
from evo.analysis.metrics import with_cross_metrics, with_individual_metrics
from evo.analysis.params import Thresholds
from evo.analysis.publish import publish
from evo.analysis.summary import flatten, summarise
from evo.errors import UserError
from evo.sweep.manifest import read_manifest
from evo.evolution.files import write_atomic


@dataclass
class Analysis:
    """Everything computed about one run; `summary` is what summary.json holds."""

    run: Run
    spec: CompiledScenario
    thresholds: Thresholds
    individuals: pd.DataFrame  # individuals.csv plus per-individual metrics
    cross: pd.DataFrame  # crosseval.csv plus per-individual, per-phase metrics
    drift: pd.DataFrame  # drift.csv
    pairs: pd.DataFrame  # one row per (origin, target) phase pair
    classes: pd.DataFrame  # classes.csv
    shifts: list  # one dict per distribution shift
    lineage: pd.DataFrame  # lineage.csv
    notes: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)


def compute(run: Run, thresholds: Thresholds | None = None) -> Analysis:
    """Every metric of a loaded run, in memory."""
    thresholds = thresholds or Thresholds()
    spec = run.spec
    notes = list(run.notes)
    individuals = with_individual_metrics(run.individuals, spec)
    cross = with_cross_metrics(run.crosseval, individuals, spec, thresholds)
    if not cross.empty and cross[spec.weight_columns].isna().any(axis=None):
        notes.append("Some cross-evaluated generations have no individuals.csv rows: their "
                     "reward alignment and proxies are undefined.")
    classes = classify(cross, spec, thresholds) if not cross.empty else pd.DataFrame(
        columns=["generation", "id", "phase", "class", "proxy_feature", "proxy"])
    line = lineage(individuals, spec)
    if line.generation.iloc[0] > individuals.generation.min():
        notes.append(f"The elite's lineage stops at generation {line.generation.iloc[0]}: "
                     "earlier generations were not all recorded (record.individuals_every).")
    if spec.kind.name == "aligned":
        notes.append("Agent kind `aligned`: agents plan with the base objective, so their "
                     "internal reward is `value` (their w genes are unused).")
    analysis = Analysis(
        run, spec, thresholds, individuals, cross,
        drift_table(individuals, cross, spec),
        phase_pairs(cross, spec, thresholds) if not cross.empty else pd.DataFrame(),
        classes, regain(run.generations, spec, thresholds.regain_fraction, run.last_generation),
        line, notes)
    analysis.summary = summarise(analysis)
    return analysis


def analyze_run(path, thresholds: Thresholds | None = None, plots: bool = True) -> Analysis:
    """Analyse one run directory and write drift.csv, classes.csv, lineage.csv,
    summary.json, report.md and plots/*.png into it, as one set (`evo.analysis.publish`)."""
    from evo.analysis.plots import write_plots, write_replays
    from evo.analysis.report import render

    analysis = compute(load_run(path), thresholds)

    def write(folder: Path) -> dict[str, Path]:
        files = {}
        for name, frame in (("drift.csv", analysis.drift), ("classes.csv", analysis.classes),
                            ("lineage.csv", analysis.lineage)):
            files[name] = _write_csv(folder / name, frame)
        written = write_plots(analysis, folder / "plots") if plots else {}
        if plots:
            written.update(write_replays(analysis, folder / "plots"))
        files.update({f"plots/{p.name}": p for p in written.values()})
        files["summary.json"] = folder / "summary.json"
        write_atomic(files["summary.json"], (json.dumps(
            analysis.summary, indent=2, allow_nan=False) + "\n").encode("utf-8"))
        files["report.md"] = folder / "report.md"
        write_atomic(files["report.md"], render(analysis, written).encode("utf-8"))
        return files

    analysis.files = publish(analysis.run.path, write)
    return analysis


def _write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """A CSV written whole or not at all; undefined values are empty cells."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    write_atomic(path, buffer.getvalue().encode())
    return path


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


def analyze_many(paths, thresholds: Thresholds | None = None, plots: bool = True,
                 on_run=None) -> tuple[pd.DataFrame, list[tuple[Path, str]]]:
    """Analyse every run at or below `paths`; returns the combined table (one row per run)
    and the (run, error line) of runs that could not be analysed. A bad run never stops
    the others. `on_run(path, analysis_or_None)` is called after each run."""
    rows, errors, manifests = [], [], {}
    for path in [run for p in paths for run in find_runs(p)]:
        try:
            analysis = analyze_run(path, thresholds, plots)
        except UserError as exc:
            errors.append((path, str(exc)))
            analysis = None
            rows.append({**swept_values(path, manifests), "path": str(path),
                         "error": str(exc)})
        else:
            rows.append(combined_row(path, analysis.summary, manifests))
        if on_run is not None:
            on_run(path, analysis)
    return pd.DataFrame(rows), errors


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
