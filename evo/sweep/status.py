"""`evo status`: where a sweep stands, read from its points' own meta.json files."""

import collections
from pathlib import Path

from evo.errors import UserError
from evo.sweep.manifest import FILE, point_meta, read_manifest

ORDER = ("done", "running", "interrupted", "failed", "invalid", "busy", "damaged", "pending")


def status(sweep_dir: Path) -> dict:
    """{"counts": {status: n}, "failed": [(point, dir, error)], "command": str} of a sweep:
    each point's status from its meta.json (the manifest for invalid points)."""
    sweep_dir = Path(sweep_dir)
    if not (sweep_dir / FILE).is_file():
        raise UserError(f"{sweep_dir}: neither a sweep directory (no {FILE}) nor a "
                        "study directory (no study.toml)")
    try:
        manifest, _ = read_manifest(sweep_dir)
    except (OSError, ValueError) as exc:
        raise UserError(f"{sweep_dir / FILE}: unreadable: {exc}") from None
    counts, failed = collections.Counter(), []
    for row in manifest.itertuples():
        state, error = _point_status(sweep_dir / row.dir, row)
        counts[state] += 1
        if state in ("failed", "invalid", "damaged"):
            failed.append((int(row.point), row.dir, error))
    script = sweep_dir / "sweep.sbatch"  # an array sweep continues as it was started
    command = f"sbatch {script}" if script.is_file() else \
        f"evo sweep {sweep_dir / 'sweep.toml'} --out {sweep_dir}"
    return {"counts": {s: counts[s] for s in ORDER if counts[s]}, "failed": failed,
            "command": command}


def _point_status(point_dir: Path, row) -> tuple[str, str]:
    """A point's status and error: its meta.json's, or the manifest's for a point that was
    never started (pending) or could not be (invalid)."""
    if row.status == "invalid":
        return "invalid", str(row.error)
    meta = point_meta(point_dir)
    return str(meta.get("status", "pending")), str(meta.get("error") or "")


def lines(report: dict) -> list[str]:
    """The status as the terminal shows it."""
    total = sum(report["counts"].values())
    out = [f"{total} points: " + ", ".join(f"{n} {s}" for s, n in report["counts"].items())]
    out += [f"point {point} ({name}): {error}" for point, name, error in report["failed"]]
    if report["counts"].get("done", 0) < total:
        out.append(f"continue with: {report['command']}")
    return out
