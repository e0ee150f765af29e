"""The analysis's figures, written as PNG files with matplotlib's Agg backend.

Figures are built as `matplotlib.figure.Figure` objects on an Agg canvas, never through
pyplot: no display is needed, and a notebook that imports this keeps its own backend.
"""

import io
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from agents.kinds import chooses_optimizers
from evo.analysis.classify import CLASSES, shares
from evo.store.files import write_atomic

CLASS_COLOURS = {
    "robustly aligned": "#2a9d8f", "pseudo-aligned": "#e76f51",
    "approximately aligned": "#8ab17d", "suboptimality-aligned": "#e9c46a",
    "misaligned": "#6d597a", "undetermined": "#cccccc",
}


def write_plots(analysis, folder: Path) -> dict[str, Path]:
    """Every figure of a run's analysis into `folder`; returns {name: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, draw in FIGURES.items():
        fig = draw(analysis)
        if fig is None:
            continue
        path = folder / f"{name}.png"
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        write_atomic(path, buffer.getvalue())
        written[name] = path
    return written


def write_replays(analysis, folder: Path) -> dict[str, Path]:
    """For each phase reached, the elite at its end replayed on every phase (evaluation
    episode 0), as `replay_<phase>.gif`; returns {name: path}."""
    from evo.analysis.summary import end_generations
    from evo.replay import gif, replay_run

    written = {}
    for phase, generation in end_generations(analysis).items():
        name = f"replay_{phase}"
        path = folder / f"{name}.gif"
        write_atomic(path, gif(replay_run(analysis.run, generation, phase="all")))
        written[name] = path
    return written


def _figure(*shape, **kwargs):
    """A figure on an Agg canvas and its axes (`shape` as for `Figure.subplots`)."""
    fig = Figure(figsize=kwargs.pop("figsize"))
    FigureCanvasAgg(fig)
    return fig, fig.subplots(*shape, **kwargs)


def _mark_shifts(ax, compiled, last_generation: int, labels: bool = True) -> None:
    """Dashed lines at each distribution shift and the phase names along the top."""
    for k in compiled.evolved:
        name = compiled.phase_names[k]
        first, last = compiled.phase_first[k], min(compiled.phase_last[k], last_generation)
        if first > last_generation:
            break
        if first:
            ax.axvline(first - 0.5, color="black", linestyle="--", linewidth=1)
        if labels:
            ax.text((first + last) / 2, 1.01, name, transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=9)


def plot_fitness(analysis):
    """Fitness and internal return per generation, shifts marked."""
    gens = analysis.run.generations
    fig, ax = _figure(figsize=(8, 4))
    ax.fill_between(gens.generation, gens.fitness_min, gens.fitness_max, color="C0", alpha=0.15,
                    label="fitness, min to max")
    ax.plot(gens.generation, gens.fitness_mean, color="C0", label="fitness (base objective)")
    ax.plot(gens.generation, gens.mesa_return_mean, color="C3",
            label="internal return (mesa-objective)")
    if not np.allclose(gens.intended_return_mean, gens.base_return_mean, equal_nan=True):
        ax.plot(gens.generation, gens.intended_return_mean, color="C2", linestyle=":",
                label="intended return")
    _mark_shifts(ax, analysis.compiled, analysis.run.last_generation)
    ax.set_xlabel("generation")
    ax.set_ylabel("per episode, population mean")
    ax.legend(loc="best", fontsize=8)
    ax.set_title("Fitness and internal return", pad=18)
    return fig


def plot_alignment(analysis):
    """Reward alignment to every phase (mean, interquartile band, elite) and the aligned-twin
    ratio on every phase, per generation."""
    compiled, gens, drift = analysis.compiled, analysis.run.generations, analysis.drift
    fig, (top, bottom) = _figure(2, 1, figsize=(8, 6.5), sharex=True)
    ind = drift[(drift.source == "individuals") & (drift.metric == "reward_alignment")]
    cross = drift[(drift.source == "crosseval") & (drift.metric == "twin_ratio")]
    for k, name in enumerate(compiled.phase_names):
        colour = f"C{k}"
        rows = ind[ind.eval_phase == name]
        top.fill_between(rows.generation, rows.q25, rows.q75, color=colour, alpha=0.15)
        top.plot(gens.generation, gens[compiled.alignment_column(name)], color=colour,
                 label=f"to {name}: mean")
        top.plot(rows.generation, rows.elite, color=colour, linestyle=":", linewidth=1,
                 label=f"to {name}: elite")
        rows = cross[cross.eval_phase == name]
        bottom.fill_between(rows.generation, rows.q25, rows.q75, color=colour, alpha=0.15)
        bottom.plot(rows.generation, rows["mean"], color=colour, marker="o", markersize=3,
                    label=f"on {name}")
    top.set_ylabel("reward alignment (weighted r)")
    top.set_ylim(-1.05, 1.05)
    top.legend(loc="lower left", fontsize=8, ncol=2)
    top.set_title("Alignment of the mesa-objective to each phase", pad=18)
    bottom.axhline(analysis.thresholds.aligned, color="grey", linewidth=0.8)
    bottom.set_ylabel("aligned-twin ratio")
    bottom.set_xlabel("generation")
    bottom.legend(loc="lower left", fontsize=8)
    _mark_shifts(top, compiled, analysis.run.last_generation)
    _mark_shifts(bottom, compiled, analysis.run.last_generation, labels=False)
    return fig


def plot_elite_w(analysis):
    """The reward weights along the final elite's ancestral line, with each generation's
    fittest individual as faint dots."""
    compiled, line = analysis.compiled, analysis.lineage
    ind = analysis.individuals
    champions = ind[ind.champion]
    fig, ax = _figure(figsize=(8, 4))
    colours = feature_colours(compiled.feature_names)
    for feature, column, colour in zip(compiled.feature_names, compiled.weight_columns, colours):
        ax.plot(line.generation, line[column], color=colour, label=feature)
        ax.scatter(champions.generation, champions[column], color=colour, s=6, alpha=0.35)
    ax.axhline(0, color="grey", linewidth=0.6)
    _mark_shifts(ax, compiled, analysis.run.last_generation)
    ax.set_xlabel("generation")
    ax.set_ylabel("reward weight w")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    ax.set_title("The elite's mesa-objective: its ancestral line (lines), "
                 "each generation's fittest (dots)", pad=18, fontsize=10)
    return fig


# Colours for features that are not named after one: distinct, and none of them the colour
# a feature might be named after (matplotlib's tab10 without red, blue, green and their kin).
_NEUTRAL = ("#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
            "#000000", "#aec7e8", "#c49c94")


def feature_colours(names) -> list:
    """A colour per feature: a feature named after a colour (`red`, `gold`) is drawn in it,
    so that no line contradicts its own name; the others take neutral colours not used yet."""
    from matplotlib.colors import is_color_like, to_hex

    named = {name: to_hex(name) for name in names
             if name.isalpha() and len(name) > 1 and is_color_like(name)}
    free = iter([c for c in _NEUTRAL if c not in named.values()])
    return [named.get(name) or next(free, "#555555") for name in names]


def plot_generalisation(analysis):
    """Capability vs goal generalisation, per individual and for the population, for every
    phase pair; the dangerous quadrant shaded."""
    pairs, cross, th = analysis.pairs, analysis.cross, analysis.thresholds
    if pairs.empty:
        return None
    fig, ax = _figure(figsize=(6.5, 5))
    # Ratios beyond these limits are drawn on the edge, marked (triangles, the stars' values
    # written beside them): the quadrants are what matters.
    low, high, right = -0.5, 1.5, 1.25
    ax.axvspan(th.capable, right, ymin=0, ymax=(th.goal_failure - low) / (high - low),
               color="#e76f51", alpha=0.12)
    ax.text(right - 0.02, low + 0.03, "capabilities generalise,\ngoals do not",
            ha="right", va="bottom", fontsize=8, color="#9b2c1c")
    for n, pair in enumerate(pairs.itertuples()):
        rows = cross[(cross.generation == pair.generation) & (cross.eval_phase == pair.target)]
        colour = f"C{n}"
        x, y = rows.capability.to_numpy(float), rows.goal_ratio.to_numpy(float)
        inside = (x >= 0) & (x <= right) & (y >= low) & (y <= high)
        ax.scatter(x[inside], y[inside], s=10, alpha=0.4, color=colour)
        # Individuals off the scale sit on the edge as open triangles pointing past it.
        for marker, off in (("^", y > high), ("v", y < low), (">", (x > right) & (y <= high)
                                                                & (y >= low)),
                            ("<", (x < 0) & (y <= high) & (y >= low))):
            ax.scatter(x[off].clip(0, right), y[off].clip(low, high), s=22, marker=marker,
                       facecolors="none", edgecolors=colour, alpha=0.7, clip_on=False)
        star_x, star_y = pair.capability_generalisation, pair.goal_generalisation
        shown_x, shown_y = min(max(star_x, 0), right), min(max(star_y, low), high)
        ax.scatter([shown_x], [shown_y], s=120, marker="*", color=colour, edgecolor="black",
                   zorder=3, clip_on=False,
                   label=f"{pair.origin} -> {pair.target} (gen {pair.generation})")
        if (shown_x, shown_y) != (star_x, star_y) and np.isfinite([star_x, star_y]).all():
            ax.annotate(f"({star_x:.2f}, {star_y:.2f})", (shown_x, shown_y), fontsize=8,
                        xytext=(6, -10 if shown_y == high else 4), textcoords="offset points")
    ax.axvline(th.capable, color="grey", linewidth=0.8)
    ax.axhline(th.goal_failure, color="grey", linewidth=0.8)
    ax.set_xlim(0, right)
    ax.set_ylim(low, high)
    ax.set_xlabel("capability generalisation\n(internal return / same w at maximal horizon)")
    ax.set_ylabel("goal generalisation\n(base return on target / on origin)")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title("Capability vs goal generalisation (stars: population; triangles: off the "
                 "scale)", fontsize=10)
    return fig


def plot_classes(analysis):
    """Share of each Hubinger class per cross-evaluated generation (bars in generation order;
    the shift falls between the bars on either side of it)."""
    if analysis.classes.empty:
        return None
    compiled = analysis.compiled
    table = shares(analysis.classes)
    generations = table.index.to_numpy()
    position = np.arange(len(generations))
    fig, ax = _figure(figsize=(8, 4))
    bottom = np.zeros(len(table))
    for name in CLASSES:
        if table[name].sum() == 0:
            continue
        ax.bar(position, table[name], bottom=bottom, width=0.85, color=CLASS_COLOURS[name],
               label=name)
        bottom += table[name].to_numpy()
    for k, name in enumerate(compiled.phase_names):
        inside = np.flatnonzero((generations >= compiled.phase_first[k])
                                & (generations <= compiled.phase_last[k]))
        if not len(inside):
            continue
        if compiled.phase_first[k]:
            ax.axvline(inside[0] - 0.5, color="black", linestyle="--", linewidth=1)
        ax.text((inside[0] + inside[-1]) / 2, 1.01, name, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=9)
    step = max(1, len(position) // 15)
    ax.set_xticks(position[::step], [str(g) for g in generations[::step]])
    ax.set_ylim(0, 1)
    ax.set_xlabel("generation (cross-evaluated)")
    ax.set_ylabel("share of the population")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    ax.set_title("Hubinger classes of the population", pad=18)
    return fig


def _cross_means(analysis, metric: str, axes, label: str = "", **style) -> None:
    """The population mean of a crosseval metric per cross-evaluated generation, one line
    per evaluated phase (labelled `label` + "on <phase>"), on `axes`."""
    drift = analysis.drift
    rows = drift[(drift.source == "crosseval") & (drift.metric == metric)]
    for k, name in enumerate(analysis.compiled.phase_names):
        phase = rows[rows.eval_phase == name]
        axes.plot(phase.generation, phase["mean"], color=f"C{k}", marker="o", markersize=3,
                  label=f"{label}on {name}", **style)


def plot_outer_gap(analysis):
    """The inner gap (base return / aligned twin's) and the outer gap (intended return /
    intended twin's) per cross-evaluated generation, where `intended` differs from `value`."""
    compiled = analysis.compiled
    if not analysis.summary["intended_differs"] or analysis.cross.empty:
        return None
    fig, ax = _figure(figsize=(8, 4))
    _cross_means(analysis, "twin_ratio", ax, "inner ")
    _cross_means(analysis, "intended_twin_ratio", ax, "outer ", linestyle="--")
    ax.axhline(1.0, color="grey", linewidth=0.8)
    _mark_shifts(ax, compiled, analysis.run.last_generation)
    ax.set_xlabel("generation (cross-evaluated)")
    ax.set_ylabel("population mean ratio")
    ax.legend(loc="best", fontsize=8)
    ax.set_title("Inner gap (solid: base / aligned twin) and outer gap "
                 "(dashed: intended / intended twin)", pad=18, fontsize=10)
    return fig


def plot_outcomes(analysis):
    """The share of episodes ended at a terminal object with no base return, per
    cross-evaluated generation and phase, where the scenario has terminal types."""
    compiled = analysis.compiled
    if not compiled.terminal.any() or analysis.cross.empty:
        return None
    fig, ax = _figure(figsize=(8, 4))
    _cross_means(analysis, "ended_empty_handed_share", ax)
    _mark_shifts(ax, compiled, analysis.run.last_generation)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("generation (cross-evaluated)")
    ax.set_ylabel("share of episodes")
    ax.legend(loc="best", fontsize=8)
    ax.set_title("Episodes ended without what the base objective pays for", pad=18)
    return fig


def plot_optimizers(analysis):
    """The share of optimizers (agents whose planner acts) per generation, where the genome
    chooses between an optimizer and a heuristic (kind `mixed`)."""
    if not chooses_optimizers(analysis.compiled.kind):
        return None
    gens = analysis.run.generations
    fig, ax = _figure(figsize=(8, 3))
    ax.plot(gens.generation, gens.optimizer_share, color="C4")
    _mark_shifts(ax, analysis.compiled, analysis.run.last_generation)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("generation")
    ax.set_ylabel("share of the population")
    ax.set_title("Optimizers: agents whose planner acts (read off the genome)", pad=18)
    return fig


# Every figure of the report, by name: each draws from an analysis, or returns None where it
# does not apply.
FIGURES = {
    "fitness": plot_fitness, "alignment": plot_alignment, "elite_w": plot_elite_w,
    "generalisation": plot_generalisation, "classes": plot_classes,
    "outer_gap": plot_outer_gap, "outcomes": plot_outcomes, "optimizers": plot_optimizers,
}
