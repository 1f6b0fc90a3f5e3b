"""Which folders a backup is being written into, and the unfinished backups ended runs left there.

A backup is written as `NAME.db.part` in its target folder (a USB stick, or the folder of
automatic backups) and renamed once verified. A run that is killed or loses power in between
leaves the `.part` behind: a whole copy of the children's data, under a name restore refuses.

While it writes, a process holds a lock for its target folder. The lock file lives in the app's
data folder (never on the stick) beside a note naming the folder. The operating system drops the
lock when the process ends, however it ends, so a lock that can be taken belongs to a run that has
ended: the `.part` files in its folder are unfinished and are removed — by the next backup into
that folder, and at the next start for every folder named by an ended run's note (if the stick is
plugged in). Taking and giving back these locks happens under one short lock on their folder, so
a sweep never removes the lock file of a writer that is just taking it.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from pathlib import Path

from jiaoyuapp.errors import DataError
from jiaoyuapp.file_lock import FileLock
from jiaoyuapp.paths import data_dir

LOCKS_NAME = "备份锁"
PART = ".part"
_SQLITE_HEADER = b"SQLite format 3\x00"


def _base() -> Path:
    base = data_dir() / LOCKS_NAME
    base.mkdir(parents=True, exist_ok=True)
    return base


def _root(base: Path) -> FileLock:
    return FileLock(base / ".root.lock")


def _key(folder: Path) -> str:
    return hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:16]


def is_unfinished(path: Path) -> bool:
    """A backup of ours that was never finished: `*.db.part`, empty or begun as an SQLite file. Its
    first page may still be zeros (SQLite writes pages out of order within a transaction); then
    the rollback journal SQLite keeps beside it tells it is SQLite's."""
    if not path.name.lower().endswith(".db" + PART) or not path.is_file():
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_SQLITE_HEADER))
    except OSError:
        return False
    if head in (b"", _SQLITE_HEADER):
        return True
    return head == b"\0" * len(head) and path.with_name(path.name + "-journal").exists()


def remove_with_journals(path: Path) -> None:
    """Remove a file and any journal SQLite left beside it."""
    for p in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(OSError):
            p.unlink()


def _sweep_folder(folder: Path) -> int:
    removed = 0
    with contextlib.suppress(OSError):
        for p in list(folder.iterdir()):
            if is_unfinished(p):
                remove_with_journals(p)
                removed += 1
    return removed


class BackupFolder:
    """The right to write backups into `folder`: one process at a time; taking it clears the
    folder of unfinished backups (nobody can be writing them)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._lock: FileLock | None = None
        self.swept = 0

    def acquire(self, wait: float | None = 0) -> bool:
        base = _base()
        key = _key(self.folder)
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            with _root(base):
                lock = FileLock(base / f"{key}.lock")
                if lock.acquire(wait=0):
                    (base / f"{key}.folder").write_text(str(self.folder.resolve()), encoding="utf-8")
                    self._lock = lock
                    break
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        self.swept = _sweep_folder(self.folder)
        return True

    def release(self) -> None:
        if self._lock is None:
            return
        base = self._lock.path.parent
        with _root(base):
            with contextlib.suppress(OSError):
                self._lock.path.with_suffix(".folder").unlink()
            self._lock.discard()
        self._lock = None

    def __enter__(self) -> "BackupFolder":
        if not self.acquire(wait=600):
            raise DataError(f"另一个程序正在向“{self.folder}”写入备份，已等了10分钟仍未结束。请稍后再试。")
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def sweep_ended() -> int:
    """At start: remove the unfinished backups of runs that ended while writing them, in every folder
    their notes name that can be reached now. Returns how many files went."""
    base = _base()
    removed = 0
    with _root(base):
        keys = {p.stem for p in base.iterdir() if p.suffix in (".lock", ".folder")}
        for key in keys:
            lock = FileLock(base / f"{key}.lock")
            if not lock.acquire(wait=0):
                continue  # its writer is still running
            note = base / f"{key}.folder"
            try:
                folder = Path(note.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                folder = None
            if folder is not None and folder.is_dir():
                removed += _sweep_folder(folder)
            elif folder is not None:
                lock.release()
                continue  # the stick is not plugged in: keep the note for a later start
            with contextlib.suppress(OSError):
                note.unlink()
            lock.discard()
    return removed
