"""The analysis of a run is written as one set: staged, then swapped in at once.

The outputs (drift.csv, classes.csv, lineage.csv, summary.json, report.md, plots/, and
context.csv for a scenario with context flags) are written
into a fresh hidden directory of the run, `.analysis-*`; then the run's `analysis` link is
pointed at it with one atomic rename. The names in the run directory itself (`report.md`,
`plots/`, ...) are links through `analysis`, so a reader always sees one whole set: the
previous analysis or the new one, never a mix, even when an analysis is killed part-way.
One analysis writes a run at a time (a lock), whatever runs beside it.
"""

import os
import shutil
import tempfile
from pathlib import Path

from evo.errors import UserError
from evo.store.lock import DirectoryLock

LINK = "analysis"
OUTPUTS = ("drift.csv", "classes.csv", "lineage.csv", "summary.json", "report.md", "plots")


def publish(folder: Path, write) -> dict[str, Path]:
    """Stage a new analysis with `write(stage) -> {name: path in stage}` and swap it in;
    returns the same names with their paths in the run directory."""
    folder = Path(folder)
    lock = DirectoryLock(folder / LINK).acquire()
    stage = None
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{LINK}-", dir=folder))
        written = write(stage)
        extra = sorted({name.split("/")[0] for name in written} - set(OUTPUTS))
        for name in (*OUTPUTS, *extra):  # the run's own names lead through the link
            _link(folder / name, Path(LINK) / name)
        _link(folder / LINK, Path(stage.name))  # the swap: one rename
    except OSError as exc:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        raise UserError(f"{folder}: cannot write the analysis ({exc.strerror or exc}); the "
                        "previous one, if any, is unchanged") from None
    finally:
        lock.release()
    for old in folder.glob(f".{LINK}-*"):  # earlier sets, and stages of killed analyses
        if old != stage:
            shutil.rmtree(old, ignore_errors=True)
    return {name: folder / path.relative_to(stage) for name, path in written.items()}


def _link(path: Path, target: Path) -> None:
    """Make `path` a symbolic link to `target` in one rename (a real file or directory of an
    older analysis there is replaced)."""
    if path.is_symlink() and os.readlink(path) == str(target):
        return
    if path.is_dir() and not path.is_symlink():
        if path.name != "plots":  # only plots/ of an analysis written before sets was ours
            raise UserError(f"{path}: a directory where the analysis puts a link; move it "
                            "away")
        shutil.rmtree(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.link")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, path)
