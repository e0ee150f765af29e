"""What runs inside a sweep worker: set up numba, then run or resume one point."""

import os
import tempfile
from pathlib import Path


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

    Returns {"status": "done" | "skipped" | "busy" | "failed", "error": str | None}. A
    finished point is skipped; an interrupted or failed one continues from its checkpoint;
    one that another process is running is `busy`.
    """
    prepare(threads, node_local_cache)
    from evo.errors import Busy
    from evo.evolution.loop import resume, start
    from evo.evolution.rundir import read_meta

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
    except Exception as exc:  # one failing point must never stop the others
        return {"status": "failed", "error": str(exc) or type(exc).__name__}
