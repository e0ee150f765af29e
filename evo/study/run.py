"""`evo study`: run a study's sweep, analyse every point, aggregate, judge, draw, report.

A study directory holds `study.toml` (the study as run, overrides and quick mode applied),
`sweep.toml` (the sweep it implies) and `points/` (that sweep's directory, resumable as any
sweep), then `values.csv` (each run's quantities), `study.csv`, `study.md` and `plots/`.
"""

import io
import shlex
import sys
from pathlib import Path

import tomli_w

from evo.errors import UserError
from evo.store.files import write_atomic
from evo.store.lock import DirectoryLock
from evo.study.aggregate import aggregate, swept_keys
from evo.study.figure import write_figure
from evo.study.quantities import values_table
from evo.study.report import render
from evo.study.spec import Study
from evo.study.verdicts import judge

FIGURE = "plots/study.png"


def sweep_data(study: Study) -> dict:
    """The sweep file a study implies: its scenario, seeds, overrides, its axis and group as
    the grid, and its backend settings."""
    spec = study.spec
    scenario = spec.scenario
    if scenario.endswith(".toml") or "/" in scenario:
        scenario = str((study.base / scenario).resolve())
    grid = {axis.key: list(axis.values) for axis in (spec.group, spec.axis) if axis}
    data = {"name": study.name, "scenario": scenario, "seeds": study.seeds,
            "set": spec.set, "grid": grid}
    for section in ("local", "dask", "slurm"):
        data[section] = getattr(spec, section).model_dump(exclude_none=True)
    return data


def prepare(study: Study, out: Path):
    """Write study.toml and sweep.toml into the study directory and load the sweep. A
    directory whose runs were another sweep's (other seeds, values or overrides) is
    refused; a study whose quantities, expectations or texts changed is reported again."""
    from evo.sweep.spec import load_sweep

    sweep = tomli_w.dumps(sweep_data(study))
    existing = out / "sweep.toml"
    if existing.is_file() and existing.read_text(encoding="utf-8") != sweep:
        raise UserError(f"{out}: holds a different study (its runs differ: seeds, values or "
                        "overrides); use --out to choose another directory")
    text = tomli_w.dumps(study.spec.model_dump(mode="json", exclude_none=True))
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / "study.toml", text.encode("utf-8"))
        write_atomic(existing, sweep.encode("utf-8"))
    except OSError as exc:
        raise UserError(f"{out}: cannot write the study directory: {exc.strerror or exc}") \
            from None
    return load_sweep(out / "sweep.toml")


def run_study(study: Study, out: Path, command: str, backend: str = "local",
              scheduler: str | None = None, workers: int | None = None,
              threads: int | None = None, emit_slurm: bool = False,
              quiet: bool = False) -> int:
    """Run (or continue) a study into `out`; 0 once it is reported, 3 while points of its
    sweep are not done (the sweep's own exit status)."""
    from evo.sweep.run import INCOMPLETE, available_cores, prepare_sweep_dir, run_sweep
    from evo.sweep.slurm import emit_slurm as write_script

    lock = DirectoryLock(out).acquire()
    try:
        sweep = prepare(study, out)
        points = out / "points"
        if emit_slurm:
            prepare_sweep_dir(sweep, points)
            script = write_script(sweep, points)
            print(f"wrote {script}: submit it with sbatch ({len(sweep.points)} tasks); when "
                  f"every task is done, `{command}` again writes the study")
            return 0
        if run_sweep(sweep, points, backend, scheduler, workers, threads, quiet=quiet) != 0:
            print(f"evo study: the study's runs are not all done; `{command}` again continues "
                  "them", file=sys.stderr)
            return INCOMPLETE
        report(study, out, sweep, command, workers or available_cores())
        return 0
    finally:
        lock.release()


def report(study: Study, out: Path, sweep, command: str, workers: int) -> None:
    """Analyse every point, then write values.csv, study.csv, the figure and study.md."""
    from evo.analysis import analyze_many

    points = out / "points"
    _, errors = analyze_many([points / p.name for p in sweep.points], plots=False,
                             workers=workers)
    if errors:
        _, message = errors[0]
        raise UserError(f"{len(errors)} of the study's runs could not be analysed; the first: "
                        f"{message}")
    keys = swept_keys(study)
    runs = [({"point": p.index, "seed": p.seed, **{k: p.swept[k] for k in keys}},
             points / p.name) for p in sweep.points]
    values = values_table(runs, study.spec.quantities)
    table = aggregate(study, values)
    verdicts = judge(study, values, table)
    _write_csv(out / "values.csv", values)
    _write_csv(out / "study.csv", table)
    (out / "plots").mkdir(exist_ok=True)
    write_figure(study, values, table, out / FIGURE)
    text = render(study, command, len(sweep.points), table, verdicts, FIGURE)
    write_atomic(out / "study.md", text.encode("utf-8"))
    print(f"Study: {out / 'study.md'}")
    for verdict in verdicts:
        where = f" ({study.spec.group.key} = {verdict.group})" if verdict.group is not None \
            else ""
        print(f"  {verdict.expect.quantity} {verdict.expect.shape}{where}: "
              f"{'holds' if verdict.holds else 'does not hold'}")


def _write_csv(path: Path, frame) -> None:
    """A table written whole, with the same bytes for the same numbers."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    write_atomic(path, buffer.getvalue().encode("utf-8"))


def command_line(argv: list[str]) -> str:
    """The exact command, as a user would type it again."""
    return shlex.join(["evo", *argv])
