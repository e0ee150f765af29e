"""The command line's own surface: version, help texts, scenario listing and key reference."""

import subprocess
from importlib import metadata
from importlib.resources import files
from pathlib import Path

import pytest

from evo.cli import main
from evo.scenario.keys import reference
from tests.evo.helpers import REPO, evo_args, evo_env


def test_version(capsys):
    """`evo --version` names the installed basemesa's version."""
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"evo (basemesa) {metadata.version('basemesa')}"


def test_show_prints_the_scenario_file_with_its_comments(capsys):
    """`evo scenarios --show NAME` prints the shipped file as it is: a template to copy."""
    assert main(["scenarios", "--show", "troops"]) == 0
    text = files("evo.scenario").joinpath("builtins", "troops.toml").read_text()
    assert capsys.readouterr().out == text and text.startswith("# troops:")
    assert main(["scenarios", "--show", "nope"]) == 2
    assert "unknown scenario 'nope'" in capsys.readouterr().err


def test_key_reference_is_generated_from_the_schema(capsys):
    """docs/scenario-keys.md is exactly what `evo scenarios --keys` prints today: regenerate
    it with `evo scenarios --keys > docs/scenario-keys.md` when the schema changes."""
    assert main(["scenarios", "--keys"]) == 0
    printed = capsys.readouterr().out
    assert printed == reference()
    assert (REPO / "docs" / "scenario-keys.md").read_text() == printed
    # Every section and a key of each, with its type and default.
    for line in ("## `[[phases.variants]]`", "| `respawn` | list of string | `[]` |",
                 "| `height` | integer (>= 1, <= 101) | `11` |", "| `random` | random |"):
        assert line in printed


def test_positional_arguments_have_help():
    """The positional arguments of sweep and collect say what they are, and collect names
    its default table."""
    wide = {**evo_env(), "COLUMNS": "200"}  # argparse wraps help to the terminal's width
    sweep = subprocess.run(evo_args("sweep", "--help"), env=wide, capture_output=True,
                           text=True).stdout
    assert "the sweep file: a scenario, a grid of overrides and seeds" in sweep
    collect = subprocess.run(evo_args("collect", "--help"), env=wide, capture_output=True,
                             text=True).stdout
    assert "a sweep directory written by `evo sweep`" in collect
    assert "default: generations" in collect


def test_every_builtin_scenario_opens_with_its_header():
    """Each built-in file begins with what it models, what to expect and what to turn."""
    folder = Path(str(files("evo.scenario").joinpath("builtins")))
    names = sorted(p.stem for p in folder.glob("*.toml"))
    assert "evolution" in names
    for name in names:
        text = (folder / f"{name}.toml").read_text()
        assert text.startswith(f"# {name}:"), name
        header = text.split("\nname = ")[0]
        for part in ("What it models", "What to expect", "Turn"):
            assert part in header, (name, part)


def test_unicode_names_under_an_ascii_locale(tmp_path):
    """A scenario with non-ASCII names runs and is analysed under LC_ALL=C without UTF-8
    mode (an ASCII locale): every file is UTF-8, and the terminal gets escapes, never a
    UnicodeEncodeError."""
    from evo.scenario import builtin_text

    text = builtin_text("evolution").replace('name = "ancestral"', 'name = "añejo"')
    text = text.replace('name = "evolution"', 'name = "evolución"')
    scenario = tmp_path / "evolución.toml"
    scenario.write_text(text, encoding="utf-8")
    env = {**evo_env(), "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
           "PYTHONCOERCECLOCALE": "0"}
    env.pop("PYTHONIOENCODING", None)
    out = tmp_path / "run"
    tiny = ["ga.population=8", "ga.episodes=2", "phases.0.generations=2",
            "phases.modern.generations=2", "record.crosseval_episodes=2"]
    for args in (["run", str(scenario), "--out", str(out), "--quiet",
                  *[a for o in tiny for a in ("--set", o)]],
                 ["analyze", str(out), "--no-plots"]):
        done = subprocess.run(evo_args(*args), env=env, cwd=tmp_path, capture_output=True)
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    header = (out / "generations.csv").read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert "alignment_añejo" in header
    assert "añejo" in (out / "report.md").read_text(encoding="utf-8")
    assert "evolución" in (out / "config.toml").read_text(encoding="utf-8")


def test_output_into_a_closed_pipe_ends_quietly(tmp_path):
    """`evo ... | head` when the reader has gone before evo writes: evo says nothing about it
    on stderr (no traceback, no error line) and exits 141, as a shell tool does."""
    import subprocess

    from tests.evo.helpers import evo_args, evo_env

    proc = subprocess.Popen(evo_args("scenarios", "--keys"), env=evo_env(), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # long before the interpreter has started and written anything
    _, err = proc.communicate()
    assert err == "" and proc.returncode == 141, (proc.returncode, err)


@pytest.mark.parametrize("command", ["studies", "scenarios"])
def test_listings_line_up_whatever_the_name_length(command, capsys):
    """`evo studies` and `evo scenarios` print their descriptions in one column, however long
    the longest name (`inspection-blind-curve` once pushed its own out of line), with at
    least two spaces after every name."""
    assert main([command]) == 0
    lines = capsys.readouterr().out.splitlines()
    starts = {len(line) - len(line.split("  ", 1)[1].lstrip()) for line in lines}
    assert len(starts) == 1, lines
    width = max(len(line.split()[0]) for line in lines)
    assert starts == {width + 2}
