"""The analysis of real `evolution` runs reports the collapse the scenario exists to show."""

import json

import pytest
from PIL import Image

from evo.scenario import load_scenario
from tests.evo.helpers import assert_real_plot

SEEDS = (0, 1, 2)
PLOTS = ("fitness", "alignment", "elite_w", "generalisation", "classes")


@pytest.fixture(scope="module")
def analyses(shared_runs):
    """{seed: summary.json} of the demo's runs: seed 0 run to the end (with plots and
    replays); seeds 1 and 2 stopped at the first modern generation (all the shift needs, and
    real partial runs). They are the session's shared runs, so the phenomenon tests of
    `tests/evo/evolution` read the very same."""
    first_modern = load_scenario("evolution").phases[0].generations
    paths = {seed: shared_runs.analysed("evolution", [f"seed={seed}"],
                                        stop_after=None if seed == 0 else first_modern,
                                        plots=seed == 0) for seed in SEEDS}
    return {seed: json.loads((path / "summary.json").read_text()) | {"path": path}
            for seed, path in paths.items()}


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_analysis_reports_the_collapse(analyses, seed):
    """For each of three seeds, at the end of the ancestral phase: reward alignment to the
    ancestral phase >= 0.8 and to the modern one <= 0.3 (measured 0.97-0.99 and -0.02-0.08);
    goal generalisation ancestral -> modern < 0.5 (0.11-0.23) with capability generalisation
    >= 0.8 (1.00): the dangerous quadrant."""
    summary = analyses[seed]
    end = summary["phases"]["ancestral"]
    assert end["generation"] == 39
    assert end["reward_alignment"]["ancestral"]["mean"] >= 0.8
    assert end["reward_alignment"]["modern"]["mean"] <= 0.3
    pair = next(p for p in summary["pairs"] if (p["origin"], p["target"]) == ("ancestral",
                                                                               "modern"))
    assert pair["goal_generalisation"] < 0.5
    assert pair["capability_generalisation"] >= 0.8
    assert pair["verdict"].startswith("capabilities generalise, goals do not")
    shift = summary["shifts"][0]
    assert shift["alignment_after_shift"] < 0.5 * shift["pre_shift_alignment"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_final_ancestral_population_is_pseudo_aligned_on_sweetness_or_fat(analyses, seed):
    """For each of three seeds, most (>= 70%; measured 99-100%) of the final ancestral
    population is pseudo-aligned, and >= 90% of those lean on sweetness or fat (the proxy
    that makes candy attractive)."""
    numbers = analyses[seed]["phases"]["ancestral"]
    assert numbers["classes"]["pseudo-aligned"] >= 0.7
    # Proxies are labelled "<feature>: <type> over-valued" (or under-valued).
    proxies = numbers["proxies"]
    assert sum(share for label, share in proxies.items()
               if label.split(":")[0] in ("sweet", "fatty")) >= 0.9


@pytest.mark.slow
def test_partial_real_runs_say_so(analyses):
    """The runs stopped at the first modern generation are analysed to it, with a note."""
    for seed in (1, 2):
        summary = analyses[seed]
        assert summary["run"]["last_generation"] == 40 and not summary["run"]["complete"]
        assert any("stopped at generation 40" in note for note in summary["notes"])


@pytest.mark.slow
def test_report_embeds_real_plots(analyses):
    """Seed 0's report embeds the five plots, and each is a real PNG drawn from the run
    (`assert_real_plot`); the outer-gap and outcome plots, which need an `intended` objective
    or terminal types that `evolution` does not have, are not drawn; the replays of the
    elite at the end of each phase are embedded too."""
    folder = analyses[0]["path"]
    report = (folder / "report.md").read_text()
    for name in PLOTS:
        assert f"](plots/{name}.png)" in report
        assert_real_plot(folder / "plots" / f"{name}.png")
    assert sorted(p.stem for p in (folder / "plots").glob("*.png")) == sorted(PLOTS)
    # And the elite at the end of each phase replayed on both: one GIF each, embedded.
    for phase in ("ancestral", "modern"):
        assert f"](plots/replay_{phase}.gif)" in report
        assert Image.open(folder / "plots" / f"replay_{phase}.gif").n_frames == 51
    assert "capabilities generalise, goals do not" in report
