"""Backups: online copies through SQLite's backup API, each verified after writing.

A backup is written under a temporary name, checked with `integrity_check`,
fsynced and only then renamed; a stick pulled out or full mid-write leaves
no file that looks like a good backup, and the school's database is never
touched. The app also keeps rotating automatic backups before risky
operations (import, rollover, restore).
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
from pathlib import Path

from jiaoyuapp.atomic_write import fsync_dir
from jiaoyuapp.errors import DatabaseError, DataError
from jiaoyuapp.paths import auto_backup_dir
from jiaoyuapp.store.connection import Schema, Store, applied_migrations

AUTO_KEEP = 10
SUFFIX = ".db"


def integrity(conn: sqlite3.Connection) -> list[str]:
    """Problems found by SQLite's own checks (empty when healthy)."""
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    problems = [] if rows == ["ok"] else rows
    problems += [f"外键错误：表 {r[0]} 第 {r[1]} 行引用了不存在的 {r[2]}" for r in conn.execute("PRAGMA foreign_key_check")]
    return problems


def backup_to(store: Store, folder: str | Path, label: str = "") -> Path:
    """Copy the open database into `folder` (created if missing); returns the verified file."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"无法创建备份文件夹“{folder}”：{exc.strerror}。请换一个位置。") from None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{store.path.stem}_{stamp}{('_' + label) if label else ''}{SUFFIX}"
    target = folder / name
    n = 1
    while target.exists():
        n += 1
        target = folder / name.replace(SUFFIX, f"_{n}{SUFFIX}")
    tmp = target.with_name(target.name + ".part")
    try:
        dst = sqlite3.connect(str(tmp))
        try:
            store.conn.backup(dst, pages=2048)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problems = integrity(dst)
        finally:
            dst.close()
        if problems:
            raise DataError("备份写完后校验未通过（存储设备可能有坏块）。请换一个U盘或文件夹重新备份。")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_dir(folder)
    except OSError as exc:
        _remove_quietly(tmp)
        if exc.errno == errno.ENOSPC:
            raise DataError(f"“{folder}”空间不足，备份没有完成（原数据没有任何改动）。请清理空间或换一个U盘后重试。") from None
        raise DataError(f"写入备份失败：{exc.strerror or exc}。原数据没有任何改动，请检查U盘是否已拔出后重试。") from None
    except sqlite3.Error as exc:
        _remove_quietly(tmp)
        if "full" in str(exc).lower():
            raise DataError(f"“{folder}”空间不足，备份没有完成（原数据没有任何改动）。请清理空间或换一个U盘后重试。") from None
        raise DataError(f"写入备份失败（{exc}）。原数据没有任何改动，请换一个位置重试。") from None
    except BaseException:
        _remove_quietly(tmp)
        raise
    return target


def _remove_quietly(path: Path) -> None:
    """Remove a file and any journal SQLite left beside it."""
    for p in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        try:
            p.unlink()
        except OSError:
            pass


def auto_backup(store: Store, reason: str) -> str | None:
    """A rotating automatic backup before a risky operation; skipped for an empty database,
    and inside a write (the operation that opened it took its own backup first)."""
    if store.conn.in_transaction or not store.scalar("SELECT 1 FROM change_log LIMIT 1"):
        return None
    folder = auto_backup_dir(store.path)
    path = backup_to(store, folder, label=reason)
    kept = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
    for old in kept[:-AUTO_KEEP]:
        _remove_quietly(old)
    return str(path)


def daily_backup(store: Store) -> str | None:
    """At most one automatic backup a day, taken when the database is opened."""
    folder = auto_backup_dir(store.path)
    newest = max((p.stat().st_mtime for p in folder.glob(f"*{SUFFIX}")), default=0) if folder.exists() else 0
    if dt.datetime.now().timestamp() - newest < 24 * 3600:
        return None
    return auto_backup(store, "每日")


def check_backup_file(path: Path, schema: Schema) -> None:
    """Refuse a file that is not a healthy backup this version can open."""
    if not path.is_file():
        raise DataError(f"找不到备份文件“{path}”。")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            problems = integrity(conn)
            applied = applied_migrations(conn, schema.migrations.name)
            has_log = conn.execute("SELECT 1 FROM sqlite_master WHERE name='change_log'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise DataError(f"“{path.name}”不是本软件的备份文件，或已损坏。请选择以 .db 结尾的备份文件。") from None
    if problems:
        raise DataError(f"备份文件“{path.name}”已损坏（完整性检查未通过），不能用来恢复。请换一个较早的备份。")
    if not has_log or not applied:
        raise DataError(f"“{path.name}”不是本软件的学校数据库备份。")
    unknown = [a for a in applied if a not in schema.migration_names()]
    if unknown:
        raise DataError(f"备份“{path.name}”来自更新版本的软件，请先升级软件再恢复。")


def restore(store: Store, backup_file: str | Path) -> str | None:
    """Replace the open database's content with a backup's, after saving the current
    state as an automatic backup. Returns that safety backup's path."""
    backup_file = Path(backup_file)
    check_backup_file(backup_file, store.schema)
    safety = auto_backup(store, "恢复前")
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        src.backup(store.conn)
    except sqlite3.Error as exc:
        raise DatabaseError(f"恢复失败（{exc}）。当前数据已另存为自动备份：{safety}") from None
    finally:
        src.close()
    store.conn.execute("PRAGMA journal_mode=WAL")
    return safety
