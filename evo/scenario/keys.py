"""The scenario key reference, generated from the schema so that it cannot go stale.

`evo scenarios --keys` prints it; `docs/scenario-keys.md` is its output, and a test
regenerates it and compares. Each key's meaning is the docstring under its field.
"""

import typing

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from agents.kinds import KINDS, machine
from evo.scenario.model import Scenario

_BOUNDS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def reference() -> str:
    """The whole reference as Markdown: one table per section, then the agent kinds."""
    out = ["# Scenario keys", "",
           "Every key of a scenario file, generated from the schema (`evo scenarios --keys`). "
           "Any key can be overridden on the command line: `--set section.key=value`, array "
           "elements by name or index (`--set phases.modern.counts.candy=30`). "
           "`evo scenarios --show NAME` prints a built-in scenario file to start from.", ""]
    for title, model in _sections(Scenario, ""):
        out += [f"## {title}", "", (model.__doc__ or "").strip(), "",
                "| key | type | default | meaning |", "|---|---|---|---|"]
        for name, field in model.model_fields.items():
            kind = _type(field.annotation)
            if kind is None:  # a section of its own, listed below
                continue
            meaning = " ".join((field.description or "").split()).replace("|", "\\|")
            out.append(f"| `{name}` | {kind}{_bounds(field)} | {_default(field)} | {meaning} |")
        out.append("")
    out += ["## Agent kinds", "", "The values of `agent.kind`, each a module of `agents.kinds`.",
            "", "| kind | machine | what it is |", "|---|---|---|"]
    for kind in KINDS.values():
        machines = " or ".join(machine(code).name for code in kind.machines)
        out.append(f"| `{kind.name}` | {machines} | {kind.description} |")
    return "\n".join(out) + "\n"


def _sections(model: type[BaseModel], path: str, array: bool = False):
    """(title, model) of a model and of every section below it, in schema order; an array
    of tables is titled `[[path]]` (`[[phases.variants]]`), a table `[path]`."""
    yield (f"`[[{path}]]`" if array else f"`[{path}]`" if path else "Top level"), model
    for name, field in model.model_fields.items():
        inner, table = _section(field.annotation)
        if inner is not None:
            yield from _sections(inner, f"{path}.{name}" if path else name, table)


def _section(annotation):
    """(model, is an array of tables) when a field is a section, else (None, False)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is list and args and isinstance(args[0], type) \
            and issubclass(args[0], BaseModel):
        return args[0], True
    return None, False


def _type(annotation) -> str | None:
    """A field's type in words; None for a section."""
    if _section(annotation)[0] is not None:
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        return " or ".join(_type(a) for a in args if a is not type(None)) + " (optional)"
    if origin is typing.Annotated:
        return _type(args[0])
    if origin is list:
        return f"list of {_type(args[0])}"
    if origin is dict:
        return f"table of {_type(args[1])} by {_type(args[0])}"
    return {int: "integer", float: "number", str: "string", bool: "boolean"}.get(
        annotation, str(annotation))


def _bounds(field) -> str:
    """The field's numeric bounds, e.g. ` (>= 1, <= 101)`."""
    found = [f"{symbol} {getattr(rule, name)}" for rule in field.metadata
             for name, symbol in _BOUNDS.items() if hasattr(rule, name)]
    return f" ({', '.join(found)})" if found else ""


def _default(field) -> str:
    """The field's default as TOML would write it, or `required`."""
    if field.is_required():
        return "required"
    value = field.default_factory() if field.default is PydanticUndefined else field.default
    if isinstance(value, BaseModel):
        return "its section's defaults"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value}`"
