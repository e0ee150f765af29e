"""Agent kinds and the machines they act with, each declared once.

`KINDS` maps the scenario's `agent.kind` to its kind (`agents.kinds.base.AgentKind`: its
genes, its reward, the machines it acts with). `MACHINES` is the table of decision
procedures, indexed by code: whether each is an optimizer, whether its objective is read off
the genome or only from its behaviour, the machine its twins act with, and how it is
replayed. The loop, the analysis, the replay and the bench ask the functions below, never
a kind's or a machine's name.

A new kind whose agents act with machines of the table is a module here and one entry in
`KINDS`. A new machine touches five files: `agents/codes.py` (its code), this file (its row
in `MACHINES`, its kind in `KINDS`), its kind's module here (genes, reward, its decision
step), and what plays it: the kernel's episode loop `agents/kernel.py` and its
specification `agents/reference.py` (a sixth, `agents/genome.py`, if its parameters need an
array `AgentParams` lacks, as the reactive policy's row and radius did). A machine the
kernel does not play, with no genome to read and replayed by other means (a learned
policy: objective BEHAVIOUR, a `replay` value of its own here), swaps those two for
`evo/evaluation/episodes.py` (`on_phase` hands its agents to its player) and
`evo/replay/episode.py` (the branch for its `replay` value).
Nothing else in `evo/` asks which machine an agent has; `docs/scenario-keys.md` is
regenerated (`evo scenarios --keys`) for a new kind.
"""

import numpy as np

from agents.codes import MACHINE_PLANNER, MACHINE_RANDOM, MACHINE_REACTIVE
from agents.kinds import aligned, mixed, planner, random, reactive
from agents.kinds.base import AgentKind, Machine, decode

# Where the objective a machine pursues is found: read off the genome (what its kind
# decodes into R), or only revealed by what it does (a policy's valuation is not pursued).
GENOME, BEHAVIOUR = "genome", "behaviour"
# How a replay recovers one of its episodes: the kernel's traced episode, or that trace with
# each decision's scores over the agent's window recomputed (agents.kinds.reactive.scores).
TRACE, TRACE_AND_SCORES = "kernel trace", "kernel trace and window scores"

KINDS: dict[str, AgentKind] = {kind.name: kind for kind in (
    planner.KIND,
    aligned.KIND,
    random.KIND,
    reactive.KIND,
    mixed.KIND,
)}

# Indexed by code. A random agent pursues nothing (R = 0), so its twins plan; a policy's twins
# are the same policy valuing by `value`: a planner twin would measure search, not alignment.
MACHINES: tuple[Machine, ...] = (
    Machine("planner", MACHINE_PLANNER, is_optimizer=True, objective=GENOME,
            twin=MACHINE_PLANNER, replay=TRACE),
    Machine("random", MACHINE_RANDOM, is_optimizer=False, objective=GENOME,
            twin=MACHINE_PLANNER, replay=TRACE),
    Machine("reactive", MACHINE_REACTIVE, is_optimizer=False, objective=BEHAVIOUR,
            twin=MACHINE_REACTIVE, replay=TRACE_AND_SCORES),
)
_OPTIMIZER = np.array([m.is_optimizer for m in MACHINES], dtype=np.bool_)
_TWIN = np.array([m.twin for m in MACHINES], dtype=np.int64)


def machine(code) -> Machine:
    """The table's row of a machine code."""
    return MACHINES[int(code)]


def optimizers(codes: np.ndarray) -> np.ndarray:
    """Whether each agent's machine (P,) is an optimizer (P,) bool."""
    return _OPTIMIZER[np.asarray(codes, dtype=np.int64)]


def twin_machines(codes: np.ndarray) -> np.ndarray:
    """The machine each agent's aligned and intended twins act with (P,) int64."""
    return _TWIN[np.asarray(codes, dtype=np.int64)]


def judged_from_behaviour(kind: AgentKind) -> bool:
    """Whether some agent of a kind pursues an objective only its behaviour can reveal."""
    return any(machine(code).objective == BEHAVIOUR for code in kind.machines)


def chooses_optimizers(kind: AgentKind) -> bool:
    """Whether a kind's genome chooses between an optimizer and a heuristic, so that
    selection decides which arises."""
    return kind.choose is not None and len({machine(c).is_optimizer for c in kind.machines}) > 1


__all__ = ["BEHAVIOUR", "GENOME", "KINDS", "MACHINES", "TRACE", "TRACE_AND_SCORES", "AgentKind",
           "Machine", "chooses_optimizers", "decode", "judged_from_behaviour", "machine",
           "optimizers", "twin_machines"]
