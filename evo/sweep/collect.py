"""`evo collect`: one tidy table over every point of a sweep, ready for a pandas groupby."""

from pathlib import Path

import pandas as pd

from evo.errors import UserError
from evo.store.read import read_whole_lines
from evo.sweep.manifest import FILE, read_manifest


def collect(sweep_dir: Path, table: str = "generations") -> pd.DataFrame:
    """Every point's rows of one run table (generations, individuals, crosseval), with the
    point's swept values and seed in front."""
    sweep_dir = Path(sweep_dir)
    manifest, keys = manifest_of(sweep_dir)
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


def unfinished(sweep_dir: Path) -> dict[int, str]:
    """{point: status} of the points of a sweep that are not done."""
    manifest, _ = manifest_of(Path(sweep_dir))
    rows = manifest[manifest.status != "done"]
    return dict(zip(rows.point.tolist(), rows.status.tolist()))


def manifest_of(sweep_dir: Path):
    """A sweep directory's manifest and swept keys; one line if there is none."""
    if not (sweep_dir / FILE).is_file():
        raise UserError(f"{sweep_dir}: not a sweep directory (no {FILE})")
    try:
        return read_manifest(sweep_dir)
    except (OSError, ValueError) as exc:
        raise UserError(f"{sweep_dir / FILE}: unreadable: {exc}") from None


def read_point_table(path: Path, table: str) -> pd.DataFrame | None:
    """One point's CSV table (None when it has none yet)."""
    file = path / f"{table}.csv"
    if not file.is_file():
        return None
    rows, _ = read_whole_lines(file)  # a running or killed point's torn last line is dropped
    return rows if len(rows) else None

