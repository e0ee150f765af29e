"""`evo study`: a study written only here, byte-identical reruns and backends, and one line
per mistake in a study file (every built-in study's quick version: test_builtin_studies)."""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from evo.cli import main
from evo.scenario import load_scenario
from evo.study.aggregate import COLUMNS
from evo.study.spec import builtin_names, load_study
from evo.sweep.spec import load_sweep
from tests.evo.helpers import TINY, assert_real_plot

# Written only here: another scenario's keys, another swept key, a group, both sources.
STUDY = '''
name = "candy"
description = "How much candy the modern world holds, against fitness at the shift"
scenario = "evolution"
seeds = 3
[set]
{tiny}
[axis]
key = "phases.modern.counts.candy"
values = [0, 6, 24]
[group]
key = "objects.candy.value"
values = [0.0, 0.3]
[[quantities]]
name = "after"
summary = "shifts/0/fitness_after"
[[quantities]]
name = "horizon"
drift = {{ metric = "horizon", source = "individuals", generations = 2 }}
[[quantities]]
name = "weight"
summary = "lineage/w_last/*"
[[expect]]
quantity = "after"
shape = "decreasing"
source = "the test's own"
[[expect]]
quantity = "horizon"
shape = "above"
threshold = 0.5
at = [0]
source = "horizons start at 1"
[dask]
host = "127.0.0.1"
'''.format(tiny="\n".join(f'"{k}" = {v}' for k, v in (item.split("=") for item in TINY)))


def write_study(tmp_path: Path, text: str = STUDY) -> Path:
    """A study file in tmp_path."""
    path = tmp_path / "candy.toml"
    path.write_text(text)
    return path


ONE_SEED = STUDY.replace("seeds = 3", "seeds = 1")


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """The one-seed study, run once for this module: its directory (copy it to change it)."""
    folder = tmp_path_factory.mktemp("finished")
    out = folder / "out"
    assert main(["study", str(write_study(folder, ONE_SEED)), "--out", str(out),
                 "--quiet"]) == 0
    return out


def copy_of(finished: Path, tmp_path: Path) -> Path:
    """A copy of the finished study's directory in tmp_path (its links as links, its
    modification times kept)."""
    return Path(shutil.copytree(finished, tmp_path / "out", symlinks=True))


def verdict_lines(report: str) -> list[str]:
    """The report's verdict lines."""
    return [line for line in report.splitlines() if line.startswith("Verdict: ")]


def check_outputs(out: Path, study) -> pd.DataFrame:
    """A study directory's study.csv, study.md and figure as the issue describes them."""
    table = pd.read_csv(out / "study.csv", keep_default_na=False, na_values=[""])
    keys = [axis.key for axis in (study.spec.group, study.spec.axis) if axis is not None]
    assert list(table.columns) == [*keys, *COLUMNS]
    report = (out / "study.md").read_text()
    groups = len(study.spec.group.values) if study.spec.group else 1
    verdicts = verdict_lines(report)
    assert len(verdicts) == len(study.spec.expect) * groups
    for line in verdicts:
        assert re.match(r"Verdict: (holds|does not hold)\. \S", line), line
    assert_real_plot(out / "plots" / "study.png")
    return table


def test_a_study_written_here_runs_and_repeats_to_the_byte(tmp_path):
    """A study file with another scenario, another swept key, a group, a `*` path and a
    drift quantity runs end to end; run again into another directory, and on the dask
    backend (its cluster on the study's [dask] host), study.csv and values.csv are the same
    bytes."""
    path = write_study(tmp_path)
    study = load_study(str(path))
    outs = [tmp_path / "a", tmp_path / "b", tmp_path / "dask"]
    assert main(["study", str(path), "--out", str(outs[0]), "--quiet"]) == 0
    assert main(["study", str(path), "--out", str(outs[1]), "--quiet", "--workers", "1"]) == 0
    assert main(["study", str(path), "--out", str(outs[2]), "--quiet", "--backend",
                 "dask"]) == 0
    assert load_sweep(outs[2] / "sweep.toml").spec.dask.host == "127.0.0.1"
    table = check_outputs(outs[0], study)
    features = load_scenario("evolution").features
    assert list(dict.fromkeys(table.quantity)) == ["after", "horizon",
                                                   *(f"weight/{f}" for f in features)]
    assert len(table) == 2 * 3 * (2 + len(features))  # groups x values x quantities
    assert set(table.n) == {3}
    for name in ("study.csv", "values.csv"):
        first = (outs[0] / name).read_bytes()
        assert all((out / name).read_bytes() == first for out in outs[1:]), name
    report = (outs[0] / "study.md").read_text()
    assert f"`evo study {path} --out {outs[0]} --quiet`" in report


def test_a_finished_study_reruns_without_running_anything(finished, tmp_path, capsys):
    """Run again into its own directory, a study skips every finished run and writes the
    same study.csv; with an expectation changed it is judged again from the same runs; a
    study of other runs in that directory is refused in one line."""
    path = write_study(tmp_path, ONE_SEED)
    out = copy_of(finished, tmp_path)
    first = (out / "study.csv").read_bytes()
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("points/*/generations.csv")}
    assert main(["study", str(path), "--out", str(out), "--quiet"]) == 0
    assert (out / "study.csv").read_bytes() == first
    assert {p: p.stat().st_mtime_ns for p in out.glob("points/*/generations.csv")} == stamps
    path.write_text(path.read_text().replace('shape = "decreasing"', 'shape = "increasing"'))
    assert main(["study", str(path), "--out", str(out), "--quiet"]) == 0
    assert "### `after` increasing" in (out / "study.md").read_text()
    assert {p: p.stat().st_mtime_ns for p in out.glob("points/*/generations.csv")} == stamps
    capsys.readouterr()
    assert main(["study", str(path), "--out", str(out), "--seeds", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds a different study" in err


@pytest.mark.parametrize("change, message", [
    (("[[expect]]\nquantity = \"after\"", "[[expect]]\nquantity = \"later\""),
     "expect.0.quantity: no quantity 'later'"),
    (("summary = \"shifts/0/fitness_after\"", "summary = \"shifts/0/fitness_later\""),
     "quantities.after: no run has shifts/0/fitness_later"),
    (("summary = \"shifts/0/fitness_after\"", "summary = \"run/scenario\""),
     "quantities.after: run/scenario is not a number"),
    (("threshold = 0.5\n", ""), "expect.1: threshold: required for shape 'above'"),
    (("values = [0, 6, 24]", "values = [0, 6, 6]"), "axis: values: each value once"),
    (("scenario = \"evolution\"", "scenario = \"evolution\"\ncolour = 1"),
     "colour: Extra inputs are not permitted"),
    (('host = "127.0.0.1"', 'host = ""'), "dask.host: String should match pattern"),
])
def test_mistakes_in_a_study_file_are_one_line(finished, tmp_path, capsys, change, message):
    """Each mistake: one line naming the file or key and the problem, exit 2 (in the
    directory of the study's finished runs, where the quantities are read)."""
    path = write_study(tmp_path, ONE_SEED.replace(*change))
    assert main(["study", str(path), "--out", str(copy_of(finished, tmp_path)),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert "Traceback" not in err


def test_study_overrides_and_the_listing(tmp_path, capsys):
    """`--set` changes a key of the study file (an unknown one is one line); `evo studies`
    lists every built-in and `--show` prints one."""
    study = load_study("seed-lottery", ["scenario=coinrun"], quick=True, seeds=2)
    assert study.spec.scenario == "coinrun" and study.seeds == [0, 1]
    assert study.name == "seed-lottery-quick"
    assert main(["study", "seed-lottery", "--set", "scenery=coinrun"]) == 2
    assert "--set scenery: unknown key" in capsys.readouterr().err
    assert main(["studies"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in builtin_names())
    assert main(["studies", "--show", "coinrun-curve"]) == 0
    assert "[[expect]]" in capsys.readouterr().out


def test_emit_slurm_writes_the_studys_array(tmp_path, capsys):
    """`--emit-slurm` writes the array script of the study's sweep and says how to finish."""
    path = write_study(tmp_path)
    out = tmp_path / "out"
    assert main(["study", str(path), "--out", str(out), "--emit-slurm"]) == 0
    script = (out / "points" / "sweep.sbatch").read_text()
    assert "#SBATCH --array=0-17" in script
    assert "again writes the study" in capsys.readouterr().out


def test_status_understands_a_study_directory(tmp_path, capsys):
    """`evo status STUDY_DIR` reports on the study's points/ sweep and its report, and says
    how to continue it: the `evo study` command (or the array script) until every run is
    done and study.md is written; exit 0 only then."""
    import json

    path = write_study(tmp_path, ONE_SEED)
    out = tmp_path / "out"
    assert main(["study", str(path), "--out", str(out), "--emit-slurm"]) == 0
    capsys.readouterr()
    assert main(["status", str(out)]) == 3
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"study {out}: its runs are the sweep {out / 'points'}"
    assert printed[-1].startswith("continue with: ")
    assert main(["study", str(path), "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["status", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["6 points: 6 done",
                                                        f"report: {out / 'study.md'}"]
    point = sorted(p for p in (out / "points").iterdir() if p.is_dir())[0]
    meta = json.loads((point / "meta.json").read_text())
    (point / "meta.json").write_text(json.dumps({**meta, "status": "interrupted"}))
    assert main(["status", str(out)]) == 3
    printed = capsys.readouterr().out.splitlines()
    assert printed[1] == "6 points: 5 done, 1 interrupted"
    assert printed[-1] == (f"continue with: sbatch {out / 'points' / 'sweep.sbatch'}, then the "
                           "`evo study` command that started it (it runs only what is not "
                           f"done, then writes {out / 'study.md'})")
    assert main(["status", str(tmp_path)]) == 2
    assert "neither a sweep directory" in capsys.readouterr().err


def test_verdict_lines_close_every_parenthesis_they_open(tmp_path):
    """A verdict of every kind (a trend with its cliff located between two swept values, a
    bound) opens as many parentheses as it closes, as do the verdicts of the committed
    study reports in docs/studies/."""
    from evo.study.aggregate import aggregate
    from evo.study.verdicts import judge
    from tests.evo.helpers import REPO

    text = STUDY.replace('shape = "decreasing"', 'shape = "decreasing"\ncliff = true')
    study = load_study(str(write_study(tmp_path, text)))
    rows = [{"point": 0, "seed": seed, "objects.candy.value": group,
             "phases.modern.counts.candy": candy, "quantity": quantity,
             "value": (1.0 if candy == 0 else 0.0) + 0.1 * seed}
            for group in (0.0, 0.3) for candy in (0, 6, 24) for seed in range(3)
            for quantity in ("after", "horizon")]
    values = pd.DataFrame(rows)
    verdicts = judge(study, values, aggregate(study, values))
    assert any("between the swept values 0 and 6" in v.numbers for v in verdicts)
    lines = [v.numbers for v in verdicts]
    lines += [line for path in sorted((REPO / "docs" / "studies").glob("*/study.md"))
              for line in verdict_lines(path.read_text())]
    for line in lines:
        assert line.count("(") == line.count(")"), line
