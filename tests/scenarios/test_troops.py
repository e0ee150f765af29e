"""`troops`: outer misalignment, a large gap between base and intended objective with a small
one between base and mesa-objective."""

import pandas as pd
import pytest

from evo.analysis import analyze_run
from evo.analysis.report import console_lines
from evo.analysis.summary import flatten
from tests.evo.helpers import assert_real_plot
from tests.scenarios.helpers import SEEDS, last_crosseval, run


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """The run directory of each seed."""
    tmp = tmp_path_factory.mktemp("troops")
    return {seed: run(tmp, "troops", seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def gaps(runs) -> pd.DataFrame:
    """Per seed, at the last generation: base return over the aligned twin's (inner) and
    intended return over the intended twin's (outer), population means."""
    rows = []
    for seed in SEEDS:
        cross = last_crosseval(runs[seed])
        rows.append({"seed": seed,
                     "inner": cross.base_return.mean() / cross.aligned_twin_return.mean(),
                     "outer": cross.intended_return.mean() / cross.intended_twin_return.mean(),
                     "militia": cross.consumed_militia.mean(),
                     "knight": cross.consumed_knight.mean()})
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_base_objective_is_served_and_intended_one_is_not(gaps):
    """On every seed the agents achieve at least 90% of the base return of their aligned
    twins (small inner gap; measured 0.98-1.02) but at most 65% of the strength their
    intended twins recruit (large outer gap; measured 0.44-0.54), and the outer ratio is
    below the inner one by at least 0.3."""
    assert (gaps.inner >= 0.9).all(), gaps
    assert (gaps.outer <= 0.65).all(), gaps
    assert (gaps.inner - gaps.outer >= 0.3).all(), gaps


@pytest.mark.slow
def test_barracks_fill_with_militia(gaps):
    """What the gap is made of: on every seed the agents recruit at least four militia per
    knight."""
    assert (gaps.militia >= 4 * gaps.knight).all(), gaps


@pytest.mark.slow
def test_the_analysis_reports_the_outer_gap(runs):
    """`evo analyze` reads the same gaps off each run, as means of per-individual ratios:
    at the end of the campaign the outer ratio is at most 0.65 and the inner one at least
    0.9 (summary.json, the combined table's columns), and report.md, the console and a
    plot of both gaps (seed 0) say so."""
    for seed in SEEDS:
        analysis = analyze_run(runs[seed], plots=seed == 0)
        end = analysis.summary["phases"]["campaign"]
        assert end["intended_twin_ratio"]["campaign"] <= 0.65, end
        assert end["twin_ratio"]["campaign"] >= 0.9, end
        row = flatten(analysis.summary)
        assert row["intended_twin_ratio_end_campaign_on_campaign"] \
            == end["intended_twin_ratio"]["campaign"]
        report = (runs[seed] / "report.md").read_text()
        assert "| outer: intended / intended twin |" in report
        assert any(line.startswith("  outer gap at end of campaign")
                   for line in console_lines(analysis.summary))
    assert_real_plot(runs[0] / "plots" / "outer_gap.png")
    assert "](plots/outer_gap.png)" in (runs[0] / "report.md").read_text()
