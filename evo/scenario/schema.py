"""The scenario schema: pydantic models of every section, each key with its docstring.

Unknown keys are errors and nothing is coerced silently. The docstring under each field is
its documentation: `docs/scenario-keys.md` is generated from them (`evo.scenario.keys`).
Checks that span sections (names that must resolve, objects that must fit) are in
`evo.scenario.model`.
"""

import re
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agents.codes import REGIONS
from agents.kinds import KINDS

# Bounds that keep every return, reward and product of them far from overflow: a reward is
# at most weight_bound x FEATURE_BOUND x features per object, a return at most VALUE_BOUND x
# episode_steps per episode.
FEATURE_BOUND = 1e6
VALUE_BOUND = 1e12

# `adjacent` takes an object type as argument (`adjacent:fruit`); the others stand alone.
FIXED_REGIONS = tuple(name for name in REGIONS if name != "adjacent")


class Invalid(ValueError):
    """A validator's complaint about a key below the one pydantic is validating."""

    def __init__(self, loc: tuple, problem: str) -> None:
        super().__init__(problem)
        self.loc = loc
        self.problem = problem


class Section(BaseModel):
    """Base of every scenario section: unknown keys are errors, no silent type coercion."""

    # strict: "3" is not an int and true is not a number; ints still pass for floats.
    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False, use_attribute_docstrings=True
    )


class World(Section):
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
    variation: Literal["layouts", "placements", "fixed"] = "layouts"
    """what an episode draws anew: everything (`layouts`), the objects on walls and a start
    that stay the same for the phase (`placements`), or nothing: one world, walls, start and
    objects, for every episode of a phase (`fixed`)"""
    start: Literal["center", "left_edge", "random"] = "center"
    """where the agent starts: the centre, the middle of the left edge, or a random free cell"""

    @model_validator(mode="after")
    def _map_fits(self) -> "World":
        """A map is given exactly with layout `map`, rectangular, of `#` and `.` only."""
        if self.layout != "map":
            if self.map:
                raise Invalid(("map",), "a map needs layout = \"map\"")
            return self
        if not self.map:
            raise Invalid(("map",), "layout \"map\" needs a map (rows of '#' and '.')")
        for i, row in enumerate(self.map):
            if len(row) != len(self.map[0]):
                raise Invalid(("map", i), f"row has {len(row)} cells, row 0 has "
                               f"{len(self.map[0])}")
            bad = set(row) - {"#", "."}
            if bad:
                raise Invalid(("map", i), f"unknown cell {sorted(bad)[0]!r} (use '#' and '.')")
        for name, size in (("height", len(self.map)), ("width", len(self.map[0]))):
            if name in self.model_fields_set and getattr(self, name) != size:
                raise Invalid((name,), f"is {getattr(self, name)} but the map has {size}")
            if not 1 <= size <= 101:
                raise Invalid(("map",), f"{name} {size} is outside 1..101")
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


def _check_identifier(name: str) -> str:
    """A name that becomes part of a column or gene name must be a Python identifier."""
    if not name.isidentifier():
        raise Invalid((), f"must be a Python identifier (got {name!r})")
    return name


class Flag(Section):
    """A flag the agents observe besides the objects: context that an episode's placement
    sets (an inspection's cue), or state that changes while it plays (thirst)."""

    name: str
    """flag name (a Python identifier; the planner's genes `w_<feature>_if_<flag>` are what
    it adds to the reward while it is on)"""
    onset: float = Field(0.0, ge=0.0, le=1.0)
    """chance per step that the flag turns on while it is off (0: only placements and
    consumed objects turn it on)"""

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, name: str) -> str:
        """Flag names become parts of gene names."""
        return _check_identifier(name)


class ObjectType(Section):
    """One type of object an agent can consume."""

    name: str
    """type name (a Python identifier; becomes the `consumed_<name>` column)"""
    features: dict[str, Annotated[float, Field(ge=-FEATURE_BOUND, le=FEATURE_BOUND)]] = \
        Field(default_factory=dict)
    """observable features the agent's reward sees (missing features are 0)"""
    value: float = Field(ge=-VALUE_BOUND, le=VALUE_BOUND)
    """base objective: what consuming one adds to fitness (hidden from agents)"""
    intended: float | None = Field(None, ge=-VALUE_BOUND, le=VALUE_BOUND)
    """what the scenario's designer really wanted from consuming one (default: `value`)"""
    terminal: bool = False
    """consuming one ends the episode"""
    sets: list[str] = Field(default_factory=list)
    """flags that consuming one turns on"""
    clears: list[str] = Field(default_factory=list)
    """flags that consuming one turns off (after `sets`)"""
    requires: list[str] = Field(default_factory=list)
    """flags that must all be on for one to be consumed (else stepping on it leaves it)"""
    blocked_by: list[str] = Field(default_factory=list)
    """flags that must all be off for one to be consumed (`["thirsty"]`: not while thirsty)"""
    value_if: dict[str, Annotated[float, Field(ge=-VALUE_BOUND, le=VALUE_BOUND)]] = \
        Field(default_factory=dict)
    """added to `value` while a flag is on (`{inspected = -5}`)"""
    intended_if: dict[str, Annotated[float, Field(ge=-VALUE_BOUND, le=VALUE_BOUND)]] | None \
        = None
    """added to `intended` while a flag is on (default: `value_if`)"""

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, name: str) -> str:
        """Type names become `consumed_<name>` columns."""
        return _check_identifier(name)

    @model_validator(mode="after")
    def _default_intended(self) -> "ObjectType":
        """Fill `intended` so that the resolved configuration states it explicitly."""
        if self.intended is None:
            self.intended = self.value
        if self.intended_if is None:
            self.intended_if = dict(self.value_if)
        return self


def _check_regions(regions: dict[str, str]) -> dict[str, str]:
    """Reject region strings outside the fixed set and `adjacent:<type>`."""
    for key, region in regions.items():
        kind, _, target = region.partition(":")
        if region in FIXED_REGIONS or (kind == "adjacent" and target):
            continue
        known = ", ".join(FIXED_REGIONS) + ", adjacent:<type>"
        raise Invalid((key,), f"unknown region {region!r} (known: {known})")
    return regions


def _check_addressable(name: str) -> str:
    """`--set phases.<name>.key=value` must be able to name a phase or a variant, and the
    name becomes a CSV cell, a column suffix (`alignment_<phase>`) and a file name."""
    if not name.strip():
        raise Invalid((), "must not be empty")
    if not re.fullmatch(r"\w[\w-]*", name):
        raise Invalid((), f"must be letters, digits, '_' and '-' (got {name!r})")
    return name


class _Placement(Section):
    """What a phase and its variants share: a name, and where how many objects go."""

    name: str
    """name, addressable by `--set` (`phases.<phase>.variants.<name>.share=0.1`)"""
    counts: dict[str, Annotated[int, Field(ge=0, le=1_000_000)]]
    """number of objects of each type placed at the start of an episode"""
    regions: dict[str, str] = Field(default_factory=dict)
    """where each type is placed: anywhere, left, right, right_edge, top, bottom, corners,
    or `adjacent:<type>` (next to an object of a type listed earlier in `objects`)"""
    flags: list[str] = Field(default_factory=list)
    """flags on at the start of the episodes this places (context, such as an inspection's
    cue, that the agents observe; a state to start in)"""

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
            raise Invalid(("counts",), "a variant must place at least one object")
        return self


class Phase(_Placement):
    """One environment distribution; evolution runs in it for `generations`."""

    generations: int = Field(ge=0, le=1_000_000)
    """number of generations evolved in this phase; 0 makes it evaluation-only: never
    evolved in, cross-evaluated like every phase (a test distribution)"""
    respawn: list[str] = Field(default_factory=list)
    """types whose consumed objects reappear on a random empty free cell"""
    variants: list[Variant] = Field(default_factory=list)
    """alternative placements (their own counts and regions), each drawn by its `share` of
    the episodes; the rest use `counts` and `regions` above"""

    @model_validator(mode="after")
    def _places_something(self) -> "Phase":
        """An episode without objects has no fitness signal; shares cannot exceed 1."""
        if sum(self.counts.values()) < 1:
            raise Invalid(("counts",), "a phase must place at least one object")
        names = [variant.name for variant in self.variants]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise Invalid(("variants", i, "name"), f"duplicate variant name {name!r}")
        total = sum(variant.share for variant in self.variants)
        if total > 1.0 + 1e-12:
            raise Invalid(("variants",), f"shares sum to {total:g}, more than 1")
        return self

    def placements(self) -> list[tuple[float, "Phase | Variant"]]:
        """(share, placement) of the default placement and of each variant."""
        rest = 1.0 - sum(variant.share for variant in self.variants)
        return [(max(rest, 0.0), self)] + [(v.share, v) for v in self.variants]


class Agent(Section):
    """The agents' kind and the bounds of their evolvable genes."""

    kind: Literal[tuple(KINDS)] = "planner"
    """the agent kind, one of `agents.kinds` (each described in the table of agent kinds)"""
    horizon_min: int = Field(1, ge=1, le=64)
    """smallest planning depth a genome can encode"""
    horizon_max: int = Field(15, ge=1, le=64)
    """largest planning depth a genome can encode"""
    gamma_min: float = Field(0.5, gt=0.0, lt=1.0)
    """smallest discount a genome can encode"""
    gamma_max: float = Field(0.999, gt=0.0, lt=1.0)
    """largest discount a genome can encode"""
    weight_bound: float = Field(1.0, gt=0.0, le=1e6)
    """reward weights live in [-weight_bound, weight_bound] (a reactive policy's weights and
    biases too)"""
    view_radius: int = Field(2, ge=0, le=10)
    """kinds `reactive` and `mixed`: how far (Manhattan distance) the policy sees (0: its
    own cell only)"""
    route_length: int = Field(0, ge=0, le=10_000)
    """kinds `reactive` and `mixed`: the policy's clock, one evolved move (`route_<t>`) for
    each of the episode's first steps, weighted by `p_route` (0: no clock)"""

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> "Agent":
        """Each gene's lower bound must not exceed its upper bound."""
        if self.horizon_min > self.horizon_max:
            raise Invalid(("horizon_max",), f"must be >= horizon_min ({self.horizon_min})")
        if self.gamma_min > self.gamma_max:
            raise Invalid(("gamma_max",), f"must be >= gamma_min ({self.gamma_min})")
        return self


class GA(Section):
    """The genetic algorithm: the base optimizer."""

    population: int = Field(64, ge=2, le=1_000_000)
    """number of individuals per generation"""
    episodes: int = Field(8, ge=1, le=10_000)
    """episodes per individual per generation (fitness is their mean base return)"""
    tournament: int = Field(3, ge=1, le=1000)
    """tournament size of selection"""
    cxpb: float = Field(0.5, ge=0.0, le=1.0)
    """probability that a pair of offspring is crossed over"""
    mutpb: float = Field(0.3, ge=0.0, le=1.0)
    """probability that an offspring is mutated"""
    indpb: float = Field(0.3, gt=0.0, le=1.0)
    """probability that each gene of a mutated offspring is perturbed"""
    sigma: float = Field(0.1, gt=0.0, le=10.0)
    """mutation standard deviation, as a fraction of each gene's range"""
    blend_alpha: float = Field(0.3, ge=0.0, le=10.0)
    """alpha of blend crossover (how far children may land outside their parents)"""
    elite: int = Field(2, ge=0)
    """best individuals copied unchanged into the next generation"""
    speed_prior: float = Field(0.0, ge=0.0, le=1e6)
    """fitness cost per cell expanded per step by the planner"""

    @model_validator(mode="after")
    def _elite_fits(self) -> "GA":
        """An elite as large as the population would leave no room for offspring."""
        if self.elite >= self.population:
            raise Invalid(("elite",), f"must be < population ({self.population})")
        return self


class Record(Section):
    """How often what gets written to the run directory."""

    individuals_every: int = Field(1, ge=1, le=1_000_000)
    """write individuals.csv rows every this many generations"""
    crosseval_every: int = Field(5, ge=1, le=1_000_000)
    """cross-evaluate the population on every phase every this many generations"""
    crosseval_episodes: int = Field(16, ge=1, le=10_000)
    """fixed evaluation episodes per phase in a cross-evaluation"""


