"""Evaluation-only phases (`generations = 0`): cross-evaluated like every phase, never
evolved in, never shifted to."""

import tomllib

import pandas as pd
import tomli_w

from evo.analysis import analyze_run
from evo.evolution.loop import start
from evo.scenario import builtin_text
from tests.evo.helpers import TINY, csv_bytes


def scenario_with(tmp_path, where: str) -> str:
    """`evolution` with an evaluation-only copy of its modern phase, `candyland`, placed
    first or last; the path of its file."""
    data = tomllib.loads(builtin_text("evolution"))
    candyland = {**data["phases"][1], "name": "candyland", "generations": 0}
    data["phases"] = [candyland, *data["phases"]] if where == "first" else \
        [*data["phases"], candyland]
    path = tmp_path / f"{where}.toml"
    path.write_text(tomli_w.dumps(data))
    return str(path)


def test_an_evaluation_only_phase_changes_nothing_evolution_does(tmp_path):
    """Appended last, an evaluation-only phase leaves individuals.csv byte-identical to the
    run without it; generations.csv only gains its alignment column; crosseval.csv gains
    its rows and keeps every other row; no generation is evolved in it."""
    plain = start("evolution", TINY, tmp_path / "plain", quiet=True)
    last = start(scenario_with(tmp_path, "last"), TINY, tmp_path / "last", quiet=True)
    assert csv_bytes(plain)["individuals.csv"] == csv_bytes(last)["individuals.csv"]
    gens_plain = pd.read_csv(plain / "generations.csv").drop(columns="wall_s")
    gens_last = pd.read_csv(last / "generations.csv").drop(columns="wall_s")
    assert set(gens_last.phase) == {"ancestral", "modern"} and len(gens_last) == 5
    added = [c for c in gens_last.columns if c not in gens_plain.columns]
    assert added == ["alignment_candyland"]
    pd.testing.assert_frame_equal(gens_last[gens_plain.columns], gens_plain)
    cross_plain = pd.read_csv(plain / "crosseval.csv")
    cross_last = pd.read_csv(last / "crosseval.csv")
    evaluated = cross_last.groupby("generation").eval_phase.unique()
    assert all("candyland" in phases for phases in evaluated)
    kept = cross_last[cross_last.eval_phase != "candyland"].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept[cross_plain.columns], cross_plain)


def test_the_analysis_reads_an_evaluation_phase_as_a_target_only(tmp_path):
    """Placed first, the evaluation-only phase holds no generation (generation 0 is
    ancestral's); the analysis has no end-of-phase numbers for it and no shift to it, but
    every evolved phase's pairs and alignments reach it, and the replay's default is the
    end of the first evolved phase."""
    from evo.replay import replay_run
    from evo.store.read import load_run

    out = start(scenario_with(tmp_path, "first"), TINY, tmp_path / "first", quiet=True)
    gens = pd.read_csv(out / "generations.csv")
    assert list(gens.phase) == ["ancestral"] * 3 + ["modern"] * 2
    summary = analyze_run(out, plots=True).summary
    assert list(summary["phases"]) == ["ancestral", "modern"]
    assert [(s["from"], s["to"]) for s in summary["shifts"]] == [("ancestral", "modern")]
    pairs = {(p["origin"], p["target"]) for p in summary["pairs"]}
    assert {("ancestral", "candyland"), ("modern", "candyland")} <= pairs
    assert "candyland" in summary["phases"]["ancestral"]["reward_alignment"]
    [episode] = replay_run(load_run(out), phase="candyland")
    assert episode.phase == "candyland" and episode.generation == 2


def test_a_scenario_without_an_evolved_phase_is_one_line(tmp_path, capsys):
    """Every phase evaluation-only leaves nothing to evolve: one line, exit 2, nothing
    written."""
    from evo.cli import main

    data = tomllib.loads(builtin_text("evolution"))
    for phase in data["phases"]:
        phase["generations"] = 0
    path = tmp_path / "idle.toml"
    path.write_text(tomli_w.dumps(data))
    assert main(["run", str(path), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "at least one phase needs generations >= 1" in err
    assert not (tmp_path / "run").exists()
