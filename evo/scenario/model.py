"""The whole scenario: its sections, and the checks that span them."""

import tomli_w
from pydantic import Field, field_validator, model_validator

from agents.kinds import KINDS
from evo.scenario.records import declare
from evo.scenario.schema import (
    GA,
    Agent,
    Flag,
    Invalid,
    ObjectType,
    Phase,
    Record,
    Section,
    World,
)


class Scenario(Section):
    """A complete experiment: features, object types, phases, agents, GA and recording."""

    name: str
    """scenario name"""
    description: str = ""
    """one line saying what the scenario shows"""
    seed: int = Field(0, ge=0)
    """root seed of the run"""
    features: list[str] = Field(min_length=1)
    """observable feature names; an agent's reward is one weight per feature"""
    flags: list[Flag] = Field(default_factory=list, max_length=16)
    """flags the agents observe besides the objects (context and state), in a fixed order"""
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
            raise Invalid((), "must not be empty")
        return name

    @field_validator("features")
    @classmethod
    def _features_are_columns(cls, features: list[str]) -> list[str]:
        """Features become `w_<feature>` columns: identifiers, each once."""
        for i, feature in enumerate(features):
            if not feature.isidentifier():
                raise Invalid((i,), f"must be a Python identifier (got {feature!r})")
            if feature in features[:i]:
                raise Invalid((i,), f"duplicate feature {feature!r}")
        return features

    @field_validator("phases")
    @classmethod
    def _has_phases(cls, phases: list[Phase]) -> list[Phase]:
        """Evolution needs at least one environment to happen in."""
        if not phases:
            raise Invalid((), "at least one phase is required")
        if not any(phase.generations for phase in phases):
            raise Invalid((), "at least one phase needs generations >= 1 (phases with 0 "
                          "are evaluation-only)")
        return phases

    @model_validator(mode="after")
    def _names_resolve(self) -> "Scenario":
        """Every name used in objects and phases refers to something that exists."""
        known_features = ", ".join(self.features)
        order = {}
        for i, obj in enumerate(self.objects):
            if obj.name in order:
                raise Invalid(("objects", i, "name"), f"duplicate object name {obj.name!r}")
            order[obj.name] = i
            for key in obj.features:
                if key not in self.features:
                    problem = f"unknown feature {key!r} (known: {known_features})"
                    raise Invalid(("objects", i, "features", key), problem)
            for field in ("sets", "clears", "requires", "blocked_by", "value_if",
                          "intended_if"):
                for j, key in enumerate(getattr(obj, field)):
                    self._check_flag(key, ("objects", i, field, key if isinstance(
                        getattr(obj, field), dict) else j))
        known_types = ", ".join(order)
        seen_phases = set()
        for i, phase in enumerate(self.phases):
            if phase.name in seen_phases:
                raise Invalid(("phases", i, "name"), f"duplicate phase name {phase.name!r}")
            seen_phases.add(phase.name)
            for j, key in enumerate(phase.respawn):
                if key not in order:
                    problem = f"unknown object type {key!r} (known: {known_types})"
                    raise Invalid(("phases", i, "respawn", j), problem)
            self._check_placement(phase, ("phases", i), "phase", order)
            for j, key in enumerate(phase.flags):
                self._check_flag(key, ("phases", i, "flags", j))
            for j, variant in enumerate(phase.variants):
                self._check_placement(variant, ("phases", i, "variants", j), "variant", order)
                for m, key in enumerate(variant.flags):
                    self._check_flag(key, ("phases", i, "variants", j, "flags", m))
        return self

    @field_validator("flags")
    @classmethod
    def _flags_are_distinct(cls, flags: list[Flag]) -> list[Flag]:
        """Each flag is one bit and one set of genes: named once."""
        names = [flag.name for flag in flags]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise Invalid((i, "name"), f"duplicate flag name {name!r}")
        return flags

    def _check_flag(self, name: str, loc: tuple) -> None:
        """A flag named by an object or a placement is declared in `flags`."""
        known = [flag.name for flag in self.flags]
        if name not in known:
            raise Invalid(loc, f"unknown flag {name!r} (known: {', '.join(known) or 'none'})")

    @model_validator(mode="after")
    def _columns_are_distinct(self) -> "Scenario":
        """Names become columns (`alignment_<phase>`, `consumed_<type>`, genes by name): a name
        that makes one column twice (a phase called `mean`) would make a CSV ambiguous."""
        layout = KINDS[self.agent.kind].genes(self.features, self.agent.model_dump(),
                                              flags=[flag.name for flag in self.flags])
        phases = [phase.name for phase in self.phases]
        columns = declare(phases, [obj.name for obj in self.objects], layout.names)
        for header in columns.headers().values():
            seen = set()
            for column in header:
                if column in seen:
                    index = next((i for i, p in enumerate(phases) if column.endswith(p)), None)
                    loc = ("phases", index, "name") if index is not None else ()
                    raise Invalid(loc, f"makes the column {column!r} twice; choose another name")
                seen.add(column)
        return self

    def _check_placement(self, placement, prefix: tuple, what: str, order: dict) -> None:
        """Counts and regions of a phase or variant name known types and fit in the world."""
        known_types = ", ".join(order)
        for field in ("counts", "regions"):
            for key in getattr(placement, field):
                if key not in order:
                    problem = f"unknown object type {key!r} (known: {known_types})"
                    raise Invalid(prefix + (field, key), problem)
        for key, region in placement.regions.items():
            kind, _, target = region.partition(":")
            if kind != "adjacent":
                continue
            loc = prefix + ("regions", key)
            if target not in order:
                problem = f"{region}: unknown object type {target!r} (known: {known_types})"
                raise Invalid(loc, problem)
            # Placement runs in `objects` order, so the target must already be placed.
            if order[target] >= order[key]:
                raise Invalid(loc, f"{region}: {target!r} must come before {key!r} in objects")
            if placement.counts.get(target, 0) == 0:
                raise Invalid(loc, f"{region}: this {what} places no {target!r}")
        total, free = sum(placement.counts.values()), self.world.num_free_cells
        if total > free:
            problem = f"{total} objects do not fit in {free} free cells"
            raise Invalid(prefix + ("counts",), problem)

    def to_toml(self) -> str:
        """The resolved configuration (every default filled in) as TOML: a run's config.toml."""
        return tomli_w.dumps(self.model_dump(mode="python"))

