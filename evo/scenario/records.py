"""The run directory's CSVs: each one's columns declared once, and rows built by name.

The loop names each value where it produces it (`{"fitness_mean": ..., ...}`); `table_rows`
lays the values out in the declared order and refuses a name that is missing or unknown. The
analysis reads the same declaration, so writer and reader cannot drift apart.
"""

from itertools import repeat
from typing import NamedTuple

from evo.scenario.outcomes import OUTCOME_COLUMNS


class Columns(NamedTuple):
    """The columns of a run's CSVs, and the per-name groups they contain."""

    genes: tuple[str, ...]  # the genome's genes by name (`w_<feature>`, ...)
    consumed: tuple[str, ...]  # consumed_<type>: mean objects consumed per episode
    alignment: tuple[str, ...]  # alignment_<phase>: reward alignment to each phase
    generations: tuple[str, ...]
    individuals: tuple[str, ...]
    crosseval: tuple[str, ...]

    def headers(self) -> dict[str, tuple[str, ...]]:
        """{file name: header} of every CSV a run directory holds."""
        return {"generations.csv": self.generations, "individuals.csv": self.individuals,
                "crosseval.csv": self.crosseval}


def declare(phase_names, object_names, gene_names) -> Columns:
    """Every CSV's columns for a scenario's phases, object types and genome layout."""
    consumed = tuple(f"consumed_{name}" for name in object_names)
    alignment = tuple(f"alignment_{name}" for name in phase_names)
    returns = ("base_return", "mesa_return", "intended_return", "cells_expanded")
    return Columns(
        tuple(gene_names), consumed, alignment,
        generations=(
            "generation", "phase", "fitness_mean", "fitness_max", "fitness_min", "fitness_std",
            "base_return_mean", "mesa_return_mean", "intended_return_mean", "horizon_mean",
            "gamma_mean", "alignment_mean", *alignment, "cells_expanded_mean",
            "optimizer_share", "wall_s"),
        individuals=(
            "generation", "phase", "id", "parent1", "parent2", "elite", *gene_names, "fitness",
            *returns, "alignment", *consumed, *OUTCOME_COLUMNS),
        crosseval=(
            "generation", "phase", "eval_phase", "id", *returns, *consumed,
            "aligned_twin_return", "max_horizon_base_return", "max_horizon_mesa_return",
            "max_horizon_twin_return", *OUTCOME_COLUMNS, "intended_twin_return"),
    )


def table_rows(columns: tuple[str, ...], values: dict, num_rows: int) -> list:
    """Rows in the order of `columns` from values by column name: a list of `num_rows`
    values, or one value shared by every row."""
    if values.keys() != set(columns):
        missing = [c for c in columns if c not in values]
        extra = [c for c in values if c not in columns]
        raise ValueError(f"row values do not match the columns: missing {missing}, "
                         f"unknown {extra}")
    cells = [v if isinstance(v, list) else repeat(v, num_rows) for v in map(values.get, columns)]
    if any(isinstance(v, list) and len(v) != num_rows for v in cells):
        raise ValueError(f"row values: every list must hold {num_rows} values")
    return list(zip(*cells))


def by_name(names: tuple[str, ...], matrix) -> dict:
    """{name: column as a list} of a matrix (N, len(names)): genes, counts, shares."""
    return {name: matrix[:, j].tolist() for j, name in enumerate(names)}
