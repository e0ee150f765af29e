"""Scenarios: TOML files validated into typed pydantic models, every problem one line.

A scenario names the observable features, the object types, and a sequence of phases
(environment distributions). `load_scenario` reads a built-in or a file, applies
`--set dotted.key=value` overrides to the raw data, validates it, and turns every problem
into a single-line `UserError` of the form `<source>: <dotted.key.path>: <problem>`.
"""

import copy
import importlib.resources
import tomllib
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agents.codes import REGIONS
from evo.errors import UserError

# `adjacent` takes an object type as argument (`adjacent:fruit`); the others stand alone.
FIXED_REGIONS = tuple(name for name in REGIONS if name != "adjacent")


class _Invalid(ValueError):
    """A validator's complaint about a key below the one pydantic is validating."""

    def __init__(self, loc: tuple, problem: str) -> None:
        super().__init__(problem)
        self.loc = loc
        self.problem = problem


class _Model(BaseModel):
    """Base of every scenario section: unknown keys are errors, no silent type coercion."""

    # strict: "3" is not an int and true is not a number; ints still pass for floats.
    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False, use_attribute_docstrings=True
    )


class World(_Model):
    """The grid every phase is played on."""

    height: int = Field(11, ge=1, le=101)
    """number of rows of the grid (layout `map`: taken from the map when not given)"""
    width: int = Field(11, ge=1, le=101)
    """number of columns of the grid (layout `map`: taken from the map when not given)"""
    layout: Literal["open", "walls", "maze", "corridor", "map"] = "open"
    """`open`: no walls; `walls`: each cell is a wall with probability `wall_density`;
    `maze`: a new perfect maze every episode (see `maze_openings`); `corridor`: a level with
    barrier columns, each with one gap (see `barrier_density`); `map`: the fixed `map`"""
    wall_density: float = Field(0.0, ge=0.0, le=0.6)
    """probability that a cell is a wall (layout `walls` only)"""
    maze_openings: float = Field(0.0, ge=0.0, le=1.0)
    """probability that each wall left between two maze rooms is opened, making loops
    (layout `maze` only; 0 is a perfect maze, 1 a grid of pillars)"""
    barrier_density: float = Field(0.0, ge=0.0, le=1.0)
    """probability that each odd column of a corridor is a barrier with one gap
    (layout `corridor` only)"""
    map: list[str] = Field(default_factory=list)
    """the grid of layout `map`, one string per row: `#` a wall, `.` a free cell"""
    episode_steps: int = Field(60, ge=1, le=10000)
    """number of steps of one episode"""
    start: Literal["center", "left_edge", "random"] = "center"
    """where the agent starts: the centre, the middle of the left edge, or a random free cell"""

    @model_validator(mode="after")
    def _map_fits(self) -> "World":
        """A map is given exactly with layout `map`, rectangular, of `#` and `.` only."""
        if self.layout != "map":
            if self.map:
                raise _Invalid(("map",), "a map needs layout = \"map\"")
            return self
        if not self.map:
            raise _Invalid(("map",), "layout \"map\" needs a map (rows of '#' and '.')")
        for i, row in enumerate(self.map):
            if len(row) != len(self.map[0]):
                raise _Invalid(("map", i), f"row has {len(row)} cells, row 0 has "
                               f"{len(self.map[0])}")
            bad = set(row) - {"#", "."}
            if bad:
                raise _Invalid(("map", i), f"unknown cell {sorted(bad)[0]!r} (use '#' and '.')")
        for name, size in (("height", len(self.map)), ("width", len(self.map[0]))):
            if name in self.model_fields_set and getattr(self, name) != size:
                raise _Invalid((name,), f"is {getattr(self, name)} but the map has {size}")
            if not 1 <= size <= 101:
                raise _Invalid(("map",), f"{name} {size} is outside 1..101")
            setattr(self, name, size)
        return self

    def map_walls(self) -> np.ndarray:
        """The walls of layout `map` as an (H, W) bool array (all free for other layouts)."""
        if self.layout != "map":
            return np.zeros((self.height, self.width), dtype=np.bool_)
        return np.array([[cell == "#" for cell in row] for row in self.map], dtype=np.bool_)

    def start_cell(self) -> tuple[int, int] | None:
        """The fixed start cell, or None for a random start."""
        if self.start == "random":
            return None
        return self.height // 2, 0 if self.start == "left_edge" else self.width // 2

    @property
    def num_free_cells(self) -> int:
        """Cells an object may be placed on: all but the start, minus the (expected) walls."""
        cells = self.height * self.width - 1
        if self.layout == "walls":
            return int(cells * (1.0 - self.wall_density))
        if self.layout == "maze":  # a spanning tree of the rooms: rooms + (rooms - 1) links
            rows = (self.height - (self.height // 2) % 2 + 1) // 2
            cols = (self.width - (self.width // 2) % 2 + 1) // 2
            return 2 * rows * cols - 2
        if self.layout == "corridor":
            barriers = len(range(1, self.width - 1, 2)) * self.barrier_density
            return int(cells - barriers * (self.height - 1))
        if self.layout == "map":
            free = ~self.map_walls()
            start = self.start_cell()
            return int(free.sum()) - (1 if start is None or free[start] else 0)
        return cells


class ObjectType(_Model):
    """One type of object an agent can consume."""

    name: str
    """type name (a Python identifier; becomes the `consumed_<name>` column)"""
    features: dict[str, float] = Field(default_factory=dict)
    """observable features the agent's reward sees (missing features are 0)"""
    value: float
    """base objective: what consuming one adds to fitness (hidden from agents)"""
    intended: float | None = None
    """what the scenario's designer really wanted from consuming one (default: `value`)"""
    terminal: bool = False
    """consuming one ends the episode"""

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, name: str) -> str:
        """Type names become `consumed_<name>` columns."""
        if not name.isidentifier():
            raise _Invalid((), f"must be a Python identifier (got {name!r})")
        return name

    @model_validator(mode="after")
    def _default_intended(self) -> "ObjectType":
        """Fill `intended` so that the resolved configuration states it explicitly."""
        if self.intended is None:
            self.intended = self.value
        return self


def _check_regions(regions: dict[str, str]) -> dict[str, str]:
    """Reject region strings outside the fixed set and `adjacent:<type>`."""
    for key, region in regions.items():
        kind, _, target = region.partition(":")
        if region in FIXED_REGIONS or (kind == "adjacent" and target):
            continue
        known = ", ".join(FIXED_REGIONS) + ", adjacent:<type>"
        raise _Invalid((key,), f"unknown region {region!r} (known: {known})")
    return regions


def _check_addressable(name: str) -> str:
    """`--set phases.<name>.key=value` must be able to name a phase or a variant."""
    if not name.strip():
        raise _Invalid((), "must not be empty")
    if "." in name:
        raise _Invalid((), f"must not contain '.' (got {name!r})")
    return name


class _Placement(_Model):
    """What a phase and its variants share: a name, and where how many objects go."""

    name: str
    """name, addressable by `--set` (`phases.<phase>.variants.<name>.share=0.1`)"""
    counts: dict[str, Annotated[int, Field(ge=0)]]
    """number of objects of each type placed at the start of an episode"""
    regions: dict[str, str] = Field(default_factory=dict)
    """where each type is placed: anywhere, left, right, right_edge, top, bottom, corners,
    or adjacent:<type> (next to an object of a type listed earlier in `objects`)"""

    @field_validator("name")
    @classmethod
    def _name_is_addressable(cls, name: str) -> str:
        """`--set` must be able to name it."""
        return _check_addressable(name)

    @field_validator("regions")
    @classmethod
    def _regions_are_known(cls, regions: dict[str, str]) -> dict[str, str]:
        """Only the known regions."""
        return _check_regions(regions)


class Variant(_Placement):
    """An alternative placement that a share of a phase's episodes draws instead."""

    share: float = Field(ge=0.0, le=1.0)
    """share of the phase's episodes placed by this variant (drawn per episode)"""

    @model_validator(mode="after")
    def _places_something(self) -> "Variant":
        """An episode without objects has no fitness signal at all."""
        if sum(self.counts.values()) < 1:
            raise _Invalid(("counts",), "a variant must place at least one object")
        return self


class Phase(_Placement):
    """One environment distribution; evolution runs in it for `generations`."""

    generations: int = Field(ge=1, le=1_000_000)
    """number of generations evolved in this phase"""
    respawn: list[str] = Field(default_factory=list)
    """types whose consumed objects reappear on a random empty free cell"""
    variants: list[Variant] = Field(default_factory=list)
    """alternative placements (their own counts and regions), each drawn by its `share` of
    the episodes; the rest use `counts` and `regions` above"""

    @model_validator(mode="after")
    def _places_something(self) -> "Phase":
        """An episode without objects has no fitness signal; shares cannot exceed 1."""
        if sum(self.counts.values()) < 1:
            raise _Invalid(("counts",), "a phase must place at least one object")
        names = [variant.name for variant in self.variants]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise _Invalid(("variants", i, "name"), f"duplicate variant name {name!r}")
        total = sum(variant.share for variant in self.variants)
        if total > 1.0 + 1e-12:
            raise _Invalid(("variants",), f"shares sum to {total:g}, more than 1")
        return self

    def placements(self) -> list[tuple[float, "Phase | Variant"]]:
        """(share, placement) of the default placement and of each variant."""
        rest = 1.0 - sum(variant.share for variant in self.variants)
        return [(max(rest, 0.0), self)] + [(v.share, v) for v in self.variants]


class Agent(_Model):
    """The agents' kind and the bounds of their evolvable genes."""

    kind: Literal["planner", "aligned", "random"] = "planner"
    """`planner`: evolved reward; `aligned`: planner rewarded by `value` (control);
    `random`: always wanders (the non-optimizer floor)"""
    horizon_min: int = Field(1, ge=1, le=64)
    """smallest planning depth a genome can encode"""
    horizon_max: int = Field(15, ge=1, le=64)
    """largest planning depth a genome can encode"""
    gamma_min: float = Field(0.5, gt=0.0, lt=1.0)
    """smallest discount a genome can encode"""
    gamma_max: float = Field(0.999, gt=0.0, lt=1.0)
    """largest discount a genome can encode"""
    weight_bound: float = Field(1.0, gt=0.0)
    """reward weights live in [-weight_bound, weight_bound]"""

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> "Agent":
        """Each gene's lower bound must not exceed its upper bound."""
        if self.horizon_min > self.horizon_max:
            raise _Invalid(("horizon_max",), f"must be >= horizon_min ({self.horizon_min})")
        if self.gamma_min > self.gamma_max:
            raise _Invalid(("gamma_max",), f"must be >= gamma_min ({self.gamma_min})")
        return self


class GA(_Model):
    """The genetic algorithm: the base optimizer."""

    population: int = Field(64, ge=2, le=1_000_000)
    """number of individuals per generation"""
    episodes: int = Field(8, ge=1, le=10_000)
    """episodes per individual per generation (fitness is their mean base return)"""
    tournament: int = Field(3, ge=1)
    """tournament size of selection"""
    cxpb: float = Field(0.5, ge=0.0, le=1.0)
    """probability that a pair of offspring is crossed over"""
    mutpb: float = Field(0.3, ge=0.0, le=1.0)
    """probability that an offspring is mutated"""
    indpb: float = Field(0.3, gt=0.0, le=1.0)
    """probability that each gene of a mutated offspring is perturbed"""
    sigma: float = Field(0.1, gt=0.0)
    """mutation standard deviation, as a fraction of each gene's range"""
    blend_alpha: float = Field(0.3, ge=0.0)
    """alpha of blend crossover (how far children may land outside their parents)"""
    elite: int = Field(2, ge=0)
    """best individuals copied unchanged into the next generation"""
    speed_prior: float = Field(0.0, ge=0.0)
    """fitness cost per cell expanded per step by the planner"""

    @model_validator(mode="after")
    def _elite_fits(self) -> "GA":
        """An elite as large as the population would leave no room for offspring."""
        if self.elite >= self.population:
            raise _Invalid(("elite",), f"must be < population ({self.population})")
        return self


class Record(_Model):
    """How often what gets written to the run directory."""

    individuals_every: int = Field(1, ge=1)
    """write individuals.csv rows every this many generations"""
    crosseval_every: int = Field(5, ge=1)
    """cross-evaluate the population on every phase every this many generations"""
    crosseval_episodes: int = Field(16, ge=1, le=10_000)
    """fixed evaluation episodes per phase in a cross-evaluation"""


class Scenario(_Model):
    """A complete experiment: features, object types, phases, agents, GA and recording."""

    name: str
    """scenario name"""
    description: str = ""
    """one line saying what the scenario shows"""
    seed: int = Field(0, ge=0)
    """root seed of the run"""
    features: list[str] = Field(min_length=1)
    """observable feature names; an agent's reward is one weight per feature"""
    world: World = Field(default_factory=World)
    """the grid"""
    objects: list[ObjectType] = Field(min_length=1)
    """object types, in a fixed order (`adjacent:` regions may only refer backwards)"""
    phases: list[Phase]
    """environment distributions, evolved in one after the other"""
    agent: Agent = Field(default_factory=Agent)
    """agents and their gene bounds"""
    ga: GA = Field(default_factory=GA)
    """the genetic algorithm"""
    record: Record = Field(default_factory=Record)
    """what gets recorded"""

    @field_validator("name")
    @classmethod
    def _name_not_empty(cls, name: str) -> str:
        """A scenario without a name cannot name its run directory."""
        if not name.strip():
            raise _Invalid((), "must not be empty")
        return name

    @field_validator("features")
    @classmethod
    def _features_are_columns(cls, features: list[str]) -> list[str]:
        """Features become `w_<feature>` columns: identifiers, each once."""
        for i, feature in enumerate(features):
            if not feature.isidentifier():
                raise _Invalid((i,), f"must be a Python identifier (got {feature!r})")
            if feature in features[:i]:
                raise _Invalid((i,), f"duplicate feature {feature!r}")
        return features

    @field_validator("phases")
    @classmethod
    def _has_phases(cls, phases: list[Phase]) -> list[Phase]:
        """Evolution needs at least one environment to happen in."""
        if not phases:
            raise _Invalid((), "at least one phase is required")
        return phases

    @model_validator(mode="after")
    def _names_resolve(self) -> "Scenario":
        """Every name used in objects and phases refers to something that exists."""
        known_features = ", ".join(self.features)
        order = {}
        for i, obj in enumerate(self.objects):
            if obj.name in order:
                raise _Invalid(("objects", i, "name"), f"duplicate object name {obj.name!r}")
            order[obj.name] = i
            for key in obj.features:
                if key not in self.features:
                    problem = f"unknown feature {key!r} (known: {known_features})"
                    raise _Invalid(("objects", i, "features", key), problem)
        known_types = ", ".join(order)
        seen_phases = set()
        for i, phase in enumerate(self.phases):
            if phase.name in seen_phases:
                raise _Invalid(("phases", i, "name"), f"duplicate phase name {phase.name!r}")
            seen_phases.add(phase.name)
            for j, key in enumerate(phase.respawn):
                if key not in order:
                    problem = f"unknown object type {key!r} (known: {known_types})"
                    raise _Invalid(("phases", i, "respawn", j), problem)
            self._check_placement(phase, ("phases", i), "phase", order)
            for j, variant in enumerate(phase.variants):
                self._check_placement(variant, ("phases", i, "variants", j), "variant", order)
        return self

    def _check_placement(self, placement, prefix: tuple, what: str, order: dict) -> None:
        """Counts and regions of a phase or variant name known types and fit in the world."""
        known_types = ", ".join(order)
        for field in ("counts", "regions"):
            for key in getattr(placement, field):
                if key not in order:
                    problem = f"unknown object type {key!r} (known: {known_types})"
                    raise _Invalid(prefix + (field, key), problem)
        for key, region in placement.regions.items():
            kind, _, target = region.partition(":")
            if kind != "adjacent":
                continue
            loc = prefix + ("regions", key)
            if target not in order:
                problem = f"{region}: unknown object type {target!r} (known: {known_types})"
                raise _Invalid(loc, problem)
            # Placement runs in `objects` order, so the target must already be placed.
            if order[target] >= order[key]:
                raise _Invalid(loc, f"{region}: {target!r} must come before {key!r} in objects")
            if placement.counts.get(target, 0) == 0:
                raise _Invalid(loc, f"{region}: this {what} places no {target!r}")
        total, free = sum(placement.counts.values()), self.world.num_free_cells
        if total > free:
            problem = f"{total} objects do not fit in {free} free cells"
            raise _Invalid(prefix + ("counts",), problem)

    @property
    def object_names(self) -> list[str]:
        """Object type names in scenario order."""
        return [obj.name for obj in self.objects]

    @property
    def total_generations(self) -> int:
        """Generations summed over all phases."""
        return sum(phase.generations for phase in self.phases)

    def phase_at(self, generation: int) -> tuple[int, Phase]:
        """The (index, phase) that generation `generation` (from 0, across phases) runs in."""
        if generation >= 0:
            end = 0
            for index, phase in enumerate(self.phases):
                end += phase.generations
                if generation < end:
                    return index, phase
        raise ValueError(
            f"generation {generation} is outside 0..{self.total_generations - 1}"
        )

    def feature_matrix(self) -> np.ndarray:
        """Observable features of each object type, (T, F) float64; missing features are 0."""
        matrix = np.zeros((len(self.objects), len(self.features)), dtype=np.float64)
        column = {feature: f for f, feature in enumerate(self.features)}
        for t, obj in enumerate(self.objects):
            for feature, amount in obj.features.items():
                matrix[t, column[feature]] = amount
        return matrix

    def values(self) -> np.ndarray:
        """Base-objective value of each object type, (T,) float64."""
        return np.array([obj.value for obj in self.objects], dtype=np.float64)

    def intended_values(self) -> np.ndarray:
        """Intended value of each object type, (T,) float64."""
        return np.array([obj.intended for obj in self.objects], dtype=np.float64)

    def _phase(self, phase: "Phase | int | str") -> Phase:
        """A phase given as itself, its index or its name."""
        if isinstance(phase, int):
            return self.phases[phase]
        if isinstance(phase, str):
            matches = [p for p in self.phases if p.name == phase]
            if not matches:
                raise KeyError(f"no phase named {phase!r}")
            return matches[0]
        return phase

    def placement_counts(self, placement: "Phase | Variant") -> np.ndarray:
        """Objects of each type one placement (a phase's default or a variant) puts down, (T,)
        int64."""
        return np.array([placement.counts.get(name, 0) for name in self.object_names],
                        dtype=np.int64)

    def phase_counts(self, phase: "Phase | int | str") -> np.ndarray:
        """Objects of each type a phase (itself, index or name) places per episode, on
        average over its variants, (T,) float64; without variants, its `counts`."""
        counts = np.zeros(len(self.objects), dtype=np.float64)
        for share, placement in self._phase(phase).placements():
            counts += share * self.placement_counts(placement)
        return counts

    def to_toml(self) -> str:
        """The resolved configuration (every default filled in) as TOML: a run's config.toml."""
        return tomli_w.dumps(self.model_dump(mode="python"))


# --- loading ------------------------------------------------------------------------------


def _builtin_dir():
    """The package directory holding the built-in scenario files."""
    return importlib.resources.files("evo") / "scenarios"


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


def _apply_override(data: dict, override: str) -> tuple[str, tuple]:
    """Set one `dotted.key=value` in raw data; return the key and its canonical location."""
    key, sep, text = override.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UserError(f"--set {override}: expected KEY=VALUE")
    steps = key.split(".")
    value = _parse_value(text.strip())
    kind, schema, node, loc = "model", Scenario, data, []

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
    if isinstance(cause, _Invalid):
        return loc + cause.loc, cause.problem
    if kind == "extra_forbidden":
        return loc, "unknown key"
    if kind == "missing":
        return loc, "missing required key"
    if kind in _BOUNDS:
        symbol, name = _BOUNDS[kind]
        bound = ctx[name]
        # pydantic reports `lt=1.0` as 1.0; "must be < 1" reads as the rule was written.
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        problem = f"must be {symbol} {bound}"
    elif kind == "too_short" and ctx.get("min_length") == 1:
        problem = "must not be empty"
    elif kind == "value_error" and cause is not None:
        problem = str(cause)
    else:
        problem = error["msg"]
    return loc, f"{problem} (got {_short_repr(error.get('input'))})"


def _explain(error: ValidationError, source: str, data: dict, overrides: list) -> UserError:
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


def validate_scenario(
    data: dict, source: str = "<scenario>", overrides: Sequence[str] = ()
) -> Scenario:
    """Validate raw scenario data (a parsed TOML dict) after applying overrides to a copy."""
    data = copy.deepcopy(data)
    applied = [_apply_override(data, override) for override in overrides]
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise _explain(error, source, data, applied) from None


def load_scenario(source: str, overrides: Sequence[str] = ()) -> Scenario:
    """Load a built-in scenario by name or a .toml file by path, with `key=value` overrides."""
    return validate_scenario(_read_source(source), source, overrides)
