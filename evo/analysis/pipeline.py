"""`evo analyze` of one run directory: from its CSVs to report.md (`many` does several)."""

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evo.analysis.classify import classify
from evo.analysis.context import context_gap
from evo.analysis.drift import drift_table, lineage, regain
from evo.analysis.generalisation import phase_pairs
from evo.analysis.machines import with_behavioural_capability
from evo.analysis.metrics import with_cross_metrics, with_individual_metrics
from evo.analysis.params import Thresholds
from evo.analysis.publish import publish
from evo.analysis.summary import end_generations, summarise
from evo.scenario import CompiledScenario
from evo.store.files import write_atomic
from evo.store.read import LoadedRun, load_run


@dataclass
class RunAnalysis:
    """Everything computed about one run; `summary` is what summary.json holds."""

    run: LoadedRun
    compiled: CompiledScenario
    thresholds: Thresholds
    individuals: pd.DataFrame  # individuals.csv plus per-individual metrics
    cross: pd.DataFrame  # crosseval.csv plus per-individual, per-phase metrics
    drift: pd.DataFrame  # drift.csv
    pairs: pd.DataFrame  # one row per (origin, target) phase pair
    classes: pd.DataFrame  # classes.csv
    shifts: list  # one dict per distribution shift
    lineage: pd.DataFrame  # lineage.csv
    notes: list = field(default_factory=list)
    context: pd.DataFrame = field(default_factory=pd.DataFrame)  # context.csv (context flags)
    summary: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)


def compute(run: LoadedRun, thresholds: Thresholds | None = None) -> RunAnalysis:
    """Every metric of a loaded run, in memory."""
    thresholds = thresholds or Thresholds()
    compiled = run.compiled
    notes = list(run.notes)
    individuals = with_individual_metrics(run.individuals, compiled)
    cross = with_cross_metrics(run.crosseval, individuals, compiled, thresholds)
    if not cross.empty:
        cross = with_behavioural_capability(cross, compiled, thresholds)
    if not cross.empty and cross[compiled.weight_columns].isna().any(axis=None):
        notes.append("Some cross-evaluated generations have no individuals.csv rows: their "
                     "reward alignment and proxies are undefined.")
    classes = classify(cross, compiled, thresholds) if not cross.empty else pd.DataFrame(
        columns=["generation", "id", "phase", "class", "proxy_feature", "proxy"])
    line = lineage(individuals, compiled)
    if line.generation.iloc[0] > individuals.generation.min():
        notes.append(f"The elite's lineage stops at generation {line.generation.iloc[0]}: "
                     "earlier generations were not all recorded (record.individuals_every).")
    if compiled.kind.note:
        notes.append(compiled.kind.note)
    analysis = RunAnalysis(
        run, compiled, thresholds, individuals, cross,
        drift_table(individuals, cross, compiled),
        phase_pairs(cross, compiled, thresholds) if not cross.empty else pd.DataFrame(),
        classes, regain(run.generations, compiled, thresholds.regain_fraction, run.last_generation),
        line, notes)
    if compiled.context_flags:
        analysis.context = context_gap(analysis, end_generations(analysis))
    analysis.summary = summarise(analysis)
    return analysis


def analyze_run(path, thresholds: Thresholds | None = None, plots: bool = True) -> RunAnalysis:
    """Analyse one run directory and write drift.csv, classes.csv, lineage.csv, context.csv
    (when the scenario has context flags), summary.json, report.md and plots/*.png into it,
    as one set (`evo.analysis.publish`)."""
    from evo.analysis.plots import write_plots, write_replays
    from evo.analysis.report import render

    analysis = compute(load_run(path), thresholds)

    def write(folder: Path) -> dict[str, Path]:
        files = {}
        for name, frame in (("drift.csv", analysis.drift), ("classes.csv", analysis.classes),
                            ("lineage.csv", analysis.lineage)):
            files[name] = _write_csv(folder / name, frame)
        if not analysis.context.empty:
            files["context.csv"] = _write_csv(folder / "context.csv", analysis.context)
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
