"""A run directory is data: damage, edits and hostile files are refused with one line.

Each test damages a stopped run the way a crash, a careless edit or a hostile copy would,
then resumes it: the answer is one line naming the file and the problem, exit 2, and not a
byte is appended. None of it runs code from the run directory.
"""

import hashlib
import io
import json
import os
import shutil
import signal
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from evo.cli import main
from evo.errors import UserError
from evo.evolution import loop
from evo.evolution.loop import resume, start
from tests.evo.helpers import TINY, csv_bytes

FILES = ("generations.csv", "individuals.csv", "crosseval.csv", "checkpoint.npz",
         "config.toml")


def stopped(tmp_path: Path, name: str = "run") -> Path:
    """A five-generation run stopped after generation 2."""
    return start("evolution", TINY, tmp_path / name, quiet=True, stop_after=2)


def fingerprint(out: Path) -> dict:
    """The bytes of every file resuming could append to or replace."""
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in FILES}


def refused(out: Path, capsys, *words) -> str:
    """Resume `out`: one line, exit 2, naming each of `words`; nothing written."""
    before = fingerprint(out)
    assert main(["run", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("evo: error: "), err
    for word in words:
        assert word in err, err
    assert fingerprint(out) == before
    return err


def edit_csv(path: Path, edit) -> None:
    """Rewrite a CSV's lines through `edit(lines) -> lines` (each with its newline)."""
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(edit(lines)))


CSV_DAMAGE = {
    "extra column": ("generations.csv", lambda ls: ls[:2] + [ls[2].rstrip("\n") + ",9\n"]
                     + ls[3:]),
    "row deleted": ("generations.csv", lambda ls: ls[:2] + ls[3:]),
    "individual deleted": ("individuals.csv", lambda ls: ls[:5] + ls[6:]),
    "cut to header": ("individuals.csv", lambda ls: ls[:1]),
    "renamed column": ("individuals.csv", lambda ls: [ls[0].replace("fitness", "fit", 1)]
                       + ls[1:]),
    "NUL bytes": ("individuals.csv", lambda ls: ls[:3] + ["\x00" * 10 + ls[3]] + ls[4:]),
    "crosseval cut": ("crosseval.csv", lambda ls: ls[:1]),
}


@pytest.mark.parametrize("damage", CSV_DAMAGE, ids=list(CSV_DAMAGE))
def test_damaged_csv_is_refused(tmp_path, capsys, damage):
    """A CSV whose committed rows were changed or lost, or whose header was renamed."""
    out = stopped(tmp_path)
    name, edit = CSV_DAMAGE[damage]
    edit_csv(out / name, edit)
    refused(out, capsys, name)


def test_rows_after_the_checkpoint_are_cut_and_rerun(tmp_path):
    """Rows past the checkpoint (a generation in flight, a torn line) are cut on resume, and
    the resumed run is the uninterrupted one, byte for byte."""
    out = stopped(tmp_path)
    with open(out / "individuals.csv", "a") as f:
        f.write("3,ancestral,999,1,2,0,0.1")
    with open(out / "generations.csv", "a") as f:
        f.write("3,ancestral,1.0,2.0\n")
    resume(out, quiet=True)
    assert csv_bytes(out) == csv_bytes(start("evolution", TINY, tmp_path / "whole", quiet=True))


def rewrite_checkpoint(out: Path, **changes) -> None:
    """The checkpoint with some arrays replaced (None: removed), written back as .npz."""
    with np.load(out / "checkpoint.npz") as archive:
        arrays = {key: archive[key] for key in archive.files}
    for key, value in changes.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    (out / "checkpoint.npz").write_bytes(buffer.getvalue())


def genomes(out: Path) -> np.ndarray:
    """The checkpoint's genomes."""
    with np.load(out / "checkpoint.npz") as archive:
        return archive["genomes"]


CHECKPOINT_DAMAGE = {
    "fitness of the wrong length": lambda out: {"fitness": np.zeros(3)},
    "population of 2": lambda out: {"genomes": genomes(out)[:2], "ids": np.arange(2),
                                    "fitness": np.zeros(2)},
    "a key missing": lambda out: {"next_id": None},
    "a string generation": lambda out: {"generation": np.array("2")},
    "the wrong gene count": lambda out: {"genomes": genomes(out)[:, :3]},
    "NaN genes": lambda out: {"genomes": np.where(True, np.nan, genomes(out))},
    "a generation past the run": lambda out: {"generation": np.int64(99)},
    "repeated ids": lambda out: {"ids": np.zeros(12, dtype=np.int64)},
    "a CSV not covered": lambda out: {key: np.load(out / "checkpoint.npz")[key][:2]
                                      for key in ("csv_names", "csv_sizes", "csv_sha256")},
}


@pytest.mark.parametrize("damage", CHECKPOINT_DAMAGE, ids=list(CHECKPOINT_DAMAGE))
def test_damaged_checkpoint_is_refused(tmp_path, capsys, damage):
    """A checkpoint whose arrays do not fit the run's scenario: one line, never a traceback
    or a segmentation fault."""
    out = stopped(tmp_path)
    rewrite_checkpoint(out, **CHECKPOINT_DAMAGE[damage](out))
    refused(out, capsys, "checkpoint.npz")


def test_a_pickle_in_the_run_directory_never_runs(tmp_path, capsys):
    """A run directory of the old format, or a hostile one, holds checkpoint.pkl: it is
    refused on resume and on a sweep's re-run, and the code it carries never runs."""
    marker = tmp_path / "pwned"

    class Hostile:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    import pickle

    out = stopped(tmp_path)
    (out / "checkpoint.npz").unlink()
    (out / "checkpoint.pkl").write_bytes(pickle.dumps(Hostile()))
    assert main(["run", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "checkpoint.pkl" in err and "never loaded" in err
    assert main(["analyze", str(out), "--quiet", "--no-plots"]) in (0, 2)
    assert not marker.exists()


def test_edited_config_is_refused(tmp_path, capsys):
    """config.toml edited between stop and resume (a phase shortened, a feature added)."""
    out = stopped(tmp_path)
    config = (out / "config.toml").read_text()
    (out / "config.toml").write_text(config.replace("generations = 3", "generations = 4", 1))
    refused(out, capsys, "config.toml", "changed since the run started")


def test_meta_json_that_is_not_an_object_is_refused(tmp_path, capsys):
    """meta.json holding a list or a string: one line."""
    out = stopped(tmp_path)
    for text in ("[1, 2]", '"done"'):
        (out / "meta.json").write_text(text)
        refused(out, capsys, "meta.json", "not a JSON object")


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_checkpoint_that_is_not_a_file_is_refused_at_once(tmp_path, capsys, kind):
    """A checkpoint that is a FIFO (a read would wait forever) or a link to /dev/zero (a
    read would never end) is refused before it is opened."""
    out = stopped(tmp_path)
    (out / "checkpoint.npz").unlink()
    if kind == "fifo":
        os.mkfifo(out / "checkpoint.npz")
    else:
        (out / "checkpoint.npz").symlink_to("/dev/zero")
    assert main(["run", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "checkpoint.npz" in err and "not a regular file" in err


def test_force_replaces_run_directories_only(tmp_path, capsys):
    """--force on a folder that holds a config.toml and a meta.json but is not a run
    directory (no marker) is refused, and the folder is left as it was."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "config.toml").write_text("mine")
    (folder / "meta.json").write_text("{}")
    assert main(["run", "evolution", "--out", str(folder), "--force", "--quiet"]) == 2
    assert "not a basemesa run directory" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["config.toml", "meta.json"]
    out = start("evolution", TINY, tmp_path / "run", quiet=True)
    assert main(["run", "evolution", *sum((["--set", o] for o in TINY), []), "--out",
                 str(out), "--force", "--quiet"]) == 0
    # A run directory of the first format (a pickle checkpoint, no marker) is one too.
    (out / ".basemesa-run").unlink()
    (out / "checkpoint.npz").rename(out / "checkpoint.pkl")
    assert main(["run", "evolution", *sum((["--set", o] for o in TINY), []), "--out",
                 str(out), "--force", "--quiet"]) == 0
    assert (out / ".basemesa-run").is_file() and not (out / "checkpoint.pkl").exists()


def test_a_stop_during_the_last_generation_leaves_the_run_done(tmp_path, monkeypatch):
    """A stop signal that arrives while the last generation computes: the run is finished,
    so it is `done`, and nothing says to resume it."""
    out = start("evolution", TINY, tmp_path / "run", quiet=True, stop_after=3)

    class StoppedAtOnce:
        def __enter__(self):
            return SimpleNamespace(received=signal.SIGTERM)

        def __exit__(self, *exc):
            return None

    monkeypatch.setattr(loop, "StopSignal", StoppedAtOnce)
    resume(out, quiet=True)  # runs generation 4, the last: no Interrupted raised
    assert json.loads((out / "meta.json").read_text())["status"] == "done"


def test_default_run_directory_stays_in_runs(tmp_path, monkeypatch):
    """A scenario named `../../escaped` or `/tmp/x` still runs into runs/ by default."""
    monkeypatch.chdir(tmp_path)
    for name, expected in (("../../escaped", "escaped-seed0"), ("/tmp/x", "tmp-x-seed0")):
        path = start("evolution", [*TINY, f'name="{name}"'], None, quiet=True)
        assert path == Path("runs") / expected and (tmp_path / path / "config.toml").is_file()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A stopped run to copy for each damage, and the bytes of the uninterrupted run."""
    tmp = tmp_path_factory.mktemp("template")
    return stopped(tmp), csv_bytes(start("evolution", TINY, tmp / "whole", quiet=True))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_damage_is_refused_or_harmless(template, tmp_path_factory, data):
    """Any byte-level damage to any file of a stopped run (cut short, a byte changed, bytes
    inserted, a line dropped): resuming either refuses with one line and writes nothing, or
    continues to the uninterrupted run's bytes. Never a traceback, never other bytes."""
    source, whole = template
    out = tmp_path_factory.mktemp("damaged") / "run"
    shutil.copytree(source, out)
    name = data.draw(st.sampled_from(sorted(p.name for p in out.iterdir())), label="file")
    raw = (out / name).read_bytes()
    where = data.draw(st.integers(0, max(len(raw) - 1, 0)), label="where")
    how = data.draw(st.sampled_from(["cut", "change", "insert", "drop line"]), label="how")
    if how == "cut":
        raw = raw[:where]
    elif how == "change":
        raw = raw[:where] + bytes([raw[where] ^ data.draw(st.integers(1, 255))]) \
            + raw[where + 1:] if raw else b"x"
    elif how == "insert":
        raw = raw[:where] + data.draw(st.binary(min_size=1, max_size=8)) + raw[where:]
    else:
        lines = raw.split(b"\n")
        del lines[data.draw(st.integers(0, len(lines) - 1))]
        raw = b"\n".join(lines)
    (out / name).write_bytes(raw)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "meta.json"}
    try:
        resume(out, quiet=True)
    except UserError as error:
        assert len(str(error).splitlines()) == 1
        after = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "meta.json"}
        assert after == before
        event("refused")
    else:
        assert csv_bytes(out) == whole
        event("harmless")
