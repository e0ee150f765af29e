"""evo.api: run, load, analyse and replay a run from Python alone; errors as the command's."""

import numpy as np
import pandas as pd
import pytest

from evo import api
from evo.cli import main
from tests.evo.helpers import TINY, sweep_text

OWN = """
name = "garden"
features = ["sweet", "bitter"]
[world]
height = 7
width = 7
episode_steps = 20
[[objects]]
name = "berry"
features = { sweet = 1 }
value = 1.0
[[objects]]
name = "thorn"
features = { bitter = 1 }
value = -1.0
[[phases]]
name = "spring"
generations = 2
counts = { berry = 4, thorn = 4 }
[ga]
population = 8
episodes = 2
[record]
crosseval_episodes = 2
"""


def test_run_load_analyze_replay(tmp_path):
    """Only evo.api: a built-in run, its tables as DataFrames, its analysis with figures, and
    a replay as a GIF and as frames."""
    run = api.run("evolution", seed=1, overrides=TINY, out=tmp_path / "run")
    again = api.load(tmp_path / "run")
    assert again.path == run.path and again.meta["status"] == "done"
    assert isinstance(run.generations, pd.DataFrame) and len(run.generations) == 5
    assert run.config["seed"] == 1 and run.config["ga"]["population"] == 12
    assert {"fitness", "w_sweet"} <= set(run.individuals.columns)
    assert set(run.crosseval.eval_phase) == {"ancestral", "modern"}
    analysis = api.analyze(run)
    assert analysis.summary["run"]["seed"] == 1
    assert isinstance(analysis.drift, pd.DataFrame) and not analysis.classes.empty
    assert {"fitness", "alignment", "elite_w"} <= set(analysis.figures)
    assert analysis.figures["fitness"].axes
    gif = api.replay(run, phase="all")
    assert gif == run.path / "replay.gif" and gif.read_bytes()[:6] == b"GIF89a"
    frames = api.replay(run, frames=True)
    assert len(frames) == 21 and frames[0].dtype == np.uint8 and frames[0].shape[2] == 3


def test_a_scenario_written_as_text(tmp_path):
    """A scenario given as the text of a TOML file runs and analyses."""
    run = api.run(OWN, out=tmp_path / "garden")
    assert run.config["name"] == "garden" and len(run.generations) == 2
    assert api.analyze(run, plots=False).summary["run"]["scenario"] == "garden"


def test_errors_are_the_commands_one_line(tmp_path, capsys):
    """A bad override raises api.Error with exactly the line `evo run` prints."""
    with pytest.raises(api.Error) as error:
        api.run("evolution", overrides=["ga.population=1"], out=tmp_path / "x")
    assert main(["run", "evolution", "--set", "ga.population=1", "--out", str(tmp_path / "y"),
                 "--quiet"]) == 2
    assert capsys.readouterr().err == f"evo: error: {error.value}\n"
    with pytest.raises(api.Error, match="not a run directory"):
        api.load(tmp_path)


def test_sweep_and_collect(tmp_path):
    """api.sweep and api.collect mirror the commands."""
    path = tmp_path / "s.toml"
    path.write_text(sweep_text(TINY, seeds=(0, 1)))
    folder = api.sweep(path, out=tmp_path / "out", workers=1)
    table = api.collect(folder)
    assert sorted(table.seed.unique()) == [0, 1] and len(table) == 10


def test_study(tmp_path):
    """api.study runs a study file as `evo study` does and returns its study.csv."""
    from tests.evo.study.test_study import STUDY

    path = tmp_path / "candy.toml"
    path.write_text(STUDY)
    table = api.study(str(path), out=tmp_path / "out", seeds=1, workers=1)
    assert list(table.columns[-5:]) == ["quantity", "n", "mean", "ci_low", "ci_high"]
    assert table.n.eq(1).all()
    assert (tmp_path / "out" / "study.md").is_file()


def test_run_again_resumes_or_replaces_in_the_apis_terms(tmp_path):
    """A second api.run into an existing run directory is refused with advice in the API's
    own arguments (never the command line's flags); resume=True continues a stopped run to
    the same bytes as a straight run and reopens a finished one; force=True replaces it."""
    from evo.evolution.loop import start
    from tests.evo.helpers import csv_bytes

    straight = api.run("evolution", overrides=TINY, out=tmp_path / "straight")
    start("evolution", [*TINY, "seed=0"], tmp_path / "run", quiet=True, stop_after=2)
    with pytest.raises(api.Error) as error:
        api.run("evolution", overrides=TINY, out=tmp_path / "run")
    assert "use resume=True to continue it, force=True to replace it, or out= to choose " \
        "another" in str(error.value) and "--" not in str(error.value)
    run = api.run("evolution", overrides=TINY, out=tmp_path / "run", resume=True)
    assert run.meta["status"] == "done" and csv_bytes(run.path) == csv_bytes(straight.path)
    again = api.run("evolution", overrides=TINY, out=tmp_path / "run", resume=True)
    assert csv_bytes(again.path) == csv_bytes(straight.path)
    with pytest.raises(api.Error, match=r"seed: this call gives 1, the run has 0.*force=True"):
        api.run("evolution", seed=1, overrides=TINY, out=tmp_path / "run", resume=True)
    with pytest.raises(api.Error, match="give one of them"):
        api.run("evolution", overrides=TINY, out=tmp_path / "run", resume=True, force=True)
    replaced = api.run("evolution", seed=1, overrides=TINY, out=tmp_path / "run", force=True)
    assert replaced.config["seed"] == 1
