"""Per-individual alignment metrics: reward alignment, the aligned-twin ratio, capability.

Reward alignment compares rewards over object types, weighted by how often each type
occurs in a phase: an EPIC-style (Gleave et al. 2020) Pearson distance taken over types
rather than over sampled transitions, which is exact here because a reward is a function
of the consumed type only.
"""

import numpy as np
import pandas as pd

from evo.analysis.behaviour import consumption_rates, estimate_reward
from evo.evolution.alignment import epic_distance, weighted_pearson
from evo.scenario import CompiledScenario


def internal_rewards(frame: pd.DataFrame, compiled: CompiledScenario) -> np.ndarray:
    """Internal reward R of each row's agent for every type (N, T), as its kind decodes it
    from the genes of the row (NaN where a gene the reward reads is missing)."""
    return compiled.rewards(frame[list(compiled.layout.names)].to_numpy(dtype=np.float64))


def reward_alignment(rewards: np.ndarray, compiled: CompiledScenario) -> np.ndarray:
    """Weighted Pearson correlation of rewards (N, T) with value on every phase (N, K); NaN
    where a reward is constant over a phase's types."""
    return np.stack([weighted_pearson(rewards, compiled.values, q) for q in compiled.frequencies],
                    axis=1)


def with_state_alignment(frame, rewards, has_genes, q, compiled) -> pd.DataFrame:
    """Reward alignment with each flag on (`reward_alignment_if_<flag>`), and over all
    states at once (`reward_alignment_states`), as columns of frame.

    A state is no flag on, or one flag on: the reward and the value in force then both carry
    the flag's terms, and only the types the state lets the agent consume count (a reward
    for food it cannot eat while thirsty is never acted on). With a flag on, fewer than two
    such types leave the alignment undefined. Over all states the (state, type) pairs are
    compared at once, the types of each state weighted by their frequencies: this sees a
    reward that wants water when thirsty as much as food, which fitness values at nothing.
    """
    if not compiled.flag_names:
        frame["reward_alignment_states"] = frame.reward_alignment
        return frame
    flag_rewards = compiled.flag_rewards(frame[list(compiled.layout.names)].to_numpy(np.float64))
    pairs_r, pairs_v, pairs_q = [], [], []
    for i in range(-1, len(compiled.flag_names)):  # no flag, then each flag alone
        allowed = compiled.consumable(0 if i < 0 else 1 << i)
        reward = rewards if i < 0 else rewards + flag_rewards[:, i]
        value = compiled.values if i < 0 else compiled.values + compiled.flag_values[i]
        pairs_r.append(reward)
        pairs_v.append(value)
        pairs_q.append(q * allowed)
        if i >= 0:
            with np.errstate(invalid="ignore", divide="ignore"):  # no type allowed: undefined
                rho = weighted_pearson(reward, value, q * allowed)
            column = f"reward_alignment_if_{compiled.flag_names[i]}"
            frame[column] = np.where(has_genes, rho, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = weighted_pearson(np.concatenate(pairs_r, axis=1), np.concatenate(pairs_v),
                               np.concatenate(pairs_q, axis=1))
    frame["reward_alignment_states"] = np.where(has_genes, rho, np.nan)
    return frame


def with_individual_metrics(individuals: pd.DataFrame, compiled: CompiledScenario) -> pd.DataFrame:
    """individuals.csv plus reward alignment and EPIC distance to every phase, behavioural
    alignment on the phase it lived in, and `champion` (the fittest of its generation)."""
    frame = individuals.copy()
    rewards = internal_rewards(frame, compiled)
    rho = reward_alignment(rewards, compiled)
    for k, name in enumerate(compiled.phase_names):
        frame[f"reward_alignment_{name}"] = rho[:, k]
        frame[f"epic_distance_{name}"] = epic_distance(rho[:, k])
    phase_index = frame.phase.map({n: k for k, n in enumerate(compiled.phase_names)}).to_numpy()
    q = compiled.frequencies[phase_index]
    rates = consumption_rates(frame[compiled.consumed_columns].to_numpy(np.float64),
                              compiled.counts[phase_index])
    frame["behavioural_alignment"] = weighted_pearson(rates, compiled.values, q)
    frame["champion"] = False
    # The first maximum: population order puts last generation's elites first.
    best = frame.groupby("generation", sort=False)["fitness"].idxmax()
    frame.loc[best.to_numpy(), "champion"] = True
    return frame


def with_cross_metrics(crosseval: pd.DataFrame, individuals: pd.DataFrame,
                       compiled: CompiledScenario, thresholds) -> pd.DataFrame:
    """crosseval.csv plus, per individual and evaluated phase: the aligned-twin ratio, the
    intended-twin ratio (outer gap), capability, the capability-boost numbers, behavioural
    and reward alignment and how well behaviour recovers the internal reward. Genes come
    from individuals.csv (same generation and id); rows without them get NaN where genes
    are needed."""
    genes = individuals[["generation", "id", *compiled.layout.names]]
    frame = crosseval.merge(genes, on=["generation", "id"], how="left", validate="many_to_one")
    k = frame.eval_phase.map({n: i for i, n in enumerate(compiled.phase_names)}).to_numpy()
    twin = frame.aligned_twin_return.to_numpy(np.float64)
    defined = twin >= thresholds.min_twin_return
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["twin_ratio"] = np.where(defined, frame.base_return / twin, np.nan)
        frame["boosted_twin_ratio"] = np.where(
            defined, frame.max_horizon_base_return / twin, np.nan)
        frame["boost_drop"] = np.where(
            defined, (frame.base_return - frame.max_horizon_base_return) / twin, np.nan)
        reference = frame.max_horizon_mesa_return.to_numpy(np.float64)
        frame["capability"] = np.where(reference > thresholds.min_twin_return,
                                       frame.mesa_return / reference, np.nan)
    frame["boost_mesa_gain"] = frame.max_horizon_mesa_return - frame.mesa_return
    # The outer gap: intended return over that of the same planner rewarded by `intended`.
    intended_twin = frame.intended_twin_return.to_numpy(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["intended_twin_ratio"] = np.where(intended_twin >= thresholds.min_twin_return,
                                                frame.intended_return / intended_twin, np.nan)

    rewards = internal_rewards(frame, compiled)
    has_genes = (frame[compiled.weight_columns].notna().all(axis=1).to_numpy()
                 | (not compiled.kind.evolved_reward))
    q = compiled.frequencies[k]
    rates = consumption_rates(frame[compiled.consumed_columns].to_numpy(np.float64),
                              compiled.counts[k])
    frame["reward_alignment"] = np.where(
        has_genes, weighted_pearson(rewards, compiled.values, q), np.nan)
    frame = with_state_alignment(frame, rewards, has_genes, q, compiled)
    frame["behavioural_alignment"] = weighted_pearson(rates, compiled.values, q)
    # Ground truth for behaviour-only methods: does what it eats track what it wants?
    frame["revealed_fidelity"] = np.where(has_genes, weighted_pearson(rates, rewards, q),
                                          np.nan)
    estimated = np.empty_like(rewards)
    for i in range(len(compiled.phase_names)):
        rows = k == i
        estimated[rows] = estimate_reward(rates[rows], compiled.features, compiled.frequencies[i]) \
            @ compiled.features.T
    uniform = np.ones(len(compiled.object_names))
    frame["reward_recovery"] = np.where(
        has_genes, weighted_pearson(estimated, rewards, uniform), np.nan)
    for i, name in enumerate(compiled.phase_names):
        frame[f"predicted_alignment_{name}"] = weighted_pearson(
            estimated, compiled.values, compiled.frequencies[i])

    origin = frame[frame.eval_phase == frame.phase][["generation", "id", "base_return"]]
    frame = frame.merge(origin.rename(columns={"base_return": "origin_base_return"}),
                        on=["generation", "id"], how="left", validate="many_to_one")
    base_origin = frame.origin_base_return.to_numpy(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["goal_ratio"] = np.where(base_origin > thresholds.min_twin_return,
                                       frame.base_return / base_origin, np.nan)
    return frame
