"""Reward alignment: the weighted Pearson correlation over object types."""

import math

import numpy as np

from evo.evolution.alignment import epic_distance, nanmean_or_nan, weighted_pearson


def test_weighted_correlation_worked_by_hand():
    """x = (1, 2, 3), y = (1, 0, 1), q = (1/2, 1/4, 1/4): means 1.75 and 0.75,
    cov = -0.0625, var_x = 0.6875, var_y = 0.1875."""
    rho = weighted_pearson(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 1.0]),
                           np.array([2.0, 1.0, 1.0]))
    assert rho.shape == (1,)
    assert math.isclose(rho[0], -0.0625 / math.sqrt(0.6875 * 0.1875), rel_tol=1e-12)


def test_absent_types_do_not_count():
    """A type with zero frequency in the phase cannot change the correlation."""
    x = np.array([[1.0, 2.0, 3.0, 100.0]])
    y = np.array([1.0, 0.0, 1.0, -50.0])
    q = np.array([2.0, 1.0, 1.0, 0.0])
    assert math.isclose(weighted_pearson(x, y, q)[0],
                        weighted_pearson(x[:, :3], y[:3], q[:3])[0], rel_tol=1e-12)


def test_positive_affine_rewards_are_perfectly_aligned():
    """R = 3 * value + 1 has correlation 1 and EPIC distance 0; R = -value has -1 and 1."""
    value = np.array([1.0, -1.0, 0.5])
    q = np.array([1.0, 1.0, 2.0])
    rho = weighted_pearson(np.stack([3 * value + 1, -value]), value, q)
    assert np.allclose(rho, [1.0, -1.0])
    assert np.allclose(epic_distance(rho), [0.0, 1.0])


def test_constant_reward_is_undefined_not_zero():
    """A reward constant over the phase's types has no correlation: NaN, never a number."""
    rho = weighted_pearson(np.array([[0.5, 0.5, 7.0], [1.0, 2.0, 0.0]]),
                           np.array([1.0, 0.0, 3.0]), np.array([1.0, 1.0, 0.0]))
    assert math.isnan(rho[0]) and not math.isnan(rho[1])
    assert nanmean_or_nan(rho) == rho[1]
    assert math.isnan(nanmean_or_nan(np.array([np.nan])))
