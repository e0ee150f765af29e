"""Seeded bootstrap intervals: a mean's, a rank correlation's and a curve's midpoint's.

Every interval is a percentile bootstrap (2.5th and 97.5th percentiles of `resamples`
resampled statistics). Each one draws from its own generator, seeded by the study's
bootstrap seed and a label naming what it is for (the quantity, the swept value), so the
same runs give the same bytes, and adding a quantity never moves another's interval.
"""

import hashlib
from typing import NamedTuple

import numpy as np

LEVEL = 0.95


class Interval(NamedTuple):
    """A statistic and its bootstrap interval (NaN when undefined)."""

    value: float
    low: float
    high: float


def generator(seed: int, label: str) -> np.random.Generator:
    """The generator of one interval: the study's seed and what the interval is for."""
    digest = hashlib.sha256(label.encode("utf-8")).digest()
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence([seed, int.from_bytes(digest[:8], "little")])))


def _percentiles(samples: np.ndarray) -> tuple[float, float]:
    """The interval's ends, from resampled statistics (NaNs, undefined resamples, dropped)."""
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return np.nan, np.nan
    tail = 100 * (1 - LEVEL) / 2
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def mean_interval(values, resamples: int, rng: np.random.Generator) -> Interval:
    """The mean of `values` and its bootstrap interval (resampling the values)."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return Interval(np.nan, np.nan, np.nan)
    draws = rng.integers(0, values.size, size=(resamples, values.size))
    return Interval(float(values.mean()), *_percentiles(values[draws].mean(axis=1)))


def spearman(x, y) -> float:
    """Spearman's rank correlation (average ranks for ties); NaN when either is constant."""
    rx, ry = _ranks(np.asarray(x, dtype=float)), _ranks(np.asarray(y, dtype=float))
    rx, ry = rx - rx.mean(), ry - ry.mean()
    scale = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    return float((rx * ry).sum() / scale) if scale > 0 else np.nan


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing their average rank."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(values.size)
    ranks[order] = np.arange(1, values.size + 1)
    unique, inverse = np.unique(values, return_inverse=True)
    sums = np.bincount(inverse, weights=ranks)
    counts = np.bincount(inverse)
    return (sums / counts)[inverse]


def stratified_draws(groups: list[np.ndarray], resamples: int,
                     rng: np.random.Generator) -> list[np.ndarray]:
    """For each resample, indices resampled within each group (each keeps its size): the
    runs at each swept value are resampled among themselves."""
    return [np.concatenate([g[rng.integers(0, g.size, size=g.size)] for g in groups])
            for _ in range(resamples)]


def trend_interval(x, y, resamples: int, rng: np.random.Generator) -> Interval:
    """Spearman's rho between the swept values and the runs' values, with a bootstrap
    interval that resamples the runs at each swept value."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    groups = [np.flatnonzero(x == value) for value in np.unique(x)]
    samples = np.array([spearman(x[i], y[i]) for i in stratified_draws(groups, resamples,
                                                                       rng)])
    return Interval(spearman(x, y), *_percentiles(samples))


def midpoint(xs: np.ndarray, means: np.ndarray, log: bool) -> float:
    """Where a curve first crosses halfway between its largest and smallest mean, linearly
    interpolated between swept values (in log x when the axis is logarithmic, for positive
    values); NaN for a flat curve."""
    i = bracket(means)
    if i is None:
        return np.nan
    half = (means.max() + means.min()) / 2
    position = np.log10(xs) if log and np.all(xs > 0) else xs
    t = (half - means[i]) / (means[i + 1] - means[i])
    crossing = position[i] + t * (position[i + 1] - position[i])
    return float(10 ** crossing if position is not xs else crossing)


def bracket(means: np.ndarray) -> int | None:
    """The i such that the curve first crosses its midpoint between the i-th and the next
    swept value (None for a flat or undefined curve)."""
    if means.size < 2 or not np.all(np.isfinite(means)) or means.max() == means.min():
        return None
    above = means >= (means.max() + means.min()) / 2
    return next(i for i in range(means.size - 1) if above[i] != above[i + 1])


def midpoint_interval(x, y, log: bool, resamples: int,
                      rng: np.random.Generator) -> Interval:
    """The curve's midpoint crossing (`midpoint`) of the mean at each swept value, with a
    bootstrap interval that resamples the runs at each swept value."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    xs = np.unique(x)
    groups = [np.flatnonzero(x == value) for value in xs]

    def crossing(indices) -> float:
        means = np.array([y[indices][x[indices] == value].mean() for value in xs])
        return midpoint(xs, means, log)

    samples = np.array([crossing(i) for i in stratified_draws(groups, resamples, rng)])
    return Interval(crossing(np.arange(x.size)), *_percentiles(samples))
