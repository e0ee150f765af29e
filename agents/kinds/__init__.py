"""Agent kinds: each module declares a kind's genes, its reward and the machine that acts.

`KINDS` maps the scenario's `agent.kind` to its kind; a new kind is a module here and one
entry below. A kind with a decision procedure of its own (a new machine) also adds its step
to the episode loops of `agents.kernel` and `agents.reference`.
"""

from agents.kinds import aligned, mixed, planner, reactive, wanderer
from agents.kinds.base import AgentKind, decode

KINDS: dict[str, AgentKind] = {kind.name: kind for kind in (
    planner.KIND,
    aligned.KIND,
    wanderer.KIND,
    reactive.KIND,
    mixed.KIND,
)}

__all__ = ["KINDS", "AgentKind", "decode"]
