"""README.md stays true to the code: the paths and names its code map gives exist."""

import importlib
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def code_map() -> str:
    """The README's section on the code."""
    return README.split("## The code", 1)[1]


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
