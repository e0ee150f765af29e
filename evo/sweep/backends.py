"""Where a sweep's points run: a local process pool, or a dask.distributed cluster."""

import contextlib
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from evo.errors import UserError
from evo.sweep.worker import die_with_parent, run_point

POOL_RESTARTS = 3  # fresh pools after workers died, per sweep invocation


def run_local(sweep, out, points, workers: int, threads: int, finished, stop) -> None:
    """Run points in a pool of fresh (spawned) processes, `threads` numba threads each.

    Spawned, not forked: a fork of a process whose numba thread pool is running can hang.
    A worker that dies (killed, out of memory) breaks the pool and stops every point in it;
    a fresh pool then resumes the unfinished points from their checkpoints, up to
    POOL_RESTARTS times. After that they are reported failed; finished points are on disk.
    When `stop` (a StopSignal) receives a signal, queued points are cancelled and the
    workers asked to stop (their points end after the current generation); workers die
    with this process in any case (`evo.sweep.worker.die_with_parent`).
    """
    context = multiprocessing.get_context("spawn")
    pending, restarts = list(points), 0
    while pending and stop.received is None:
        stopped = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=die_with_parent) as pool:
            futures = {
                pool.submit(run_point, sweep.scenario, point.overrides,
                            str(out / point.name), threads): point
                for point in pending
            }
            stop.on_signal(lambda signum: _stop_pool(pool, futures))
            for future in as_completed(futures):
                if future.cancelled():
                    continue  # never started: the point stays pending
                try:
                    result = future.result()
                except BrokenProcessPool:
                    if restarts < POOL_RESTARTS:
                        stopped.append(futures[future])
                        continue
                    result = {"status": "failed", "error": "worker died (BrokenProcessPool; "
                              f"{restarts} fresh pools tried)"}
                except Exception as exc:  # e.g. a point that cannot be sent to a worker
                    result = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
                finished(futures[future], result)
            stop.on_signal(None)
        pending = [point for point in points if point in stopped]  # in sweep order
        restarts += bool(pending)


def _stop_pool(pool, futures) -> None:
    """In a signal handler: cancel the points not started, ask every worker to stop."""
    for future in futures:
        future.cancel()
    for process in list(getattr(pool, "_processes", {}).values()):
        try:
            os.kill(process.pid, signal.SIGTERM)
        except OSError:  # already gone
            pass


def run_dask(sweep, out, points, settings, scheduler, workers, threads, finished) -> None:
    """Run points on dask: a LocalCluster, an existing scheduler, or a jobqueue cluster.

    Dask reschedules the point of a worker that dies; the point then resumes from its
    checkpoint. On a cluster the numba cache goes to each node's local disk.
    """
    threads = threads or settings.threads_per_worker
    with dask_client(settings, scheduler, workers) as (client, remote):
        from dask.distributed import as_completed as dask_completed

        futures = {
            client.submit(run_point, sweep.scenario, point.overrides, str(out / point.name),
                          threads, remote, key=f"basemesa-{sweep.name}-{point.name}",
                          pure=False): point
            for point in points
        }
        for future in dask_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # the point's workers kept dying
                result = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
            finished(futures[future], result)


@contextlib.contextmanager
def dask_client(settings, scheduler=None, workers=None):
    """A client of the sweep's dask cluster, and whether its workers may be remote: the
    given scheduler, else a jobqueue or local cluster of `workers` workers (jobs) listening
    on the [dask] host; the cluster is closed on exit."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UserError("the dask backend needs dask.distributed: "
                        "pip install 'basemesa[cluster]'") from None
    workers = workers or settings.workers
    scheduler = scheduler or settings.scheduler
    cluster = None
    if scheduler:
        client, remote = Client(scheduler), True
    elif settings.jobqueue:
        cluster, remote = _jobqueue_cluster(settings), True
        cluster.scale(jobs=workers)
        client = Client(cluster)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, host=settings.host)
        client, remote = Client(cluster), False
    try:
        yield client, remote
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _jobqueue_cluster(settings):
    """A dask-jobqueue SLURM or PBS cluster from the sweep file's [dask] settings."""
    try:
        import dask_jobqueue
    except ImportError:
        raise UserError("dask.jobqueue is needed: pip install 'basemesa[cluster]'") from None
    kind = {"slurm": dask_jobqueue.SLURMCluster, "pbs": dask_jobqueue.PBSCluster}
    options = dict(settings.cluster)
    try:
        if settings.host:  # the scheduler here, and each worker job through its command line
            extra = options.get("worker_extra_args", [])
            if not isinstance(extra, list):
                raise TypeError("worker_extra_args must be a list")
            options["scheduler_options"] = {**options.get("scheduler_options", {}),
                                            "host": settings.host}
            options["worker_extra_args"] = [*extra, "--host", settings.host]
        return kind[settings.jobqueue](**options)
    except (TypeError, ValueError) as exc:
        raise UserError(f"dask.cluster: {exc}") from None
