"""The bench's table: one row per measure, printed with rich and written as a tidy CSV."""

from pathlib import Path
from typing import NamedTuple

import numpy as np

from evo.store.files import BENCH


class Row(NamedTuple):
    """One line of the table: a measured value, with its target where the project sets one
    (benchmarks/README.md)."""

    section: str
    metric: str  # stable key: compare machines on it
    label: str  # what the printed table says
    value: float | str
    unit: str
    target: str = ""  # e.g. ">= 500"
    met: str = ""  # "yes", "no", or "" without a target
    detail: str = ""
    printed: bool = True  # False: in the CSV only (the printed table says it in a detail)


CSV_COLUMNS = ("host", "section", "metric", "value", "unit", "target", "met", "detail")


def check(value: float, op: str, bound: float, shown: str | None = None) -> tuple[str, str]:
    """A target as printed (`>= 500`, or `shown`) and whether the value meets it (yes/no)."""
    met = value >= bound if op == ">=" else value <= bound if op == "<=" else value < bound
    return f"{op} {shown or f'{bound:g}'}", "yes" if met else "no"


def default_output(host: str, tiny: bool) -> Path:
    """runs/bench/<host>.csv (`-tiny` for a smoke run): never the committed results in
    benchmarks/results/, which are updated by hand from a full run."""
    return BENCH / f"{host}{'-tiny' if tiny else ''}.csv"


def format_cell(row: Row) -> str:
    """A value as the printed table shows it."""
    value = row.value
    if isinstance(value, str):
        return value
    if row.unit == "agent-steps/s" or row.unit == "agent-steps":
        return f"{value:,.0f}"
    if row.unit == "x":
        return f"{value:,.1f}x"
    if row.unit == "share":
        return f"{100 * value:.1f}%"
    if row.unit == "cells":
        return f"{value:,.1f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def render(rows: list[Row], host: str):
    """The rich table: one section per kind of measurement, targets beside values."""
    from rich.table import Table

    machine = {row.metric: row.value for row in rows if row.section == "machine"}
    title = (f"evo bench on {host}: {machine.get('cpu')}, {machine.get('cores')} cores, "
             f"{machine.get('numba_threads')} numba threads; {machine.get('versions')}; "
             f"source {machine.get('source')}; load average at start "
             f"{machine.get('load_at_start')}; {machine.get('mode')} workload"
             + ("; a smoke run: its numbers are noise, targets are not graded"
                if machine.get("mode") == "tiny" else ""))
    table = Table(title=title, title_justify="left")
    for column, justify in (("measure", "left"), ("value", "right"), ("unit", "left"),
                            ("target", "right"), ("met", "center"), ("detail", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    section = None
    for row in rows:
        if row.section == "machine" or not row.printed:
            continue
        if section is not None and row.section != section:
            table.add_section()
        section = row.section
        met = {"yes": "[green]pass[/]", "no": "[red]FAIL[/]"}.get(row.met, "")
        unit = "" if row.unit in ("share", "x") else row.unit
        table.add_row(row.label, format_cell(row), unit, row.target, met, row.detail)
    return table


def write_csv(path: Path, rows: list[Row], host: str) -> None:
    """The table as a tidy CSV, one row per measure, host in every row."""
    import csv
    import io

    from evo.errors import UserError
    from evo.store.files import write_atomic

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        value = row.value
        if isinstance(value, (float, np.floating)):
            value = repr(float(value))  # shortest round-trip form
        elif isinstance(value, np.integer):
            value = int(value)
        writer.writerow([host, row.section, row.metric, value, row.unit, row.target, row.met,
                         row.detail])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, buffer.getvalue().encode())
    except OSError as exc:
        raise UserError(f"{path}: cannot write the bench table: {exc.strerror or exc}") from None
