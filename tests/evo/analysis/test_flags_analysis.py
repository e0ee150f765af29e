"""The analysis of scenarios with flags: reward alignment in each state, the context gap."""

import json

import numpy as np
import pandas as pd
import pytest

from agents.kernel import evaluate
from evo.analysis import analyze_run
from evo.evolution.loop import start
from evo.scenario import compile_scenario, load_scenario, seeds
from tests.evo.helpers import TINY

SHORT = ["ga.population=16", "record.crosseval_every=100000"]


@pytest.fixture(scope="module")
def inspection(tmp_path_factory):
    """A short `inspection` run, analysed."""
    out = start("inspection", [*SHORT, "phases.training.generations=6"],
                tmp_path_factory.mktemp("inspection") / "run", quiet=True)
    analyze_run(out, plots=False)
    return out


def test_the_context_gap_is_the_population_with_the_flag_forced(inspection):
    """context.csv holds, for the end of training, the population with `inspected` on and
    off; each is what the same population earns on the training world whose every
    episode is (or none is) an inspection: the same scenario with the inspection variant's
    share set to 1 (or 0) draws the same worlds, and evaluating the recorded genomes there
    gives the same numbers."""
    table = pd.read_csv(inspection / "context.csv")
    assert list(zip(table.phase, table.flag, table.on)) == [
        ("training", "inspected", False), ("training", "inspected", True)]
    ind = pd.read_csv(inspection / "individuals.csv")
    generation = int(table.generation.iloc[0])
    assert generation == 5
    for on, share in ((False, 0.0), (True, 1.0)):
        spec = compile_scenario(load_scenario(
            "inspection", [*SHORT, f"phases.training.variants.inspection.share={share}"]))
        genomes = ind[ind.generation == generation][list(spec.layout.names)].to_numpy()
        returns = evaluate(spec.decode(genomes), spec.worlds[0],
                           seeds.crosseval_seeds(spec.scenario.seed, 0, 16))
        row = table[table.on == on].iloc[0]
        assert row.base_return == pytest.approx(returns.base.mean(), rel=1e-12)
        assert row.consumed_forbidden == pytest.approx(returns.consumed[:, :, 1].mean())
    summary = json.loads((inspection / "summary.json").read_text())
    gap = summary["context_gap"]["training"]["inspected"]
    assert gap["consumed_forbidden"] == {"on": table.consumed_forbidden[table.on].iloc[0],
                                         "off": table.consumed_forbidden[~table.on].iloc[0]}
    report = (inspection / "report.md").read_text()
    assert "**Context gap**" in report and "| training | inspected |" in report


def test_without_flags_nothing_is_added(tmp_path):
    """A scenario without flags gets no context.csv, no context gap and no per-flag
    reward alignment."""
    tiny_run = start("evolution", TINY, tmp_path / "run", quiet=True)
    analyze_run(tiny_run, plots=False)
    assert not (tiny_run / "context.csv").exists()
    summary = json.loads((tiny_run / "summary.json").read_text())
    assert "context_gap" not in summary
    assert all("reward_alignment_by_flag" not in p for p in summary["phases"].values())
    assert "## Context and state" not in (tiny_run / "report.md").read_text()


def test_reward_alignment_over_the_states(tmp_path):
    """While thirsty only water can be consumed, so the alignment with thirst on alone is
    undefined; over all states it is the weighted correlation of the agent's reward with
    fitness over (not thirsty, food), (not thirsty, water) and (thirsty, water), each
    weighted by its type's frequency (numpy's weighted covariance as the oracle)."""
    from evo.analysis.pipeline import compute
    from evo.store.read import load_run

    out = start("hungry-thirsty", ["ga.population=16", "phases.rooms.generations=3"],
                tmp_path / "run", quiet=True)
    cross = compute(load_run(out)).cross
    assert cross.reward_alignment_if_thirsty.isna().all()
    for _, row in cross.iterrows():
        reward = [row.w_food, row.w_water, row.w_water + row.w_water_if_thirsty]
        matrix = np.cov(reward, [1.0, 0.0, 0.0], aweights=[0.5, 0.5, 0.5])
        expected = matrix[0, 1] / np.sqrt(matrix[0, 0] * matrix[1, 1])
        assert row.reward_alignment_states == pytest.approx(expected, abs=1e-12)
    assert cross.reward_alignment_states.min() < 0.7 < cross.reward_alignment_states.max()


def test_the_reward_table_in_each_state(tmp_path):
    """summary.json says which types each state blocks and what each type is worth in each
    state; its reward table is the population's mean R with and without thirst, read off
    the genes at the end of the phase; the report prints it, blocked types as such."""
    out = start("hungry-thirsty", ["ga.population=16", "phases.rooms.generations=3"],
                tmp_path / "run", quiet=True)
    summary = analyze_run(out, plots=False).summary
    assert summary["flags"]["blocked"] == {"food": ["thirsty"], "water": []}
    assert summary["flags"]["values"]["thirsty"] == {"food": 1.0, "water": 0.0}
    assert summary["flags"]["context"] == []  # thirst comes by itself: state, not context
    ind = pd.read_csv(out / "individuals.csv")
    end = ind[ind.generation == 2]
    table = summary["phases"]["rooms"]["reward_by_flag"]
    assert table["none"]["water"] == pytest.approx(end.w_water.mean(), abs=1e-12)
    assert table["thirsty"]["water"] == pytest.approx(
        (end.w_water + end.w_water_if_thirsty).mean(), abs=1e-12)
    report = (out / "report.md").read_text()
    assert "| thirsty | blocked |" in report
