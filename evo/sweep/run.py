"""Running a sweep: every point on a backend, a manifest of where each one stands."""

import collections
import os
import signal
import sys
from pathlib import Path

from evo.errors import Busy, Interrupted, UserError
from evo.evolution.signals import StopSignal
from evo.store.files import write_atomic
from evo.store.lock import DirectoryLock
from evo.sweep.manifest import Manifest, update_point
from evo.sweep.spec import Sweep, validate_points
from evo.sweep.worker import run_point

INCOMPLETE = 3  # exit status of a sweep that left points unfinished


def available_cores() -> int:
    """Cores this process may use (its affinity mask, not the whole machine)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def prepare_sweep_dir(sweep: Sweep, out: Path) -> None:
    """Create the sweep directory holding a copy of the sweep file; refuse another sweep's."""
    text = sweep.path.read_bytes()
    copy = out / "sweep.toml"
    if copy.is_file() and copy.read_bytes() != text:
        raise UserError(f"{out}: holds a different sweep (its sweep.toml differs); "
                        "use --out to choose another directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(copy, text)
    except OSError as exc:
        raise UserError(f"{out}: cannot write the sweep directory: {exc.strerror or exc}") from None


def run_sweep(sweep: Sweep, out: Path, backend: str = "local", scheduler: str | None = None,
              workers: int | None = None, threads: int | None = None,
              task_index: int | None = None, quiet: bool = False) -> int:
    """Run (or continue) a sweep; returns 0 when every point is done, else INCOMPLETE."""
    invalid = validate_points(sweep)
    if task_index is not None:  # array tasks share the sweep: each locks its own point
        prepare_sweep_dir(sweep, out)
        return _run_task(sweep, out, invalid, task_index, threads)
    lock = DirectoryLock(out).acquire()  # one `evo sweep` per sweep directory
    try:
        prepare_sweep_dir(sweep, out)
        return _run_all(sweep, out, invalid, backend, scheduler, workers, threads, quiet)
    finally:
        lock.release()


def _run_task(sweep: Sweep, out: Path, invalid: dict, task_index: int, threads) -> int:
    """One point, for a SLURM array task; a point another task is running is one line."""
    if not 0 <= task_index < len(sweep.points):
        raise UserError(f"--task-index: must be in 0..{len(sweep.points) - 1}")
    point = sweep.points[task_index]
    result = None
    if task_index not in invalid:
        result = run_point(sweep.scenario, point.overrides, str(out / point.name),
                           threads or 1, True)
    row = update_point(sweep, out, invalid, point, result)
    if result is not None and result["status"] == "busy":
        raise Busy(result["error"])
    if row["status"] == "done":
        return 0
    error = (result or {}).get("error") or row["error"]  # e.g. the signal that stopped it
    advice = {"interrupted": "; submit the task again to continue",
              "failed": "; submit the task again to retry"}.get(row["status"], "")
    print(f"evo sweep: point {point.index} ({point.name}) {row['status']}"
          f"{': ' + error if error else ''}{advice}", file=sys.stderr)
    return INCOMPLETE


def _run_all(sweep, out, invalid, backend, scheduler, workers, threads, quiet) -> int:
    """Every point not done yet, on a backend, under the sweep directory's lock."""
    todo = [point for point in sweep.points if point.index not in invalid]
    manifest = Manifest(sweep, out, invalid)
    with Reporter(len(sweep.points), len(invalid), quiet) as report:
        def finished(point, result):
            manifest.update(point, result)
            report.advance(result["status"] == "failed")

        with StopSignal() as stop:
            if backend == "local":
                settings = sweep.spec.local
                threads = threads or settings.threads_per_worker
                workers = workers or settings.workers or max(1, available_cores() // threads)
                if workers * threads > available_cores():
                    raise UserError(f"{workers} workers x {threads} threads exceed the "
                                    f"{available_cores()} cores available")
                from evo.sweep.backends import run_local
                run_local(sweep, out, todo, workers, threads, finished, stop)
            else:
                from evo.sweep.backends import run_dask
                stop.on_signal(_interrupt)  # dask stops its own workers as it closes
                run_dask(sweep, out, todo, sweep.spec.dask, scheduler, workers, threads,
                         finished)
    rows = manifest.write()
    if stop.received is not None:
        counts = collections.Counter(row["status"] for row in rows)
        told = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        raise Interrupted(stop.received, f"{signal.Signals(stop.received).name}: the sweep "
                          f"stopped ({told}); run it again to continue")
    unfinished = [row for row in rows if row["status"] != "done"]
    report_unfinished(unfinished, len(rows), out)
    return INCOMPLETE if unfinished else 0


def _interrupt(signum) -> None:
    """In a signal handler: stop the dask backend where it waits."""
    raise KeyboardInterrupt


SHOWN = 10  # points whose error the console shows; the manifest has them all


def report_unfinished(unfinished: list[dict], total: int, out: Path) -> None:
    """One line per point not done, saying why (the first SHOWN), then the count."""
    if not unfinished:
        return
    for row in unfinished[:SHOWN]:
        why = f": {row['error']}" if row["error"] else ""
        print(f"evo sweep: point {row['point']} ({row['dir']}) {row['status']}{why}",
              file=sys.stderr)
    more = f" ({len(unfinished) - SHOWN} more in the manifest)" if len(unfinished) > SHOWN \
        else ""
    print(f"evo sweep: {len(unfinished)} of {total} points not done{more}; see "
          f"{out / 'manifest.csv'}; run the sweep again to retry them", file=sys.stderr)


class Reporter:
    """A progress bar over points that counts failures (silent with `quiet`)."""

    def __init__(self, total: int, already_failed: int, quiet: bool):
        self.total, self.failed, self.quiet = total, already_failed, quiet
        self.progress = None

    def __enter__(self) -> "Reporter":
        if not self.quiet:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.progress = Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[failed]} failed"))
            self.progress.start()
            self.task = self.progress.add_task("", total=self.total, completed=self.failed,
                                               failed=self.failed)
        return self

    def advance(self, failed: bool) -> None:
        """One more point finished (or failed)."""
        self.failed += failed
        if self.progress is not None:
            self.progress.update(self.task, advance=1, failed=self.failed)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()
