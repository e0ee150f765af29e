"""`evo status` on a study directory: where the sweep of its runs (`points/`) stands, and
whether its report is written."""

from pathlib import Path

from evo.sweep.manifest import FILE


def is_study_dir(path: Path) -> bool:
    """Whether `path` is a study directory (`evo study` wrote study.toml and sweep.toml)."""
    return (Path(path) / "study.toml").is_file() and (Path(path) / "sweep.toml").is_file()


def study_status(path: Path) -> tuple[list[str], bool]:
    """The lines `evo status` prints for a study directory, and whether the study is
    complete (every run done and study.md written)."""
    from evo.sweep.status import lines, status

    path, points = Path(path), Path(path) / "points"
    again = "the `evo study` command that started it (it runs only what is not done, then " \
        f"writes {path / 'study.md'})"
    out = [f"study {path}: its runs are the sweep {points}"]
    if not (points / FILE).is_file():
        return [*out, "no run started yet", f"continue with: {again}"], False
    report = status(points)
    out += [line for line in lines(report) if not line.startswith("continue with:")]
    total = sum(report["counts"].values())
    if report["counts"].get("done", 0) < total:
        if report["command"].startswith("sbatch"):  # an array study continues as started
            again = f"{report['command']}, then {again}"
        return [*out, f"continue with: {again}"], False
    if not (path / "study.md").is_file():
        return [*out, f"report: not written yet; write it with {again}"], False
    return [*out, f"report: {path / 'study.md'}"], True
