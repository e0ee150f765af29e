"""The share of optimizers: read off the genome in every generation, stated by the analysis."""

import pandas as pd

from evo.analysis import analyze_run
from evo.evolution.loop import start
from tests.evo.helpers import TINY


def test_optimizer_share_is_the_share_whose_planner_acts(tmp_path):
    """For the `mixed` kind, generations.csv's optimizer_share is, every generation, the
    share of individuals whose `optimizer` gene is at least 0.5; the summary takes it at
    each phase's end, the report states it and plots it. Planners alone give 1, reactive
    agents 0, and their reports say nothing of it."""
    out = start("evolution", [*TINY, "agent.kind=\"mixed\""], tmp_path / "mixed", quiet=True)
    gens = pd.read_csv(out / "generations.csv").set_index("generation")
    ind = pd.read_csv(out / "individuals.csv")
    planners = (ind.optimizer >= 0.5).groupby(ind.generation).mean()
    assert (gens.optimizer_share == planners).all()
    assert 0 < planners.iloc[0] < 1  # generation 0 holds both
    summary = analyze_run(out).summary
    assert summary["phases"]["modern"]["optimizer_share"] == gens.optimizer_share.iloc[-1]
    report = (out / "report.md").read_text()
    assert "**Optimizers**" in report and "![optimizers](plots/optimizers.png)" in report
    assert (out / "plots" / "optimizers.png").stat().st_size > 0
    for kind, share in (("planner", 1.0), ("reactive", 0.0)):
        run = start("evolution", [*TINY, f"agent.kind=\"{kind}\""], tmp_path / kind, quiet=True)
        assert (pd.read_csv(run / "generations.csv").optimizer_share == share).all()
        analyze_run(run)
        assert "**Optimizers**" not in (run / "report.md").read_text()
        assert not (run / "plots" / "optimizers.png").exists()
