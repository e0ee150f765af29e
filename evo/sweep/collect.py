"""`evo collect`: one tidy table over every point of a sweep, ready for a pandas groupby."""

import json
from pathlib import Path

import pandas as pd

from evo.analysis.load import read_whole_lines
from evo.errors import UserError
from evo.sweep.manifest import FILE, read_manifest

TABLES = ("generations", "individuals", "crosseval", "summary")


def collect(sweep_dir: Path, table: str = "generations") -> pd.DataFrame:
    """Every point's rows of one table, with the point's swept values and seed in front;
    `summary`: the combined table of `evo analyze`, from each point's summary.json."""
    sweep_dir = Path(sweep_dir)
    manifest, keys = _manifest(sweep_dir)
    if table == "summary":
        return _summary_table(sweep_dir, manifest)
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
    manifest, _ = _manifest(Path(sweep_dir))
    rows = manifest[manifest.status != "done"]
    return dict(zip(rows.point.tolist(), rows.status.tolist()))


def _manifest(sweep_dir: Path):
    """A sweep directory's manifest and swept keys; one line if there is none."""
    if not (sweep_dir / FILE).is_file():
        raise UserError(f"{sweep_dir}: not a sweep directory (no {FILE})")
    try:
        return read_manifest(sweep_dir)
    except (OSError, ValueError) as exc:
        raise UserError(f"{sweep_dir / FILE}: unreadable: {exc}") from None


def _summary_table(sweep_dir: Path, manifest: pd.DataFrame) -> pd.DataFrame:
    """The rows of `evo analyze`'s combined table for every point analysed so far."""
    from evo.analysis.many import combined_row

    rows, cache = [], {}
    for name in manifest["dir"]:
        file = sweep_dir / name / "summary.json"
        if file.is_file():
            rows.append(combined_row(file.parent, json.loads(file.read_text(encoding="utf-8")),
                                     cache))
    if not rows:
        raise UserError(f"{sweep_dir}: no point has a summary table yet (run `evo analyze "
                        f"{sweep_dir}` first)")
    return pd.DataFrame(rows)


def read_point_table(path: Path, table: str) -> pd.DataFrame | None:
    """One point's CSV table (None when it has none yet)."""
    file = path / f"{table}.csv"
    if not file.is_file():
        return None
    rows, _ = read_whole_lines(file)  # a running or killed point's torn last line is dropped
    return rows if len(rows) else None

