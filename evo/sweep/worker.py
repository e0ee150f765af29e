"""What runs inside a sweep worker: set up numba, then run or resume one point.

A worker of the local pool dies with the sweep that started it: it is asked to stop (SIGTERM)
when its parent dies, however it dies, and once asked (by that, by Ctrl-C or by the sweep's
SIGTERM) it ends its point after the current generation and starts no other.
"""

import ctypes
import multiprocessing
import os
import signal
import tempfile
from pathlib import Path

_stopping = False  # this worker was asked to stop: it starts no further point
_parent: int | None = None  # the sweep that started this pool worker
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Initializer of a local pool's workers: SIGTERM when the parent dies (Linux), and a
    stop asked for between points keeps the next one from starting."""
    global _parent
    parent = multiprocessing.parent_process()
    _parent = parent.pid if parent is not None else os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the parent's handler still stops us
        pass
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _asked_to_stop)
    if os.getppid() != _parent:  # the parent died before the request above was made
        _asked_to_stop(signal.SIGTERM, None)


def _asked_to_stop(signum, frame) -> None:
    """Between points: remember that no further point may start; with the sweep gone there
    is nobody to give a point, so the worker ends."""
    global _stopping
    _stopping = True
    _end_if_orphaned()


def _end_if_orphaned() -> None:
    """A pool worker whose sweep died waits for work that never comes: it ends instead."""
    if _parent is not None and os.getppid() != _parent:
        os._exit(0)


def prepare(threads: int, node_local_cache: bool) -> None:
    """Cap numba's threads; on a cluster, put the numba cache on the node's local disk.

    The cache location is read when numba is imported, so it is set only if numba is not
    imported yet in this process; a shared file system would otherwise see every node
    writing the same cache files.
    """
    import sys

    if node_local_cache and "numba" not in sys.modules and "NUMBA_CACHE_DIR" not in os.environ:
        cache = Path(tempfile.gettempdir()) / f"basemesa-numba-cache-{os.getuid()}"
        os.environ["NUMBA_CACHE_DIR"] = str(cache)
    import numba

    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))


def run_point(scenario: str, overrides: list, out: str, threads: int,
              node_local_cache: bool = False) -> dict:
    """Run one point into `out`, resuming what an earlier attempt left; never raises.

    Returns {"status": "done" | "skipped" | "busy" | "interrupted" | "pending" | "failed",
    "error": str | None}. A finished point is skipped; an interrupted or failed one continues
    from its checkpoint; one that another process is running is `busy`; once this worker was
    asked to stop, a point ends `interrupted` after its generation, and no other starts.
    """
    global _stopping
    if _stopping:
        return {"status": "pending", "error": None}
    prepare(threads, node_local_cache)
    from evo.errors import Busy, Interrupted
    from evo.evolution.loop import resume, start
    from evo.store.rundir import read_meta

    out = Path(out)
    try:
        if (out / "meta.json").exists():
            if read_meta(out).get("status") == "done":
                return {"status": "skipped", "error": None}
            resume(out, quiet=True)
        else:
            start(scenario, overrides, out, force=True, quiet=True)
        return {"status": "done", "error": None}
    except Busy as exc:  # another process runs this point: not a failure of the point
        return {"status": "busy", "error": str(exc)}
    except Interrupted as exc:
        _stopping = True
        _end_if_orphaned()  # the point is checkpointed and marked interrupted
        return {"status": "interrupted", "error": str(exc)}
    except Exception as exc:  # one failing point must never stop the others
        return {"status": "failed", "error": str(exc) or type(exc).__name__}
