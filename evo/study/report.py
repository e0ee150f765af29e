"""study.md: what was run, the figure, the table, and a verdict per expectation."""

import pandas as pd

from evo.study.aggregate import swept_keys
from evo.study.spec import Study
from evo.study.verdicts import Verdict, fmt
from evo.sweep.spec import flatten


def render(study: Study, command: str, runs: int, table: pd.DataFrame,
           verdicts: list[Verdict], figure: str) -> str:
    """The study's report as Markdown."""
    spec = study.spec
    lines = [f"# Study `{study.name}`", ""]
    if spec.description:
        lines += [spec.description, ""]
    if spec.reproduces:
        lines += [f"**Reproduces.** {spec.reproduces}", ""]
    shape = []
    if spec.axis:
        shape.append(f"{len(spec.axis.values)} values of `{spec.axis.key}`")
    if spec.group:
        shape.append(f"{len(spec.group.values)} of `{spec.group.key}`")
    shape.append(f"{len(study.seeds)} seeds")
    overrides = ", ".join(f"`{k}={v}`" for k, v in flatten(spec.set).items()) or "none"
    lines += [f"**Run.** `{command}`", "",
              f"Scenario `{spec.scenario}`, {' x '.join(shape)}: {runs} runs. Overrides: "
              f"{overrides}. Intervals: percentile bootstrap, {spec.bootstrap.resamples} "
              f"resamples, seed {spec.bootstrap.seed}.", ""]
    if spec.cost and not study.quick:
        lines += [f"**Cost.** {spec.cost}", ""]
    lines += [f"![{study.name}]({figure})", "", "## Expectations", ""]
    if not verdicts:
        lines += ["The study states no expectation.", ""]
    for verdict in verdicts:
        expect = verdict.expect
        title = f"`{expect.quantity}` {expect.shape}"
        if expect.shape in ("above", "below"):
            title += f" {expect.threshold:g}"
        if verdict.group is not None:
            title += f" ({spec.group.key} = {verdict.group})"
        lines += [f"### {title}", "", f"Source: {expect.source}", "",
                  f"Verdict: {'holds' if verdict.holds else 'does not hold'}. "
                  f"{verdict.numbers}.", ""]
    lines += ["## Results", "", _markdown(table, swept_keys(study)), ""]
    return "\n".join(lines)


def _markdown(table: pd.DataFrame, keys: list[str]) -> str:
    """study.csv as a Markdown table, numbers to 3 significant digits."""
    header = [*keys, "quantity", "n", "mean", "95% CI"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table.to_dict("records"):
        cells = [str(row[key]) for key in keys] + [
            row["quantity"], str(row["n"]), fmt(row["mean"]),
            f"[{fmt(row['ci_low'])}, {fmt(row['ci_high'])}]"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

