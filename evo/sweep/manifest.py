"""manifest.csv: where each point of a sweep stands, its columns declared once.

The manifest is derived from the points' own `meta.json` files after every finished point,
so it can always be rebuilt, and a SLURM array task that runs one point needs no
coordinator. Its columns: the point's number, directory and seed, the swept keys (one column
each, in the sweep file's order), then its status, times and error.
"""

import csv
import fcntl
import io
import json
import time
from pathlib import Path

import pandas as pd

from evo.store.files import write_atomic

FILE = "manifest.csv"
FRONT = ("point", "dir", "seed")  # before the swept keys
BACK = ("status", "started", "ended", "error")  # after them


def columns(swept_keys) -> tuple[str, ...]:
    """The manifest's header for a sweep's swept keys."""
    return (*FRONT, *swept_keys, *BACK)


def swept_keys(header) -> list[str]:
    """The swept keys of a manifest, read off its header."""
    header = list(header)
    return header[len(FRONT):len(header) - len(BACK)]


def write_manifest(sweep, out: Path, invalid: dict, results: dict) -> list[dict]:
    """Rebuild manifest.csv from every point's meta.json and write it; returns its rows, each
    a dict by column name. A full rebuild reads N files: done when a sweep starts and ends,
    never per finished point (see `Manifest`)."""
    rows = [_row(point, out, invalid, results.get(point.index)) for point in sweep.points]
    _write(sweep, out, rows)
    return rows


class Manifest:
    """manifest.csv of a running sweep, kept in memory: rebuilt once, then updated from each
    finished point's own meta.json, and written at most every `every` seconds, so its cost
    per point does not grow with the number of points."""

    def __init__(self, sweep, out: Path, invalid: dict, every: float = 1.0):
        self.sweep, self.out, self.invalid, self.every = sweep, Path(out), invalid, every
        self.rows = write_manifest(sweep, out, invalid, {})
        self._written = time.monotonic()

    def update(self, point, result: dict) -> None:
        """A point finished: its row from its own meta.json and the worker's result."""
        self.rows[point.index] = _row(point, self.out, self.invalid, result)
        if time.monotonic() - self._written >= self.every:
            self.write()

    def write(self) -> list[dict]:
        """Write every row now; returns them."""
        _write(self.sweep, self.out, self.rows)
        self._written = time.monotonic()
        return self.rows


def update_point(sweep, out: Path, invalid: dict, point, result: dict | None) -> dict:
    """One array task's point in manifest.csv: the file is read, the point's row replaced
    and the file written under a lock (tasks finish together), without reading the other
    points' meta.json; a missing or foreign manifest is rebuilt whole. Returns the row."""
    row = _row(point, out, invalid, result)
    with open(out / ".manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            existing = pd.read_csv(out / FILE, keep_default_na=False, dtype=str)
        except (OSError, ValueError):
            existing = None
        header = list(columns(list(sweep.points[0].swept)))
        if existing is None or list(existing.columns) != header or \
                len(existing) != len(sweep.points):
            rows = [_row(p, out, invalid, result if p is point else None)
                    for p in sweep.points]
        else:
            rows = existing.to_dict("records")
            rows[point.index] = row
        _write(sweep, out, rows, locked=True)
    return row


def point_meta(point_dir: Path) -> dict:
    """A point's meta.json: {} before it started, `damaged` with the reason if unreadable."""
    meta_file = Path(point_dir) / "meta.json"
    if not meta_file.is_file():
        return {}
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"status": "damaged", "error": f"{meta_file}: unreadable"}
    if not isinstance(meta, dict):
        return {"status": "damaged", "error": f"{meta_file}: not a JSON object"}
    return meta


def _row(point, out: Path, invalid: dict, result: dict | None) -> dict:
    """A point's row: its status and times from its meta.json, unless it is invalid or the
    worker reported it failed."""
    meta = point_meta(out / point.name)
    status, error = meta.get("status", "pending"), meta.get("error")
    if point.index in invalid:
        status, error = "invalid", invalid[point.index]
    elif (result or {}).get("status") == "failed":
        status, error = "failed", result["error"]
    return {"point": point.index, "dir": point.name, "seed": point.seed, **point.swept,
            "status": status, "started": meta.get("started"), "ended": meta.get("ended"),
            "error": error}


def _write(sweep, out: Path, rows: list[dict], locked: bool = False) -> None:
    """manifest.csv from rows, atomically; under the manifest's lock unless held already."""
    header = columns(list(sweep.points[0].swept) if sweep.points else [])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if row[c] is None else row[c] for c in header] for row in rows])
    if locked:
        write_atomic(out / FILE, buffer.getvalue().encode("utf-8"))
        return
    with open(out / ".manifest.lock", "w") as lock:  # array tasks may finish together
        fcntl.flock(lock, fcntl.LOCK_EX)
        write_atomic(out / FILE, buffer.getvalue().encode("utf-8"))


def read_manifest(sweep_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    """A sweep directory's manifest and its swept keys (OSError or ValueError if unreadable)."""
    manifest = pd.read_csv(Path(sweep_dir) / FILE)
    if list(manifest.columns[:len(FRONT)]) != list(FRONT) \
            or list(manifest.columns[-len(BACK):]) != list(BACK):
        raise ValueError(f"{Path(sweep_dir) / FILE}: not a manifest (columns "
                         f"{', '.join(manifest.columns)})")
    return manifest, swept_keys(manifest.columns)
