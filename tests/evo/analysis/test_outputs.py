"""The analysis's outputs are one set; damaged tables are refused; sweeps go on past a bad run."""

import errno
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from evo.analysis import analyze_run
from evo.cli import main
from evo.evolution.loop import start
from evo.store.files import write_atomic
from evo.store.lock import DirectoryLock
from evo.sweep.collect import collect
from tests.evo.helpers import TINY, sweep_text


@pytest.fixture
def analysed(tmp_path) -> Path:
    """A tiny complete run, analysed once."""
    out = start("evolution", TINY, tmp_path / "run", quiet=True)
    analyze_run(out)
    return out


def outputs(out: Path) -> dict:
    """The digest of every analysis output, read through the run directory's own names."""
    files = [out / name for name in ("drift.csv", "classes.csv", "lineage.csv",
                                      "summary.json", "report.md")]
    files += sorted((out / "plots").glob("*.png"))
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def test_a_failed_analysis_leaves_the_previous_set(analysed, capsys, monkeypatch):
    """A full disk while the new report is written: one line, and every output is still the
    previous analysis's (no new drift.csv beside an old summary.json); no staging is left."""
    before = outputs(analysed)
    calls = []

    def full_at_the_report(path, data):
        if Path(path).name == "report.md":
            raise OSError(errno.ENOSPC, "No space left on device")
        calls.append(path)
        write_atomic(path, data)

    monkeypatch.setattr("evo.analysis.pipeline.write_atomic", full_at_the_report)
    assert main(["analyze", str(analysed), "--threshold", "aligned=0.95", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cannot write the analysis (No space left on device)" in err
    assert err.count("\n") == 1 and calls
    assert outputs(analysed) == before
    assert len(list(analysed.glob(".analysis-*"))) == 1  # the previous set, and only it


def test_a_new_analysis_replaces_the_whole_set(analysed):
    """Analysing again with other thresholds swaps every output at once; the report's plots
    resolve through the run directory's names, and staging of a killed analysis is gone."""
    (analysed / ".analysis-killed").mkdir()  # what a SIGKILL mid-analysis leaves
    before = outputs(analysed)
    analysis = analyze_run(analysed)
    assert outputs(analysed) == before  # the same analysis again: the same bytes
    assert not (analysed / ".analysis-killed").exists()
    assert (analysed / "report.md").is_symlink() and (analysed / "analysis").is_symlink()
    report = (analysed / "report.md").read_text(encoding="utf-8")
    for line in report.splitlines():
        if line.startswith("![") and "](plots/" in line:
            assert (analysed / line.split("](")[1].rstrip(")")).is_file()
    assert analysis.files["report.md"] == analysed / "report.md"


def test_two_analyses_of_one_run_at_once(analysed, capsys):
    """While one analysis writes a run, another gets one line naming the holder."""
    lock = DirectoryLock(analysed / "analysis").acquire()
    try:
        assert main(["analyze", str(analysed), "--quiet"]) == 2
    finally:
        lock.release()
    err = capsys.readouterr().err
    assert "in use by another evo process (pid" in err and err.count("\n") == 1


def test_duplicate_ids_are_refused_and_the_sweep_goes_on(tmp_path, capsys):
    """A run whose individuals.csv holds an individual twice (two writers) is refused with
    one line; `evo analyze` of the folder still analyses the other runs."""
    bad = start("evolution", TINY, tmp_path / "runs" / "bad", quiet=True)
    good = start("evolution", TINY, tmp_path / "runs" / "good", quiet=True)
    lines = (bad / "individuals.csv").read_text().splitlines(keepends=True)
    (bad / "individuals.csv").write_text("".join(lines[:3] + lines[2:]))
    assert main(["analyze", str(tmp_path / "runs"), "--quiet", "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert "individuals.csv: individual" in err and "appears twice" in err
    assert (good / "summary.json").is_file() and not (bad / "summary.json").exists()
    table = pd.read_csv(tmp_path / "runs" / "analysis.csv")
    assert len(table) == 2 and table.error.notna().sum() == 1


def test_collect_drops_a_torn_last_line(tmp_path):
    """A point killed mid-write leaves a last line without its newline: `evo collect` keeps
    the whole rows only, never a row of NaNs."""
    sweep = tmp_path / "s.toml"
    sweep.write_text(sweep_text(TINY))
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    point = next(p for p in (tmp_path / "out").iterdir() if p.is_dir())
    whole = collect(tmp_path / "out", "individuals")
    with open(point / "individuals.csv", "a") as f:
        f.write("5,modern,999,3")
    torn = collect(tmp_path / "out", "individuals")
    pd.testing.assert_frame_equal(torn, whole)
