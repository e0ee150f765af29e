"""`--set dotted.key=value`: overrides applied to a scenario's raw data before validation."""

import tomllib
import typing
from typing import Any

from pydantic import BaseModel

from evo.errors import UserError


def _field_kind(annotation: Any) -> tuple[str, Any]:
    """How an override path continues below a field: into a model, a table list, a dict."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    if origin is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return "tables", args[0]
    if origin is dict:
        return "mapping", None
    return "leaf", None


def _parse_value(text: str) -> Any:
    """An override value: a TOML value when it parses as one, else the text itself."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_override(data: dict, override: str, root: type[BaseModel]) -> tuple[str, tuple]:
    """Set one `dotted.key=value` in raw data whose schema is `root`; return the key and its
    canonical location."""
    key, sep, text = override.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UserError(f"--set {override}: expected KEY=VALUE")
    steps = key.split(".")
    value = _parse_value(text.strip())
    kind, schema, node, loc = "model", root, data, []

    def fail(problem: str = "unknown key") -> UserError:
        return UserError(f"--set {key}: {problem}")

    for depth, step in enumerate(steps):
        last = depth == len(steps) - 1
        if kind == "model":
            if step not in schema.model_fields:
                raise fail()
            if not isinstance(node, dict):
                raise fail(f"{'.'.join(steps[:depth])} is not a table")
            loc.append(step)
            if last:
                node[step] = value
                break
            kind, child = _field_kind(schema.model_fields[step].annotation)
            if kind == "leaf":
                raise fail()
            if kind in ("model", "mapping"):
                node = node.setdefault(step, {})
            else:
                node = node.get(step, [])
            schema = child
        elif kind == "tables":
            if not isinstance(node, list):
                raise fail(f"{'.'.join(steps[:depth])} is not an array of tables")
            names = [item.get("name") if isinstance(item, dict) else None for item in node]
            # A name wins over an index, so a phase literally named "1" stays addressable.
            if step in names:
                index = names.index(step)
            elif step.isascii() and step.isdigit() and int(step) < len(node):
                index = int(step)
            else:
                have = ", ".join(str(name) for name in names) or "none"
                raise fail(f"unknown key ({'.'.join(steps[:depth])} has: {have})")
            loc.append(index)
            if last:
                node[index] = value
                break
            kind, node = "model", node[index]
        elif kind == "mapping":
            if not isinstance(node, dict):
                raise fail(f"{'.'.join(steps[:depth])} is not a table")
            if not last:
                raise fail()
            loc.append(step)
            node[step] = value
    return key, tuple(loc)


