"""study.csv: each quantity's mean over the seeds at each swept value, with its interval."""

import numpy as np
import pandas as pd

from evo.study.spec import Study
from evo.study.stats import generator, mean_interval

COLUMNS = ("quantity", "n", "mean", "ci_low", "ci_high")  # after the swept keys


def swept_keys(study: Study) -> list[str]:
    """The columns that place a run: the group's key, then the axis's (when the study has
    them)."""
    spec = study.spec
    return [axis.key for axis in (spec.group, spec.axis) if axis is not None]


def cells(study: Study) -> list[dict]:
    """Every combination of group and axis value, in the study file's order."""
    spec = study.spec
    groups = [{spec.group.key: g} for g in spec.group.values] if spec.group else [{}]
    xs = [{spec.axis.key: x} for x in spec.axis.values] if spec.axis else [{}]
    return [{**g, **x} for g in groups for x in xs]


def in_cell(frame: pd.DataFrame, cell: dict, quantity: str) -> pd.DataFrame:
    """The rows of one quantity whose swept keys have the cell's values (values.csv's runs
    or study.csv's rows)."""
    rows = frame[frame.quantity == quantity]
    for key, wanted in cell.items():
        rows = rows[rows[key] == wanted]
    return rows


def select(values: pd.DataFrame, cell: dict, quantity: str) -> pd.Series:
    """The finite values of one quantity's runs in a cell."""
    rows = in_cell(values, cell, quantity)
    return rows.value[np.isfinite(rows.value)]


def label(*parts) -> str:
    """The label that seeds one interval's generator."""
    return "|".join(repr(part) for part in parts)


def aggregate(study: Study, values: pd.DataFrame) -> pd.DataFrame:
    """study.csv: one row per swept value (and group) and quantity, in the study file's
    order: the swept keys, quantity, n (runs with a value), mean, ci_low, ci_high."""
    boot = study.spec.bootstrap
    rows = []
    quantities = list(dict.fromkeys(values.quantity))
    for cell in cells(study):
        for quantity in quantities:
            sample = select(values, cell, quantity).to_numpy()
            rng = generator(boot.seed, label("mean", quantity, *cell.values()))
            interval = mean_interval(sample, boot.resamples, rng)
            rows.append({**cell, "quantity": quantity, "n": int(sample.size),
                         "mean": interval.value, "ci_low": interval.low,
                         "ci_high": interval.high})
    return pd.DataFrame(rows, columns=[*swept_keys(study), *COLUMNS])
