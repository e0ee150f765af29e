"""Reading a run directory for analysis: its config and CSVs, cut to the last whole generation.

Only `config.toml` and the three CSVs are needed (`meta.json` is read when present), so a
run copied off a cluster can be analysed anywhere. A run that was stopped mid-way is
analysed up to the last generation present in `generations.csv`: that row is written
after the generation's other rows, so every row up to it is whole.
"""

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from evo.errors import UserError
from evo.outcomes import OUTCOME_COLUMNS
from evo.scenario import load_scenario


class Spec(NamedTuple):
    """What the analysis needs of a scenario, as arrays: K phases, T object types, F features."""

    phase_names: tuple[str, ...]
    object_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    features: np.ndarray  # (T, F) observable features phi of each type
    values: np.ndarray  # (T,) base objective per type
    intended: np.ndarray  # (T,) intended value per type
    counts: np.ndarray  # (K, T) objects placed per episode
    frequencies: np.ndarray  # (K, T) type frequencies q of each phase
    phase_first: np.ndarray  # (K,) first generation of each phase
    phase_last: np.ndarray  # (K,) last generation of each phase
    kind: str  # agent kind: planner, aligned or random
    horizon_max: int
    terminal: np.ndarray  # (T,) bool: consuming it ends the episode

    @property
    def weight_columns(self) -> list[str]:
        """The `w_<feature>` gene columns."""
        return [f"w_{name}" for name in self.feature_names]

    @property
    def consumed_columns(self) -> list[str]:
        """The `consumed_<type>` columns."""
        return [f"consumed_{name}" for name in self.object_names]

    def phase_index(self, name: str) -> int:
        """Index of a phase by name."""
        return self.phase_names.index(name)


def spec_of(scenario) -> Spec:
    """The analysis arrays of a validated scenario."""
    counts = np.array([scenario.phase_counts(p) for p in scenario.phases], dtype=np.float64)
    lengths = np.array([p.generations for p in scenario.phases])
    last = np.cumsum(lengths) - 1
    return Spec(
        tuple(p.name for p in scenario.phases), tuple(scenario.object_names),
        tuple(scenario.features), scenario.feature_matrix(), scenario.values(),
        scenario.intended_values(), counts, counts / counts.sum(axis=1, keepdims=True),
        last - lengths + 1, last, scenario.agent.kind, scenario.agent.horizon_max,
        np.array([obj.terminal for obj in scenario.objects], dtype=np.bool_),
    )


@dataclass(frozen=True)
class Run:
    """A run directory read for analysis, every table cut to `last_generation`."""

    path: Path
    scenario: object  # evo.scenario.Scenario
    spec: Spec
    meta: dict
    generations: pd.DataFrame
    individuals: pd.DataFrame
    crosseval: pd.DataFrame
    last_generation: int
    complete: bool
    notes: tuple[str, ...]


def is_run_dir(path: Path) -> bool:
    """Whether a directory looks like a run directory (config and generations.csv)."""
    path = Path(path)
    return (path / "config.toml").is_file() and (path / "generations.csv").is_file()


def load_run(path) -> Run:
    """Read a run directory; a partial run is cut to its last complete generation, with a note."""
    path = Path(path)
    if not path.is_dir() or not (path / "config.toml").is_file():
        raise UserError(f"{path}: not a run directory (no config.toml)")
    scenario = load_scenario(str(path / "config.toml"))
    spec = spec_of(scenario)
    notes = []
    meta = _read_meta(path, notes)
    genes = spec.weight_columns + ["horizon", "gamma"]
    generations = _read_csv(path / "generations.csv", notes, [
        "generation", "fitness_mean", "mesa_return_mean", "base_return_mean",
        "intended_return_mean", *[f"alignment_{p}" for p in spec.phase_names]])
    individuals = _read_csv(path / "individuals.csv", notes, [
        "generation", "id", "parent1", "parent2", "elite", *genes, "fitness", "base_return",
        "mesa_return", "intended_return", *spec.consumed_columns])
    crosseval = _read_csv(path / "crosseval.csv", notes, [
        "generation", "eval_phase", "id", "base_return", "mesa_return", "intended_return",
        *spec.consumed_columns, "aligned_twin_return", "max_horizon_base_return",
        "max_horizon_mesa_return", "intended_twin_return", *OUTCOME_COLUMNS])
    if generations.empty:
        raise UserError(f"{path / 'generations.csv'}: no complete generation to analyse yet")
    last = int(generations.generation.max())
    if list(generations.generation) != list(range(last + 1)):
        raise UserError(f"{path / 'generations.csv'}: generations are not 0..{last} in order")
    total = int(spec.phase_last[-1]) + 1
    if last >= total:
        raise UserError(f"{path / 'generations.csv'}: generation {last} is past the "
                        f"scenario's {total} generations")
    status = meta.get("status", "unknown")
    complete = last == total - 1
    if not complete:
        notes.append(f"The run stopped at generation {last} of {total} (meta.json status: "
                     f"{status}): analysed up to generation {last}, its last complete "
                     "generation.")
    elif status not in ("done", "unknown"):
        notes.append(f"meta.json says status {status!r} though every generation is present.")
    individuals = individuals[individuals.generation <= last].reset_index(drop=True)
    crosseval = crosseval[crosseval.generation <= last].reset_index(drop=True)
    unknown = set(crosseval.eval_phase) - set(spec.phase_names)
    if unknown:
        raise UserError(f"{path / 'crosseval.csv'}: unknown eval_phase {sorted(unknown)[0]!r} "
                        "(not a phase of config.toml)")
    if individuals.empty:
        raise UserError(f"{path / 'individuals.csv'}: no individual recorded up to "
                        f"generation {last}")
    if crosseval.empty:
        notes.append("No cross-evaluation recorded yet: generalisation and classes are "
                     "not available.")
    return Run(path, scenario, spec, meta, generations, individuals, crosseval, last, complete,
               tuple(notes))


def _read_meta(path: Path, notes: list) -> dict:
    """meta.json when present and readable; a note otherwise (the CSVs are what counts)."""
    file = path / "meta.json"
    if not file.is_file():
        notes.append("No meta.json: status and seed are taken from config.toml and the CSVs.")
        return {}
    try:
        meta = json.loads(file.read_text())
    except (OSError, ValueError):
        notes.append("meta.json is unreadable: ignored.")
        return {}
    return meta if isinstance(meta, dict) else {}


def _read_csv(file: Path, notes: list, required: list[str]) -> pd.DataFrame:
    """A run CSV without its torn last line, checked for the columns the analysis uses."""
    if not file.is_file():
        raise UserError(f"{file}: missing; not a complete run directory")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UserError(f"{file}: unreadable: {exc.strerror}") from None
    end = data.rfind(b"\n") + 1
    if end < len(data):
        # A process killed mid-write leaves a last line without its newline.
        notes.append(f"{file.name}: dropped a torn last line (the run was killed mid-write).")
        data = data[:end]
    if not data:
        raise UserError(f"{file}: empty, not even a header")
    try:
        frame = pd.read_csv(io.BytesIO(data))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{file}: unreadable CSV: {first}") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise UserError(f"{file}: missing column {missing[0]!r} (does config.toml belong to "
                        "this run?)")
    for column in required if not frame.empty else ():
        if column not in ("phase", "eval_phase") and not pd.api.types.is_numeric_dtype(
                frame[column]):
            raise UserError(f"{file}: column {column!r} holds non-numbers")
    return frame
