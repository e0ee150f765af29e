"""Impossible sizes and numbers are refused with one line before anything runs or is written."""

import os
import subprocess

import pytest

from evo.analysis.params import parse_thresholds
from evo.cli import main
from evo.errors import UserError
from evo.evolution import memory
from tests.evo.helpers import TINY, evo_args, evo_env, set_args

EXTREMES = {
    "ga.tournament=1000000000000": "ga.tournament: must be <= 1000",
    "agent.weight_bound=1e308": "agent.weight_bound: must be <= 1000000",
    "ga.blend_alpha=1e308": "ga.blend_alpha: must be <= 10",
    "ga.sigma=1e308": "ga.sigma: must be <= 10",
    "ga.speed_prior=1e308": "ga.speed_prior: must be <= 1000000",
    "objects.fruit.value=1e308": "objects.fruit.value: must be <= 1e+12",
    "objects.candy.intended=-1e300": "objects.candy.intended: must be >= -1e+12",
    "objects.fruit.features.sweet=1e308": "must be <= 1000000",
    "phases.modern.counts.candy=1000000000000000000000000000000": "must be <= 1000000",
    "record.crosseval_every=1000000000000": "record.crosseval_every: must be <= 1000000",
}


@pytest.mark.parametrize("override", EXTREMES, ids=list(EXTREMES))
def test_numbers_that_would_overflow_are_refused(tmp_path, capsys, override):
    """Bounds, sigma, alpha, values, features and counts that would overflow a return, a
    reward or memory: one line naming the key, exit 2, nothing written."""
    out = tmp_path / "run"
    assert main(["run", "evolution", "--out", str(out), "--quiet", "--set", override]) == 2
    err = capsys.readouterr().err
    assert EXTREMES[override] in err and err.count("\n") == 1, err
    assert not out.exists()


@pytest.mark.parametrize("sizes", [
    ["ga.population=1000000", "ga.episodes=10000"],
    ["ga.population=20000", "record.crosseval_episodes=10000"],
], ids=["population x episodes", "population x cross-evaluation"])
def test_products_of_sizes_beyond_the_machine_are_refused(tmp_path, capsys, sizes):
    """Each size within its cap, their product far beyond any memory: one line with the
    estimate and what to lower, before anything is allocated or written."""
    out = tmp_path / "run"
    assert main(["run", "evolution", "--out", str(out), "--quiet", *set_args(sizes)]) == 2
    err = capsys.readouterr().err
    assert "GiB of memory" in err and "lower ga.population" in err and err.count("\n") == 1
    assert not out.exists()


def test_memory_check_uses_what_is_available(tmp_path, capsys, monkeypatch):
    """A run that fits in general is refused where little memory is left, and runs when
    enough is."""
    monkeypatch.setattr(memory, "available", lambda: 100 * 2**20)
    args = ["run", "evolution", "--out", str(tmp_path / "run"), "--quiet", *set_args(TINY)]
    assert main(args) == 2
    assert "0.1 GiB are available" in capsys.readouterr().err
    monkeypatch.setattr(memory, "available", lambda: 64 * 2**30)
    assert main(args) == 0


@pytest.mark.parametrize("out", ["", "."])
def test_unusable_out_is_one_line(tmp_path, out):
    """`--out ''` and `--out . --force` are refused with one line, never a traceback."""
    done = subprocess.run(evo_args("run", "evolution", "--out", out, "--force", "--quiet",
                                   *set_args(TINY)), cwd=tmp_path, env=evo_env(),
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr and os.listdir(tmp_path) == []


@pytest.mark.parametrize("item, message", [
    ("regain_fraction=nan", "must be a finite number"),
    ("capable=inf", "must be a finite number"),
    ("min_twin_return=-1", "must be in (0, 1e+06]"),
    ("regain_fraction=1.5", "must be in (0, 1]"),
])
def test_analysis_thresholds_are_validated(item, message):
    """Thresholds of `evo analyze` are finite and in their range, or one line."""
    with pytest.raises(UserError, match=None) as error:
        parse_thresholds([item])
    assert message in str(error.value)


def test_names_are_safe_in_columns_cells_and_files(tmp_path, capsys):
    """A phase or variant name with a line break, a comma or a slash, and a phase named so
    that a column would appear twice (`mean`: alignment_mean), are refused with one line."""
    for override, message in (('phases.modern.name="a\\nb"', "must be letters, digits"),
                              ('phases.modern.name="a,b"', "must be letters, digits"),
                              ('phases.modern.name="../x"', "must be letters, digits"),
                              ('phases.modern.name="mean"', "'alignment_mean' twice")):
        assert main(["run", "evolution", "--out", str(tmp_path / "run"), "--quiet",
                     "--set", override]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
