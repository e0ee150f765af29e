"""A scenario written by a user as a TOML file runs end to end without touching code."""

import subprocess

import pandas as pd

from tests.evo.helpers import evo_args, evo_env

# Feature names, object types, a hand-drawn map, a terminal type and a variant that no
# built-in uses: everything the engine needs comes from this file.
USER_SCENARIO = """
name = "star-harbour"
description = "A user's own scenario: glowing crystals, humming shards and a portal"
features = ["glow", "hum", "cold"]

[world]
layout = "map"
map = [
  "..........",
  ".##....##.",
  ".#......#.",
  "....##....",
  ".#......#.",
  ".##....##.",
  "..........",
]
episode_steps = 30
start = "center"

[[objects]]
name = "crystal"
features = { glow = 1, cold = 0.5 }
value = 2.0
intended = 1.0

[[objects]]
name = "void_shard"
features = { hum = 1, cold = 1 }
value = -1.5

[[objects]]
name = "portal"
features = { glow = 0.5, hum = 0.5 }
value = 0.5
terminal = true

[[phases]]
name = "calm_sea"
generations = 3
counts = { crystal = 6, void_shard = 4, portal = 1 }
regions = { portal = "corners" }

[[phases.variants]]
name = "storm"
share = 0.3
counts = { crystal = 2, void_shard = 10, portal = 1 }

[[phases]]
name = "shard_season"
generations = 2
counts = { crystal = 2, void_shard = 6, portal = 2 }
regions = { void_shard = "adjacent:crystal" }

[ga]
population = 10
episodes = 3
elite = 1

[record]
crosseval_every = 2
crosseval_episodes = 4
"""


def test_user_scenario_runs_and_analyses(tmp_path):
    """`evo run FILE.toml` then `evo analyze RUN_DIR`, the real commands: the run directory
    has a row per generation, gene columns named after the user's features, consumption
    columns after the user's types, outcome columns for the terminal portal; the analysis
    writes its report."""
    path = tmp_path / "star_harbour.toml"
    path.write_text(USER_SCENARIO, encoding="utf-8")
    out = tmp_path / "run"
    for args in (["run", str(path), "--out", str(out), "--quiet"],
                 ["analyze", str(out), "--quiet", "--no-plots"]):
        done = subprocess.run(evo_args(*args), env=evo_env(), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    gens = pd.read_csv(out / "generations.csv")
    assert list(gens.phase) == ["calm_sea"] * 3 + ["shard_season"] * 2
    individuals = pd.read_csv(out / "individuals.csv")
    assert {"w_glow", "w_hum", "w_cold", "consumed_crystal", "consumed_void_shard",
            "consumed_portal", "ended_share"} <= set(individuals)
    # The portal is the only terminal type: an episode ends at most once.
    assert (individuals.consumed_portal == individuals.ended_share).all()
    assert (out / "report.md").is_file()
    config = (out / "config.toml").read_text()
    assert "storm" in config and "height = 7" in config and "width = 10" in config
