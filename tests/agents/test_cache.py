"""numba's cache is kept per version of the simulator's source."""

import shutil

import numba

from agents import cache, kernel


def test_a_change_to_any_source_file_changes_the_cache_folder(tmp_path):
    """The digest covers every .py file of the package, nested ones included: one byte
    changed in `kinds/reactive.py` (which the kernel calls but numba would not check) gives
    another folder; a copy of the unchanged source gives the same one."""
    copy = tmp_path / "agents"
    shutil.copytree(cache.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert cache.source_digest(copy) == cache.source_digest()
    policy = copy / "kinds" / "reactive.py"
    policy.write_bytes(policy.read_bytes() + b"\n")
    assert cache.source_digest(copy) != cache.source_digest()


def test_the_kernel_caches_into_the_folder_of_its_source():
    """The compiled kernel's cache lives in the folder named by the source's digest."""
    folder = numba.config.CACHE_DIR
    assert folder.endswith(cache.source_digest())
    assert kernel._evaluate._cache._cache_path.startswith(folder)
