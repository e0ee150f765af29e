"""Study files: a sweep, the quantities to aggregate over its seeds, what to expect of them.

A study file (TOML) names a scenario, the swept key and its values (`[axis]`, optionally a
second key drawn as one curve per value, `[group]`), the seeds, the quantities read from
each run's analysis (`[[quantities]]`), the expected shape of each with its source
(`[[expect]]`) and a reduced version for a quick look (`[quick]`). Adding a study is adding
a file: built-ins live in `evo/study/builtins/`.
"""

import copy
import importlib.resources
import re
import tomllib
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evo.errors import UserError
from evo.scenario.overrides import apply_override
from evo.sweep.spec import DaskSettings, LocalSettings, SlurmSettings, flatten

NAME = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
Value = bool | int | float | str


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Axis(_Section):
    """A swept scenario key: its values are the x of every curve (or its curves, as a group)."""

    key: str = Field(pattern=r"^\w[\w.-]*$")
    """the scenario key, as `--set` spells it"""
    values: list[Value] = Field(min_length=1)
    label: str | None = None
    """how the figure names it (default: the key)"""
    log: bool = False
    """a logarithmic x axis (symmetric-log when 0 is among the values)"""

    @model_validator(mode="after")
    def _distinct(self) -> "Axis":
        if len({repr(v) for v in self.values}) != len(self.values):
            raise ValueError("values: each value once")
        return self


class Drift(_Section):
    """A number from a run's drift.csv: the rows that match, at their last generations."""

    metric: str
    phase: str | None = None
    """rows of the generations of this phase (default: every phase)"""
    eval_phase: str | None = None
    source: str | None = None
    """`individuals` or `crosseval` (default: either)"""
    column: str = "mean"
    """mean, median, q10, q25, q75, q90 or elite"""
    generations: int = Field(1, ge=1, le=1_000_000)
    """the mean over this many last matching generations"""


class Quantity(_Section):
    """A number per run, aggregated over the seeds at each swept value."""

    name: str = Field(pattern=r"^\w[\w-]*$")
    label: str | None = None
    summary: str | None = None
    """a path into summary.json: keys joined by `/`, list positions as numbers, `*` for
    every key (one quantity per key, named `name/key`)"""
    drift: Drift | None = None
    missing: float | None = None
    """the value of a run whose summary.json lacks the path (e.g. 0 for a share); by
    default such a run has no value"""

    @model_validator(mode="after")
    def _one_source(self) -> "Quantity":
        if (self.summary is None) == (self.drift is None):
            raise ValueError("give exactly one of summary (a path) and drift (a table)")
        return self


class Expect(_Section):
    """An expected shape of a quantity, judged by a stated rule."""

    quantity: str
    shape: Literal["increasing", "decreasing", "above", "below"]
    source: str
    """where the expectation comes from (a paper, a figure, the scenario's notes)"""
    threshold: float | None = None
    """above / below: the bound the interval must clear"""
    at: list[Value] | None = None
    """above / below: at these swept values (default: every value)"""
    cliff: bool = False
    """increasing / decreasing: also locate where the curve crosses its midpoint"""

    @model_validator(mode="after")
    def _threshold_for_bounds(self) -> "Expect":
        if self.shape in ("above", "below") and self.threshold is None:
            raise ValueError(f"threshold: required for shape {self.shape!r}")
        if self.shape in ("increasing", "decreasing") and (self.threshold is not None
                                                           or self.at is not None):
            raise ValueError("threshold, at: only for shapes 'above' and 'below'")
        return self


class Quick(_Section):
    """The reduced study of `--quick`: fewer values and seeds, shorter runs."""

    values: list[Value] | None = None
    groups: list[Value] | None = None
    seeds: list[int] | int | None = None
    set: dict[str, Any] = {}
    """overrides on top of the study's own"""


class Bootstrap(_Section):
    """The bootstrap of every interval."""

    resamples: int = Field(2000, ge=100, le=1_000_000)
    seed: int = Field(0, ge=0)


class StudyFile(_Section):
    """The study file's schema."""

    name: str | None = Field(None, pattern=NAME)
    """the study's name (default: the file's stem); the default output is runs/<name>"""
    description: str = ""
    reproduces: str = ""
    """what result it reproduces, and its source"""
    cost: str = ""
    """what the full study costs, measured"""
    scenario: str
    seeds: list[int] | int = 10
    set: dict[str, Any] = {}
    axis: Axis | None = None
    group: Axis | None = None
    quantities: list[Quantity] = Field(min_length=1)
    expect: list[Expect] = []
    quick: Quick = Quick()
    bootstrap: Bootstrap = Bootstrap()
    local: LocalSettings = LocalSettings()
    dask: DaskSettings = DaskSettings()
    slurm: SlurmSettings = SlurmSettings()

    @model_validator(mode="after")
    def _consistent(self) -> "StudyFile":
        names = [q.name for q in self.quantities]
        if len(set(names)) != len(names):
            raise ValueError("quantities: each name once")
        for i, expect in enumerate(self.expect):
            if expect.quantity not in names:
                raise ValueError(f"expect.{i}.quantity: no quantity {expect.quantity!r} "
                                 f"(quantities: {', '.join(names)})")
            if expect.shape in ("increasing", "decreasing") and self.axis is None:
                raise ValueError(f"expect.{i}.shape: {expect.shape!r} needs an [axis]")
            if expect.at is not None and (self.axis is None or any(
                    repr(v) not in {repr(a) for a in self.axis.values} for v in expect.at)):
                raise ValueError(f"expect.{i}.at: not among the axis values")
        if self.group is not None and self.axis is None:
            raise ValueError("group: needs an [axis]")
        if self.quick.values is not None and self.axis is None:
            raise ValueError("quick.values: the study has no [axis]")
        if self.quick.groups is not None and self.group is None:
            raise ValueError("quick.groups: the study has no [group]")
        if self.axis and self.group and self.axis.key == self.group.key:
            raise ValueError("group.key: the same key as axis.key")
        if isinstance(self.seeds, int) and self.seeds < 1 or self.seeds == []:
            raise ValueError("seeds: at least one seed is required")
        return self


class Study(NamedTuple):
    """A loaded study: where it came from, its settings, and whether it is the quick one."""

    source: str  # a built-in name or the file's path
    name: str
    spec: StudyFile
    quick: bool
    base: Path  # the folder a relative scenario path is read from

    @property
    def seeds(self) -> list[int]:
        seeds = self.spec.seeds
        return list(range(seeds)) if isinstance(seeds, int) else list(seeds)


def _builtin_dir():
    """The package directory holding the built-in study files."""
    return importlib.resources.files("evo.study") / "builtins"


def builtin_names() -> list[str]:
    """Names of the built-in studies, sorted."""
    return sorted(entry.name[:-len(".toml")] for entry in _builtin_dir().iterdir()
                  if entry.name.endswith(".toml"))


def list_studies() -> list[tuple[str, str]]:
    """(name, description) of each built-in study."""
    return [(name, str(tomllib.loads((_builtin_dir() / f"{name}.toml").read_text(
        encoding="utf-8")).get("description", ""))) for name in builtin_names()]


def builtin_text(name: str) -> str:
    """A built-in study's file as shipped, comments and all (a template to copy)."""
    if name not in builtin_names():
        raise UserError(f"unknown study {name!r} (built-in studies: "
                        f"{', '.join(builtin_names())})")
    return (_builtin_dir() / f"{name}.toml").read_text(encoding="utf-8")


def load_study(source: str, overrides=(), quick: bool = False,
               seeds: int | None = None) -> Study:
    """A built-in study or a study file, with `--set` overrides of its keys, reduced to its
    quick version with `quick`, over `seeds` seeds when given; one line per problem."""
    data, base = _read(source)
    for item in overrides:
        apply_override(data, item, StudyFile)
    spec = _validate(source, data)
    if quick:
        spec = _validate(source, _reduced(data, spec.quick))
    if seeds is not None:
        if seeds < 1:
            raise UserError("--seeds: must be at least 1")
        spec = spec.model_copy(update={"seeds": seeds})
    name = spec.name or re.sub(r"[^A-Za-z0-9_.-]", "-", Path(source).stem).lstrip(".-")
    return Study(source, (name or "study") + ("-quick" if quick else ""), spec, quick, base)


def _read(source: str) -> tuple[dict, Path]:
    """The raw TOML of a built-in name or a file, and the folder of a file."""
    if source.endswith(".toml") or "/" in source:
        path = Path(source)
        reader, base = path.read_bytes, path.resolve().parent
    elif source in builtin_names():  # its scenarios/ folder holds scenarios it names
        reader, base = (_builtin_dir() / f"{source}.toml").read_bytes, Path(str(_builtin_dir()))
    else:
        raise UserError(f"unknown study {source!r} (built-in studies: "
                        f"{', '.join(builtin_names())}; or a path to a .toml file)")
    try:
        return tomllib.loads(reader().decode("utf-8")), base
    except FileNotFoundError:
        raise UserError(f"{source}: no such study file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{source}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{source}: invalid TOML: {exc}") from None


def _validate(source: str, data: dict) -> StudyFile:
    """The study file's data validated; the first problem as one line."""
    try:
        return StudyFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise UserError(f"{source}: {where + ': ' if where else ''}{message}") from None


def _reduced(data: dict, quick: Quick) -> dict:
    """The study's data with its [quick] values, groups, seeds and overrides in place; an
    expectation `at` values the quick version does not sweep is judged at those it does
    (and left out when it has none)."""
    data = copy.deepcopy(data)
    if quick.values is not None:
        data["axis"]["values"] = quick.values
        kept = {repr(v) for v in quick.values}
        expects = []
        for expect in data.get("expect", []):  # judged at the quick values it still has
            if "at" in expect:
                expect["at"] = [v for v in expect["at"] if repr(v) in kept]
                if not expect["at"]:
                    continue
            expects.append(expect)
        data["expect"] = expects
    if quick.groups is not None:
        data["group"]["values"] = quick.groups
    if quick.seeds is not None:
        data["seeds"] = quick.seeds
    data["set"] = {**flatten(data.get("set", {})), **flatten(quick.set)}  # key by key
    return data

