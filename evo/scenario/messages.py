"""Validation errors in the scenario's own words: one line naming the key and the problem."""

from typing import Any

from pydantic import ValidationError

from evo.errors import UserError
from evo.scenario.schema import Invalid


def _display_path(loc: tuple, data: Any) -> str:
    """Dotted path of an error location, naming list elements by a usable `name`."""
    parts, node = [], data
    for depth, step in enumerate(loc):
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            item = node[step]
            name = item.get("name") if isinstance(item, dict) else None
            names = [other.get("name") for other in node if isinstance(other, dict)]
            # Fall back to the index when the name is itself the problem or is ambiguous.
            usable = (
                isinstance(name, str)
                and name != ""
                and not any(c.isspace() or c == "." for c in name)
                and names.count(name) == 1
                and loc[depth + 1 : depth + 2] != ("name",)
            )
            parts.append(name if usable else str(step))
            node = item
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)


_BOUNDS = {
    "greater_than_equal": (">=", "ge"),
    "greater_than": (">", "gt"),
    "less_than_equal": ("<=", "le"),
    "less_than": ("<", "lt"),
}


def _short_repr(value: Any, limit: int = 40) -> str:
    """A one-line repr, truncated so that a long input cannot swamp the message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(error: dict) -> tuple[tuple, str]:
    """(location, problem) of one pydantic error, in the scenario's own words."""
    loc = tuple(step for step in error["loc"] if step != "[key]")
    kind, ctx = error["type"], error.get("ctx", {})
    cause = ctx.get("error")
    if isinstance(cause, Invalid):
        return loc + cause.loc, cause.problem
    if kind == "extra_forbidden":
        return loc, "unknown key"
    if kind == "missing":
        return loc, "missing required key"
    if kind in _BOUNDS:
        symbol, name = _BOUNDS[kind]
        bound = ctx[name]
        # pydantic reports `lt=1.0` as 1.0; "must be < 1" reads as the rule was written, and
        # a large bound as 1e+12, not as its thirteen digits.
        if isinstance(bound, float):
            bound = int(bound) if bound.is_integer() and abs(bound) < 1e7 else f"{bound:g}"
        problem = f"must be {symbol} {bound}"
    elif kind == "too_short" and ctx.get("min_length") == 1:
        problem = "must not be empty"
    elif kind == "value_error" and cause is not None:
        problem = str(cause)
    else:
        problem = error["msg"]
    return loc, f"{problem} (got {_short_repr(error.get('input'))})"


def explain(error: ValidationError, source: str, data: dict, overrides: list) -> UserError:
    """One line for a whole ValidationError: its first error, blamed on an override if due."""
    errors = error.errors()
    loc, problem = _describe(errors[0])
    head = f"{source}: {_display_path(loc, data)}" if loc else source
    # The last override at, above or inside the failing key is what the user needs to fix.
    for key, override_loc in reversed(overrides):
        above = loc[: len(override_loc)] == override_loc
        inside = bool(loc) and override_loc[: len(loc)] == loc
        if above or inside:
            same = loc == override_loc
            head = f"--set {key}" + ("" if same else f": {_display_path(loc, data)}")
            break
    more = len(errors) - 1
    suffix = f" (+{more} more error{'s' if more > 1 else ''})" if more else ""
    return UserError(f"{head}: {problem}{suffix}")


