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

import pandas as pd

from evo.errors import UserError
from evo.scenario import CompiledScenario, compile_scenario, load_scenario
from evo.store.csvfiles import header_difference


@dataclass(frozen=True)
class LoadedRun:
    """A run directory read for analysis, every table cut to `last_generation`."""

    path: Path
    scenario: object  # evo.scenario.Scenario
    compiled: CompiledScenario  # the scenario's arrays and the columns of its CSVs
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


def load_run(path) -> LoadedRun:
    """Read a run directory; a partial run is cut to its last complete generation, with a note."""
    path = Path(path)
    if not path.is_dir() or not (path / "config.toml").is_file():
        raise UserError(f"{path}: not a run directory (no config.toml)")
    scenario = load_scenario(str(path / "config.toml"))
    compiled = compile_scenario(scenario)
    notes = []
    meta = _read_meta(path, notes)
    # Every column the run declares (evo.scenario.records), so writer and reader agree.
    generations, individuals, crosseval = (
        _read_csv(path / name, notes, columns)
        for name, columns in compiled.columns.headers().items())
    if generations.empty:
        raise UserError(f"{path / 'generations.csv'}: no complete generation to analyse yet")
    last = int(generations.generation.max())
    if list(generations.generation) != list(range(last + 1)):
        raise UserError(f"{path / 'generations.csv'}: generations are not 0..{last} in order")
    total = int(compiled.phase_last[-1]) + 1
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
    unknown = set(crosseval.eval_phase) - set(compiled.phase_names)
    if unknown:
        raise UserError(f"{path / 'crosseval.csv'}: unknown eval_phase {sorted(unknown)[0]!r} "
                        "(not a phase of config.toml)")
    if individuals.empty:
        raise UserError(f"{path / 'individuals.csv'}: no individual recorded up to "
                        f"generation {last}")
    for name, frame, keys in (("individuals.csv", individuals, ["generation", "id"]),
                              ("crosseval.csv", crosseval, ["generation", "eval_phase", "id"])):
        twice = frame.duplicated(keys)
        if twice.any():
            row = frame[twice].iloc[0]
            raise UserError(f"{path / name}: individual {row.id} appears twice in generation "
                            f"{row.generation}; the run directory is damaged (two writers?)")
    if crosseval.empty:
        notes.append("No cross-evaluation recorded yet: generalisation and classes are "
                     "not available.")
    return LoadedRun(path, scenario, compiled, meta, generations, individuals, crosseval, last,
                     complete, tuple(notes))


def _read_meta(path: Path, notes: list) -> dict:
    """meta.json when present and readable; a note otherwise (the CSVs are what counts)."""
    file = path / "meta.json"
    if not file.is_file():
        notes.append("No meta.json: status and seed are taken from config.toml and the CSVs.")
        return {}
    try:
        meta = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        notes.append("meta.json is unreadable: ignored.")
        return {}
    return meta if isinstance(meta, dict) else {}


def read_whole_lines(file: Path) -> tuple[pd.DataFrame, bool]:
    """A CSV of a run without a torn last line (a process killed mid-write leaves one
    without its newline); returns the table and whether a line was dropped."""
    if not file.is_file():
        raise UserError(f"{file}: missing; not a complete run directory")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UserError(f"{file}: unreadable: {exc.strerror}") from None
    end = data.rfind(b"\n") + 1
    torn = end < len(data)
    data = data[:end]
    if not data:
        raise UserError(f"{file}: empty, not even a header")
    try:
        return pd.read_csv(io.BytesIO(data), encoding="utf-8"), torn
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{file}: unreadable CSV: {first}") from None


def _read_csv(file: Path, notes: list, required: tuple[str, ...]) -> pd.DataFrame:
    """A run CSV without its torn last line, whose header is the run's declared columns."""
    frame, torn = read_whole_lines(file)
    if torn:
        notes.append(f"{file.name}: dropped a torn last line (the run was killed mid-write).")
    if list(frame.columns) != list(required):
        raise UserError(f"{file}: header differs from the run's columns "
                        f"({header_difference(frame.columns, required)}; does config.toml "
                        "belong to this run?)")
    for column in required if not frame.empty else ():
        if column not in ("phase", "eval_phase") and not pd.api.types.is_numeric_dtype(
                frame[column]):
            raise UserError(f"{file}: column {column!r} holds non-numbers")
    return frame
