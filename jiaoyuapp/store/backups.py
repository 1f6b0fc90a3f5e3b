"""Backups: online copies through SQLite's backup API, each verified after writing.

A backup is written as `NAME.db.part`, checked with `integrity_check`, fsynced and only then
renamed; a stick pulled out, full or a process killed mid-write leaves only a `.part`, which
restore refuses and the next run removes (see backup_folders: one writer per folder, and what
ended runs left behind). The school's database is never touched by a backup. The app also keeps
rotating automatic backups before risky operations (import, rollover, restore) and one a day;
two processes starting at once take turns, and the second skips the day's backup the first took.

A finished backup carries no mark of its own: a copy cut short fails `integrity_check` (its pages
point past its end), and one killed after the copy but before the rename is complete and still
named `.part`. Hand-made copies of the database file and backups of earlier versions, which would
carry no mark either, remain usable.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from jiaoyuapp.atomic_write import fsync_dir
from jiaoyuapp.disk_space import full_error, require_free
from jiaoyuapp.errors import DatabaseError, DataError
from jiaoyuapp.pause_points import reached
from jiaoyuapp.paths import auto_backup_dir
from jiaoyuapp.store.backup_folders import PART, BackupFolder, remove_with_journals
from jiaoyuapp.store.connection import Schema, Store, applied_migrations, disk_full_error, out_of_room
from jiaoyuapp.store.damage import integrity_lines, is_corruption
from jiaoyuapp.store.read_only import connect_read_only

AUTO_KEEP = 10
SUFFIX = ".db"
STEP_PAGES = 256  # pages copied per step of the backup API (1 MB): a pause point can fall between steps
UNFINISHED_SUFFIXES = (PART, "-journal", "-wal", "-shm")


def integrity(conn: sqlite3.Connection) -> list[str]:
    """Problems found by SQLite's own checks (empty when healthy); never raises on damaged pages."""
    problems, stopped = integrity_lines(conn)
    if stopped:
        problems.append("完整性检查在无法读出的页面处中止：数据库文件有损坏的页面")
    try:
        problems += [f"外键错误：表 {r[0]} 第 {r[1]} 行引用了不存在的 {r[2]}"
                     for r in conn.execute("PRAGMA foreign_key_check")]
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        problems.append("外键检查在无法读出的页面处中止")
    return problems


def _damaged_source(store: Store) -> DatabaseError:
    return DatabaseError(
        f"学校数据库“{store.path.name}”本身有损坏的部分，这次备份没有完成（已有的备份都保留着，没有被覆盖）。"
        "请检查数据库，看哪些内容损坏，并把还能读出的数据抢救到一个新文件（原文件保持不动）。", todo="check")


def _size(store: Store) -> int:
    return int(store.scalar("PRAGMA page_count")) * int(store.scalar("PRAGMA page_size"))


def backup_to(store: Store, folder: str | Path, label: str = "") -> Path:
    """Copy the open database into `folder` (created if missing); returns the verified file."""
    folder = Path(folder)
    _make_folder(folder, store)
    with BackupFolder(folder):
        return _write_backup(store, folder, label)


def _make_folder(folder: Path, store: Store) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if out_of_room(exc, folder):
            raise full_error(folder, _size(store), done="备份没有完成，学校的数据没有任何改动") from None
        raise DataError(f"无法创建备份文件夹“{folder}”：{exc.strerror}。请换一个位置。") from None


def _write_backup(store: Store, folder: Path, label: str) -> Path:
    """The copy itself; the caller holds the folder's lock, so the name chosen is free."""
    size = _size(store)
    require_free(folder, size, margin=1 << 20)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{store.path.stem}_{stamp}{('_' + label) if label else ''}{SUFFIX}"
    target = folder / name
    n = 1
    while target.exists() or target.with_name(target.name + PART).exists():
        n += 1
        target = folder / name.replace(SUFFIX, f"_{n}{SUFFIX}")
    tmp = target.with_name(target.name + PART)

    def step(status: int, remaining: int, total: int) -> None:
        if remaining:
            reached("backup-copying")

    try:
        dst = sqlite3.connect(str(tmp))
        try:
            store.conn.backup(dst, pages=STEP_PAGES, progress=step)
            reached("backup-copied")
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problems = integrity(dst)
        finally:
            dst.close()
        if problems:
            if integrity_lines(store.conn) != ([], False):
                raise _damaged_source(store)
            raise DataError("备份写完后校验未通过（存储设备可能有坏块）。请换一个U盘或文件夹重新备份。")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        reached("backup-verified")
        os.replace(tmp, target)
        fsync_dir(folder)
    except (OSError, sqlite3.Error) as exc:
        remove_with_journals(tmp)
        if out_of_room(exc, folder):
            raise full_error(folder, size, done="备份没有完成，学校的数据没有任何改动") from None
        if isinstance(exc, sqlite3.Error) and is_corruption(exc):
            raise _damaged_source(store) from None
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DataError(f"写入备份失败（{detail}）。学校的数据没有任何改动，请检查U盘是否已拔出，或换一个位置重试。") from None
    except BaseException:
        remove_with_journals(tmp)
        raise
    return target


def auto_backup(store: Store, reason: str, *, wait: float = 600, older_than: float | None = None) -> str | None:
    """A rotating automatic backup before a risky operation; skipped for an empty database,
    and inside a write (the operation that opened it took its own backup first).

    Another process taking an automatic backup of the same database is waited for up to `wait`
    seconds; `older_than` (seconds) skips the backup when the newest one is more recent than that —
    checked again once the folder is ours, so two processes starting together take one.
    """
    if store.conn.in_transaction or not store.scalar("SELECT 1 FROM change_log LIMIT 1"):
        return None
    folder = auto_backup_dir(store.path)
    _make_folder(folder, store)
    guard = BackupFolder(folder)
    if not guard.acquire(wait=wait):
        if older_than is not None:
            return None  # another process is taking it right now
        raise DataError("另一个程序正在为这个学校数据库做自动备份，已等了很久仍未结束。请稍后再试。")
    try:
        if older_than is not None and _newest(folder) > dt.datetime.now().timestamp() - older_than:
            return None
        path = _write_backup(store, folder, label=reason)
        kept = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-AUTO_KEEP]:
            remove_with_journals(old)
    finally:
        guard.release()
    return str(path)


def _newest(folder: Path) -> float:
    return max((p.stat().st_mtime for p in folder.glob(f"*{SUFFIX}")), default=0) if folder.exists() else 0


def daily_backup(store: Store) -> str | None:
    """At most one automatic backup a day, taken when the database is opened; skipped when another
    process is taking it. Also clears away backups that ended runs left unfinished."""
    from jiaoyuapp.store.backup_folders import sweep_ended
    sweep_ended()
    if dt.datetime.now().timestamp() - _newest(auto_backup_dir(store.path)) < 24 * 3600:
        return None
    return auto_backup(store, "每日", wait=0, older_than=24 * 3600)


def check_backup_file(path: Path, schema: Schema) -> None:
    """Refuse a file that is not a finished, healthy backup this version can open."""
    if path.name.lower().endswith(UNFINISHED_SUFFIXES):
        raise DataError(f"“{path.name}”是一个没有完成的备份（备份时程序被关闭、断电或U盘被拔出），不能用来恢复。"
                        "请选择以 .db 结尾的备份文件。")
    if not path.is_file():
        raise DataError(f"找不到备份文件“{path}”。")
    try:
        conn = connect_read_only(path)
        try:
            problems = integrity(conn)
            applied = applied_migrations(conn, schema.migrations.name)
            has_log = conn.execute("SELECT 1 FROM sqlite_master WHERE name='change_log'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise DataError(f"“{path.name}”不是本软件的备份文件，或已损坏、不完整，不能用来恢复。请换一份备份（如较早的自动备份）。") from None
    if problems:
        raise DataError(f"备份文件“{path.name}”已损坏或不完整（完整性检查未通过），不能用来恢复。请换一个较早的备份。")
    if not has_log or not applied:
        raise DataError(f"“{path.name}”不是本软件的学校数据库备份。")
    unknown = [a for a in applied if a not in schema.migration_names()]
    if unknown:
        raise DataError(f"备份“{path.name}”来自更新版本的软件，请先升级软件再恢复。")


def restore(store: Store, backup_file: str | Path) -> str | None:
    """Replace the open database's content with a backup's, after saving the current
    state as an automatic backup. Returns that safety backup's path.

    The copy into the school's database is one transaction: a restore that is killed or runs out
    of room leaves the data as it was."""
    backup_file = Path(backup_file)
    check_backup_file(backup_file, store.schema)
    reached("restore-checked")
    safety = auto_backup(store, "恢复前")
    reached("restore-safety-saved")

    def step(status: int, remaining: int, total: int) -> None:
        if remaining:
            reached("restore-copying")

    src = connect_read_only(backup_file)
    try:
        src.backup(store.conn, pages=STEP_PAGES, progress=step)
    except sqlite3.Error as exc:
        if out_of_room(exc, store.path):
            raise disk_full_error(store.path, done="恢复没有完成，当前的数据没有任何改动") from None
        raise DatabaseError(f"恢复失败（{exc}），当前的数据没有改动。当前数据另存的自动备份：{safety}") from None
    finally:
        src.close()
    store.conn.execute("PRAGMA journal_mode=WAL")
    return safety
