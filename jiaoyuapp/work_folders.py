"""Where working files with children's data live while a command runs: a private folder under
the app's data directory, never the system's shared temp folder (which other users and programs
read, and which nothing of ours would ever clean).

Each run's folder sits beside a lock file its process holds; the operating system drops the lock
when the process ends, however it ends. `sweep()` — at every start of the command line, the
window and its workers — removes the folders of runs that ended without cleaning up (killed,
power cut). Creating a folder and sweeping take one short lock on the root, so a sweep never
takes a folder that is being made.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from jiaoyuapp.file_lock import FileLock
from jiaoyuapp.paths import data_dir

ROOT_NAME = "临时文件"
_LOCK = ".lock"
_process_folder: tuple[Path, FileLock] | None = None


def root() -> Path:
    path = data_dir() / ROOT_NAME
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    return path


def _root_lock(base: Path) -> FileLock:
    return FileLock(base / ".root.lock")


def _make(prefix: str) -> tuple[Path, FileLock]:
    base = root()
    with _root_lock(base):
        name = f"{prefix}-{os.getpid()}-{secrets.token_hex(4)}"
        lock = FileLock(base / (name + _LOCK))
        lock.acquire()
        folder = base / name
        folder.mkdir(mode=0o700)
    return folder, lock


def _remove(folder: Path, lock: FileLock) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    lock.discard()


@contextlib.contextmanager
def work_folder(prefix: str) -> Iterator[Path]:
    """A private, empty folder for one piece of work, removed afterwards (and by the next start's
    sweep if this process is killed)."""
    folder, lock = _make(prefix)
    try:
        yield folder
    finally:
        _remove(folder, lock)


def claim_process_temp() -> Path:
    """Point this process's temporary files (libraries' too: openpyxl writes each worksheet of a
    large workbook to a temporary file, SQLite its large sorts) into a private folder of its own.
    Child processes inherit the setting."""
    global _process_folder
    if _process_folder is None or not _process_folder[0].exists():
        _process_folder = _make("进程")
        import atexit
        atexit.register(_release_process_temp)
    tempfile.tempdir = str(_process_folder[0])
    # SQLite's own temporary files (large sorts, temporary tables) follow these, not Python's
    # setting; on Windows SQLite asks the system, which reads TMP and TEMP.
    for name in ("SQLITE_TMPDIR", "TMPDIR", "TMP", "TEMP"):
        os.environ[name] = str(_process_folder[0])
    return _process_folder[0]


def _release_process_temp() -> None:
    global _process_folder
    if _process_folder is not None:
        folder, lock = _process_folder
        _process_folder = None
        if tempfile.tempdir == str(folder):
            tempfile.tempdir = None
        _remove(folder, lock)


def sweep() -> int:
    """Remove what runs that have ended left behind; returns how many folders went."""
    base = root()
    removed = 0
    with _root_lock(base):
        names = {p.name[: -len(_LOCK)] if p.name.endswith(_LOCK) else p.name for p in base.iterdir()
                 if p.name != ".root.lock"}
        for name in names:
            lock = FileLock(base / (name + _LOCK))
            if not lock.acquire(wait=0):
                continue  # its process is still running
            target = base / name
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
                removed += 1
            else:
                with contextlib.suppress(OSError):
                    target.unlink()
            lock.discard()
    return removed


def start_of_run() -> None:
    """At the start of every process of ours: clean up after ended runs, and keep this one's
    temporary files private. Never stops the program: a data directory that cannot be written
    shows up, with its own message, where it is really needed."""
    from jiaoyuapp.errors import JiaoyuError
    with contextlib.suppress(OSError, JiaoyuError):
        sweep()
        claim_process_temp()


def _writing_lock(path: Path) -> FileLock:
    """The lock that says `path`, a half-written file (on a stick, say), is being written now. It
    lives in the data directory, so nothing but the file itself is ever put on the stick."""
    import hashlib
    tag = hashlib.sha256(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:24]
    return FileLock(data_dir() / "写入锁" / f"{tag}.lock")


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Hold while `path` is being written, so that `remove_unfinished` leaves it alone."""
    lock = _writing_lock(path)
    lock.acquire()
    try:
        yield
    finally:
        lock.discard()


def remove_unfinished(folder: Path, pattern: str) -> int:
    """Remove files matching `pattern` in `folder` that a run which has ended left half-written."""
    removed = 0
    try:
        candidates = list(Path(folder).glob(pattern))
    except OSError:
        return 0
    for path in candidates:
        lock = _writing_lock(path)
        if not lock.acquire(wait=0):
            continue
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
        finally:
            lock.discard()
    return removed
