"""summary.json: the key numbers of a run's analysis, and their flat form for sweep tables."""

import math

import numpy as np
import pandas as pd

from agents.kinds import judged_from_behaviour
from evo.analysis.classify import CLASSES
from evo.analysis.context import gap_summary
from evo.analysis.machines import machine_summary
from evo.evolution.alignment import weighted_pearson
from evo.scenario.outcomes import OUTCOME_COLUMNS


def _number(value):
    """A JSON number, or None for an undefined (NaN) value."""
    if value is None:
        return None
    if isinstance(value, (str, bool, np.bool_)):
        return value if isinstance(value, str) else bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return None if math.isnan(value) else value


def end_generations(analysis) -> dict[str, int]:
    """For each phase evolved in and reached: the generation its numbers are read at (the
    last cross-evaluated one in it when there is one, else its last analysed generation)."""
    compiled, last = analysis.compiled, analysis.run.last_generation
    cross = analysis.cross
    ends = {}
    for k in compiled.evolved:
        name = compiled.phase_names[k]
        if compiled.phase_first[k] > last:
            break
        evaluated = cross.generation[cross.phase == name] if not cross.empty else []
        ends[name] = (int(max(evaluated)) if len(evaluated)
                      else int(min(compiled.phase_last[k], last)))
    return ends


def outer_alignment(compiled) -> dict[str, float]:
    """Weighted correlation of `intended` with `value` on each phase (outer alignment)."""
    rho = [weighted_pearson(compiled.intended, compiled.values, q)[0] for q in compiled.frequencies]
    return dict(zip(compiled.phase_names, rho))


def phase_summary(analysis, name: str, generation: int) -> dict:
    """The numbers of the population at the end of one phase."""
    compiled = analysis.compiled
    gens = analysis.run.generations.set_index("generation")
    ind = analysis.individuals[analysis.individuals.generation == generation]
    cross = analysis.cross[analysis.cross.generation == generation] if not analysis.cross.empty \
        else analysis.cross
    by_phase = cross.groupby("eval_phase") if not cross.empty else None
    row = gens.loc[generation]
    out = {
        "generation": generation,
        "phase_complete": bool(analysis.run.last_generation
                               >= compiled.phase_last[compiled.phase_index(name)]),
        "fitness_mean": _number(row.fitness_mean),
        "base_return_mean": _number(row.base_return_mean),
        "intended_return_mean": _number(row.intended_return_mean),
        "mesa_return_mean": _number(row.mesa_return_mean),
        "horizon_mean": _number(ind.horizon.mean()),
        "optimizer_share": _number(row.get("optimizer_share")),
        "reward_alignment": {
            p: {"mean": _number(ind[f"reward_alignment_{p}"].mean()),
                "median": _number(ind[f"reward_alignment_{p}"].median()),
                "elite": _number(ind.loc[ind.champion, f"reward_alignment_{p}"].mean()),
                "epic_distance_mean": _number(ind[f"epic_distance_{p}"].mean())}
            for p in compiled.phase_names
        },
    }
    if by_phase is None:
        return out
    means = by_phase[["twin_ratio", "intended_twin_ratio", "capability",
                      "behavioural_alignment", *OUTCOME_COLUMNS]].mean()
    evaluated = [p for p in compiled.phase_names if p in means.index]
    for column in ("twin_ratio", "intended_twin_ratio", "capability", "behavioural_alignment"):
        out[column] = {p: _number(means.loc[p, column]) for p in evaluated}
    if compiled.terminal.any():  # without terminal types no episode ends early: nothing to say
        out["outcomes"] = {p: {c: _number(means.loc[p, c]) for c in OUTCOME_COLUMNS}
                           for p in evaluated}
    own = cross[cross.eval_phase == name]
    out["revealed_preferences"] = {
        "behavioural_alignment": _number(own.behavioural_alignment.mean()),
        "reward_alignment": _number(own.reward_alignment.mean()),
        "revealed_fidelity": _number(own.revealed_fidelity.mean()),
        "reward_recovery": _number(own.reward_recovery.mean()),
        "predicted_alignment": {p: _number(own[f"predicted_alignment_{p}"].mean())
                                for p in compiled.phase_names},
        "true_alignment": {p: _number(ind[f"reward_alignment_{p}"].mean())
                           for p in compiled.phase_names},
    }
    if compiled.flag_names:  # the reward against value in each state, on its own phase
        out["reward_by_flag"] = reward_by_flag(ind, compiled)
        out["reward_alignment_by_flag"] = {
            "none": _number(own.reward_alignment.mean()),
            **{f: _number(own[f"reward_alignment_if_{f}"].mean()) for f in compiled.flag_names},
            "all states": _number(own.reward_alignment_states.mean())}
    classes = analysis.classes[analysis.classes.generation == generation]
    counts = classes["class"].value_counts(normalize=True)
    out["classes"] = {c: _number(counts.get(c, 0.0)) for c in CLASSES}
    out["reward_beats_fitness"] = _number(classes.reward_beats_fitness.mean())
    pseudo = classes[classes["class"] == "pseudo-aligned"]
    out["proxies"] = {str(k): _number(v) for k, v in
                      pseudo.proxy.value_counts(normalize=True).items()}
    return out


def reward_by_flag(ind: pd.DataFrame, compiled) -> dict:
    """The population's mean internal reward for each type with no flag on and with each
    flag on: {"none" or flag: {type: mean R}}."""
    genes = ind[list(compiled.layout.names)].to_numpy(np.float64)
    rewards, extra = compiled.rewards(genes), compiled.flag_rewards(genes)
    states = {"none": rewards,
              **{f: rewards + extra[:, k] for k, f in enumerate(compiled.flag_names)}}
    return {state: {t: _number(r[:, i].mean()) for i, t in enumerate(compiled.object_names)}
            for state, r in states.items()}


def flags_summary(compiled) -> dict:
    """The scenario's flags: which are context, each type's value in each state (no flag,
    each flag alone) and the states in which a type cannot be consumed."""
    states = {"none": 0, **{f: 1 << k for k, f in enumerate(compiled.flag_names)}}
    values = {"none": compiled.values,
              **{f: compiled.values + compiled.flag_values[k]
                 for k, f in enumerate(compiled.flag_names)}}
    return {
        "names": list(compiled.flag_names),
        "context": [compiled.flag_names[k] for k in compiled.context_flags],
        "values": {s: {t: _number(v[i]) for i, t in enumerate(compiled.object_names)}
                   for s, v in values.items()},
        "blocked": {t: [s for s, mask in states.items() if not compiled.consumable(mask)[i]]
                    for i, t in enumerate(compiled.object_names)},
    }


def summarise(analysis) -> dict:
    """The whole summary.json of an analysis."""
    run, compiled = analysis.run, analysis.compiled
    scenario = run.scenario
    line = analysis.lineage
    out = {
        "run": {
            "path": str(run.path), "scenario": scenario.name, "seed": scenario.seed,
            "agent_kind": compiled.kind.name, "status": run.meta.get("status", "unknown"),
            "complete": run.complete, "last_generation": run.last_generation,
            "total_generations": int(compiled.phase_last[-1]) + 1,
            "population": scenario.ga.population,
        },
        "notes": list(analysis.notes),
        "thresholds": analysis.thresholds.as_dict(),
        "outer_alignment": {p: _number(v) for p, v in outer_alignment(compiled).items()},
        "intended_differs": bool(not np.array_equal(compiled.intended, compiled.values)),
        "phases": {name: phase_summary(analysis, name, g)
                   for name, g in end_generations(analysis).items()},
        "pairs": [{k: _number(v) if not isinstance(v, str) else v for k, v in row.items()}
                  for row in analysis.pairs.to_dict("records")],
        "shifts": [{k: v if isinstance(v, str) else _number(v) for k, v in s.items()}
                   for s in analysis.shifts],
        "lineage": {
            "final_elite_id": int(line.id.iloc[-1]),
            "first_generation": int(line.generation.iloc[0]),
            "w_first": {f: _number(line[c].iloc[0])
                        for f, c in zip(compiled.feature_names, compiled.weight_columns)},
            "w_last": {f: _number(line[c].iloc[-1])
                       for f, c in zip(compiled.feature_names, compiled.weight_columns)},
        },
    }
    if compiled.flag_names:
        out["flags"] = flags_summary(compiled)
    if not analysis.context.empty:
        out["context_gap"] = gap_summary(analysis.context)
    if judged_from_behaviour(compiled.kind) and not analysis.cross.empty:
        out["machines"] = machine_summary(analysis.cross)
    return out


def flatten(summary: dict) -> dict:
    """One sweep-table row of a summary: the key numbers as flat, pandas-friendly columns."""
    run = summary["run"]
    row = {k: run[k] for k in ("path", "scenario", "seed", "agent_kind", "status", "complete",
                               "last_generation", "total_generations", "population")}
    for phase, rho in summary["outer_alignment"].items():
        row[f"outer_alignment_{phase}"] = rho
    for phase, numbers in summary["phases"].items():
        end = f"end_{phase}"
        row[f"fitness_{end}"] = numbers["fitness_mean"]
        row[f"mesa_return_{end}"] = numbers["mesa_return_mean"]
        row[f"horizon_{end}"] = numbers["horizon_mean"]
        row[f"optimizer_share_{end}"] = numbers.get("optimizer_share")
        for p, stats in numbers["reward_alignment"].items():
            row[f"reward_alignment_{end}_to_{p}"] = stats["mean"]
        for p, value in numbers.get("twin_ratio", {}).items():
            row[f"twin_ratio_{end}_on_{p}"] = value
        for p, value in numbers.get("intended_twin_ratio", {}).items():
            row[f"intended_twin_ratio_{end}_on_{p}"] = value
        for p, shares in numbers.get("outcomes", {}).items():
            for c, share in shares.items():
                row[f"{c}_{end}_on_{p}"] = share
        for c, share in numbers.get("classes", {}).items():
            row[f"share_{_column(c)}_{end}"] = share
        row[f"reward_beats_fitness_{end}"] = numbers.get("reward_beats_fitness")
        proxies = numbers.get("proxies", {})
        row[f"top_proxy_{end}"] = max(proxies, key=proxies.get) if proxies else None
        recovery = numbers.get("revealed_preferences", {})
        row[f"reward_recovery_{end}"] = recovery.get("reward_recovery")
        for flag, rho in numbers.get("reward_alignment_by_flag", {}).items():
            row[f"reward_alignment_if_{_column(flag)}_{end}"] = rho
    for phase, flags in summary.get("context_gap", {}).items():
        for flag, numbers in flags.items():
            for name, both in numbers.items():
                if isinstance(both, dict):
                    for state, value in both.items():
                        row[f"{name}_{flag}_{state}_end_{phase}"] = value
    for pair in summary["pairs"]:
        key = f"{pair['origin']}_to_{pair['target']}"
        row[f"goal_generalisation_{key}"] = pair["goal_generalisation"]
        row[f"capability_generalisation_{key}"] = pair["capability_generalisation"]
    for shift in summary["shifts"]:
        regained = shift["regain_generations"]
        row[f"fitness_before_shift_to_{shift['to']}"] = shift["fitness_before"]
        row[f"fitness_after_shift_to_{shift['to']}"] = shift["fitness_after"]
        row[f"regain_generations_{shift['to']}"] = (
            regained if isinstance(regained, int) else np.nan)
        row[f"regain_status_{shift['to']}"] = (
            "regained" if isinstance(regained, int) else regained)
    return row


def _column(text: str) -> str:
    """A class name as part of a column name: `pseudo-aligned` -> `pseudo_aligned`."""
    return text.replace("-", "_").replace(" ", "_")
