"""A run end to end: the run directory, its CSVs, determinism across threads and resumes."""

from pathlib import Path

import pandas as pd
import pytest

from evo.cli import main
from evo.errors import UserError
from evo.evolution.loop import resume, start
from evo.store.rundir import CSV_FILES
from tests.evo.helpers import TINY, csv_bytes, set_args


def run_tiny(out: Path, *extra, stop_after=None) -> Path:
    """A five-generation `evolution` run, quiet."""
    return start("evolution", TINY + list(extra), out, quiet=True, stop_after=stop_after)


def test_run_directory_has_every_file_and_tidy_csvs(tmp_path):
    """A finished run holds config, meta, checkpoint and CSVs that pandas reads back."""
    out = run_tiny(tmp_path / "run")
    for name in ("config.toml", "meta.json", "checkpoint.npz", *CSV_FILES):
        assert (out / name).is_file(), name
    gens = pd.read_csv(out / "generations.csv")
    assert list(gens.generation) == [0, 1, 2, 3, 4]
    assert list(gens.phase) == ["ancestral"] * 3 + ["modern"] * 2
    inds = pd.read_csv(out / "individuals.csv")
    assert len(inds) == 5 * 12
    assert {"w_sweet", "horizon", "gamma", "consumed_candy", "parent1", "parent2"} <= set(inds)
    cross = pd.read_csv(out / "crosseval.csv")
    # Generations 0, 2 (every 2nd and the end of ancestral) and 4 (end of modern), 2 phases each.
    assert sorted(cross.generation.unique()) == [0, 2, 4]
    assert len(cross) == 3 * 2 * 12
    assert set(cross.eval_phase) == {"ancestral", "modern"}


def test_lineage_points_into_the_previous_generation(tmp_path):
    """Every parent id of generation g is an id of generation g-1; elites keep their genes."""
    inds = pd.read_csv(run_tiny(tmp_path / "run") / "individuals.csv")
    for g in range(1, 5):
        previous = inds[inds.generation == g - 1].set_index("id")
        current = inds[inds.generation == g]
        bred = current[current.elite == 0]
        parents = set(bred.parent1) | set(bred.parent2[bred.parent2 >= 0])
        assert parents and parents <= set(previous.index)
        elites = current[current.elite == 1]
        assert len(elites) == 2
        for _, row in elites.iterrows():
            assert row.w_sweet == previous.loc[row.id, "w_sweet"]
        assert not set(current[current.elite == 0].id) & set(previous.index)


def test_same_seed_same_bytes(tmp_path):
    """Two runs with one seed write byte-identical CSVs (wall clock aside)."""
    assert csv_bytes(run_tiny(tmp_path / "a")) == csv_bytes(run_tiny(tmp_path / "b"))


def test_other_seed_other_run(tmp_path):
    """The seed matters: a different seed gives a different run."""
    a = csv_bytes(run_tiny(tmp_path / "a"))
    b = csv_bytes(run_tiny(tmp_path / "b", "seed=7"))
    assert a["individuals.csv"] != b["individuals.csv"]


def test_resume_after_stop_is_byte_identical(tmp_path):
    """A run stopped mid-way, with a torn row at the end of a CSV, resumes to the same bytes."""
    whole = run_tiny(tmp_path / "whole")
    part = run_tiny(tmp_path / "part", stop_after=2)
    assert len(pd.read_csv(part / "generations.csv")) == 3
    with open(part / "individuals.csv", "a") as f:
        f.write("3,modern,99,1")  # what a kill in the middle of a write leaves
    resume(part, quiet=True)
    assert csv_bytes(part) == csv_bytes(whole)


def test_threads_do_not_change_results(tmp_path, evo_command):
    """numba on 1 and on 2 threads: byte-identical CSVs."""
    outs = []
    for threads in (1, 2):
        out = tmp_path / f"t{threads}"
        result = evo_command("run", "evolution", "--quiet", "--out", str(out),
                             "--threads", str(threads), *set_args(TINY), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        outs.append(csv_bytes(out))
    assert outs[0] == outs[1]


def test_existing_run_directory_is_not_touched(tmp_path):
    """Without --resume or --force, an existing run directory is refused and left as it was."""
    out = run_tiny(tmp_path / "run")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(UserError, match="exists"):
        run_tiny(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_force_replaces_a_run(tmp_path):
    """--force replaces an existing run directory with a fresh run."""
    out = run_tiny(tmp_path / "run")
    (out / "generations.csv").write_text("junk\n")
    start("evolution", TINY, out, force=True, quiet=True)
    assert len(pd.read_csv(out / "generations.csv")) == 5


def test_bad_override_is_one_line_and_writes_nothing(tmp_path, capsys):
    """A bad --set gets one error line naming the key, exit 2, and no run directory."""
    out = tmp_path / "run"
    code = main(["run", "evolution", "--set", "ga.population=-1", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "ga.population" in err
    assert not out.exists()


def test_bad_scenario_file_from_the_command(tmp_path, evo_command):
    """The real command on a malformed scenario: one line, non-zero exit, no traceback."""
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nfeatures = ["a"\n')
    result = evo_command("run", str(bad), "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "bad.toml" in result.stderr
    assert not (tmp_path / "run").exists()


def test_resume_of_a_finished_run_changes_nothing(tmp_path):
    """Resuming a finished run leaves its CSVs as they are."""
    out = run_tiny(tmp_path / "run")
    before = csv_bytes(out)
    assert main(["run", str(out), "--resume", "--quiet"]) == 0
    assert csv_bytes(out) == before


def test_resume_refuses_what_is_not_a_run(tmp_path, capsys):
    """--resume on a directory without a run in it: one line, non-zero exit."""
    assert main(["run", str(tmp_path), "--resume"]) == 2
    assert "not a run directory" in capsys.readouterr().err


def test_run_says_where_it_wrote_and_what_comes_next(tmp_path, capsys):
    """`evo run` ends with the run directory and the command that analyses it."""
    out = tmp_path / "run"
    assert main(["run", "evolution", *set_args(TINY), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[-2:] == [f"Run directory: {out}", f"Next: evo analyze {out}"]


def test_resume_takes_the_first_command_again(tmp_path, capsys):
    """The command that started a run, with --resume appended, continues it (its seed and
    --set values are the run's own); the same command with a different value is refused
    with one line naming the key, and the run is left as it was."""
    out = tmp_path / "run"
    first = ["run", "evolution", "--seed", "3", *set_args(TINY), "--out", str(out), "--quiet"]
    run_tiny(out, "seed=3", stop_after=1)
    whole = csv_bytes(run_tiny(tmp_path / "whole", "seed=3"))
    assert main([*first, "--resume"]) == 0
    assert csv_bytes(out) == whole
    capsys.readouterr()

    other = ["run", "evolution", "--seed", "4", *set_args(TINY), "--out", str(out), "--quiet"]
    assert main([*other, "--resume"]) == 2
    error = capsys.readouterr().err.strip()
    assert "--resume continues a run with its own config.toml" in error
    assert "seed: the command line gives 4, the run has 3" in error
    assert csv_bytes(out) == whole
    # A run directory given as itself takes --set values that match its config, too.
    assert main(["run", str(out), "--seed", "3", "--resume", "--quiet"]) == 0
    assert main(["run", str(out), "--set", "ga.population=13", "--resume", "--quiet"]) == 2
    assert "ga.population: the command line gives 13, the run has 12" in capsys.readouterr().err


def test_resume_with_the_scenario_finds_the_default_run_directory(tmp_path, monkeypatch):
    """`evo run SCENARIO --seed S --resume` continues runs/<scenario>-seed<S>, where the
    first command wrote without --out."""
    monkeypatch.chdir(tmp_path)
    args = ["run", "evolution", "--seed", "2", *set_args(TINY), "--quiet"]
    start("evolution", [*TINY, "seed=2"], None, quiet=True, stop_after=0)
    assert main([*args, "--resume"]) == 0
    generations = pd.read_csv(tmp_path / "runs" / "evolution-seed2" / "generations.csv")
    assert len(generations) == 5


def test_other_threads_drawing_from_random_change_nothing(tmp_path):
    """Breeding draws only from its own generator: a thread that keeps drawing from the
    process-wide `random` during a run (as dask's threads do), with the interpreter switching
    threads every 10 microseconds, leaves the CSVs byte-identical to a run without it."""
    import random
    import sys
    import threading

    quiet = run_tiny(tmp_path / "quiet", "ga.population=64")
    done = threading.Event()

    def noise():
        while not done.is_set():
            random.random()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    thread = threading.Thread(target=noise)
    thread.start()
    try:
        noisy = run_tiny(tmp_path / "noisy", "ga.population=64")
    finally:
        done.set()
        thread.join()
        sys.setswitchinterval(interval)
    assert csv_bytes(noisy) == csv_bytes(quiet)
