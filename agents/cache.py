"""numba's on-disk cache, kept apart for each version of the simulator's source.

numba checks a cached function against the file it is written in, not the files of the
functions it calls: after a change to `agents/kinds/reactive.py` alone, the kernel in
`agents/kernel.py` would load its old compiled code, silently playing the old rules. So
the cache directory is one per digest of every source file of the package: a changed rule
compiles anew; an unchanged source finds its cache.
"""

import hashlib
from pathlib import Path

import numba

PACKAGE = Path(__file__).resolve().parent


def source_digest(package: Path = PACKAGE) -> str:
    """The first 16 hex digits of SHA-256 over a package's .py files (paths and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def key_by_source() -> None:
    """Point numba's cache (NUMBA_CACHE_DIR if set, else the package's __pycache__) at the
    folder of this source's digest. numba reads the folder when a function is decorated,
    so this runs before any module of the package is imported."""
    base = Path(numba.config.CACHE_DIR or PACKAGE / "__pycache__" / "numba")
    numba.config.CACHE_DIR = str(base / source_digest())
