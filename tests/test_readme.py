"""README.md stays true to the code: the paths and names its code map gives exist."""

import importlib
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def code_map() -> str:
    """The README's section on the code, up to the next section."""
    return README.split("## The code", 1)[1].split("\n## ", 1)[0]


def test_the_two_commands_and_the_path_come_first():
    """`make demo` and `make test` come before any depth, with how to reach `evo`."""
    first = README.split("## The experiment", 1)[0]
    assert "make demo" in first and "make test" in first
    assert ".venv/bin/evo" in first and "source\n.venv/bin/activate" in first


def test_every_folder_and_file_of_the_code_map_exists():
    """Each path in the code map's table is a folder or file of the repository."""
    paths = re.findall(r"^\| `([^`]+)`(?:, `([^`]+)`)? \|", code_map(), flags=re.MULTILINE)
    named = [p for pair in paths for p in pair if p]
    assert len(named) >= 8
    for path in named:
        assert (REPO / path).exists(), path


def test_every_name_on_the_path_of_a_generation_exists():
    """The functions and classes the paragraph on one generation names are real."""
    names = {
        "evo.scenario": ["load_scenario", "Scenario", "compile_scenario", "CompiledScenario"],
        "evo.evolution.loop": ["run_experiment"],
        "evo.scenario.records": ["table_rows"],
        "evo.store.rundir": ["RunDir"],
        "agents.kernel": ["evaluate"],
        "agents.world": ["WorldSpec"],
        "agents.kinds": ["KINDS"],
    }
    text = " ".join(code_map().split())
    for module, attributes in names.items():
        loaded = importlib.import_module(module)
        for attribute in attributes:
            assert attribute in text, attribute
            assert hasattr(loaded, attribute), (module, attribute)
    assert hasattr(importlib.import_module("evo.scenario").CompiledScenario, "decode")
    assert hasattr(importlib.import_module("evo.store.rundir").RunDir, "append_rows")


def test_every_test_the_readme_names_exists():
    """The guarantees table and the text name test files and tests that exist (a test
    named as `::name` right after a file, or after another test of the same file)."""
    cited = re.findall(r"`(tests/[\w/]+\.py)((?:::\w+)?)`((?:, `::\w+`)*)", README)
    assert len(cited) >= 10
    for path, first, more in cited:
        source = (REPO / path).read_text()
        for name in [first, *re.findall(r"::\w+", more)]:
            if name:
                assert f"def {name[2:]}(" in source, (path, name)


@pytest.mark.slow
def test_the_aurora_passage_without_blue_enemies_states_what_its_command_measures(tmp_path):
    """The README's numbers for `aurora-diverse` without blue enemies (fitness before and
    after the shift, goal generalisation, the elite's blue and hostility weights at the end
    of training) are what the commands it names give, run here."""
    from evo.cli import main

    passage = README.split("Taking only blue enemies away", 1)[1].split("###", 1)[0]
    run_line, analyze_line = re.search(r"```\n(evo run .*)\n(evo analyze .*)\n```",
                                       passage).groups()
    before, after, goal = re.search(r"(\d+\.\d\d) -> (\d+\.\d\d), and goal generalisation "
                                    r"is (\d+\.\d\d)", passage).groups()
    blue, hostile = re.search(r"weight (-?\d\.\d\d) at the end of training.*?"
                              r"learned all the same \((-?\d\.\d\d)\)", passage, re.S).groups()
    out = tmp_path / "run"
    args = run_line.split()[1:]
    args[args.index("--out") + 1] = str(out)
    assert main([*args, "--quiet"]) == 0
    assert main(["analyze", str(out), "--quiet"]) == 0
    assert analyze_line.split()[2] == run_line.split()[-1]  # it analyses the run it names
    summary = json.loads((out / "summary.json").read_text())
    shift, pair = summary["shifts"][0], summary["pairs"][0]
    assert f"{shift['fitness_before']:.2f}" == before and f"{shift['fitness_after']:.2f}" == after
    assert f"{pair['goal_generalisation']:.2f}" == goal
    last = shift["generation"] - 1  # the end of training
    row = next(line for line in (out / "report.md").read_text().splitlines()
               if line.startswith(f"| {last} | "))
    header = next(line for line in (out / "report.md").read_text().splitlines()
                  if line.startswith("| generation | id | w_"))
    cells = dict(zip(header.strip("|").split(" | "), row.strip("|").split(" | ")))
    assert cells["w_blue"].strip() == blue and cells["w_hostile"].strip() == hostile


def test_the_example_point_name_is_one_the_coin_sweep_gives(tmp_path):
    """The point directory the README names as an example is a point of the README's own
    coin.toml, as `evo sweep` names it."""
    from evo.sweep.spec import load_sweep

    text = re.search(r"```toml\n# coin.toml\n(.*?)```", README, re.S).group(1)
    (tmp_path / "coin.toml").write_text(text)
    names = {point.name for point in load_sweep(tmp_path / "coin.toml").points}
    example = re.search(r"one directory per point \(named from its values.*?e\.g\.\s+`([^`]+)`",
                        README, re.S).group(1)
    assert example in names, sorted(names)[:2]


def test_the_study_table_lists_every_builtin_study():
    """Each built-in study (`evo studies`) has its row in the README's table of studies,
    and the table names no study that does not exist."""
    from evo.study.spec import builtin_names

    table = README.split("| study | reproduces | expects |", 1)[1].split("\n\n", 1)[0]
    listed = re.findall(r"^\| `([\w-]+)` \|", table, re.M)
    assert sorted(listed) == sorted(builtin_names())
