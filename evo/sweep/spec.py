"""Sweeps: one base scenario, a grid of overrides and seeds; each point one run directory.

A sweep file (TOML):

    scenario = "evolution"            # built-in name, or a path relative to the sweep file
    seeds = [0, 1, 2]                 # or a count: seeds = 3 means 0, 1, 2
    [set]                             # overrides shared by every point
    "ga.episodes" = 4
    [grid]                            # the product of these lists
    "ga.population" = [32, 64]
    [[zip]]                           # lists varied together, one axis of the product
    "phases.ancestral.generations" = [20, 40]
    "phases.modern.generations" = [10, 20]

Optional tables set up the backends: `[local]` (workers, threads_per_worker), `[dask]`
(workers, threads_per_worker, scheduler, host, jobqueue and its `cluster` settings) and
`[slurm]` (the `sbatch` resources of `--emit-slurm`). A point's CSVs depend only on its
overrides and seed, so they are the same whichever backend or worker ran it.
"""

import collections
import hashlib
import itertools
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evo.errors import UserError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class LocalSettings(_Section):
    """The local process pool."""

    workers: int | None = Field(None, ge=1)
    """worker processes (default: cores // threads_per_worker)"""
    threads_per_worker: int = Field(1, ge=1)
    """numba threads in each worker"""


class DaskSettings(_Section):
    """A dask.distributed cluster: local, an existing scheduler, or dask-jobqueue."""

    workers: int = Field(2, ge=1)
    """workers of a LocalCluster, or jobs of a jobqueue cluster"""
    threads_per_worker: int = Field(1, ge=1)
    """numba threads in each worker (each worker runs one point at a time)"""
    scheduler: str | None = None
    """address of an existing scheduler, e.g. tcp://host:8786"""
    host: str | None = Field(None, pattern=r"^[A-Za-z0-9_.:%\[\]-]+$")
    """address the scheduler and workers that evo starts listen on, e.g. "127.0.0.1" to
    keep a one-machine cluster off the network (default: dask's own, loopback for a
    LocalCluster, the machine's address for jobqueue)"""
    jobqueue: Literal["slurm", "pbs"] | None = None
    """start workers as batch jobs through dask-jobqueue"""
    cluster: dict[str, Any] = {}
    """keyword arguments of the jobqueue cluster (cores, memory, walltime, queue, ...)"""

    @model_validator(mode="after")
    def _one_binding(self) -> "DaskSettings":
        if self.host is None:
            return self
        if self.scheduler is not None:
            raise ValueError("host: evo starts no scheduler when one is given (scheduler); "
                             "set one of them")
        options = self.cluster.get("scheduler_options", {})
        given = ["cluster.interface"] * ("interface" in self.cluster) + [
            f"cluster.scheduler_options.{key}" for key in ("host", "interface")
            if isinstance(options, dict) and key in options]
        if given:
            raise ValueError(f"host: {given[0]} binds too; set one of them")
        return self


# What may stand in an #SBATCH value and an #SBATCH option: no space, quote, line break or
# shell character, so a value cannot end the line or start a command of its own.
SLURM_VALUE = r"[A-Za-z0-9_.:,+%@/=-]+"
SLURM_OPTION = rf"--[A-Za-z][A-Za-z0-9-]*(={SLURM_VALUE})?"


class SlurmSettings(_Section):
    """Resources of the `sbatch` array script written by `--emit-slurm`."""

    cpus_per_task: int = Field(1, ge=1, le=4096)
    mem: str = Field("4G", pattern=f"^{SLURM_VALUE}$")
    time: str = Field("02:00:00", pattern=f"^{SLURM_VALUE}$")
    signal_seconds: int = Field(120, ge=0, le=65535)
    """SLURM sends SIGTERM this long before the time limit (0: no early signal, the limit's
    own SIGTERM only); evo then stops after the current generation with its checkpoint
    written, and a new submission resumes the point"""
    partition: str | None = Field(None, pattern=f"^{SLURM_VALUE}$")
    account: str | None = Field(None, pattern=f"^{SLURM_VALUE}$")
    extra: list[Annotated[str, Field(pattern=f"^{SLURM_OPTION}$")]] = []
    """further `#SBATCH` lines, e.g. "--qos=short" """
    setup: list[Annotated[str, Field(pattern=r"^[^\n\r]*$")]] = []
    """shell lines before the command, e.g. "source ~/venvs/basemesa/bin/activate" (one line
    each)"""


class SweepFile(_Section):
    """The sweep file's schema."""

    name: str | None = Field(None, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
    """sweep name (default: the file's stem); the default output is runs/<name>"""
    scenario: str
    seeds: list[int] | int = 1
    set: dict[str, Any] = {}
    grid: dict[str, Any] = {}
    zip: list[dict[str, Any]] = []
    local: LocalSettings = LocalSettings()
    dask: DaskSettings = DaskSettings()
    slurm: SlurmSettings = SlurmSettings()

    @model_validator(mode="after")
    def _axes_are_lists(self) -> "SweepFile":
        for key, values in flatten(self.grid).items():
            if not isinstance(values, list) or not values:
                raise ValueError(f"grid.{key}: must be a non-empty list of values")
        for i, group in enumerate(self.zip):
            lengths = set()
            for key, values in flatten(group).items():
                if not isinstance(values, list) or not values:
                    raise ValueError(f"zip.{i}.{key}: must be a non-empty list of values")
                lengths.add(len(values))
            if len(lengths) > 1:
                raise ValueError(f"zip.{i}: lists of different lengths {sorted(lengths)}")
        if isinstance(self.seeds, int) and self.seeds < 1 or self.seeds == []:
            raise ValueError("seeds: at least one seed is required")
        return self


class Point(NamedTuple):
    """One run of a sweep."""

    index: int
    name: str  # its directory name
    swept: dict  # the grid and zip values of this point, by dotted key
    seed: int
    overrides: list  # every `--set` string, shared ones first, seed last


class Sweep(NamedTuple):
    """A loaded sweep: its file, settings and points."""

    path: Path
    name: str
    scenario: str  # a built-in name or an absolute path
    spec: SweepFile
    points: list


def flatten(table: dict, prefix: str = "") -> dict:
    """Nested TOML tables to dotted keys: {"ga": {"population": [1]}} -> {"ga.population": [1]}."""
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def override(key: str, value) -> str:
    """A `--set` string whose value is written as TOML."""
    return f"{key}={tomli_w.dumps({'v': value})[4:].strip()}"


def load_sweep(path) -> Sweep:
    """Read and validate a sweep file; every problem is one line naming the file and key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such sweep file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from None
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise UserError(f"{path}: {where + ': ' if where else ''}{message}") from None
    scenario = spec.scenario
    if scenario.endswith(".toml") or "/" in scenario:
        scenario = str((path.parent / scenario).resolve())
    points = expand_points(spec)
    seen = {}
    for point in points:
        key = tuple(point.overrides)
        if key in seen:
            raise UserError(f"{path}: points {seen[key]} and {point.index} are the same run "
                            f"({', '.join(point.overrides[-len(point.swept) - 1:])}); "
                            "list each value and seed once")
        seen[key] = point.index
    name = spec.name or re.sub(r"[^A-Za-z0-9_.-]", "-", path.stem).lstrip(".-") or "sweep"
    return Sweep(path, name, scenario, spec, points)


def expand_points(spec: SweepFile) -> list:
    """Every point: the product of the grid axes, the zip groups and the seeds."""
    axes = [[{key: value} for value in values] for key, values in flatten(spec.grid).items()]
    for group in spec.zip:
        flat = flatten(group)
        axes.append([dict(zip(flat, values)) for values in zip(*flat.values())])
    seeds = list(range(spec.seeds)) if isinstance(spec.seeds, int) else spec.seeds
    shared = [override(key, value) for key, value in flatten(spec.set).items()]
    points = []
    for combination in itertools.product(*axes, seeds):
        *parts, seed = combination
        swept = {key: value for part in parts for key, value in part.items()}
        overrides = shared + [override(k, v) for k, v in swept.items()] + [f"seed={seed}"]
        points.append(Point(len(points), point_name(swept, seed), swept, seed, overrides))
    return distinct_names(points)


def distinct_names(points: list) -> list:
    """Points whose directory names are unique: names that sanitising made equal (`a/b`
    and `a-b`), or that are too long for a file system, get a short digest of the point's
    overrides."""
    counts = collections.Counter(point.name for point in points)
    named = []
    for point in points:
        name = point.name
        if counts[name] > 1 or len(name) > 200:
            digest = hashlib.sha256("\n".join(point.overrides).encode("utf-8")).hexdigest()
            name = f"{name[:180]}__{digest[:10]}"
        named.append(point._replace(name=name))
    return named


def point_name(swept: dict, seed: int) -> str:
    """A readable, filesystem-safe directory name from a point's values and seed.

    Each key is shortened to its shortest dotted suffix that no other swept key shares
    (`ga.population` -> `population`, `phases.modern.generations` -> `modern.generations`).
    """
    parts = [f"{short_key(key, swept)}={value}" for key, value in swept.items()]
    return re.sub(r"[^A-Za-z0-9._=+-]", "-", "__".join(parts + [f"seed={seed}"]))


def short_key(key: str, keys) -> str:
    """The shortest dotted suffix of `key` that is not a suffix of another key."""
    parts = key.split(".")
    for n in range(1, len(parts) + 1):
        suffix = ".".join(parts[-n:])
        if not any(other != key and (other == suffix or other.endswith("." + suffix))
                   for other in keys):
            return suffix
    return key


def validate_points(sweep: Sweep) -> dict:
    """Check every point's scenario; returns {index: error line} for the invalid ones.

    When no point is valid the sweep file itself is wrong (a typo in a key): that is
    raised as one line before anything is written.
    """
    from evo.scenario import load_scenario

    errors = {}
    for point in sweep.points:
        try:
            load_scenario(sweep.scenario, point.overrides)
        except UserError as exc:
            errors[point.index] = str(exc)
    if len(errors) == len(sweep.points):
        raise UserError(f"{sweep.path}: {errors[0]}")
    return errors
