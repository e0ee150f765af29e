"""What a run will hold in memory at its peak, checked against what the machine has left.

Every size of a scenario has a cap, but their products do not: a population of a million
with ten thousand episodes would ask for hundreds of GiB part-way through the first
generation. The estimate counts what grows with them, and refuses a run that cannot fit
before anything is written, with one line saying what to lower.
"""

from pathlib import Path

from evo.errors import UserError

BASE = 400 * 2**20  # interpreter, numpy, numba and LLVM, whatever the run
CELL = 64  # a CSV cell while its row is built and formatted: the number, its text, pointers


def estimate(compiled) -> int:
    """Peak bytes of a run: the kernel's outputs of the largest evaluation (a generation's,
    or three cross-evaluations held together), and the rows of one generation's CSVs."""
    ga, record = compiled.scenario.ga, compiled.scenario.record
    per_episode = 8 * (5 + len(compiled.object_names))  # returns (P, E) and counts (P, E, T)
    evaluation = max(ga.episodes, 3 * record.crosseval_episodes) * ga.population * per_episode
    columns = compiled.columns
    rows = ga.population * CELL * (len(columns.individuals)
                                   + len(compiled.phase_names) * len(columns.crosseval))
    return BASE + evaluation + rows


def available() -> int | None:
    """Bytes of memory available to a new process (Linux's MemAvailable), None if unknown."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check(compiled) -> None:
    """Refuse, with one line, a run that would need more memory than the machine has."""
    need, have = estimate(compiled), available()
    if have is not None and need > have:
        ga, record = compiled.scenario.ga, compiled.scenario.record
        raise UserError(
            f"this run needs about {need / 2**30:.1f} GiB of memory and {have / 2**30:.1f} GiB "
            f"are available (population {ga.population} x {ga.episodes} episodes, "
            f"{record.crosseval_episodes} cross-evaluation episodes per phase): lower "
            "ga.population, ga.episodes or record.crosseval_episodes")
