"""Writing files whole or not at all, and reading only what is a regular file."""

import os
import secrets
import stat
from pathlib import Path

from evo.errors import UserError

RUNS = Path("runs")  # where output goes unless --out (or `out=`) says otherwise
BENCH = RUNS / "bench"  # where `evo bench` writes its table unless --out says otherwise


def write_atomic(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a temp file beside it, fsync, then rename."""
    path = Path(path)
    # Unique per writer (process and call): processes of one sweep may write the same file
    # in the same millisecond, and each removes only the temporary file it made.
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
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


def regular_file(path: Path, what: str) -> Path:
    """`path` if it is a regular file; one line if it is anything else (a FIFO would hang a
    read, a device would never end)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise UserError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise UserError(f"{path}: {what} is not a regular file; the run directory is damaged")
    return Path(path)
