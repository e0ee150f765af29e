"""`evo analyze` on real tiny runs: aligned controls, partial runs, bad input, sweeps."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evo.analysis import analyze_run
from evo.cli import main
from evo.errors import UserError
from evo.evolution.loop import start
from evo.store.read import load_run
from tests.evo.helpers import TINY


def tiny(out, *extra, stop_after=None):
    """A five-generation `evolution` run (3 ancestral, 2 modern), quiet."""
    return start("evolution", TINY + list(extra), out, quiet=True, stop_after=stop_after)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One complete tiny planner run, shared by the tests that only read it."""
    return tiny(tmp_path_factory.mktemp("tiny") / "run")


def test_aligned_agents_are_robustly_aligned_on_every_phase(tmp_path):
    """A run of `aligned` agents (reward = value, the base objective) has reward alignment 1
    to every phase, twin ratio 1 and every cross-evaluated individual robustly aligned."""
    analysis = analyze_run(tiny(tmp_path / "aligned", "agent.kind=aligned"), plots=False)
    ind = analysis.individuals
    for phase in ("ancestral", "modern"):
        assert np.allclose(ind[f"reward_alignment_{phase}"], 1.0)
    assert np.allclose(analysis.cross.twin_ratio, 1.0)
    assert set(analysis.classes["class"]) == {"robustly aligned"}
    assert sorted(analysis.classes.generation.unique()) == [0, 2, 4]
    for numbers in analysis.summary["phases"].values():
        assert numbers["classes"]["robustly aligned"] == 1.0


def test_drift_means_agree_with_the_runs_own_alignment(tiny_run):
    """drift.csv's population mean of reward alignment to each phase, recomputed from the
    genes in individuals.csv, equals the mean the run itself wrote to generations.csv."""
    analysis = analyze_run(tiny_run, plots=False)
    gens = pd.read_csv(tiny_run / "generations.csv").set_index("generation")
    drift = pd.read_csv(tiny_run / "drift.csv")
    rows = drift[(drift.metric == "reward_alignment") & (drift.source == "individuals")]
    assert len(rows) == 5 * 2
    for row in rows.itertuples():
        assert math.isclose(row.mean, gens.loc[row.generation, f"alignment_{row.eval_phase}"],
                            rel_tol=1e-9, abs_tol=1e-12)
    elite = analysis.individuals[analysis.individuals.champion]
    assert list(elite.generation) == [0, 1, 2, 3, 4]
    assert (elite.fitness.to_numpy() == gens.fitness_max.to_numpy()).all()


def test_drift_follows_outcomes_and_the_outer_gap_per_generation(tiny_run):
    """drift.csv carries, per cross-evaluated generation and phase, the outcome shares and
    the intended-twin ratio: their population means equal those of crosseval.csv."""
    analyze_run(tiny_run, plots=False)
    cross = pd.read_csv(tiny_run / "crosseval.csv")
    drift = pd.read_csv(tiny_run / "drift.csv")
    drift = drift[drift.source == "crosseval"].set_index(["generation", "eval_phase", "metric"])
    shares = cross.groupby(["generation", "eval_phase"]).empty_handed_share.mean()
    assert len(shares) == 3 * 2
    for (generation, phase), share in shares.items():
        assert drift.loc[(generation, phase, "empty_handed_share"), "mean"] \
            == pytest.approx(share, rel=1e-12)
    ratio = cross.intended_return / cross.intended_twin_return
    assert np.allclose(drift.xs("intended_twin_ratio", level="metric")["mean"].sort_index(),
                       ratio.groupby([cross.generation, cross.eval_phase]).mean().sort_index())


def test_outputs_are_written_and_read_back(tiny_run):
    """analyze writes drift.csv, classes.csv, lineage.csv, summary.json (strict JSON, undefined
    values as null) and report.md; the lineage walks back to generation 0 through parent ids."""
    analyze_run(tiny_run, plots=False)
    summary = json.loads((tiny_run / "summary.json").read_text())
    assert summary["run"]["complete"] and summary["run"]["last_generation"] == 4
    assert [s["to"] for s in summary["shifts"]] == ["modern"]
    assert {(p["origin"], p["target"]) for p in summary["pairs"]} == {
        ("ancestral", "modern"), ("modern", "ancestral")}
    line = pd.read_csv(tiny_run / "lineage.csv")
    assert list(line.generation) == [0, 1, 2, 3, 4]
    inds = pd.read_csv(tiny_run / "individuals.csv").set_index(["generation", "id"])
    for before, after in zip(line.itertuples(), list(line.itertuples())[1:]):
        row = inds.loc[(after.generation, after.id)]
        assert before.id in (after.id, row.parent1, row.parent2)
    report = (tiny_run / "report.md").read_text()
    assert "## Goal and capability generalisation" in report


def test_partial_run_is_analysed_to_its_last_complete_generation(tmp_path):
    """A run stopped after generation 3, with whole rows of generation 4 already in
    individuals.csv and torn last lines (no newline) in two CSVs, is analysed up to
    generation 3 with a note saying so, not a crash."""
    out = tiny(tmp_path / "part", stop_after=3)
    lines = (out / "individuals.csv").read_text().splitlines()
    early = [line for line in lines[1:] if line.startswith("3,")][:4]
    with open(out / "individuals.csv", "a") as f:
        f.write("".join("4" + line[1:] + "\n" for line in early))  # whole rows of gen 4
        f.write("4,modern,99,1")  # what a kill in the middle of a write leaves
    with open(out / "crosseval.csv", "a") as f:
        f.write("4,modern,ancestral,7,0.")
    analysis = analyze_run(out, plots=False)
    assert analysis.run.last_generation == 3 and not analysis.run.complete
    assert analysis.individuals.generation.max() == 3
    assert any("stopped at generation 3" in note for note in analysis.notes)
    assert any("torn" in note for note in analysis.notes)
    assert analysis.shifts[0]["regain_generations"] in (0, "not yet (run stopped)")
    report = (out / "report.md").read_text()
    assert "stopped at generation 3" in report


def test_run_stopped_before_its_first_generation_is_one_line(tmp_path):
    """A run directory with headers but no generation: one UserError line, no traceback."""
    out = tiny(tmp_path / "empty", stop_after=0)
    (out / "generations.csv").write_text((out / "generations.csv").read_text().splitlines()[0]
                                         + "\n")
    with pytest.raises(UserError, match="no complete generation"):
        load_run(out)


def test_bad_input_is_one_line_with_exit_2(tmp_path, tiny_run, capsys):
    """Not a run directory, or an unreadable CSV: `evo analyze` prints one error line and
    exits 2."""
    assert main(["analyze", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a run directory" in err
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.toml").write_bytes((tiny_run / "config.toml").read_bytes())
    (broken / "generations.csv").write_text("generation,fitness_mean\n0,abc\n")
    for name in ("individuals.csv", "crosseval.csv"):
        (broken / name).write_bytes((tiny_run / name).read_bytes())
    assert main(["analyze", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "generations.csv" in err


def test_sweep_directory_gives_one_row_per_run(tmp_path, evo_command):
    """`evo analyze` on a real `evo sweep` directory (candy 6 and 24) plus a broken run: a
    report in each good run, a combined table with one row per run carrying the swept value
    from manifest.csv (the broken run with its error instead), and exit 2. Analysed on a
    pool of two worker processes and then in one process, every file is the same bytes."""
    sweep_file = tmp_path / "candy.toml"
    sweep_file.write_text("\n".join([
        'scenario = "evolution"', "seeds = [0]", "[set]",
        *(f'"{k}" = {v}' for k, v in (item.split("=") for item in TINY)),
        "[grid]", '"phases.modern.counts.candy" = [6, 24]', ""]))
    sweep = tmp_path / "sweep"
    done = evo_command("sweep", str(sweep_file), "--out", str(sweep), "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (sweep / "broken").mkdir()
    (sweep / "broken" / "config.toml").write_text("name = \n")
    (sweep / "broken" / "generations.csv").write_text("generation\n")
    outputs = ("analysis.csv", "*/drift.csv", "*/classes.csv", "*/lineage.csv",
               "*/summary.json", "*/report.md")
    analysed = []
    for workers in ("2", "1"):
        result = evo_command("analyze", str(sweep), "--no-plots", "--workers", workers,
                             cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and "broken" in result.stderr
        assert result.stdout.count("Report: ") == 2
        analysed.append({p: p.read_bytes() for pattern in outputs for p in sweep.glob(pattern)})
    assert len(analysed[0]) == 1 + 2 * 5 and analysed[0] == analysed[1]
    table = pd.read_csv(sweep / "analysis.csv")
    assert len(table) == 3
    good = table[table.error.isna()].set_index("phases.modern.counts.candy")
    assert sorted(good.index) == [6, 24]
    assert good.goal_generalisation_ancestral_to_modern.notna().all()
    for path in good.path:
        assert (Path(path) / "report.md").is_file()


def test_demo_ends_by_pointing_at_its_report(tiny_run, capsys):
    """The demo's closing step analyses its run and prints where report.md is."""
    from evo.demo import analyse

    analyse(tiny_run)
    printed = capsys.readouterr().out
    assert "report.md" in printed and (tiny_run / "report.md").is_file()


def test_weights_named_after_colours_are_drawn_in_them(tiny_run):
    """In the plot of the elite's weights a feature named after a colour is drawn in that
    colour (`red` in red), and no other feature is drawn in a colour one of them is named
    after: the picture never contradicts the names."""
    from matplotlib.colors import to_hex

    from evo.analysis.pipeline import compute
    from evo.analysis.plots import feature_colours, plot_elite_w

    assert feature_colours(["red", "sweet", "blue"])[0::2] == ["#ff0000", "#0000ff"]
    colours = feature_colours(["red", "gold", "blue", "green", "hostile", "sweet"])
    assert len(set(colours)) == 6
    assert {"#ff0000", "#ffd700", "#0000ff", "#008000"}.isdisjoint(colours[4:])

    analysis = compute(load_run(tiny_run))  # evolution: sweet, fatty, bitter, red, green
    lines = {line.get_label(): to_hex(line.get_color())
             for line in plot_elite_w(analysis).axes[0].get_lines()
             if not line.get_label().startswith("_")}
    assert lines["red"] == "#ff0000" and lines["green"] == "#008000"
    named = {"#ff0000", "#008000"}
    assert all(lines[f] not in named for f in ("sweet", "fatty", "bitter"))


def test_a_reward_unlike_fitness_that_beats_its_twin_is_named_not_misaligned(tiny_run):
    """The optimal reward problem: an individual whose reward alignment on its own phase is
    low (0.2) but whose twin ratio there is clearly above 1 (1.3) is flagged
    `reward_beats_fitness` and is not misaligned; a high alignment (0.95) or a ratio just
    above 1 (1.05) is not flagged; the report names the case with its share."""
    from evo.analysis.classify import classify
    from evo.analysis.params import Thresholds
    from evo.analysis.pipeline import compute
    from evo.analysis.report import _optimal_reward

    analysis = compute(load_run(tiny_run))
    cross = analysis.cross.copy()
    last = cross[cross.generation == cross.generation.max()]
    ids = sorted(last.id.unique())[:3]
    cases = {ids[0]: (1.3, 0.2), ids[1]: (1.3, 0.95), ids[2]: (1.05, 0.2)}
    for ident, (ratio, rho) in cases.items():
        own = (cross.generation == last.generation.iloc[0]) & (cross.id == ident) \
            & (cross.eval_phase == cross.phase)
        cross.loc[own, ["twin_ratio", "reward_alignment_states"]] = [ratio, rho]
    classes = classify(cross, analysis.compiled, Thresholds()).set_index(["generation", "id"])
    generation = int(last.generation.iloc[0])
    flagged = [bool(classes.loc[(generation, i), "reward_beats_fitness"]) for i in ids]
    assert flagged == [True, False, False]
    assert classes.loc[(generation, ids[0]), "class"] != "misaligned"
    said = " ".join(_optimal_reward({"modern": {"reward_beats_fitness": 0.25}}, Thresholds()))
    assert "25% at the end of modern" in said and "optimal reward problem" in said
    assert _optimal_reward({"modern": {"reward_beats_fitness": 0.0}}, Thresholds()) == []
    assert "reward_beats_fitness" in analysis.summary["phases"]["ancestral"]


def test_generalisation_points_off_the_scale_stay_visible(tiny_run):
    """In the capability-vs-goal plot a population star or an individual beyond the axes'
    limits (goal generalisation above 1.5 here) is drawn on the edge, inside the axes,
    marked as off the scale (a triangle for individuals, the star's own values beside it),
    never left out of view."""
    import dataclasses

    from evo.analysis.pipeline import compute
    from evo.analysis.plots import plot_generalisation

    analysis = compute(load_run(tiny_run))
    pair = analysis.pairs.iloc[0]
    pairs = analysis.pairs.assign(goal_generalisation=2.0)
    cross = analysis.cross.copy()
    chosen = (cross.generation == pair.generation) & (cross.eval_phase == pair.target)
    cross.loc[chosen, "goal_ratio"] = 3.0
    ax = plot_generalisation(dataclasses.replace(analysis, pairs=pairs, cross=cross)).axes[0]
    (low, high), (left, right) = ax.get_ylim(), ax.get_xlim()
    points = np.concatenate([c.get_offsets() for c in ax.collections
                             if len(c.get_offsets())])
    assert len(points) >= chosen.sum() + len(pairs)  # every individual and every star drawn
    assert ((points[:, 1] >= low) & (points[:, 1] <= high)).all()
    assert ((points[:, 0] >= left) & (points[:, 0] <= right)).all()
    assert (points[:, 1] == high).sum() >= chosen.sum() + 1
    assert any("2.00)" in text.get_text() for text in ax.texts)
