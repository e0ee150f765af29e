"""`evo demo`: the flagship `evolution` run and the story it tells, in numbers."""

from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from evo.evolution.loop import start
from evo.scenario import compile_scenario, load_scenario

SCENARIO = "evolution"


def demo(out: Path, seed: int = 0, quiet: bool = False) -> dict:
    """Run the flagship scenario into `out` (replacing an earlier demo) and print its story."""
    path = start(SCENARIO, [f"seed={seed}"], out, force=True, quiet=quiet)
    numbers = story(path)
    print_story(numbers, path)
    analyse(path)
    replay_gif(path)
    return numbers


def replay_gif(path: Path) -> Path:
    """replay.gif of the demo: the ancestral elite at the end of its phase, on both worlds."""
    from evo.replay import gif, replay
    from evo.store.files import write_atomic

    output = Path(path) / "replay.gif"
    write_atomic(output, gif(replay(path, phase="all")))
    Console().print(f"Replay of the ancestral elite in both worlds: {output}")
    return output


def story(path: Path) -> dict:
    """The numbers of the shift: end of the first phase, start of the second, end of the run."""
    compiled = compile_scenario(load_scenario(str(Path(path) / "config.toml")))
    before, after = compiled.phase_names[:2]
    generations = pd.read_csv(Path(path) / "generations.csv")
    moments = {
        f"end of {before}": generations[generations.phase == before].iloc[-1],
        f"start of {after}": generations[generations.phase == after].iloc[0],
        "end of run": generations.iloc[-1],
    }
    return {"before": before, "after": after,
            "alignment": {name: compiled.alignment_column(name) for name in (before, after)},
            "moments": {label: row.to_dict() for label, row in moments.items()}}


def print_story(numbers: dict, path: Path) -> None:
    """The story table (one column per moment) and one sentence read off it."""
    before, after = numbers["before"], numbers["after"]
    moments = numbers["moments"]
    table = Table(title="Inner alignment at the distribution shift (population means)")
    table.add_column("")
    for label, row in moments.items():
        table.add_column(f"{label}\n(generation {row['generation']:.0f})", justify="right")
    metrics = [
        ("fitness", "fitness_mean"),
        ("internal return", "mesa_return_mean"),
        (f"alignment: {before}", numbers["alignment"][before]),
        (f"alignment: {after}", numbers["alignment"][after]),
        ("planning horizon", "horizon_mean"),
    ]
    for label, column in metrics:
        table.add_row(label, *(_fmt(row[column]) for row in moments.values()))
    console = Console()
    console.print(table)
    b, a, end = moments.values()
    console.print(
        f"When the world changed, fitness fell from {b['fitness_mean']:.2f} to "
        f"{a['fitness_mean']:.2f} while internal return went from {b['mesa_return_mean']:.2f} "
        f"to {a['mesa_return_mean']:.2f}: the agents still pursue what they evolved to want, "
        "competently, and it no longer pays.")
    column = numbers["alignment"][after]
    aligned_at_shift, aligned_at_end = a[column], end[column]
    if aligned_at_end > aligned_at_shift:
        console.print(
            f"Selection in the new world then pulled their internal rewards back towards "
            f"fitness: alignment to {after} went from {aligned_at_shift:.2f} to "
            f"{aligned_at_end:.2f} in {end['generation'] - a['generation']:.0f} generations.")
    console.print(f"Run directory: {path}")


def _fmt(value: float) -> str:
    return "undefined" if pd.isna(value) else f"{value:.2f}"


def analyse(path: Path) -> None:
    """Analyse the demo's own run and point at the report it writes."""
    from evo.analysis import analyze_run
    from evo.analysis.report import console_lines

    analysis = analyze_run(path)
    console = Console()
    console.print("Drift analysis (evo analyze):", style="bold")
    for line in console_lines(analysis.summary)[1:]:
        console.print(line.strip(), highlight=False, markup=False)
    console.print(f"Report with plots: {analysis.files['report.md']}")
