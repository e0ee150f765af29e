"""Every built-in scenario: listed with a description, runs end to end, and analyses."""

import csv

import pandas as pd
import pytest

from evo.cli import main
from evo.evolution.loop import start
from evo.scenario import list_scenarios, load_scenario

EXPECTED = {"evolution", "aurora", "aurora-diverse", "coinrun", "troops", "planning",
            "birth-control", "inspection-blind", "inspection", "hungry-thirsty", "emergence"}


def tiny(name: str) -> list[str]:
    """Overrides that shrink a built-in to a run of a second or two: 2 generations per phase."""
    scenario = load_scenario(name)
    return ["ga.population=8", "ga.episodes=2", "ga.elite=1", "record.crosseval_episodes=2",
            *[f"phases.{i}.generations=2" for i in range(len(scenario.phases))]]


def test_the_library_is_listed_with_descriptions(capsys):
    """`evo scenarios` prints every scenario of the library, each with a one-line
    description that states what it shows."""
    assert main(["scenarios"]) == 0
    printed = capsys.readouterr().out.splitlines()
    listed = dict(list_scenarios())
    assert EXPECTED <= set(listed)
    for name, description in listed.items():
        assert description and "\n" not in description and len(description) <= 100, name
        assert any(line.split()[0] == name and description in line for line in printed), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_runs_and_analyses(tmp_path, name, capsys):
    """`evo run NAME` (shrunk) writes a complete run directory whose columns name the
    scenario's genes and types, and `evo analyze` reads it and writes its report."""
    out = start(name, tiny(name), tmp_path / name, quiet=True)
    for table in ("generations.csv", "individuals.csv", "crosseval.csv"):
        # pandas would silently fill a short row with NaN and shift nothing back.
        header, *rows = csv.reader((out / table).open())
        assert rows and {len(row) for row in rows} == {len(header)}, table
    scenario = load_scenario(name)
    gens = pd.read_csv(out / "generations.csv")
    assert len(gens) == 2 * len(scenario.phases)
    cross = pd.read_csv(out / "crosseval.csv")
    assert set(cross.eval_phase) == {p.name for p in scenario.phases}
    assert {f"consumed_{t.name}" for t in scenario.objects} <= set(cross)
    individuals = pd.read_csv(out / "individuals.csv")
    assert {f"w_{f}" for f in scenario.features} <= set(individuals)
    assert main(["analyze", str(out), "--quiet"]) == 0
    assert (out / "report.md").is_file() and (out / "summary.json").is_file()
