"""The `evo` command line: run, demo, analyze, replay, scenarios and bench here; the batch
commands (sweep, study, studies, status, collect) in `evo.cli_batch`."""

import argparse
import os
import sys
from pathlib import Path

from evo.cli_batch import BATCH_COMMANDS, add_batch_parsers
from evo.errors import Interrupted, UserError
from evo.store.files import BENCH, RUNS


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="evo", description="Evolve mesa-optimizers with a genetic algorithm and watch "
        "their internal objectives come apart from fitness when the environment shifts.")
    parser.add_argument("--version", action="version", version=f"evo (basemesa) {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a scenario into a run directory")
    run.add_argument("scenario", help="built-in scenario name, a scenario .toml file, "
                     "or (with --resume) a run directory")
    run.add_argument("--seed", type=int, help="root seed (overrides the scenario's `seed`)")
    run.add_argument("--out", type=Path, help="run directory (default runs/<name>-seed<seed>)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a scenario key, e.g. --set ga.population=256 (repeatable)")
    run.add_argument("--resume", action="store_true", help="continue a stopped run")
    run.add_argument("--force", action="store_true", help="replace an existing run directory")
    _add_common(run)

    demo = sub.add_parser("demo", help="the flagship `evolution` scenario, with its story")
    demo.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    demo.add_argument("--out", type=Path, default=RUNS / "demo",
                      help="run directory, replaced on every demo (default runs/demo)")
    _add_common(demo)

    analyze = sub.add_parser(
        "analyze", help="drift analysis of run directories: drift.csv, summary.json, "
        "report.md and plots/ in each; one combined table for several runs")
    analyze.add_argument("paths", nargs="+", type=Path, metavar="RUN_DIR",
                         help="a run directory, or a sweep directory holding run directories")
    analyze.add_argument("-o", "--output", type=Path,
                         help="combined table of several runs, one row each (default "
                         "SWEEP_DIR/analysis.csv, or ./analysis.csv for several arguments)")
    analyze.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                         help="change a threshold of the analysis, e.g. --threshold aligned=0.95 "
                         "(see evo.analysis.params.Thresholds; repeatable)")
    analyze.add_argument("--workers", type=int, metavar="N",
                         help="processes that analyse runs side by side (default: one per "
                         "core)")
    analyze.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    analyze.add_argument("--quiet", action="store_true", help="print only the report paths")

    add_batch_parsers(sub)
    replay = sub.add_parser("replay", help="watch one evolved agent play an episode: an "
                            "animated GIF, or text frames in the terminal")
    replay.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a run directory")
    replay.add_argument("--generation", type=int, help="a recorded generation (default: the "
                        "last of the first phase)")
    replay.add_argument("--individual", default="elite", help="`elite` (the fittest of the "
                        "generation, default) or an individual's id")
    replay.add_argument("--phase", help="the phase to play on, or `all` for every phase side "
                        "by side (default: the phase the individual lived in)")
    replay.add_argument("--episode", type=int, default=0, help="which of the phase's "
                        "evaluation episodes, the ones cross-evaluation plays (default 0)")
    replay.add_argument("-o", "--output", type=Path, help="the GIF to write (default "
                        "RUN_DIR/replay.gif)")
    replay.add_argument("--ascii", action="store_true", help="print the frames as text "
                        "instead (for a terminal without images)")

    scenarios = sub.add_parser("scenarios", help="list the built-in scenarios")
    shown = scenarios.add_mutually_exclusive_group()
    shown.add_argument("--show", metavar="NAME", help="print a built-in scenario's file, with "
                       "its comments: a template to copy")
    shown.add_argument("--keys", action="store_true", help="print the reference of every "
                       "scenario key: type, default and meaning")

    bench = sub.add_parser("bench", help="measure agent-steps per second, overheads, start-up "
                           "and memory on a fixed workload; print the table, write it as CSV")
    bench.add_argument("--out", type=Path, help="the CSV to write (default "
                       f"{BENCH / '<hostname>.csv'}; {BENCH / '<hostname>-tiny.csv'} with "
                       "--tiny)")
    bench.add_argument("--tiny", action="store_true",
                       help="shrink every measurement to seconds (for tests; numbers are noise)")
    return parser


def _version() -> str:
    """The installed basemesa's version."""
    from importlib import metadata

    try:
        return metadata.version("basemesa")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=int, help="numba threads (default: all cores)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def main(argv=None) -> int:
    """Entry point: one clear line and a non-zero exit on bad input, never a traceback."""
    for stream in (sys.stdout, sys.stderr):  # a name the terminal cannot show is escaped
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    args.argv = list(argv) if argv is not None else sys.argv[1:]  # a study reports it
    try:
        if args.command in BATCH_COMMANDS:
            return BATCH_COMMANDS[args.command](args)
        if args.command == "scenarios":
            return cmd_scenarios(args)
        if args.command == "analyze":
            return cmd_analyze(args)
        if args.command == "bench":
            return cmd_bench(args)
        if args.command == "replay":
            return cmd_replay(args)
        if args.threads is not None:
            set_threads(args.threads)
        if args.command == "run":
            return cmd_run(args)
        return cmd_demo(args)
    except UserError as exc:
        print(f"evo: error: {exc}", file=sys.stderr)
        return 2
    except Interrupted as exc:
        print(f"evo: interrupted by {exc}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:  # a Ctrl-C outside a run's generational loop
        print("evo: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `evo ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error
        return 141
    except OSError as exc:  # a full disk or a vanished directory outside a run's own handling
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"evo: error: {where}cannot write or read ({exc.strerror or exc})",
              file=sys.stderr)
        return 2


def set_threads(num: int) -> None:
    """Cap numba's threads; results do not depend on it, only speed does."""
    import numba

    if not 1 <= num <= numba.config.NUMBA_NUM_THREADS:
        raise UserError(f"--threads: must be between 1 and {numba.config.NUMBA_NUM_THREADS}")
    numba.set_num_threads(num)


def cmd_scenarios(args) -> int:
    """Print the built-in scenarios with their one-line descriptions, one scenario's file
    (--show), or the reference of every scenario key (--keys)."""
    from evo.scenario import builtin_text, list_scenarios

    if args.show:
        print(builtin_text(args.show), end="")
    elif args.keys:
        from evo.scenario.keys import reference

        print(reference(), end="")
    else:
        scenarios = list_scenarios()
        width = max(len(name) for name, _ in scenarios)  # one column, however long a name
        for name, description in scenarios:
            print(f"{name:{width}s}  {description}")
    return 0


def cmd_run(args) -> int:
    """`evo run`: a fresh run, or --resume of a stopped one; says where it wrote."""
    from evo.evolution.loop import resume, start

    overrides = list(args.overrides)
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    if args.resume:
        if args.force:
            raise UserError(f"{RESUME_OWN_CONFIG}; --force does not apply")
        path = resume(_resume_target(args.scenario, overrides, args.out), quiet=args.quiet)
    else:
        path = start(args.scenario, overrides, args.out, force=args.force, quiet=args.quiet)
    print(f"Run directory: {path}")
    print(f"Next: evo analyze {path}")
    return 0


RESUME_OWN_CONFIG = "--resume continues a run with its own config.toml"


def _resume_target(source: str, overrides: list, out: Path | None) -> Path:
    """The run directory that `evo run SOURCE [--seed/--set ...] [--out] --resume` names.

    SOURCE is the run directory itself, or the scenario and options of the command that
    started the run (its first command with --resume appended): they must resolve to the
    run's own config.toml, and a value that differs from it is refused.
    """
    from evo.evolution.loop import default_run_dir
    from evo.scenario import load_scenario
    from evo.scenario.load import first_difference

    if out is None and Path(source).is_dir():  # the run directory itself
        path, given = Path(source), None
        if overrides and (path / "config.toml").is_file():
            given = load_scenario(str(path / "config.toml"), overrides)
    else:
        given = load_scenario(source, overrides)
        path = Path(out) if out is not None else default_run_dir(given)
    if not (path / "config.toml").is_file():
        raise UserError(f"{path}: not a run directory; give the run directory (or --out) "
                        "to --resume")
    if given is not None:
        own = load_scenario(str(path / "config.toml"))
        differs = first_difference(given.model_dump(), own.model_dump())
        if differs:
            raise UserError(f"{RESUME_OWN_CONFIG}; --set, --seed and --force do not apply "
                            f"({differs})")
    return path


def cmd_demo(args) -> int:
    """`evo demo`: run the flagship scenario and tell its story in numbers."""
    from evo.demo import demo

    demo(args.out, seed=args.seed, quiet=args.quiet)
    return 0


def cmd_analyze(args) -> int:
    """`evo analyze`: analyse each run; several runs also get one combined table."""
    from evo.analysis import analyze_many, find_runs, parse_thresholds
    from evo.analysis.report import console_lines
    from evo.store.files import write_atomic
    from evo.sweep.run import available_cores

    thresholds = parse_thresholds(args.threshold)
    runs = [run for path in args.paths for run in find_runs(path)]
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers: must be at least 1")

    def report(analysed):
        if analysed.error is not None:
            return
        if not args.quiet:
            print("\n".join(console_lines(analysed.summary)))
        print(f"Report: {analysed.files['report.md']}")

    table, errors = analyze_many(runs, thresholds, plots=not args.no_plots, on_run=report,
                                 workers=args.workers or available_cores())
    for path, message in errors:
        print(f"evo: error: {message}", file=sys.stderr)
    if len(runs) > 1 or args.output is not None:
        output = args.output
        if output is None:
            single = len(args.paths) == 1
            output = args.paths[0] / "analysis.csv" if single else Path("analysis.csv")
        try:
            write_atomic(output, table.to_csv(index=False, lineterminator="\n").encode())
        except OSError as exc:
            raise UserError(f"{output}: cannot write the combined table: {exc.strerror}") from None
        print(f"Combined table of {len(runs)} runs: {output}")
    return 2 if errors else 0


def cmd_replay(args) -> int:
    """`evo replay`: one individual's episode as a GIF, or as text frames."""
    from evo.replay import ascii_frames, gif, replay
    from evo.store.files import write_atomic

    individual = args.individual
    if individual != "elite" and not individual.lstrip("-").isdigit():
        raise UserError(f"--individual: `elite` or an id (got {individual!r})")
    episodes = replay(args.run_dir, args.generation, individual, args.phase, args.episode)
    if args.ascii:
        print("\n\n".join(ascii_frames(episodes)))
        return 0
    output = args.output or args.run_dir / "replay.gif"
    try:
        write_atomic(output, gif(episodes))
    except OSError as exc:
        raise UserError(f"{output}: cannot write: {exc.strerror or exc}") from None
    first = episodes[0]
    print(f"wrote {output}: individual {first.individual} of generation {first.generation} "
          f"on {', '.join(ep.phase for ep in episodes)}, episode {args.episode}")
    return 0


def cmd_bench(args) -> int:
    """`evo bench`: the performance table (targets in benchmarks/README.md)."""
    from evo.bench import run_bench

    run_bench(args.out, tiny=args.tiny)
    return 0
