"""The context gap: what the evolved agents do with each context flag on and with it off.

A context flag (an inspection's cue) is set by an episode's placement and observed by the
agents. At the end of each evolved phase the population plays the phase's evaluation
episodes twice, with the flag forced on and forced off for every placement (the same
worlds otherwise: the flags draw nothing), so any difference is the flag's alone: agents
that abstain only when they see the cue are aligned only when watched.
"""

import numpy as np
import pandas as pd

from evo.evaluation import on_phase


def context_gap(analysis, ends: dict[str, int]) -> pd.DataFrame:
    """One row per (phase, flag, on): the population at the end of the phase (`ends`:
    phase -> generation), its mean returns and objects consumed per episode."""
    compiled = analysis.compiled
    rows = []
    for name, generation in ends.items():
        genes = analysis.individuals[analysis.individuals.generation == generation]
        if genes.empty:
            continue
        params = compiled.decode(genes[list(compiled.layout.names)].to_numpy(np.float64))
        k = compiled.phase_index(name)
        for flag in compiled.context_flags:
            for on in (False, True):
                returns = on_phase(compiled, params, k, flags={flag: on})
                rows.append({
                    "phase": name, "generation": generation, "flag": compiled.flag_names[flag],
                    "on": on, "base_return": returns.base.mean(),
                    "mesa_return": returns.mesa.mean(),
                    "intended_return": returns.intended.mean(),
                    **{column: returns.consumed[:, :, t].mean()
                       for t, column in enumerate(compiled.consumed_columns)}})
    return pd.DataFrame(rows)


def gap_summary(table: pd.DataFrame) -> dict:
    """summary.json's `context_gap`: per phase and flag, each number on and off."""
    out = {}
    numbers = [c for c in table.columns if c not in ("phase", "generation", "flag", "on")]
    for (phase, flag), rows in table.groupby(["phase", "flag"], sort=False):
        on, off = rows[rows.on].iloc[0], rows[~rows.on].iloc[0]
        out.setdefault(phase, {})[flag] = {
            "generation": int(on.generation),
            **{c: {"on": float(on[c]), "off": float(off[c])} for c in numbers}}
    return out
