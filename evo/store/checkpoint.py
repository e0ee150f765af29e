"""checkpoint.npz: a run's state after a whole generation, as plain arrays, never a pickle.

A run directory may come from a colleague or a cluster, so reading it must never run code:
the checkpoint is a NumPy `.npz` archive read with `allow_pickle=False`, and everything in
it is checked against the run's compiled scenario before it is used. Besides the population
and the hall of fame it records the digest of `config.toml` and, for each CSV, the size and
SHA-256 of the bytes the checkpoint covers (its committed prefix), so that an edited config
or a damaged CSV is refused on resume instead of being built on.
"""

import io
import zipfile
from pathlib import Path

import numpy as np

from evo.errors import UserError
from evo.store.files import regular_file

FILE = "checkpoint.npz"
LEGACY = "checkpoint.pkl"  # the first format, a pickle: never loaded
VERSION = 2
HALL_OF_FAME = 10  # individuals the hall of fame keeps, at most


def encode(state: dict) -> bytes:
    """The checkpoint file of a state: generation, next_id, population (genomes, ids,
    parents, elite), fitness, hall_of_fame (genomes, ids, fitness), config_sha256 and csv
    ({file name: (size, sha256)})."""
    pop, hof = state["population"], state["hall_of_fame"]
    names = sorted(state["csv"])
    arrays = {
        "version": np.int64(VERSION), "generation": np.int64(state["generation"]),
        "next_id": np.int64(state["next_id"]),
        "genomes": pop["genomes"], "ids": pop["ids"], "parents": pop["parents"],
        "elite": pop["elite"], "fitness": state["fitness"],
        "hof_genomes": hof["genomes"].reshape(len(hof["ids"]), pop["genomes"].shape[1]),
        "hof_ids": hof["ids"], "hof_fitness": hof["fitness"],
        "config_sha256": np.array(state["config_sha256"]),
        "csv_names": np.array(names), "csv_sizes": np.array([state["csv"][n][0] for n in names],
                                                            dtype=np.int64),
        "csv_sha256": np.array([state["csv"][n][1] for n in names]),
    }
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def load(folder: Path, compiled, config_sha256: str) -> dict | None:
    """The checkpoint of a run directory, checked against its compiled scenario and config
    digest; None when the run stopped before its first generation."""
    path = Path(folder) / FILE
    if not path.exists():
        if (Path(folder) / LEGACY).exists():
            raise UserError(f"{Path(folder) / LEGACY}: a checkpoint of an older basemesa (a "
                            "pickle, which is never loaded: it could run code); start the run "
                            "again")
        return None
    regular_file(path, "the checkpoint")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise UserError(f"{path}: corrupt checkpoint ({type(exc).__name__})") from None
    return _checked(arrays, path, compiled, config_sha256)


def _checked(arrays: dict, path: Path, compiled, config_sha256: str) -> dict:
    """The state of a checkpoint's arrays, each checked for kind, shape and range."""
    def bad(problem: str) -> UserError:
        return UserError(f"{path}: damaged checkpoint: {problem}")

    def get(key, kind, shape=None):
        value = arrays.get(key)
        if value is None:
            raise bad(f"no {key}")
        if value.dtype.kind not in kind or (shape is not None and value.shape != shape):
            raise bad(f"{key} is {value.dtype}{list(value.shape)}")
        return value

    if int(get("version", "i", ())) != VERSION:
        raise bad(f"version {int(arrays['version'])}, this basemesa reads version {VERSION}")
    if str(get("config_sha256", "U", ())) != config_sha256:
        raise UserError(f"{path.parent / 'config.toml'}: changed since the run started (its "
                        "digest differs from the checkpoint's); restore it, or start a new run")
    size, genes = compiled.scenario.ga.population, compiled.layout.size
    generation = int(get("generation", "i", ()))
    if not 0 <= generation < compiled.total_generations:
        raise bad(f"generation {generation} is outside 0..{compiled.total_generations - 1}")
    genomes = get("genomes", "f", (size, genes))
    ids = get("ids", "i", (size,))
    fitness = get("fitness", "f", (size,))
    if not np.isfinite(genomes).all() or not np.isfinite(fitness).all():
        raise bad("non-finite genes or fitness")
    low, high = compiled.layout.low, compiled.layout.high
    if ((genomes < low) | (genomes > high)).any():
        raise bad("genes outside their bounds")
    if len(np.unique(ids)) != size or ids.min() < 0:
        raise bad("individual ids are not distinct")
    next_id = int(get("next_id", "i", ()))
    if next_id <= ids.max():
        raise bad(f"next_id {next_id} is not above every id")
    hof_ids = get("hof_ids", "i")
    num_hof = len(hof_ids)
    if hof_ids.ndim != 1 or num_hof > HALL_OF_FAME:
        raise bad(f"hall of fame of shape {list(hof_ids.shape)}")
    hof_genomes = get("hof_genomes", "f", (num_hof, genes))
    hof_fitness = get("hof_fitness", "f", (num_hof,))
    if not np.isfinite(hof_genomes).all() or not np.isfinite(hof_fitness).all():
        raise bad("non-finite hall of fame")
    names = get("csv_names", "U")
    sizes = get("csv_sizes", "i", names.shape)
    digests = get("csv_sha256", "U", names.shape)
    return {
        "generation": generation, "next_id": next_id,
        "population": {"genomes": genomes.astype(np.float64), "ids": ids.astype(np.int64),
                       "parents": get("parents", "i", (size, 2)).astype(np.int64),
                       "elite": get("elite", "b", (size,))},
        "fitness": fitness.astype(np.float64),
        "hall_of_fame": {"genomes": hof_genomes, "ids": hof_ids.astype(np.int64),
                         "fitness": hof_fitness},
        "csv": {str(n): (int(s), str(d)) for n, s, d in zip(names, sizes, digests)},
    }
