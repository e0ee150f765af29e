"""Evaluation: what agents earn on a phase's episodes, beside their twins, below every
optimizer loop, the analysis and the replay, which all play agents through it.

- `episodes`: a phase's evaluation seeds (derived in one function), playing agents on a
  phase with flags forced or not, their twins, and the planner pursuing a given objective.
"""

from evo.evaluation.episodes import (
    Twins,
    evaluation_seeds,
    forced,
    on_phase,
    planner_pursuing,
    twins,
)

__all__ = ["Twins", "evaluation_seeds", "forced", "on_phase", "planner_pursuing", "twins"]
