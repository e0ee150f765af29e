"""Drift over generations: the population's metrics, the regain after each shift, lineage."""

import numpy as np
import pandas as pd

from evo.scenario import CompiledScenario
from evo.scenario.outcomes import OUTCOME_COLUMNS

_CROSS_METRICS = ("twin_ratio", "intended_twin_ratio", "capability", "boosted_twin_ratio",
                  "reward_alignment", "behavioural_alignment", "revealed_fidelity",
                  "reward_recovery", "base_return", "mesa_return", "intended_return",
                  "goal_ratio", *OUTCOME_COLUMNS)


def drift_table(individuals: pd.DataFrame, cross: pd.DataFrame,
                compiled: CompiledScenario) -> pd.DataFrame:
    """drift.csv: one row per (generation, eval_phase, metric, source) with the population's
    statistics and the elite's value (the fittest individual of the generation).

    `source` is `individuals` (the generation's own episodes, every recorded generation) or
    `crosseval` (the fixed evaluation episodes of `eval_phase`); `eval_phase` is empty for
    metrics that belong to no phase (genes).
    """
    per_phase = [f"{m}_{p}" for m in ("reward_alignment", "epic_distance")
                 for p in compiled.phase_names]
    own = ["fitness", "base_return", "mesa_return", "intended_return", "behavioural_alignment",
           "cells_expanded"]
    genes = [*compiled.weight_columns, *compiled.flag_weight_columns, "horizon", "gamma"]
    long = individuals.melt(id_vars=["generation", "phase", "id", "champion"],
                            value_vars=per_phase + [c for c in own if c in individuals] + genes,
                            var_name="column")
    metric = long.column.astype(str)
    long["eval_phase"] = pd.Series(np.where(metric.isin(own), long.phase, ""), dtype=object)
    long["metric"] = metric
    for name in compiled.phase_names:
        for prefix in ("reward_alignment", "epic_distance"):
            rows = metric == f"{prefix}_{name}"
            long.loc[rows, "metric"] = prefix
            long.loc[rows, "eval_phase"] = name
    long["source"] = "individuals"
    parts = [long]
    if not cross.empty:
        elite_ids = individuals.loc[individuals.champion, ["generation", "id"]]
        c = cross.merge(elite_ids.assign(champion=True), on=["generation", "id"], how="left")
        c["champion"] = c.champion.astype("boolean").fillna(False).astype(bool)
        c = c.melt(id_vars=["generation", "phase", "id", "eval_phase", "champion"],
                   value_vars=list(_CROSS_METRICS), var_name="metric")
        c["source"] = "crosseval"
        parts.append(c)
    long = pd.concat([p[["generation", "phase", "eval_phase", "metric", "source", "champion",
                         "value"]] for p in parts], ignore_index=True)
    long["value"] = long.value.astype(np.float64)
    keys = ["generation", "phase", "eval_phase", "metric", "source"]
    grouped = long.groupby(keys, sort=False).value
    table = pd.DataFrame({
        "n": grouped.size(), "n_defined": grouped.count(), "mean": grouped.mean(),
        "median": grouped.median(), "q10": grouped.quantile(0.1),
        "q25": grouped.quantile(0.25), "q75": grouped.quantile(0.75),
        "q90": grouped.quantile(0.9),
    })
    elite = long[long.champion].groupby(keys, sort=False).value.first()
    table["elite"] = elite.reindex(table.index)
    return table.reset_index().sort_values(["generation", "source", "metric", "eval_phase"],
                                           kind="stable").reset_index(drop=True)


def regain(generations: pd.DataFrame, compiled: CompiledScenario, fraction: float,
           last_generation: int) -> list:
    """For each shift: the pre-shift alignment (population mean at the last generation of
    the old phase, to the old phase) and how many generations after the shift the mean
    alignment to the new phase first reaches `fraction` of it: an int, or `never`, `not yet
    (run stopped)`, or `undefined` when the pre-shift alignment is undefined or not positive.
    """
    shifts = []
    by_generation = generations.set_index("generation")
    evolved = compiled.evolved  # an evaluation-only phase is never shifted to
    for j, k in zip(evolved, evolved[1:]):
        old, new = compiled.phase_names[j], compiled.phase_names[k]
        first = int(compiled.phase_first[k])
        if first > last_generation:
            break
        before = by_generation.loc[first - 1]
        pre = float(before[compiled.alignment_column(old)])
        after = by_generation.loc[first:int(compiled.phase_last[k]), compiled.alignment_column(new)]
        entry = {
            "from": old, "to": new, "generation": first, "pre_shift_alignment": pre,
            "alignment_after_shift": float(after.iloc[0]),
            "old_phase_alignment_after_shift": float(
                by_generation.loc[first, compiled.alignment_column(old)]),
            "fitness_before": float(before.fitness_mean),
            "fitness_after": float(by_generation.loc[first, "fitness_mean"]),
            "mesa_return_before": float(before.mesa_return_mean),
            "mesa_return_after": float(by_generation.loc[first, "mesa_return_mean"]),
            "target": fraction * pre if pre > 0 else float("nan"),
        }
        best = after.idxmax() if after.notna().any() else None
        entry["best_alignment_after_shift"] = float(after.max())
        entry["best_generation_after_shift"] = None if best is None else int(best)
        if not pre > 0:
            entry["regain_generations"] = "undefined"
        else:
            reached = after.index[after.to_numpy() >= fraction * pre]
            if len(reached):
                entry["regain_generations"] = int(reached[0]) - first
            elif last_generation < compiled.phase_last[k]:
                entry["regain_generations"] = "not yet (run stopped)"
            else:
                entry["regain_generations"] = "never"
        shifts.append(entry)
    return shifts


def lineage(individuals: pd.DataFrame, compiled: CompiledScenario) -> pd.DataFrame:
    """The ancestral line of the last generation's fittest individual, back to generation 0.

    An elite is followed to its own earlier copy; a bred individual to whichever parent's w
    is closer to its own (blend crossover mixes both; the closer one carried more of it).
    The line stops at the first generation whose predecessor was not recorded.
    """
    by_generation = {g: frame.set_index("id") for g, frame in individuals.groupby("generation")}
    generation = int(individuals.generation.max())
    current = by_generation[generation]
    ident = int(current.fitness.idxmax())
    weights = compiled.weight_columns
    line = []
    while True:
        row = current.loc[ident]
        line.append({"generation": generation, **row.to_dict(), "id": ident})
        previous = by_generation.get(generation - 1)
        if previous is None:
            break
        if row.elite:
            parent = ident
        else:
            parents = [int(p) for p in (row.parent1, row.parent2) if p >= 0 and p in previous.index]
            if not parents:
                break
            distance = [np.linalg.norm(previous.loc[p, weights].to_numpy(np.float64)
                                       - row[weights].to_numpy(np.float64)) for p in parents]
            parent = parents[int(np.argmin(distance))]
        generation, current, ident = generation - 1, previous, parent
    return pd.DataFrame(line[::-1]).reset_index(drop=True)
