"""Reading scenarios: built-in names or files, overrides applied, every problem one line.

`load_scenario` reads a built-in or a file, applies `--set dotted.key=value` overrides to the
raw data, validates it, and turns every problem into a single-line `UserError` of the form
`<source>: <dotted.key.path>: <problem>`.
"""

import copy
import importlib.resources
import tomllib
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from evo.errors import UserError
from evo.scenario.messages import explain
from evo.scenario.model import Scenario
from evo.scenario.overrides import apply_override


def _builtin_dir():
    """The package directory holding the built-in scenario files."""
    return importlib.resources.files("evo.scenario") / "builtins"


def _builtin_names() -> list[str]:
    """Names of the built-in scenarios, sorted."""
    folder = _builtin_dir()
    if not folder.is_dir():
        return []
    return sorted(
        entry.name[: -len(".toml")] for entry in folder.iterdir() if entry.name.endswith(".toml")
    )


def list_scenarios() -> list[tuple[str, str]]:
    """(name, description) of each built-in scenario, sorted by name."""
    listing = []
    for name in _builtin_names():
        try:
            data = tomllib.loads((_builtin_dir() / f"{name}.toml").read_text(encoding="utf-8"))
            description = str(data.get("description", ""))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            description = f"(unreadable: {error})"
        listing.append((name, description))
    return listing


def builtin_text(name: str) -> str:
    """The file of a built-in scenario as shipped, comments and all (a template to copy)."""
    if name not in _builtin_names():
        raise UserError(f"unknown scenario {name!r} (built-in scenarios: "
                        f"{', '.join(_builtin_names())})")
    return (_builtin_dir() / f"{name}.toml").read_text(encoding="utf-8")


def _read_source(source: str) -> dict:
    """Parse a built-in name or a .toml path into raw TOML data."""
    names = _builtin_names()
    builtins = f"built-in scenarios: {', '.join(names)}" if names else "no built-in scenarios"
    # A path is anything that looks like one; a bare word is always a built-in name.
    looks_like_path = source.endswith(".toml") or "/" in source or "\\" in source
    if looks_like_path:
        path = Path(source)
        if not path.is_file():
            raise UserError(f"{source}: no such file ({builtins})")
        reader = path.read_bytes
    else:
        if source not in names:
            raise UserError(f"unknown scenario {source!r} ({builtins})")
        reader = (_builtin_dir() / f"{source}.toml").read_bytes
    try:
        return tomllib.loads(reader().decode("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{source}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise UserError(f"{source}: not UTF-8 text: {error}") from None
    except OSError as error:
        raise UserError(f"{source}: cannot read: {error.strerror or error}") from None


def validate_scenario(
    data: dict, source: str = "<scenario>", overrides: Sequence[str] = ()
) -> Scenario:
    """Validate raw scenario data (a parsed TOML dict) after applying overrides to a copy."""
    data = copy.deepcopy(data)
    applied = [apply_override(data, override, Scenario) for override in overrides]
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise explain(error, source, data, applied) from None


def load_scenario(source: str, overrides: Sequence[str] = ()) -> Scenario:
    """Load a built-in scenario by name or a .toml file by path, with `key=value` overrides."""
    return validate_scenario(_read_source(source), source, overrides)



def first_difference(given, own, caller: str = "the command line", key: str = "") -> str | None:
    """The first key whose value `caller` sets otherwise than a run's own config (both as
    `Scenario.model_dump()` dicts), or None when they agree."""
    if isinstance(given, dict) and isinstance(own, dict):
        for name in dict.fromkeys([*given, *own]):
            found = first_difference(given.get(name), own.get(name), caller,
                                     f"{key}.{name}".strip("."))
            if found:
                return found
        return None
    if isinstance(given, list) and isinstance(own, list) and len(given) == len(own):
        for i, (a, b) in enumerate(zip(given, own)):
            found = first_difference(a, b, caller, f"{key}.{i}")
            if found:
                return found
        return None
    return None if given == own else f"{key}: {caller} gives {given!r}, the run has {own!r}"
