"""report.md: the analysis of one run in words, tables and the embedded plots."""

import numpy as np

from agents.kinds import chooses_optimizers, judged_from_behaviour
from evo.analysis.classify import CLASSES


def fmt(value, digits: int = 2) -> str:
    """A number for the report; `undefined` for a missing or NaN value."""
    if value is None or isinstance(value, str):
        return "undefined" if value is None else value
    value = float(value)
    return "undefined" if np.isnan(value) else f"{value:.{digits}f}"


def _machines(machines: dict, horizon: int) -> list[str]:
    """Optimizers and heuristics on one scale, and how well behaviour tells them apart."""
    out = ["**From behaviour alone.** Behavioural capability: return on the objective fitted "
           "to what an agent consumes over that of a planner pursuing it at the maximal "
           f"horizon ({horizon}) on the same episodes, on its own phase over every "
           "cross-evaluated generation. AUC: the chance that an optimizer scores above a "
           "heuristic (0.5: behaviour cannot tell them apart; 1: it always can).", ""]
    rows = [[phase, m["optimizers"], m["heuristics"], fmt(m["capability_optimizers"]),
             fmt(m["capability_heuristics"]), fmt(m["auc"])] for phase, m in machines.items()]
    return out + _table(["phase", "optimizers", "heuristics", "capability (optimizers)",
                         "capability (heuristics)", "AUC"], rows)


def _table(header: list[str], rows: list[list]) -> list[str]:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def render(analysis, plots: dict) -> str:
    """The Markdown text of report.md."""
    summary, compiled = analysis.summary, analysis.compiled
    run = summary["run"]
    phases = summary["phases"]
    out = [f"# Drift analysis: {run['scenario']}, seed {run['seed']}", ""]
    out += [f"Run directory `{run['path']}`; agent kind `{run['agent_kind']}`, population "
            f"{run['population']}; generations 0 to {run['last_generation']} of "
            f"{run['total_generations']} analysed (status: {run['status']}).", ""]
    for note in summary["notes"]:
        out.append(f"> **Note.** {note}")
        out.append("")

    out += ["## The shift", ""]
    for shift in summary["shifts"]:
        regained = shift["regain_generations"]
        share = f"{analysis.thresholds.regain_fraction:.0%}"
        if isinstance(regained, int):
            regain_text = f"it regained {share} of it after {regained} generations"
        else:
            regain_text = f"regaining {share} of it: {regained}"
        regain_text += (f" (best after the shift: {fmt(shift['best_alignment_after_shift'])} at "
                        f"generation {shift['best_generation_after_shift']})")
        out += [f"At generation {shift['generation']} the world changed from "
                f"**{shift['from']}** to **{shift['to']}**. Mean fitness went from "
                f"{fmt(shift['fitness_before'])} to {fmt(shift['fitness_after'])} while the mean "
                f"internal return went from {fmt(shift['mesa_return_before'])} to "
                f"{fmt(shift['mesa_return_after'])}. The population's reward alignment to the "
                f"phase it lives in went from {fmt(shift['pre_shift_alignment'])} (to "
                f"{shift['from']}) to {fmt(shift['alignment_after_shift'])} (to {shift['to']}); "
                f"{regain_text}.", ""]
    if not summary["shifts"]:
        out += ["No shift within the analysed generations.", ""]
    if chooses_optimizers(compiled.kind):  # the genome chooses: say what selection chose
        shares = "; ".join(f"{numbers['optimizer_share']:.0%} at the end of {name}"
                           for name, numbers in phases.items()
                           if numbers.get("optimizer_share") is not None)
        out += [f"**Optimizers** (agents whose planner acts, read off the genome, not "
                f"guessed from behaviour): {shares}.", ""]
    if "machines" in summary:
        out += _machines(summary["machines"], compiled.horizon_max)

    if summary["pairs"]:
        out += ["## Goal and capability generalisation", "",
                "The population at the end of its phase of origin, on the fixed evaluation "
                "episodes of each phase. Goal generalisation: base return on the target over "
                "base return on the origin. Capability: internal return over that of the same "
                f"`w` planning at the maximal horizon ({compiled.horizon_max}), on the same "
                "episodes. Aligned-twin ratio: base return over that of the same planner "
                "rewarded by the base objective.", ""]
        if judged_from_behaviour(compiled.kind):
            out += ["Behavioural capability: the same ratio for the objective fitted to what "
                    "the agents consume, for planners and reactive policies alike; the "
                    "verdict uses it, since a policy's internal return is a valuation it "
                    "does not pursue.", ""]
        rows = [[f"{p['origin']} -> {p['target']}", p["generation"],
                 fmt(p["goal_generalisation"]), fmt(p["capability_generalisation"]),
                 fmt(p["behavioural_capability_generalisation"]),
                 fmt(p["twin_ratio_origin"]), fmt(p["twin_ratio_target"]), p["verdict"]]
                for p in summary["pairs"]]
        out += _table(["origin -> target", "generation", "goal gen.", "capability gen.",
                       "behavioural capability gen.", "twin ratio on origin",
                       "twin ratio on target", "verdict"], rows)

    out += ["## Alignment at the end of each phase", "",
            "Reward alignment: weighted Pearson correlation of the internal reward and `value` "
            "over the phase's object types (mean over the population, and the elite: the "
            "fittest individual). Undefined where the reward is constant over the types.", ""]
    header = ["end of phase", "generation"]
    for p in compiled.phase_names:
        header += [f"reward al. to {p} (mean / elite)", f"EPIC dist. to {p}",
                   f"twin ratio on {p}", f"behavioural al. on {p}"]
    rows = []
    for name, numbers in phases.items():
        row = [_label(name, numbers), numbers["generation"]]
        for p in compiled.phase_names:
            ra = numbers["reward_alignment"][p]
            row += [f"{fmt(ra['mean'])} / {fmt(ra['elite'])}", fmt(ra["epic_distance_mean"]),
                    fmt(numbers.get("twin_ratio", {}).get(p)),
                    fmt(numbers.get("behavioural_alignment", {}).get(p))]
        rows.append(row)
    out += _table(header, rows)

    classified = {_label(n, v): v for n, v in phases.items() if "classes" in v}
    if classified:
        th = analysis.thresholds
        out += ["## Classes (Hubinger et al. 2019)", "",
                f"Per phase an individual is aligned (twin ratio >= {th.aligned}), "
                f"approximately aligned (>= {th.approximate}) or failing. Misaligned: failing "
                "where it evolved; pseudo-aligned: failing on another phase (proxy: the type it "
                "misvalues most there, over- or under-valued, and the feature that misleads it: "
                "the one giving most reward to an over-valued type, most penalty to an "
                "under-valued one); "
                "suboptimality-aligned: raising its horizon to the maximum costs at least "
                f"{th.boost_drop:.0%} of its twin's return while its internal return does not "
                "fall; robustly aligned: aligned on every phase.", ""]
        rows = []
        for name, numbers in classified.items():
            proxies = ", ".join(f"{k} {v:.0%}" for k, v in numbers["proxies"].items()) or "-"
            rows.append([name, numbers["generation"],
                         *[f"{numbers['classes'][c]:.0%}" for c in CLASSES], proxies])
        out += _table(["end of phase", "generation", *CLASSES, "proxies (pseudo-aligned)"],
                      rows)
        out += _optimal_reward(classified, th)
        out += _flags_section(summary, classified)

        out += ["## Revealed preferences against the true mesa-objective", "",
                "From consumption alone (consumed / placed per type): behavioural alignment is "
                "its weighted correlation with `value`; fidelity, its correlation with the true "
                "internal reward; recovery, the correlation over all types of the reward fitted "
                "to the behaviour (least squares on the features) with the true one; predicted "
                "alignment, that fitted reward's alignment to each phase, next to the true "
                "one. Behaviour is observed on the phase the population evolved in. Types that "
                "phase does not place carry no evidence: the fitted reward values them from "
                "their features alone, so a prediction for a phase with new types is a guess "
                "that behaviour cannot check (an aligned population behaving the same way "
                "would get the same prediction).", ""]
        rows = []
        for name, numbers in classified.items():
            rp = numbers["revealed_preferences"]
            predicted = "; ".join(
                f"{p}: {fmt(rp['predicted_alignment'][p])} (true {fmt(rp['true_alignment'][p])})"
                for p in compiled.phase_names)
            rows.append([name, fmt(rp["behavioural_alignment"]), fmt(rp["reward_alignment"]),
                         fmt(rp["revealed_fidelity"]), fmt(rp["reward_recovery"]), predicted])
        out += _table(["behaviour at end of", "behavioural al.", "reward al. (true)",
                       "fidelity", "recovery", "predicted alignment"], rows)

    out += ["## Outer alignment", "",
            "Weighted correlation of `intended` with `value` per phase, the population's "
            "mean base and intended return at the end of each phase, and the two gaps on that "
            "phase: inner, base return over the aligned twin's (the same planner rewarded by "
            "`value`); outer, intended return over the intended twin's (the same planner "
            "rewarded by `intended`). A population that pursues the base objective faithfully "
            "while the base objective misses what was intended has the first near 1 and the "
            "second well below it.", ""]
    rows = []
    for name in compiled.phase_names:
        numbers = phases.get(name, {})
        rows.append([name, fmt(summary["outer_alignment"][name]),
                     fmt(numbers.get("base_return_mean")),
                     fmt(numbers.get("intended_return_mean")),
                     fmt(numbers.get("twin_ratio", {}).get(name)),
                     fmt(numbers.get("intended_twin_ratio", {}).get(name))])
    out += _table(["phase", "intended vs value", "base return", "intended return",
                   "inner: base / aligned twin", "outer: intended / intended twin"], rows)
    out += _outcomes_section(phases)

    out += _lineage_section(analysis)
    out += ["## Plots", ""]
    captions = {
        "fitness": "Fitness and internal return per generation; dashed lines mark the shifts.",
        "alignment": "Reward alignment to each phase (line: mean, band: interquartile range, "
                     "dotted: elite) and the aligned-twin ratio on each phase.",
        "elite_w": "The reward weights along the final elite's ancestral line.",
        "generalisation": "Capability against goal generalisation per individual (dots) and "
                          "for the population (stars).",
        "classes": "Class shares per cross-evaluated generation.",
        "outer_gap": "Inner and outer gap per cross-evaluated generation, on each phase.",
        "outcomes": "Share of episodes ended at a terminal object with no base return, on "
                    "each phase.",
        "optimizers": "Share of the population whose planner acts, per generation.",
    }
    for name, path in plots.items():
        if name.startswith("replay_"):
            continue
        out += [f"![{name}](plots/{path.name})", "", captions[name], ""]
    replays = {name[len("replay_"):]: path for name, path in plots.items()
               if name.startswith("replay_")}
    if replays:
        out += ["## Replays", "",
                "The fittest individual at the end of each phase, on an evaluation episode of "
                "every phase, side by side (`evo replay` draws others): what it sees, wants "
                "and does. The legend gives each type's value and the agent's internal reward "
                "R for it.", ""]
        for phase, path in replays.items():
            out += [f"![replay: end of {phase}](plots/{path.name})", "",
                    f"The elite at the end of {phase}.", ""]
    out += ["## Files", "",
            "`drift.csv` (per generation, phase, metric: population statistics and the elite), "
            "`classes.csv` (class of every cross-evaluated individual), `lineage.csv` (the final "
            "elite's ancestral line), `summary.json` (these numbers). Thresholds: " +
            ", ".join(f"`{k}={v}`" for k, v in summary["thresholds"].items()) + ".", ""]
    return "\n".join(out)


def _outcomes_section(phases: dict) -> list[str]:
    """How episodes ended, where the scenario has terminal types (CoinRun's failure mode)."""
    rows = [[_label(name, numbers), numbers["generation"], target,
             *[f"{shares[c]:.0%}" if shares[c] is not None else "undefined"
               for c in ("ended_share", "empty_handed_share", "ended_empty_handed_share")]]
            for name, numbers in phases.items()
            for target, shares in numbers.get("outcomes", {}).items()]
    if not rows:
        return []
    return ["## How episodes end", "",
            "Shares of the population's episodes on each phase's evaluation episodes that "
            "ended by consuming a terminal object, that earned no base return (<= 0), and "
            "both: reaching an end without what the base objective pays for (CoinRun's "
            "agent at the end of the level without the coin).", ""] + _table(
        ["end of phase", "generation", "on phase", "ended", "empty-handed",
         "ended empty-handed"], rows)


def _label(phase: str, numbers: dict) -> str:
    """How a table names the moment a phase's numbers are read at."""
    return phase if numbers.get("phase_complete", True) else f"{phase} (so far)"


def _lineage_section(analysis) -> list[str]:
    """A few rows of the final elite's ancestral line: how its `w` moved."""
    line, compiled = analysis.lineage, analysis.compiled
    if line.empty:
        return []
    wanted = set(np.linspace(0, len(line) - 1, num=min(len(line), 8)).round().astype(int))
    for first in compiled.phase_first:  # the generations around each shift
        wanted |= set(np.flatnonzero(line.generation.isin([first - 1, first])))
    rows = []
    for i in sorted(wanted):
        row = line.iloc[i]
        rows.append([int(row.generation), int(row.id),
                     *[fmt(row[c]) for c in compiled.weight_columns], int(row.horizon),
                     *[fmt(row[f"reward_alignment_{p}"]) for p in compiled.phase_names]])
    header = ["generation", "id", *[c for c in compiled.weight_columns], "horizon",
              *[f"al. to {p}" for p in compiled.phase_names]]
    text = ["## The elite's lineage", "",
            f"The ancestral line of the last generation's fittest individual (id "
            f"{int(line.id.iloc[-1])}), followed through parent ids back to generation "
            f"{int(line.generation.iloc[0])}.", ""]
    return text + _table(header, rows)


def console_lines(summary: dict) -> list[str]:
    """A few plain lines with the key numbers, for the terminal."""
    run = summary["run"]
    lines = [f"{run['path']}: {run['scenario']} seed {run['seed']}, generations 0-"
             f"{run['last_generation']} of {run['total_generations']} analysed "
             f"(status {run['status']})"]
    for shift in summary["shifts"]:
        lines.append(f"  shift to {shift['to']} at generation {shift['generation']}: fitness "
                     f"{fmt(shift['fitness_before'])} -> {fmt(shift['fitness_after'])}, internal "
                     f"return {fmt(shift['mesa_return_before'])} -> "
                     f"{fmt(shift['mesa_return_after'])}, alignment "
                     f"{fmt(shift['pre_shift_alignment'])} -> "
                     f"{fmt(shift['alignment_after_shift'])}; regained: "
                     f"{shift['regain_generations']}")
    # Kinds with a policy are judged on behavioural capability (see phase_pairs).
    judged = "behavioural_capability" if "machines" in summary else "capability"
    for pair in summary["pairs"]:
        lines.append(f"  {pair['origin']} -> {pair['target']}: goal generalisation "
                     f"{fmt(pair['goal_generalisation'])}, {judged.replace('_', ' ')} "
                     f"generalisation {fmt(pair[judged + '_generalisation'])}: "
                     f"{pair['verdict']}")
    for name, numbers in summary["phases"].items():
        if "classes" not in numbers:
            continue
        top = sorted(((v, c) for c, v in numbers["classes"].items() if v), reverse=True)
        classes = ", ".join(f"{c} {v:.0%}" for v, c in top)
        proxies = ", ".join(f"{k} {v:.0%}" for k, v in numbers["proxies"].items())
        lines.append(f"  end of {_label(name, numbers)} (generation {numbers['generation']}): "
                     f"{classes}"
                     + (f" (proxies: {proxies})" if proxies else ""))
    for name, numbers in summary["phases"].items():
        if summary["intended_differs"] and "intended_twin_ratio" in numbers:
            lines.append(f"  outer gap at end of {_label(name, numbers)}: intended / intended "
                         f"twin {fmt(numbers['intended_twin_ratio'].get(name))} (inner: base / "
                         f"aligned twin {fmt(numbers['twin_ratio'].get(name))})")
        if "outcomes" in numbers:
            shares = ", ".join(f"{p} {fmt(o['ended_empty_handed_share'])}"
                               for p, o in numbers["outcomes"].items())
            lines.append(f"  end of {_label(name, numbers)}: share of episodes ended "
                         f"empty-handed on {shares}")
    lines += [f"  note: {note}" for note in summary["notes"]]
    return lines


def _flags_section(summary: dict, classified: dict) -> list[str]:
    """Reward alignment in each state, and the context gap, where the scenario has flags."""
    by_flag = {name: numbers["reward_alignment_by_flag"] for name, numbers in classified.items()
               if "reward_alignment_by_flag" in numbers}
    if not by_flag:
        return []
    flags = list(next(iter(by_flag.values())))
    out = ["## Context and state", "",
           "Reward alignment with no flag on, with each flag on (the reward and `value` in "
           "force then, both with the flag's terms, over the types the flag lets the agent "
           "consume; undefined with fewer than two) and over all these states at once, on "
           "the phase the population evolved in.", ""]
    out += _table(["end of phase", *[f"reward al. ({f})" for f in flags]],
                  [[name, *[fmt(rho[f]) for f in flags]] for name, rho in by_flag.items()])
    out += ["The population's mean internal reward R for each type in each state (its "
            "`value` then in brackets; `blocked`: the state forbids consuming it).", ""]
    for name, numbers in classified.items():
        table = numbers["reward_by_flag"]
        types = list(next(iter(table.values())))
        out += [f"End of {name}:", ""]
        out += _table(["state", *types], [
            [state, *[_reward_cell(summary["flags"], state, t, r) for t, r in row.items()]]
            for state, row in table.items()])
    gap = summary.get("context_gap", {})
    if gap:
        out += ["**Context gap**: the population at the end of each phase on that phase's "
                "evaluation episodes, with each context flag forced on and forced off (the "
                "same worlds otherwise); per episode, on / off. Agents that behave only when "
                "they see a flag, such as an inspection's cue, show it here.", ""]
        rows = []
        for phase, flags_here in gap.items():
            for flag, numbers in flags_here.items():
                rows.append([phase, flag, *[f"{fmt(both['on'])} / {fmt(both['off'])}"
                                            for both in numbers.values()
                                            if isinstance(both, dict)]])
        names = [n for n in next(iter(next(iter(gap.values())).values()))
                 if n != "generation"]
        out += _table(["end of phase", "flag", *[n.replace("_", " ") for n in names]], rows)
    return out


def _reward_cell(flags: dict, state: str, kind: str, reward) -> str:
    """One cell of the reward table: R (value), or that the state forbids the type."""
    if state in flags.get("blocked", {}).get(kind, []):
        return "blocked"
    return f"{fmt(reward)} ({fmt(flags['values'][state][kind])})"


def _optimal_reward(classified: dict, th) -> list[str]:
    """The optimal-reward case, where it occurs: rewards unlike fitness that earn more of it."""
    found = {name: numbers["reward_beats_fitness"] for name, numbers in classified.items()
             if numbers.get("reward_beats_fitness")}
    if not found:
        return []
    shares = "; ".join(f"{share:.0%} at the end of {name}" for name, share in found.items())
    return ["**A better reward than fitness** (the optimal reward problem, Singh et al. "
            f"2009): {shares} carry an internal reward unlike fitness on their own phase "
            f"(reward alignment below {th.approximate}) that earns at least "
            f"{th.beats_twin:g} times what the same planner earns rewarded by fitness itself. "
            "For a bounded planner that reward serves fitness better; it is not counted as "
            "misalignment.", ""]
