"""Every built-in study's quick version end to end, and the shape it still shows."""

import pandas as pd
import pytest

from evo.cli import main
from evo.study.spec import builtin_names, load_study
from tests.evo.study.test_study import check_outputs, verdict_lines


@pytest.mark.slow
@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_study_runs_quick(tmp_path, name, capsys):
    """`evo study NAME --quick`: study.csv with the swept keys, quantity, n, mean, ci_low,
    ci_high; a verdict line per expectation (and group) in study.md; the figure; every
    run's quantities in values.csv; each mean inside its interval. The quick version still
    shows the shape: every expectation holds, by its rule (an interval that excludes 0 or
    clears the threshold), on the quick version's 3-6 seeds."""
    out = tmp_path / name
    assert main(["study", name, "--quick", "--out", str(out), "--quiet"]) == 0
    assert "study.md" in capsys.readouterr().out
    table = check_outputs(out, load_study(name, quick=True))
    assert all(line.startswith("Verdict: holds.")
               for line in verdict_lines((out / "study.md").read_text()))
    defined = table.dropna(subset=["mean"])
    assert len(defined) > 0 and (defined.n >= 1).all()
    assert ((defined.ci_low <= defined["mean"] + 1e-12)
            & (defined["mean"] <= defined.ci_high + 1e-12)).all()
    values = pd.read_csv(out / "values.csv")
    assert set(values.quantity) == set(table.quantity)
