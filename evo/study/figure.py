"""The study's figure: each quantity against the swept value, mean and 95% band, every run
a dot; without an axis, each quantity's distribution over the seeds."""

import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from evo.store.files import write_atomic
from evo.study.aggregate import in_cell, select
from evo.study.spec import Study

COLOURS = ("#2a6fb0", "#e76f51", "#2a9d8f", "#e9c46a", "#6d597a", "#8ab17d", "#f4a261",
           "#457b9d", "#b5838d", "#606c38")
PANELS_PER_ROW = 3


def families(study: Study, values: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """Each study quantity and the names it expanded to (`name/key` for a `*` path)."""
    names = list(dict.fromkeys(values.quantity))
    return [(q.name, [n for n in names if n == q.name or n.startswith(q.name + "/")])
            for q in study.spec.quantities]


def write_figure(study: Study, values: pd.DataFrame, table: pd.DataFrame,
                 path: Path) -> Path:
    """Draw the study's figure into `path` (PNG)."""
    panels = families(study, values)
    if study.spec.axis is None:  # distributions: one wide panel per row, labels below
        widest = max(len(names) for _, names in panels)
        columns, size = 1, (max(8.0, 0.6 * widest + 3), 4.2)
    else:
        columns, size = min(PANELS_PER_ROW, len(panels)), (5.2, 3.8)
    rows = -(-len(panels) // columns)
    fig = Figure(figsize=(size[0] * columns, size[1] * rows))
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
    labels = {q.name: q.label or q.name for q in study.spec.quantities}
    for ax, (family, names) in zip(axes, panels):
        if study.spec.axis is None:
            _distribution(ax, values, table, names)
        else:
            _curves(ax, study, values, table, names)
        ax.set_title(labels[family], fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(f"{study.name}: mean and 95% bootstrap interval over {len(study.seeds)} "
                 "seeds", fontsize=11)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    write_atomic(path, buffer.getvalue())
    return path


def _positions(study: Study) -> tuple[list, bool]:
    """Where each axis value sits on x, and whether the values are numbers."""
    values = study.spec.axis.values
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    return (list(values) if numeric else list(range(len(values)))), numeric


def _curves(ax, study: Study, values: pd.DataFrame, table: pd.DataFrame,
            names: list[str]) -> None:
    """One line per expanded quantity and group: means, the band, each run's value."""
    spec = study.spec
    axis, xs = spec.axis, _positions(study)[0]
    groups = [(spec.group.key, g) for g in spec.group.values] if spec.group else [(None, None)]
    curves = [(name, group) for name in names for group in groups]
    for i, (name, (group_key, group)) in enumerate(curves):
        colour = COLOURS[i % len(COLOURS)]
        rows = in_cell(table, {group_key: group} if group_key else {}, name)
        means, lows, highs = (rows[c].to_numpy(dtype=float)
                              for c in ("mean", "ci_low", "ci_high"))
        parts = [name.split("/", 1)[1] if "/" in name else None,
                 f"{group_key.rsplit('.', 1)[-1]} = {group}" if group_key else None]
        ax.plot(xs, means, "o-", color=colour, lw=1.8, ms=4,
                label=", ".join(p for p in parts if p) or None)
        ax.fill_between(xs, lows, highs, color=colour, alpha=0.2, lw=0)
        for x, value in zip(xs, axis.values):
            cell = {axis.key: value, **({group_key: group} if group_key else {})}
            dots = select(values, cell, name)
            ax.plot([x] * len(dots), dots, ".", color=colour, alpha=0.25, ms=3)
    numeric = _positions(study)[1]
    if numeric and axis.log:
        positive = [x for x in xs if x > 0]
        if min(xs) <= 0 and positive:  # 0 among the values: linear near it, log beyond
            ax.set_xscale("symlog", linthresh=min(positive))
        else:
            ax.set_xscale("log")
        ax.minorticks_off()
    # The swept values themselves are the ticks: a reader reads off the runs' settings.
    ax.set_xticks(xs, [f"{v:g}" if numeric else str(v) for v in axis.values],
                  rotation=45 if len(xs) > 5 else 0, fontsize=8)
    ax.set_xlabel(axis.label or axis.key, fontsize=9)
    if len(curves) > 1:
        ax.legend(fontsize=7)


def _distribution(ax, values: pd.DataFrame, table: pd.DataFrame, names: list[str]) -> None:
    """Each expanded quantity's runs as dots, with the mean and its interval."""
    for i, name in enumerate(names):
        dots = select(values, {}, name).to_numpy()
        spread = (np.arange(dots.size) % 9 - 4) * 0.03  # a fixed jitter, the same each time
        ax.plot(i + spread, dots, ".", color=COLOURS[0], alpha=0.35, ms=4)
        row = in_cell(table, {}, name).iloc[0]
        if np.isfinite(row["mean"]):
            ax.errorbar(i + 0.3, row["mean"], yerr=[[row["mean"] - row.ci_low],
                                                     [row.ci_high - row["mean"]]],
                        fmt="o", color=COLOURS[1], capsize=4)
    labels = [n.split("/", 1)[1] if "/" in n else n for n in names]
    slanted = len(names) > 3 or max(len(text) for text in labels) > 12
    ax.set_xticks(range(len(names)), labels, rotation=30 if slanted else 0,
                  ha="right" if slanted else "center", fontsize=8)
