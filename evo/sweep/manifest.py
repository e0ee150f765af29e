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
from pathlib import Path

import pandas as pd

from evo.evolution.files import write_atomic

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
    """Rewrite manifest.csv atomically from the points' meta.json; returns its rows, each a
    dict by column name."""
    keys = list(sweep.points[0].swept) if sweep.points else []
    rows = []
    for point in sweep.points:
        meta = {}
        meta_file = out / point.name / "meta.json"
        if meta_file.is_file():
            try:
                meta = json.loads(meta_file.read_text(encoding="utf-8"))
            except ValueError:
                meta = {"status": "damaged"}
        status, error = meta.get("status", "pending"), meta.get("error")
        if point.index in invalid:
            status, error = "invalid", invalid[point.index]
        elif results.get(point.index, {}).get("status") == "failed":
            status, error = "failed", results[point.index]["error"]
        rows.append({"point": point.index, "dir": point.name, "seed": point.seed,
                     **point.swept, "status": status, "started": meta.get("started"),
                     "ended": meta.get("ended"), "error": error})
    header = columns(keys)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if row[c] is None else row[c] for c in header] for row in rows])
    # Array tasks may finish together: take a lock so they do not interleave.
    with open(out / ".manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        write_atomic(out / FILE, buffer.getvalue().encode())
    return rows


def read_manifest(sweep_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    """A sweep directory's manifest and its swept keys (OSError or ValueError if unreadable)."""
    manifest = pd.read_csv(Path(sweep_dir) / FILE)
    if list(manifest.columns[:len(FRONT)]) != list(FRONT) \
            or list(manifest.columns[-len(BACK):]) != list(BACK):
        raise ValueError(f"{Path(sweep_dir) / FILE}: not a manifest (columns "
                         f"{', '.join(manifest.columns)})")
    return manifest, swept_keys(manifest.columns)
