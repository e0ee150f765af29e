"""Optimizers and heuristics, judged from behaviour: one scale of capability for every
machine, and how well it tells the machines apart.

A reactive policy has no objective to read off its genome, so its mesa-objective estimate
is the behavioural objective: the consumption rate of each type that a fit on the types'
features predicts (`behavioural_objective`). Its behavioural capability is the return on
that objective over the return of a planner pursuing the same objective at the maximal
horizon, on the same evaluation episodes. A planner is judged by the same rule, so both
machines stand on one scale. Which agents are optimizers is read off the genome (the
machine that acts), never guessed from behaviour; how well behaviour alone tells them
apart is the AUC of behavioural capability as a score for "is an optimizer".
"""

import numpy as np
import pandas as pd

from agents.kinds import optimizers
from evo.analysis.behaviour import consumption_rates, estimate_reward
from evo.evaluation import on_phase, planner_pursuing


def with_behavioural_capability(cross: pd.DataFrame, compiled, thresholds) -> pd.DataFrame:
    """crosseval rows plus `is_optimizer` (the genome's machine is an optimizer),
    `fitted_return` (its return on its behavioural objective), `fitted_planner_return`
    (the maximal-horizon planner's on the same) and `behavioural_capability` (their ratio;
    NaN where the planner's is not clearly positive or the genes are missing)."""
    frame = cross.copy()
    for column in ("fitted_return", "fitted_planner_return", "behavioural_capability"):
        frame[column] = np.nan
    frame["is_optimizer"] = pd.array([pd.NA] * len(frame), dtype="boolean")
    names = list(compiled.layout.names)
    for (generation, phase), rows in frame.groupby(["generation", "eval_phase"], sort=False):
        rows = rows[rows[names].notna().all(axis=1)]
        if rows.empty:
            continue
        k = compiled.phase_index(phase)
        consumed = rows[compiled.consumed_columns].to_numpy(np.float64)
        fitted = behavioural_objective(consumption_rates(consumed, compiled.counts[k]),
                                       compiled.features, compiled.frequencies[k])
        params = compiled.decode(rows[names].to_numpy(np.float64))
        pursuing = planner_pursuing(compiled, fitted, params.gamma)
        best = on_phase(compiled, pursuing, k).mesa.mean(axis=1)
        own = (consumed * fitted).sum(axis=1)
        frame.loc[rows.index, "fitted_return"] = own
        frame.loc[rows.index, "fitted_planner_return"] = best
        with np.errstate(divide="ignore", invalid="ignore"):
            frame.loc[rows.index, "behavioural_capability"] = np.where(
                best > thresholds.min_twin_return, own / best, np.nan)
        frame.loc[rows.index, "is_optimizer"] = optimizers(params.machine)
    return frame


def behavioural_objective(rates: np.ndarray, features: np.ndarray, weights) -> np.ndarray:
    """What behaviour reveals an agent pursues, per type (N, T): the consumption rate its
    features predict (`estimate_reward`'s fit plus the mean rate, so that with one type, or
    types alike, the level of consumption still says whether it is pursued)."""
    q = np.asarray(weights, dtype=np.float64) / np.sum(weights)
    centred = features - q @ features
    return (rates * q).sum(axis=1, keepdims=True) \
        + estimate_reward(rates, features, weights) @ centred.T


def separation_auc(scores: np.ndarray, optimizer: np.ndarray) -> float:
    """The chance that a random optimizer scores above a random heuristic (ties count
    half): 0.5 is chance, 1 a perfect separation; NaN without both machines."""
    scores, optimizer = np.asarray(scores, dtype=np.float64), np.asarray(optimizer, bool)
    keep = ~np.isnan(scores)
    high, low = scores[keep & optimizer], scores[keep & ~optimizer]
    if len(high) == 0 or len(low) == 0:
        return float("nan")
    ranks = pd.Series(np.concatenate([high, low])).rank().to_numpy()  # ties: mean rank
    above = ranks[:len(high)].sum() - len(high) * (len(high) + 1) / 2
    return float(above / (len(high) * len(low)))


def machine_summary(cross: pd.DataFrame) -> dict:
    """summary.json's `machines`: per phase the agents lived in (on their own phase, over
    every cross-evaluated generation), behavioural capability by machine and the AUC."""
    out = {}
    own = cross[(cross.eval_phase == cross.phase) & cross.is_optimizer.notna()]
    for phase, rows in own.groupby("phase", sort=False):
        optimizer = rows.is_optimizer.to_numpy(bool)
        capability = rows.behavioural_capability.to_numpy(np.float64)

        def mean(mask):
            values = capability[mask & ~np.isnan(capability)]
            return float(values.mean()) if len(values) else None

        auc = separation_auc(capability, optimizer)
        out[phase] = {"optimizers": int(optimizer.sum()), "heuristics": int((~optimizer).sum()),
                      "capability_optimizers": mean(optimizer),
                      "capability_heuristics": mean(~optimizer),
                      "auc": None if np.isnan(auc) else auc}
    return out
