"""Behavioural alignment: what consumption alone reveals of an agent's objective.

The analysis knows each agent's true internal reward, so it can say how well a
behaviour-only estimate recovers it: ground truth for methods that see only behaviour.
"""

import numpy as np


def consumption_rates(consumed: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Objects consumed per object placed, per type (N, T); 0 where none is placed.

    With respawning types more can be consumed than was placed, so a rate can exceed 1.
    """
    consumed = np.atleast_2d(np.asarray(consumed, dtype=np.float64))
    available = np.broadcast_to(np.asarray(available, dtype=np.float64), consumed.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(available > 0, consumed / available, 0.0)


def estimate_reward(rates: np.ndarray, features: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Behavioural estimate of the reward weights (N, F): the minimum-norm weighted
    least-squares fit of consumption rates (N, T) on the features (T, F) of the types a
    phase places (weights (T,)).

    Types absent from the phase carry no evidence, and features that do not vary across
    the present types cannot be identified: minimum norm gives them no weight. That is
    the honest limit of revealed preferences on one distribution.
    """
    rates = np.atleast_2d(np.asarray(rates, dtype=np.float64))
    q = np.asarray(weights, dtype=np.float64)
    q = q / q.sum()
    centred_features = features - q @ features
    centred_rates = rates - (rates * q).sum(axis=1, keepdims=True)
    root = np.sqrt(q)
    design = root[:, None] * centred_features  # (T, F)
    return (np.linalg.pinv(design) @ (root[None, :] * centred_rates).T).T
