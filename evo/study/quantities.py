"""A study's quantities read off each run's analysis: summary.json paths and drift.csv rows."""

import json
import math
from pathlib import Path

import pandas as pd

from evo.errors import UserError
from evo.study.spec import Drift, Quantity

ABSENT = object()  # a path that a run's summary.json does not have


def run_values(run_dir: Path, quantities: list[Quantity]) -> dict[str, float]:
    """Each quantity of one analysed run, by name (`name/key` for a `*` path); NaN where
    the run's value is undefined (null), ABSENT where the path is not there."""
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{run_dir / 'summary.json'}: unreadable: {exc}") from None
    drift = None
    values = {}
    for quantity in quantities:
        if quantity.summary is not None:
            steps = quantity.summary.split("/")
            for keys, value in _walk(summary, steps, []):
                name = "/".join([quantity.name, *keys])
                values[name] = _number(value, quantity, run_dir)
            if "*" not in steps and quantity.name not in values:
                values[quantity.name] = ABSENT
        else:
            if drift is None:
                drift = _drift_table(run_dir)
            values[quantity.name] = drift_value(drift, quantity.drift)
    return values


def _walk(node, steps: list[str], keys: list[str]):
    """(keys matched by `*`, value) for every place a path leads to in a JSON tree."""
    if not steps:
        yield keys, node
        return
    step, rest = steps[0], steps[1:]
    if step == "*":
        if isinstance(node, dict):
            for key in node:
                yield from _walk(node[key], rest, [*keys, key])
        return
    if isinstance(node, dict) and step in node:
        yield from _walk(node[step], rest, keys)
    elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
        yield from _walk(node[int(step)], rest, keys)


def _number(value, quantity: Quantity, run_dir: Path) -> float:
    """A JSON value as a quantity's number: null is undefined, anything else not a number
    is a study file mistake."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserError(f"quantities.{quantity.name}: {quantity.summary} is not a number in "
                        f"{run_dir / 'summary.json'} (it is {json.dumps(value)[:60]})")
    return float(value)


def _drift_table(run_dir: Path) -> pd.DataFrame:
    """A run's drift.csv."""
    try:
        return pd.read_csv(run_dir / "drift.csv")
    except (OSError, ValueError) as exc:
        raise UserError(f"{run_dir / 'drift.csv'}: unreadable: {exc}") from None


def drift_value(drift: pd.DataFrame, select: Drift):
    """The mean of a drift.csv column over the last `generations` generations of the rows
    that match; ABSENT when no row matches."""
    if select.column not in drift.columns:
        raise UserError(f"drift.column: drift.csv has no column {select.column!r}")
    rows = drift[drift.metric == select.metric]
    for column in ("phase", "eval_phase", "source"):
        wanted = getattr(select, column)
        if wanted is not None:
            rows = rows[rows[column] == wanted]
    if rows.empty:
        return ABSENT
    last = sorted(rows.generation.unique())[-select.generations:]
    return float(rows[rows.generation.isin(last)].groupby("generation")[select.column]
                 .mean().mean())


def values_table(runs: list[tuple[dict, Path]], quantities: list[Quantity]) -> pd.DataFrame:
    """One row per run and quantity: the run's swept values, then `quantity` and `value`.
    A run lacking a path gets the quantity's `missing` value (else none); a quantity that
    no run has is a mistake in the study file, said in one line."""
    found = [(swept, run_values(path, quantities)) for swept, path in runs]
    names = []
    for quantity in quantities:
        expanded = list(dict.fromkeys(  # in the order the runs' files list them
            name for _, values in found for name in values
            if name == quantity.name or name.startswith(quantity.name + "/")))
        if all(values.get(name, ABSENT) is ABSENT for _, values in found for name in expanded):
            where = quantity.summary or f"drift rows of metric {quantity.drift.metric!r}"
            raise UserError(f"quantities.{quantity.name}: no run has {where} (see a run's "
                            "summary.json and drift.csv)")
        names += [(name, quantity) for name in expanded]
    rows = []
    for swept, values in found:
        for name, quantity in names:
            value = values.get(name, ABSENT)
            if value is ABSENT:
                value = math.nan if quantity.missing is None else quantity.missing
            rows.append({**swept, "quantity": name, "value": value})
    return pd.DataFrame(rows)
