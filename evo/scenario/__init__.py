"""Scenarios: TOML files validated into typed models, then compiled into arrays once.

- `schema`, `model`: the pydantic models, every key documented by its docstring;
- `load`: built-in names and files, `--set` overrides (`overrides`), one-line errors
  (`messages`);
- `compiled`: `compile_scenario`, the arrays everything downstream reads;
- `keys`: the scenario key reference, generated from the schema;
- `records`, `outcomes`: each run CSV's columns, declared once, and how episodes end;
- `seeds`: every random stream of a run, derived from its root seed;
- `builtins/`: the built-in scenario files.
"""

from evo.scenario.compiled import CompiledScenario, compile_scenario
from evo.scenario.load import builtin_text, list_scenarios, load_scenario, validate_scenario
from evo.scenario.model import Scenario

__all__ = ["CompiledScenario", "Scenario", "builtin_text", "compile_scenario",
           "list_scenarios", "load_scenario", "validate_scenario"]
