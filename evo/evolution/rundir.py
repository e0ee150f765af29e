"""The run directory: config, metadata, append-only CSVs and the checkpoint.

CSVs are appended one generation at a time; the checkpoint and `meta.json` are replaced
atomically (temp file, then rename), so a run killed at any moment leaves a checkpoint that
is whole. Resuming cuts every CSV back to the checkpoint's generation and drops a torn
last line.

Making a generation durable (fsync the rows it appended, then write the checkpoint and
meta.json) waits on the disk, not the CPU, so it runs on a background thread while the
next generation computes; at most one generation is in flight, in order. A checkpoint is
renamed into place only after the rows it covers are on disk, so after a crash of the
machine too the CSVs reach at least the checkpoint's generation.
"""

import json
import math
import os
import pickle
import platform
import shutil
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from evo.errors import UserError

CSV_FILES = ("generations.csv", "individuals.csv", "crosseval.csv")
CHECKPOINT = "checkpoint.pkl"
CHECKPOINT_VERSION = 1
_PACKAGES = ("basemesa", "numpy", "numba", "llvmlite", "deap", "pandas", "pydantic")


def format_value(value) -> str:
    """A CSV cell: shortest round-trip repr for floats, empty for an undefined (NaN) value."""
    kind = type(value)  # exact Python types first: most cells are, and this is a hot path
    if kind is float:
        return repr(value) if value == value else ""
    if kind is int:
        return str(value)
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, (bool, int)) or (hasattr(value, "dtype") and value.dtype.kind in "biu"):
        return str(int(value))
    value = float(value)
    return "" if math.isnan(value) else repr(value)


def _quoted(text: str) -> str:
    """A text cell, quoted when it holds a comma, a quote or a line break (RFC 4180)."""
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_atomic(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a temp file beside it, fsync, then rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # the old file, if any, is still whole
        raise


def fsync_file(path: Path) -> None:
    """Flush a file's written data to disk (opened for writing: Windows needs that)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def now() -> str:
    """UTC time stamp for meta.json."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def versions() -> dict:
    """Versions of Python and of every package that can change a result."""
    found = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def git_commit() -> str | None:
    """The commit of the source tree this package runs from, when it is a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
            capture_output=True, text=True, timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


class RunDir:
    """One run's directory and the files in it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.meta: dict = {}
        self._unsynced: set[str] = set()  # CSVs appended since the last checkpoint
        self._writer: ThreadPoolExecutor | None = None
        self._pending: Future | None = None  # the generation being made durable

    # --- creating and reopening -------------------------------------------------------

    @classmethod
    def create(cls, path, config_toml: str, seed: int, headers: dict, force: bool) -> "RunDir":
        """A fresh run directory; refuses an existing non-empty one unless `force`."""
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise UserError(f"{path}: exists and is not a directory")
        if path.exists() and any(path.iterdir()):
            if not force:
                raise UserError(f"{path}: run directory exists; use --resume to continue it, "
                                "--force to replace it, or --out to choose another")
            if not (path / "config.toml").exists() and not (path / "meta.json").exists():
                raise UserError(f"{path}: not a run directory; --force replaces run "
                                "directories only")
            shutil.rmtree(path)
        run = cls(path)
        run.meta = {
            "seed": seed, "status": "running", "last_generation": None, "error": None,
            "started": now(), "ended": None, "host": platform.node(),
            "git_commit": git_commit(), "versions": versions(), "argv": sys.argv,
        }
        # Build the directory beside its final place and rename it there, so that a run
        # directory either does not exist or holds its config, headers and meta.json.
        staging = path.with_name(f".{path.name}.creating")
        try:
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            write_atomic(staging / "config.toml", config_toml.encode())
            for name, header in headers.items():
                write_atomic(staging / name, _csv_line(header).encode())
            run.path = staging
            run.write_meta()
            if path.exists():
                path.rmdir()  # empty, checked above
            staging.rename(path)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise UserError(f"{path}: cannot write the run directory: "
                            f"{exc.strerror or exc}") from None
        run.path = path
        return run

    @classmethod
    def open_for_resume(cls, path) -> tuple["RunDir", dict | None]:
        """Reopen a run: returns the run and its checkpoint (None if it has none yet)."""
        path = Path(path)
        if not (path / "config.toml").is_file() or not (path / "meta.json").is_file():
            raise UserError(f"{path}: not a run directory (no config.toml and meta.json)")
        run = cls(path)
        try:
            run.meta = json.loads((path / "meta.json").read_text())
        except (OSError, ValueError) as exc:
            raise UserError(f"{path / 'meta.json'}: unreadable: {exc}") from None
        checkpoint = run.load_checkpoint()
        last = checkpoint["generation"] if checkpoint else -1
        for name in CSV_FILES:
            if not (path / name).is_file():
                raise UserError(f"{path / name}: missing; the run directory is damaged")
            truncate_csv(path / name, last)
        # Rows are written before the checkpoint, so generations.csv must reach it exactly.
        if last_csv_generation(path / "generations.csv") != last:
            raise UserError(f"{path / 'generations.csv'}: does not reach the checkpoint's "
                            f"generation {last}; the run directory is damaged")
        run.meta.update(status="running", error=None,
                        last_generation=last if last >= 0 else None)
        run.write_meta()
        return run, checkpoint

    # --- writing ----------------------------------------------------------------------

    def append_rows(self, name: str, rows) -> None:
        """Append rows (sequences of values) to a CSV; the next checkpoint makes them durable."""
        # Joined by hand rather than through csv.writer: a generation writes thousands of
        # cells, and `format_value` already quotes the text cells that need it.
        text = "".join(map(_csv_line, rows))
        with open(self.path / name, "a", newline="") as f:
            f.write(text)
        self._unsynced.add(name)

    def write_meta(self, **updates) -> None:
        """Update and atomically rewrite meta.json, after the generation in flight."""
        self.flush()
        self.meta.update(updates)
        self._write_meta()

    def _write_meta(self) -> None:
        """Atomically rewrite meta.json as it is now."""
        write_atomic(self.path / "meta.json",
                     (json.dumps(self.meta, indent=2, sort_keys=True) + "\n").encode())

    def save_checkpoint(self, state: dict) -> None:
        """Make a generation durable in the background: its rows, the checkpoint (plain numpy
        arrays and ints, no DEAP objects) and `last_generation` in meta.json.

        Waits for the previous generation's first, and raises its error if it failed.
        """
        data = pickle.dumps({"version": CHECKPOINT_VERSION, **state}, protocol=4)
        self.flush()
        files, self._unsynced = sorted(self._unsynced), set()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="basemesa-rundir")
        self._pending = self._writer.submit(self._commit, files, data, state["generation"])

    def _commit(self, files: list[str], checkpoint: bytes, generation: int) -> None:
        """On the writer thread: rows first, then the checkpoint that covers them, then meta."""
        for name in files:
            fsync_file(self.path / name)
        write_atomic(self.path / CHECKPOINT, checkpoint)
        self.meta["last_generation"] = generation  # the main thread reads meta after flush()
        self._write_meta()

    def flush(self) -> None:
        """Wait until the generation in flight is durable; raise its error (once) if any."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Flush, then let the writer thread go (a later checkpoint starts another)."""
        try:
            self.flush()
        finally:
            if self._writer is not None:
                self._writer.shutdown()
                self._writer = None

    def load_checkpoint(self) -> dict | None:
        """The last checkpoint, or None when the run stopped before its first generation."""
        file = self.path / CHECKPOINT
        if not file.exists():
            return None
        try:
            state = pickle.loads(file.read_bytes())
        except Exception as exc:  # a truncated pickle can raise nearly anything
            raise UserError(f"{file}: corrupt checkpoint ({type(exc).__name__})") from None
        if not isinstance(state, dict) or state.get("version") != CHECKPOINT_VERSION:
            raise UserError(f"{file}: not a basemesa checkpoint of version {CHECKPOINT_VERSION}")
        return state


def _csv_line(row) -> str:
    """One CSV line, cells formatted and quoted as `format_value` does."""
    return ",".join(map(format_value, row)) + "\n"


def last_csv_generation(path: Path) -> int:
    """The generation of a CSV's last row, -1 when it has none."""
    lines = path.read_bytes().rstrip(b"\n").split(b"\n")
    return int(lines[-1].split(b",", 1)[0]) if len(lines) > 1 else -1


def truncate_csv(path: Path, last_generation: int) -> None:
    """Keep the header and the whole rows of generations <= last_generation.

    Rows are appended in generation order, so the first row past the checkpoint, or a
    torn last line (no newline: the process died mid-write), ends what is kept.
    """
    data = path.read_bytes()
    lines = data.split(b"\n")
    kept = [lines[0]]
    for line in lines[1:-1]:  # the piece after the last newline is torn or empty
        generation = line.split(b",", 1)[0]
        if not generation.isdigit() or int(generation) > last_generation:
            break
        kept.append(line)
    write_atomic(path, b"\n".join(kept) + b"\n")
