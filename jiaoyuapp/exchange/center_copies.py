"""The center's copy of each registered school: where it lives, one writer at a time, and how a
first copy comes into being.

A copy is named by the school's 学校标识码 — ten digits, checked here, never any other text from
a certificate or a packet. Whatever writes a copy (an import, a conflict decision) holds that
school's lock, so two windows or a double click cannot interleave: the second waits, then finds
the packet already in. A first copy is built beside its final name and renamed into place only
when complete; what a killed run leaves beside it is removed under the same lock.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from jiaoyuapp.atomic_write import fsync_dir
from jiaoyuapp.errors import DataError
from jiaoyuapp.exchange.peers import valid_code
from jiaoyuapp.file_lock import FileLock
from jiaoyuapp.store import Store

LOCK_WAIT = 300.0   # seconds a second import waits for the first before saying so


def copies_folder(store: Store) -> Path:
    return store.path.parent / f"{store.path.stem}_学校数据"


def replica_path(store: Store, code: str) -> Path:
    if not valid_code(code):
        raise DataError("学校标识码应为10位数字。")
    return copies_folder(store) / f"{code}.db"


def open_replica(store: Store, code: str) -> Store:
    from jiaoyuapp.school import open_school
    return open_school(replica_path(store, code), create=False)


def has_copy(store: Store, code: str) -> bool:
    return replica_path(store, code).exists()


@contextlib.contextmanager
def writing(store: Store, code: str, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the school's copy for writing; another writer waits up to `wait` seconds."""
    lock = FileLock(replica_path(store, code).with_suffix(".lock"))
    if not lock.acquire(wait=wait):
        raise DataError("这所学校的数据正由另一个窗口或程序导入（或修改），本次没有做任何改动。请等它完成后再试。")
    try:
        _clear_building(replica_path(store, code))
        yield
    finally:
        lock.release()


def building(final: Path) -> Path:
    return final.with_name(final.name + ".building")


def _clear_building(final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    for leftover in final.parent.glob(final.name + ".building*"):
        leftover.unlink()


def finish(final: Path) -> None:
    """The built copy, complete and closed, on the disk under its final name."""
    # Read-write: Windows flushes a file (FlushFileBuffers, behind os.fsync) only through a handle
    # that may write; a read-only one fails with "Permission denied".
    fd = os.open(building(final), os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(building(final), final)
    fsync_dir(final.parent)


def discard_building(final: Path) -> None:
    with contextlib.suppress(OSError):
        _clear_building(final)


def new_copy(final: Path) -> Store:
    """A school's first copy, empty, built beside its final name. While it is built it is written
    once, through a rollback journal, instead of twice (into the WAL, then into the file)."""
    from jiaoyuapp.exchange.snapshot import empty_database
    from jiaoyuapp.school import open_school
    building(final).write_bytes(empty_database())  # made durable by the first commit's fsync
    replica = open_school(building(final))
    replica.conn.execute("PRAGMA journal_mode=DELETE")
    return replica


def sweep(store: Store) -> None:
    """Remove first copies that killed runs left half-built (only of schools nobody is writing)."""
    folder = copies_folder(store)
    if not folder.is_dir():
        return
    for leftover in folder.glob("*.db.building*"):
        code = leftover.name.split(".", 1)[0]
        if not valid_code(code):
            continue
        lock = FileLock(folder / f"{code}.lock")
        if lock.acquire(wait=0):
            try:
                _clear_building(folder / f"{code}.db")
            finally:
                lock.release()


def mark_packet(replica: Store, number: int, manifest_sha: str) -> None:
    """Note in the copy, inside the transaction that merged it, which packet it now reflects."""
    import json
    with replica.local():
        replica.conn.execute("INSERT OR REPLACE INTO replica_state (key, value) VALUES ('packet', ?)",
                             (json.dumps({"no": number, "manifest": manifest_sha}),))


def last_packet(store: Store, code: str) -> tuple[int, str] | None:
    """(number, manifest hash) of the packet the school's copy last took in, if it has a copy."""
    import json
    if not has_copy(store, code):
        return None
    replica = open_replica(store, code)
    try:
        value = replica.scalar("SELECT value FROM replica_state WHERE key = 'packet'")
    finally:
        replica.close()
    if not value:
        return (0, "")  # a copy from before copies were marked
    mark = json.loads(value)
    return mark["no"], mark["manifest"]


def set_aside(store: Store, code: str) -> Path:
    """Move the school's copy out of use (after its registration was replaced); returns where."""
    import datetime as dt
    final = replica_path(store, code)
    aside = final.with_name(f"{code}_更换登记前_{dt.datetime.now():%Y%m%d-%H%M%S}.db")
    for suffix in ("-wal", "-shm"):
        leftover = final.with_name(final.name + suffix)
        if leftover.exists():  # a closed copy has none; a killed run may have left them
            from jiaoyuapp.school import open_school
            open_school(final, create=False).close()
            break
    os.replace(final, aside)
    fsync_dir(final.parent)
    return aside
