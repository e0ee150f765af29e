"""The run's CSV files: exact cells, one line per row, and the digest of what is committed.

Cells are written in the shortest form that reads back to the same number, so the CSVs are
exact; every text is UTF-8 whatever the locale. Each file's size and SHA-256 are kept as rows
are appended, so a checkpoint can record exactly which bytes it covers (`evo.evolution.
checkpoint`), and resuming can refuse a file whose committed part was changed.
"""

import hashlib
import math
import os
from pathlib import Path

from evo.errors import UserError
from evo.store.files import regular_file


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


def csv_line(row) -> str:
    """One CSV line, cells formatted and quoted as `format_value` does."""
    return ",".join(map(format_value, row)) + "\n"


class Digest:
    """The size and SHA-256 of a file's bytes so far, updated as they are appended."""

    def __init__(self, data: bytes = b""):
        self.size = len(data)
        self._hash = hashlib.sha256(data)

    def update(self, data: bytes) -> None:
        """Account for bytes appended."""
        self.size += len(data)
        self._hash.update(data)

    def state(self) -> tuple[int, str]:
        """(size, hex digest) of everything so far."""
        return self.size, self._hash.hexdigest()


def header_difference(found, declared) -> str:
    """Where a CSV header differs from the declared columns, in words."""
    found, declared = list(found), list(declared)
    where = next((i for i, (a, b) in enumerate(zip(found, declared)) if a != b), None)
    if where is not None:
        return f"column {where + 1} is {found[where]!r} where {declared[where]!r} is declared"
    return f"{len(found)} columns where the run declares {len(declared)}"


def committed_prefix(path: Path, size: int, digest: str, header: tuple[str, ...]) -> Digest:
    """Check a CSV against what a checkpoint committed, and cut what came after it.

    The file must hold the declared header and at least `size` bytes whose SHA-256 is
    `digest`; anything after them (rows of a generation in flight) is cut. Returns the Digest
    of the kept bytes. Anything else is one line naming the file and the problem.
    """
    regular_file(path, "a CSV file")
    with open(path, "rb") as f:
        first = f.readline(1 << 20).rstrip(b"\n").decode("utf-8", errors="replace")
    if first != ",".join(map(_quoted, header)):
        raise UserError(f"{path}: header differs from the run's columns "
                        f"({header_difference(first.split(','), header)}); the run directory "
                        "is damaged")
    kept = Digest()
    with open(path, "rb") as f:  # in chunks: a long run's CSV may not fit in memory
        while kept.size < size:
            chunk = f.read(min(1 << 20, size - kept.size))
            if not chunk:
                break
            kept.update(chunk)
        longer = f.read(1) != b""
    if kept.state() != (size, digest):
        raise UserError(f"{path}: the rows the checkpoint covers were changed or lost (it "
                        "recorded their digest); the run directory is damaged")
    if longer:
        with open(path, "r+b") as f:
            f.truncate(size)
            f.flush()
            os.fsync(f.fileno())
    return kept
