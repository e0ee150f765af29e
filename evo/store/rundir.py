"""The run directory: config, metadata, append-only CSVs and the checkpoint.

One process writes a run directory at a time (`evo.store.lock`). CSVs are appended one
generation at a time; the checkpoint and `meta.json` are replaced atomically (temp file,
then rename), so a run killed at any moment leaves a checkpoint that is whole. The
checkpoint records the bytes of each CSV it covers; resuming checks them and cuts what came
after (a generation in flight, a torn last line). Nothing read from a run directory is ever
unpickled: it may come from anyone.

Making a generation durable (fsync the rows it appended, then write the checkpoint and
meta.json) waits on the disk, not the CPU, so it runs on a background thread while the
next generation computes; at most one generation is in flight, in order. A checkpoint is
renamed into place only after the rows it covers are on disk, so after a crash of the
machine too the CSVs reach at least the checkpoint's generation.
"""

import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from evo.errors import CLI_WORDS, UserError, Wording
from evo.store import checkpoint
from evo.store.csvfiles import Digest, committed_prefix, csv_line
from evo.store.files import fsync_file, regular_file, write_atomic
from evo.store.lock import DirectoryLock

CSV_FILES = ("generations.csv", "individuals.csv", "crosseval.csv")
MARKER = ".basemesa-run"  # in every run directory: what --force may replace
_PACKAGES = ("basemesa", "numpy", "numba", "llvmlite", "deap", "pandas", "pydantic")


def now() -> str:
    """UTC time stamp for meta.json."""
    return datetime.now(UTC).isoformat(timespec="seconds")


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
    """One run's directory and the files in it, held by this process (its lock)."""

    def __init__(self, path: Path, lock: DirectoryLock):
        self.path = Path(path)
        self.meta: dict = {}
        self._lock = lock
        self._digests: dict[str, Digest] = {}  # of each CSV's bytes so far
        self._unsynced: set[str] = set()  # CSVs appended since the last checkpoint
        self._writer: ThreadPoolExecutor | None = None
        self._pending: Future | None = None  # the generation being made durable

    # --- creating and reopening -------------------------------------------------------

    @classmethod
    def create(cls, path, config_toml: str, seed: int, headers: dict, force: bool,
               words: Wording = CLI_WORDS) -> "RunDir":
        """A fresh run directory; refuses an existing non-empty one unless `force`, and then
        replaces only a run directory (one with the marker); refusals name options in
        `words`."""
        path = Path(path)
        if not path.name or path.name in (".", ".."):
            raise UserError(f"{path}: not a usable run directory name")
        lock = DirectoryLock(path).acquire()
        try:
            return cls._create(path, lock, config_toml, seed, headers, force, words)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _create(cls, path, lock, config_toml, seed, headers, force, words) -> "RunDir":
        """`create` under the lock."""
        if path.exists() and not path.is_dir():
            raise UserError(f"{path}: exists and is not a directory")
        if path.exists() and any(path.iterdir()):
            if not force:
                raise UserError(f"{path}: run directory exists; use {words.resume} to continue "
                                f"it, {words.force} to replace it, or {words.out} to choose "
                                "another")
            if not is_run_directory(path):
                raise UserError(f"{path}: not a basemesa run directory (no {MARKER}); "
                                f"{words.force} replaces run directories only")
            shutil.rmtree(path)
        run = cls(path, lock)
        config = config_toml.encode("utf-8")
        run.meta = {
            "seed": seed, "status": "running", "last_generation": None, "error": None,
            "started": now(), "ended": None, "host": platform.node(),
            "git_commit": git_commit(), "versions": versions(), "argv": sys.argv,
            "config_sha256": hashlib.sha256(config).hexdigest(),
        }
        # Build the directory beside its final place and rename it there, so that a run
        # directory either does not exist or holds its config, headers and meta.json.
        staging = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.creating-", dir=path.parent))
            write_atomic(staging / MARKER, b"basemesa run directory\n")
            write_atomic(staging / "config.toml", config)
            for name, header in headers.items():
                data = csv_line(header).encode("utf-8")
                write_atomic(staging / name, data)
                run._digests[name] = Digest(data)
            run.path = staging
            run.write_meta()
            if path.exists():
                path.rmdir()  # empty, checked above
            staging.rename(path)
        except OSError as exc:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            raise UserError(f"{path}: cannot write the run directory: "
                            f"{exc.strerror or exc}") from None
        run.path = path
        return run

    @classmethod
    def open_for_resume(cls, path, compiled) -> tuple["RunDir", dict | None]:
        """Reopen a run (checked against its compiled scenario): returns the run and its
        checkpoint (None if it has none yet). Anything damaged is one line."""
        path = Path(path)
        if not (path / "config.toml").is_file() or not (path / "meta.json").exists():
            raise UserError(f"{path}: not a run directory (no config.toml and meta.json)")
        lock = DirectoryLock(path).acquire()
        try:
            return cls._reopen(path, lock, compiled)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _reopen(cls, path, lock, compiled) -> tuple["RunDir", dict | None]:
        """`open_for_resume` under the lock."""
        run = cls(path, lock)
        run.meta = read_meta(path)
        config = regular_file(path / "config.toml", "config.toml").read_bytes()
        digest = hashlib.sha256(config).hexdigest()
        state = checkpoint.load(path, compiled, digest)
        if state is None and run.meta.get("config_sha256", digest) != digest:
            raise UserError(f"{path / 'config.toml'}: changed since the run started (its "
                            "digest differs from meta.json's); restore it, or start a new run")
        if state is not None and sorted(state["csv"]) != sorted(CSV_FILES):
            raise UserError(f"{path / checkpoint.FILE}: damaged checkpoint: it covers "
                            f"{sorted(state['csv'])}, not the run's CSVs")
        headers = compiled.columns.headers()
        for name in CSV_FILES:
            header = csv_line(headers[name]).encode("utf-8")
            size, sha = state["csv"][name] if state is not None else \
                (len(header), hashlib.sha256(header).hexdigest())
            run._digests[name] = committed_prefix(path / name, size, sha, headers[name])
        last = state["generation"] if state is not None else None
        run.meta.update(status="running", error=None, last_generation=last,
                        config_sha256=digest)
        run.write_meta()
        return run, state

    # --- writing ----------------------------------------------------------------------

    def append_rows(self, name: str, rows) -> None:
        """Append rows (sequences of values) to a CSV; the next checkpoint makes them durable."""
        # Joined by hand rather than through csv.writer: a generation writes thousands of
        # cells, and `format_value` already quotes the text cells that need it.
        data = "".join(map(csv_line, rows)).encode("utf-8")
        with open(self.path / name, "ab") as f:
            f.write(data)
        self._digests[name].update(data)
        self._unsynced.add(name)

    def write_meta(self, **updates) -> None:
        """Update and atomically rewrite meta.json, after the generation in flight."""
        self.flush()
        self.meta.update(updates)
        self._write_meta()

    def _write_meta(self) -> None:
        """Atomically rewrite meta.json as it is now."""
        write_atomic(self.path / "meta.json",
                     (json.dumps(self.meta, indent=2, sort_keys=True) + "\n").encode("utf-8"))

    def save_checkpoint(self, state: dict) -> None:
        """Make a generation durable in the background: its rows, the checkpoint (plain arrays
        with the digest of the config and of the CSV bytes it covers) and `last_generation`
        in meta.json.

        Waits for the previous generation's first, and raises its error if it failed.
        """
        csv = {name: digest.state() for name, digest in self._digests.items()}
        data = checkpoint.encode({**state, "csv": csv,
                                  "config_sha256": self.meta["config_sha256"]})
        self.flush()
        files, self._unsynced = sorted(self._unsynced), set()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="basemesa-rundir")
        self._pending = self._writer.submit(self._commit, files, data, state["generation"])

    def _commit(self, files: list[str], data: bytes, generation: int) -> None:
        """On the writer thread: rows first, then the checkpoint that covers them, then meta."""
        for name in files:
            fsync_file(self.path / name)
        write_atomic(self.path / checkpoint.FILE, data)
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

    def release(self) -> None:
        """Close, and free the directory for another writer."""
        try:
            self.close()
        finally:
            self._lock.release()


def is_run_directory(path: Path) -> bool:
    """Whether `--force` may replace a directory: it has the run marker, or every file of a
    run directory written before the marker existed."""
    path = Path(path)
    legacy = ("config.toml", "meta.json", checkpoint.LEGACY, *CSV_FILES)
    return (path / MARKER).is_file() or all((path / name).is_file() for name in legacy)


def read_meta(path: Path) -> dict:
    """A run directory's meta.json, which must be a JSON object; one line if it is not."""
    file = regular_file(Path(path) / "meta.json", "meta.json")
    try:
        meta = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{file}: unreadable: {exc}") from None
    if not isinstance(meta, dict):
        raise UserError(f"{file}: not a JSON object; the run directory is damaged")
    return meta
