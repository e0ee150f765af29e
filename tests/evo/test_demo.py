"""`evo demo`: the flagship run and the story table it prints."""

import pandas as pd
from PIL import Image

from evo.cli import main
from tests.evo.helpers import REPO


def test_demo_prints_the_numbers_of_its_own_run(tmp_path, capsys):
    """The demo's table holds the run's own numbers at the shift, read from generations.csv;
    it is printed first, as the README shows it line for line, and the replay's path last."""
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    gens = pd.read_csv(out / "generations.csv")
    before = gens[gens.phase == "ancestral"].iloc[-1]
    after = gens[gens.phase == "modern"].iloc[0]
    assert "Inner alignment at the distribution shift" in printed
    for value in (before.fitness_mean, after.fitness_mean, after.mesa_return_mean,
                  before.alignment_modern):
        assert f"{value:.2f}" in printed
    assert after.fitness_mean < before.fitness_mean
    # It ends with a replay of the ancestral elite in both worlds, side by side.
    replay = Image.open(out / "replay.gif")
    assert replay.n_frames == 51 and f"{out / 'replay.gif'}" in printed.replace("\n", "")
    assert printed.rindex("Replay of the ancestral elite") > printed.rindex("Report with plots")
    # The table the README shows is the one the demo prints, line for line, first.
    readme = (REPO / "README.md").read_text()
    table = readme.split("It prints this table", 1)[1].split("```\n", 2)[1].splitlines()
    assert [line.rstrip() for line in printed.splitlines()[:len(table)]] == table
