"""`evo bench` in its tiny mode: every row of the table, with sane numbers, graded never.

No wall-clock thresholds here: numbers belong in the benchmark, not in timed tests. The
test only keeps the benchmark from rotting.
"""

import math
import socket

import pandas as pd
import pytest

from evo.bench.table import check

# The rows the performance targets (benchmarks/README.md) ask for, by their stable CSV keys.
THROUGHPUT = ["kernel_1_thread", "kernel_all_threads", "kernel_every_step_1_thread",
              "kernel_every_step_all_threads", "reference", "kernel_state_all_threads",
              "kernel_reactive_all_threads", "kernel_mixed_all_threads"]
RATIOS = ["kernel_all_over_reference", "kernel_every_step_all_over_reference",
          "kernel_1_over_reference_same_slice", "kernel_2_over_1_thread",
          "machine_2_over_1_thread", "amortised_planning_gain", "amortised_search_share",
          "amortised_ball_share", "kernel_state_over_stateless",
          "kernel_reactive_all_over_reference"]
GENERATION = ["generation_s", "outside_kernel_s", "outside_kernel_share",
              "outside_kernel_share_all"]
STARTUP = ["cold_first_generation_s", "warm_first_generation_s", "warm_startup_s"]
SCALING = [f"scaling_grid{grid}_horizon{horizon}_{what}"
           for grid in (15, 31, 63) for horizon in (5, 15, 30)
           for what in ("agent_steps_per_s", "every_step_agent_steps_per_s", "cells_per_step",
                        "search_share", "ball_share")]
NUMERIC = THROUGHPUT + RATIOS + GENERATION + STARTUP + SCALING + ["peak_memory_mib",
                                                                 "bench_wall_s"]
TARGETS = ["kernel_all_over_reference", "kernel_2_over_1_thread", "kernel_state_over_stateless",
           "kernel_reactive_all_over_reference",
           "outside_kernel_share", "warm_first_generation_s", "peak_memory_mib"]


def test_tiny_bench_prints_and_writes_every_row(evo_command, tmp_path):
    """The tiny bench runs end to end, prints the table and writes every row to its default
    CSV under runs/ (never over the committed benchmarks/results/), each measure a finite
    positive number, each target shown but not graded: a smoke run's numbers are noise."""
    done = evo_command("bench", "--tiny", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for label in ("kernel, 1 thread", "reference (plain Python)", "outside-kernel share",
                  "warm `evo run`", "peak memory", "grid 63x63, horizon 30",
                  "amortised planning"):
        assert label in done.stdout

    path = tmp_path / "runs" / "bench" / f"{socket.gethostname()}-tiny.csv"
    assert not (tmp_path / "benchmarks").exists()
    assert "not graded" in done.stdout and "FAIL" not in done.stdout
    table = pd.read_csv(path, keep_default_na=False)
    assert list(table.columns) == ["host", "section", "metric", "value", "unit", "target",
                                   "met", "detail"]
    assert table["metric"].is_unique
    values = dict(zip(table["metric"], table["value"]))
    one_core = int(values["numba_threads"]) == 1
    for metric in NUMERIC:
        if one_core and metric in ("kernel_2_over_1_thread", "machine_2_over_1_thread"):
            assert values[metric] == "n/a"
            continue
        value = float(values[metric])
        # A share of steps that search or grow a ball may be 0 on the tiny workload.
        smallest = 0 if metric.endswith(("search_share", "ball_share")) else math.ulp(0)
        assert math.isfinite(value) and value >= smallest, (metric, value)
    # How busy the machine was: may be 0, or n/a without /proc/stat.
    assert values["other_processes_share"] == "n/a" \
        or 0 <= float(values["other_processes_share"]) <= 1
    targets = dict(zip(table["metric"], table["target"]))
    assert all(targets[metric] for metric in TARGETS)
    assert set(table["met"]) == {""}
    # The ratio to the reference is only meaningful if both did the same work.
    reference = table.set_index("metric").loc["reference", "detail"]
    assert "identical returns" in reference
    assert values["mode"] == "tiny"


def test_targets_are_judged_with_their_operator():
    """A full bench judges each target by its operator, on the value itself."""
    assert check(501.0, ">=", 500) == (">= 500", "yes")
    assert check(499.9, ">=", 500) == (">= 500", "no")
    assert check(0.1, "<=", 0.10, "10%") == ("<= 10%", "yes")
    assert check(1024.0, "<", 1024) == ("< 1024", "no")


def test_help_names_the_csv_the_bench_writes(capsys, monkeypatch):
    """`evo bench --help` names as its default output the very paths the bench writes (both
    derived from default_output), not a folder it never writes to."""
    from evo.bench.table import default_output
    from evo.cli import main

    monkeypatch.setenv("COLUMNS", "500")  # one line per option: a path is never wrapped
    with pytest.raises(SystemExit):
        main(["bench", "--help"])
    help_text = capsys.readouterr().out
    assert f"default {default_output('<hostname>', tiny=False)};" in help_text
    assert f"{default_output('<hostname>', tiny=True)} with --tiny" in help_text
