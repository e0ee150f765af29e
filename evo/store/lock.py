"""One writer per directory: an exclusive lock held for the life of the writing process.

`flock` on a lock file beside the directory (so that replacing the directory with --force
cannot drop the lock), taken before anything is written and released when the process ends,
however it ends. It works on local disks and on NFS with lockd. A second writer gets one line
naming the directory and the holder's pid and host.
"""

import fcntl
import os
import platform
import time
from pathlib import Path

from evo.errors import Busy, UserError

HOLDER_READS = 100  # 10 ms apart


class DirectoryLock:
    """The exclusive lock of a run or sweep directory; `release` (or process exit) frees it."""

    def __init__(self, directory: Path):
        directory = Path(directory)
        self.directory = directory
        self.path = directory.parent / f".{directory.name}.lock"
        self._fd: int | None = None

    def acquire(self) -> "DirectoryLock":
        """Take the lock, or raise one line naming who holds it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise UserError(f"{self.directory}: cannot write its lock file {self.path}: "
                            f"{exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise Busy(f"{self.directory}: in use by another evo process ({holder}); wait "
                       "for it to end or stop it") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {platform.node()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Free the lock (closing the file releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _holder(fd: int) -> str:
    """Who holds the lock, as its holder wrote it. The holder writes that line just after
    taking the lock, so a process that finds the lock taken in between reads an empty file:
    it reads again for up to a second before saying `unknown`."""
    for _ in range(HOLDER_READS):
        holder = os.pread(fd, 512, 0).decode("utf-8", errors="replace").strip()
        if holder:
            return holder
        time.sleep(0.01)
    return "unknown"
