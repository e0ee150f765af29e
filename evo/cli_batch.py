"""The batch commands of `evo`: sweep, study, studies, status and collect (many runs, on a
process pool, dask or SLURM): their arguments and what each does."""

import argparse
import sys
from pathlib import Path

from evo.errors import UserError
from evo.store.files import RUNS


def add_batch_parsers(sub) -> None:
    """The batch commands' subparsers, added to `evo`'s."""
    sweep = sub.add_parser("sweep", help="run a grid of overrides and seeds, one run "
                           "directory per point, locally or on a cluster")
    sweep.add_argument("sweep_file", type=Path, metavar="SWEEP.toml",
                       help="the sweep file: a scenario, a grid of overrides and seeds")
    sweep.add_argument("--out", type=Path, help="sweep directory (default runs/<sweep name>)")
    _add_backend(sweep)
    sweep.add_argument("--task-index", type=int, metavar="N",
                       help="run only point N (for SLURM arrays); safe to repeat")
    sweep.add_argument("--emit-slurm", action="store_true",
                       help="write SWEEP_DIR/sweep.sbatch, an array job of one point per task")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    study = sub.add_parser(
        "study", help="a study: a sweep over seeds, aggregated with bootstrap intervals, each "
        "expectation judged; study.csv, study.md and a figure")
    study.add_argument("study", metavar="NAME|FILE",
                       help="a built-in study (see `evo studies`) or a study file")
    study.add_argument("--out", type=Path, help="study directory (default runs/<study name>, "
                       "runs/<name>-quick with --quick)")
    study.add_argument("--quick", action="store_true", help="the study's reduced version: "
                       "fewer values, seeds and generations, the same shape")
    study.add_argument("--seeds", type=int, metavar="N", help="seeds 0..N-1 instead of the "
                       "study's")
    study.add_argument("--set", dest="overrides", action="append", default=[],
                       metavar="KEY=VALUE", help="change a key of the study file, e.g. "
                       "--set scenario=coinrun (repeatable)")
    _add_backend(study)
    study.add_argument("--emit-slurm", action="store_true", help="write the study's SLURM "
                       "array script instead of running it; run the command again to report")
    study.add_argument("--quiet", action="store_true", help="no progress bar")

    studies = sub.add_parser("studies", help="list the built-in studies")
    studies.add_argument("--show", metavar="NAME", help="print a built-in study's file: a "
                         "template to copy")

    status = sub.add_parser("status", help="where a sweep or a study stands: points done, "
                            "running, interrupted, failed and pending, and how to continue it")
    status.add_argument("sweep_dir", type=Path, metavar="SWEEP_DIR|STUDY_DIR",
                        help="a sweep directory written by `evo sweep` (holds manifest.csv), "
                        "or a study directory written by `evo study` (its runs in points/)")

    collect = sub.add_parser("collect", help="one tidy CSV over every point of a sweep")
    collect.add_argument("sweep_dir", type=Path, metavar="SWEEP_DIR",
                         help="a sweep directory written by `evo sweep` (holds manifest.csv)")
    collect.add_argument("-o", "--output", type=Path, required=True, help="the CSV to write")
    collect.add_argument("--table", default="generations",
                         choices=("generations", "individuals", "crosseval", "summary"),
                         help="which table of each point (default: generations; summary: each "
                         "point's summary.json, written by `evo analyze`, in the columns of its "
                         "combined table)")


def _add_backend(parser: argparse.ArgumentParser) -> None:
    """Where a sweep's (or a study's) points run."""
    parser.add_argument("--backend", choices=("local", "dask"), default="local",
                        help="local process pool (default) or dask.distributed")
    parser.add_argument("--scheduler", metavar="ADDR",
                        help="address of a running dask scheduler (implies --backend dask)")
    parser.add_argument("--workers", type=int, help="worker processes (local) or "
                        "workers/jobs (dask); default from the sweep file, else cores // "
                        "threads")
    parser.add_argument("--threads-per-worker", dest="threads", type=int,
                        help="numba threads in each worker (default 1)")


def cmd_sweep(args) -> int:
    """`evo sweep`: run a sweep (or one point of it), or write its SLURM array script."""
    from evo.sweep.run import run_sweep
    from evo.sweep.slurm import emit_slurm
    from evo.sweep.spec import load_sweep

    sweep = load_sweep(args.sweep_file)
    out = args.out or RUNS / sweep.name
    _check_backend(args)
    if args.emit_slurm:
        from evo.sweep.run import prepare_sweep_dir

        prepare_sweep_dir(sweep, out)
        print(f"wrote {emit_slurm(sweep, out)}: submit it with sbatch "
              f"({len(sweep.points)} tasks)")
        return 0
    backend = "dask" if args.scheduler else args.backend
    code = run_sweep(sweep, out, backend, args.scheduler, args.workers, args.threads,
                     args.task_index, args.quiet)
    if code == 0 and args.task_index is None:  # an array task is one point, not the sweep
        print(f"Sweep directory: {out}")
        print(f"Next: evo collect {out} -o table.csv, or evo analyze {out}")
    return code


def _check_backend(args) -> None:
    """--workers and --threads-per-worker are at least 1."""
    for name in ("workers", "threads"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            raise UserError(f"--{name.replace('threads', 'threads-per-worker')}: must be >= 1")


def cmd_study(args) -> int:
    """`evo study`: run a study's sweep, aggregate it and judge its expectations."""
    from evo.study.run import command_line, run_study
    from evo.study.spec import load_study

    study = load_study(args.study, args.overrides, quick=args.quick, seeds=args.seeds)
    _check_backend(args)
    backend = "dask" if args.scheduler else args.backend
    return run_study(study, args.out or RUNS / study.name, command_line(args.argv),
                     backend, args.scheduler, args.workers, args.threads, args.emit_slurm,
                     args.quiet)


def cmd_studies(args) -> int:
    """Print the built-in studies with their descriptions, or one study's file (--show)."""
    from evo.study.spec import builtin_text, list_studies

    if args.show:
        print(builtin_text(args.show), end="")
    else:
        studies = list_studies()
        width = max(len(name) for name, _ in studies)  # one column, however long a name
        for name, description in studies:
            print(f"{name:{width}s}  {description}")
    return 0


def cmd_status(args) -> int:
    """`evo status`: counts by status, each failed point's error, the command to continue (a
    study's: of its points/ sweep, and its report); exit 0 when every point is done (and a
    study reported), else 3 (as `evo sweep`)."""
    from evo.study.status import is_study_dir, study_status
    from evo.sweep.run import INCOMPLETE
    from evo.sweep.status import lines, status

    if is_study_dir(args.sweep_dir):
        printed, complete = study_status(args.sweep_dir)
    else:
        report = status(args.sweep_dir)
        printed, complete = lines(report), set(report["counts"]) == {"done"}
    print("\n".join(printed))
    return 0 if complete else INCOMPLETE


def cmd_collect(args) -> int:
    """`evo collect`: concatenate one table of every point, swept values as columns."""
    from collections import Counter

    from evo.analysis.many import collect
    from evo.store.files import write_atomic
    from evo.sweep.collect import unfinished

    table = collect(args.sweep_dir, args.table)
    try:
        write_atomic(args.output, table.to_csv(index=False).encode())
    except OSError as exc:
        raise UserError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
    print(f"wrote {args.output}: {len(table)} rows from {table['point'].nunique()} points")
    missing = unfinished(args.sweep_dir)
    if missing:
        print(f"evo collect: warning: {len(missing)} points are not done ("
              + ", ".join(f"{n} {status}" for status, n in Counter(missing.values()).items())
              + "): their rows are missing or stop early; `evo sweep` again finishes them",
              file=sys.stderr)
    return 0


BATCH_COMMANDS = {"sweep": cmd_sweep, "study": cmd_study, "studies": cmd_studies,
                  "status": cmd_status, "collect": cmd_collect}
