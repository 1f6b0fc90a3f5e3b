"""Advisory locks on a file, shared by every process on this PC: one writer per copy at the
center, one automatic backup at a time, a work folder or a half-written file that is still in
use (a folder whose lock can be taken belongs to a process that has ended).

The operating system drops a lock when its process ends, killed or not, so a lock never
outlives the run that held it. POSIX: flock; Windows: a byte-range lock on the first byte.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from jiaoyuapp.errors import DataError

if os.name == "nt":  # pragma: no cover - exercised by the Windows build
    import msvcrt

    def _try(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _release(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class FileLock:
    """An exclusive lock on `path` (created if missing). `acquire(wait)` waits up to `wait`
    seconds (None: forever, 0: not at all) and says whether it got the lock."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self, wait: float | None = None) -> bool:
        if self._fd is not None:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        except OSError as exc:
            raise DataError(f"无法建立锁文件“{self.path}”：{exc.strerror}。请检查该文件夹是否可写。") from None
        deadline = None if wait is None else time.monotonic() + wait
        delay = 0.01
        while not _try(fd):
            if deadline is not None and time.monotonic() >= deadline:
                os.close(fd)
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            _release(self._fd)
        finally:
            os.close(self._fd)
            self._fd = None

    def discard(self) -> None:
        """Give the lock back and remove its file (when whatever it guarded is gone too)."""
        self.release()
        try:
            self.path.unlink()
        except OSError:
            pass

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def is_free(path: str | Path) -> bool:
    """Whether nobody holds the lock on `path` now (taken and given back at once)."""
    lock = FileLock(path)
    if lock.acquire(wait=0):
        lock.release()
        return True
    return False
