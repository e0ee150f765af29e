"""`evo collect`: one tidy table over every point of a sweep, ready for a pandas groupby."""

import json
from pathlib import Path

import pandas as pd

from evo.analysis.summary import flatten
from evo.errors import UserError
from evo.sweep.manifest import FILE, read_manifest

TABLES = ("generations", "individuals", "crosseval", "summary")


def collect(sweep_dir: Path, table: str = "generations") -> pd.DataFrame:
    """Every point's rows of one table, with the point's swept values and seed in front."""
    sweep_dir = Path(sweep_dir)
    if not (sweep_dir / FILE).is_file():
        raise UserError(f"{sweep_dir}: not a sweep directory (no {FILE})")
    try:
        manifest, keys = read_manifest(sweep_dir)
    except (OSError, ValueError) as exc:
        raise UserError(f"{sweep_dir / FILE}: unreadable: {exc}") from None
    swept = ["seed", *keys]
    frames = []
    for _, point in manifest.iterrows():
        rows = read_point_table(sweep_dir / point["dir"], table)
        if rows is None:
            continue
        front = {"point": point["point"], **{key: point[key] for key in swept},
                 "status": point["status"]}
        rows = rows.drop(columns=[c for c in front if c in rows.columns])  # seed, status
        frames.append(pd.concat([pd.DataFrame([front] * len(rows)), rows], axis=1))
    if not frames:
        raise UserError(f"{sweep_dir}: no point has a {table} table yet")
    return pd.concat(frames, ignore_index=True)


def read_point_table(path: Path, table: str) -> pd.DataFrame | None:
    """One point's table (None when it has none yet); `summary` is summary.json in the
    columns of `evo analyze`'s combined table."""
    if table == "summary":
        file = path / "summary.json"
        if not file.is_file():
            return None
        return pd.DataFrame([flatten(json.loads(file.read_text()))])
    file = path / f"{table}.csv"
    if not file.is_file():
        return None
    rows = pd.read_csv(file)
    return rows if len(rows) else None

