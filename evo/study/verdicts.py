"""Each expectation judged by a stated rule, with the numbers that decide it.

- increasing / decreasing: Spearman's rho between the swept value and the runs' values has
  that sign, and its bootstrap interval (runs resampled at each swept value) excludes 0;
  `cliff` also locates where the curve of means crosses halfway between its extremes.
- above / below: at each value asked for, the bootstrap interval of the mean lies wholly
  above (below) the threshold.
An expectation whose numbers are undefined (no runs, a constant curve) does not hold.
"""

from typing import NamedTuple

import numpy as np
import pandas as pd

from evo.study.aggregate import in_cell, label
from evo.study.spec import Expect, Study
from evo.study.stats import bracket, generator, midpoint_interval, trend_interval


class Verdict(NamedTuple):
    """An expectation (in one group), whether it holds, and why."""

    expect: Expect
    group: object  # the group's value, or None
    holds: bool
    numbers: str


def judge(study: Study, values: pd.DataFrame, table: pd.DataFrame) -> list[Verdict]:
    """Every expectation of the study, once per group."""
    spec = study.spec
    groups = [({spec.group.key: g}, g) for g in spec.group.values] if spec.group else \
        [({}, None)]
    verdicts = []
    for expect in spec.expect:
        for cell, group in groups:
            if expect.shape in ("increasing", "decreasing"):
                holds, numbers = _trend(study, expect, values, cell)
            else:
                holds, numbers = _bound(study, expect, table, cell)
            verdicts.append(Verdict(expect, group, holds, numbers))
    return verdicts


def _trend(study: Study, expect: Expect, values: pd.DataFrame, cell: dict):
    """Spearman's rho with its interval (and the cliff's place when asked)."""
    axis, boot = study.spec.axis, study.spec.bootstrap
    rows = in_cell(values, cell, expect.quantity)
    rows = rows[np.isfinite(rows.value)]
    x, y = rows[axis.key].to_numpy(dtype=float), rows.value.to_numpy(dtype=float)
    rng = generator(boot.seed, label("trend", expect.quantity, *cell.values()))
    rho = trend_interval(x, y, boot.resamples, rng)
    sign = 1 if expect.shape == "increasing" else -1
    holds = bool(sign * rho.value > 0 and sign * rho.low > 0 and sign * rho.high > 0)
    numbers = (f"Spearman's rho between {axis.label or axis.key} and {expect.quantity} = "
               f"{fmt(rho.value)}, 95% CI [{fmt(rho.low)}, {fmt(rho.high)}], over "
               f"{len(y)} runs (rule: rho {'>' if sign > 0 else '<'} 0 and its interval "
               "excludes 0)")
    if expect.cliff:
        rng = generator(boot.seed, label("cliff", expect.quantity, *cell.values()))
        where = midpoint_interval(x, y, axis.log, boot.resamples, rng)
        xs = np.unique(x)
        i = bracket(np.array([y[x == value].mean() for value in xs]))
        between = "" if i is None else (f", between the swept values {xs[i]:g} and "
                                        f"{xs[i + 1]:g} (interpolated linearly: values swept "
                                        "between them would place it more surely)")
        numbers += (f"; the curve crosses halfway between its extremes at "
                    f"{axis.label or axis.key} = {fmt(where.value)}, 95% CI "
                    f"[{fmt(where.low)}, {fmt(where.high)}]{between}")
    return holds, numbers


def _bound(study: Study, expect: Expect, table: pd.DataFrame, cell: dict):
    """Each asked value's mean and interval against the threshold."""
    axis = study.spec.axis
    at = expect.at if expect.at is not None else (axis.values if axis else [None])
    parts, holds = [], True
    for x in at:
        where = {**cell, **({axis.key: x} if axis else {})}
        row = in_cell(table, where, expect.quantity).iloc[0]
        low, high = row.ci_low, row.ci_high
        ok = low > expect.threshold if expect.shape == "above" else high < expect.threshold
        holds = holds and bool(ok)  # NaN compares False: an undefined interval fails
        place = f"at {x}: " if axis else ""
        parts.append(f"{place}mean {fmt(row['mean'])}, 95% CI [{fmt(low)}, {fmt(high)}], "
                     f"n = {row.n}")
    side = "lower" if expect.shape == "above" else "upper"
    numbers = "; ".join(parts) + (f" (rule: the interval's {side} end "
                                  f"{'>' if expect.shape == 'above' else '<'} "
                                  f"{fmt(expect.threshold)})")
    return holds, numbers


def fmt(number) -> str:
    """A number as the report prints it: 3 significant digits, `undefined` for NaN."""
    return "undefined" if number is None or not np.isfinite(number) else f"{number:.3g}"

