"""Files several processes write at once stay whole: each writer's file, never a mix."""

import multiprocessing
from pathlib import Path

from evo.store.files import write_atomic


def _write(path: str, byte: int, start) -> None:
    """Wait for the start, then write the same file 50 times, whole, with one byte."""
    start.wait()
    for _ in range(50):
        write_atomic(Path(path), bytes([byte]) * 100_000)


def test_many_processes_writing_one_file_at_once(tmp_path):
    """Eight processes released together write one file 50 times each: none fails, the file
    is always one writer's whole content, and no temporary file is left."""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    path = tmp_path / "sweep.toml"
    writers = [context.Process(target=_write, args=(str(path), 65 + i, start))
               for i in range(8)]
    for writer in writers:
        writer.start()
    start.set()
    for writer in writers:
        writer.join()
    assert [writer.exitcode for writer in writers] == [0] * 8
    data = path.read_bytes()
    assert len(data) == 100_000 and len(set(data)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.toml"]
