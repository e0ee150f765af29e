"""The study's statistics on cases whose answer is known, and their byte-for-byte repeats."""

import numpy as np
import pytest

from evo.study.stats import (
    generator,
    mean_interval,
    midpoint,
    midpoint_interval,
    spearman,
    trend_interval,
)


def test_two_values_give_their_own_ends_as_the_interval():
    """The bootstrap mean of (a, b) is a with probability 1/4, (a+b)/2 with 1/2 and b with
    1/4: its 2.5th and 97.5th percentiles are exactly a and b."""
    for seed in range(5):
        interval = mean_interval([2.0, 5.0], 4000, generator(seed, "two"))
        assert interval == (3.5, 2.0, 5.0)


def test_a_constant_sample_has_a_point_interval():
    """Every resample of a constant sample has the same mean: the interval is that value."""
    assert mean_interval([0.25] * 7, 500, generator(0, "c")) == (0.25, 0.25, 0.25)


@pytest.mark.parametrize("seed", range(4))
def test_a_large_sample_gives_the_normal_interval(seed):
    """For 2,000 fair coin flips the mean's 95% interval is 1.96 standard errors either
    side (0.0219 for p = 0.5): the bootstrap's ends agree within 15% of that half-width."""
    flips = np.random.default_rng(100 + seed).integers(0, 2, size=2000).astype(float)
    interval = mean_interval(flips, 4000, generator(seed, "flips"))
    half = 1.96 * np.sqrt(0.25 / flips.size)
    assert abs((interval.value - interval.low) - half) < 0.15 * half
    assert abs((interval.high - interval.value) - half) < 0.15 * half


def test_an_empty_sample_is_undefined():
    """No runs, no mean and no interval (NaN, never an error)."""
    assert all(np.isnan(mean_interval([], 100, generator(0, "e"))))


def test_the_same_seed_and_label_give_the_same_bits_and_others_do_not():
    """One generator per (seed, label): the same interval to the last bit on a rerun, a
    different one for another label or seed."""
    sample = np.random.default_rng(1).normal(size=30)
    first = mean_interval(sample, 1000, generator(3, "q|0.1"))
    assert mean_interval(sample, 1000, generator(3, "q|0.1")) == first
    assert mean_interval(sample, 1000, generator(3, "q|0.2")) != first
    assert mean_interval(sample, 1000, generator(4, "q|0.1")) != first


def test_spearman_matches_its_definition():
    """Spearman's rho of a strictly monotone relation is +-1; with ties it is the Pearson
    correlation of average ranks; a constant variable leaves it undefined."""
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert spearman(x, x ** 3) == pytest.approx(1.0)
    assert spearman(x, -np.exp(x)) == pytest.approx(-1.0)
    y = np.array([1.0, 1.0, 2.0, 2.0, 3.0])
    ranks = np.array([1.5, 1.5, 3.5, 3.5, 5.0])
    assert spearman(x, y) == pytest.approx(np.corrcoef(np.arange(1, 6), ranks)[0, 1])
    assert np.isnan(spearman(x, np.ones(5)))


def test_a_clear_trend_has_an_interval_that_excludes_zero():
    """Values falling with x plus noise: rho is negative and its interval lies below 0;
    pure noise gives an interval that contains 0."""
    rng = np.random.default_rng(7)
    x = np.repeat([0.0, 0.1, 0.2, 0.5], 10)
    falling = trend_interval(x, 1 - x + rng.normal(0, 0.05, x.size), 1000, generator(0, "t"))
    assert falling.value < -0.8 and falling.high < 0
    noise = trend_interval(x, rng.normal(size=x.size), 1000, generator(0, "n"))
    assert noise.low < 0 < noise.high


def test_the_midpoint_of_a_step_is_where_it_crosses_half():
    """A curve from 20 to 1 crosses 10.5 between the values around the step, linearly
    interpolated (in log10 x when asked); a flat curve has no midpoint."""
    xs = np.array([1.0, 2.0, 4.0, 8.0])
    means = np.array([20.0, 20.0, 1.0, 1.0])
    assert midpoint(xs, means, log=False) == pytest.approx(3.0)
    assert midpoint(xs, means, log=True) == pytest.approx(2 * np.sqrt(2))
    assert np.isnan(midpoint(xs, np.ones(4), log=False))
    x = np.repeat(xs, 3)
    y = np.repeat(means, 3)
    assert midpoint_interval(x, y, False, 200, generator(0, "m")) == (3.0, 3.0, 3.0)
