"""Reward alignment: how well an internal reward agrees with the base objective on a phase.

The one weighted Pearson correlation of basemesa: the loop records it per generation, the
analysis uses it for rewards, behaviour and outer alignment.
"""

import numpy as np

# Below this weighted variance a reward is constant over the phase's types: no correlation.
_CONSTANT = 1e-12


def weighted_pearson(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted Pearson correlation of each row of x (N, T) with y ((T,) or (N, T)) under
    weights ((T,) or (N, T)); NaN where either side is constant over the weighted types.

    Weights are a phase's type frequencies; types with zero weight do not count. A reward
    that is constant over the weighted types has no correlation and gives NaN, never a
    number.
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    y = np.broadcast_to(np.asarray(y, dtype=np.float64), x.shape)
    q = np.broadcast_to(np.asarray(weights, dtype=np.float64), x.shape)
    q = q / q.sum(axis=1, keepdims=True)
    dx = x - (q * x).sum(axis=1, keepdims=True)
    dy = y - (q * y).sum(axis=1, keepdims=True)
    var_x = (q * dx * dx).sum(axis=1)
    var_y = (q * dy * dy).sum(axis=1)
    cov = (q * dx * dy).sum(axis=1)
    defined = (var_x > _CONSTANT) & (var_y > _CONSTANT)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = cov / np.sqrt(var_x * var_y)
    return np.where(defined, np.clip(rho, -1.0, 1.0), np.nan)


def epic_distance(rho: np.ndarray) -> np.ndarray:
    """Pearson distance sqrt((1 - rho) / 2), in [0, 1], as in EPIC (Gleave et al. 2020)."""
    return np.sqrt((1.0 - np.asarray(rho, dtype=np.float64)) / 2.0)


def nanmean_or_nan(values: np.ndarray) -> float:
    """Mean over the defined values; NaN when none is defined."""
    values = np.asarray(values, dtype=np.float64)
    defined = values[~np.isnan(values)]
    return float(defined.mean()) if defined.size else float("nan")
