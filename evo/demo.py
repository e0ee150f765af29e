"""`evo demo`: the flagship `evolution` run and the story it tells, in numbers."""

from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from evo.run import start
from evo.scenario import load_scenario

SCENARIO = "evolution"


def demo(out: Path, seed: int = 0, quiet: bool = False) -> dict:
    """Run the flagship scenario into `out` (replacing an earlier demo) and print its story."""
    path = start(SCENARIO, [f"seed={seed}"], out, force=True, quiet=quiet)
    numbers = story(path)
    print_story(numbers, path)
    return numbers


def story(path: Path) -> dict:
    """The numbers of the shift: the last generation before it and the first after it."""
    scenario = load_scenario(str(Path(path) / "config.toml"))
    before, after = scenario.phases[0].name, scenario.phases[1].name
    generations = pd.read_csv(Path(path) / "generations.csv")
    last_before = generations[generations.phase == before].iloc[-1]
    first_after = generations[generations.phase == after].iloc[0]
    columns = ["generation", "fitness_mean", "mesa_return_mean", "intended_return_mean",
               f"alignment_{before}", f"alignment_{after}", "horizon_mean"]
    return {
        "before": before, "after": after,
        "rows": {before: last_before[columns].to_dict(), after: first_after[columns].to_dict()},
    }


def print_story(numbers: dict, path: Path) -> None:
    """The story table and one sentence read off it."""
    before, after = numbers["before"], numbers["after"]
    table = Table(title="Inner alignment at the distribution shift")
    for header in ("", "generation", "fitness", "internal return", f"alignment to {before}",
                   f"alignment to {after}", "horizon"):
        table.add_column(header, justify="right" if header else "left")
    for label, phase in ((f"end of {before}", before), (f"start of {after}", after)):
        row = numbers["rows"][phase]
        table.add_row(label, f"{row['generation']:.0f}", f"{row['fitness_mean']:.2f}",
                      f"{row['mesa_return_mean']:.2f}", _fmt(row[f"alignment_{before}"]),
                      _fmt(row[f"alignment_{after}"]), f"{row['horizon_mean']:.1f}")
    console = Console()
    console.print(table)
    b, a = numbers["rows"][before], numbers["rows"][after]
    console.print(
        f"When the world changed, fitness went from {b['fitness_mean']:.2f} to "
        f"{a['fitness_mean']:.2f} while the agents' internal return went from "
        f"{b['mesa_return_mean']:.2f} to {a['mesa_return_mean']:.2f}: they still competently "
        "pursue what they evolved to want, and it no longer pays.")
    console.print(f"Run directory: {path}")


def _fmt(value: float) -> str:
    return "undefined" if pd.isna(value) else f"{value:.2f}"
