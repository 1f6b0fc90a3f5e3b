"""Backups as a school sees them: where they are, what one holds, and restoring only its own.

The store's backups (store/backups.py) know nothing of schools. A principal about to restore needs
more: which school a backup belongs to, when it was taken, and how many students, visits and cases
it holds against the database as it stands — a backup of the neighbouring school, or one a year
old, must be recognised before it replaces this school's work. The folders a school chose for its
backups (a USB stick, a folder on the desktop) are remembered per database in the data folder, so
the list shows them beside the automatic ones.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

from jiaoyuapp.atomic_write import write_bytes_atomically
from jiaoyuapp.errors import DataError
from jiaoyuapp.paths import auto_backup_dir, data_dir
from jiaoyuapp.school import school_info
from jiaoyuapp.store import Store
from jiaoyuapp.store.backups import SUFFIX, backup_to, check_backup_file, restore
from jiaoyuapp.store.read_only import connect_read_only

FOLDERS_FILE = "备份位置.json"
KEEP_FOLDERS = 10
# What a preview counts, as (label, SQL) — each read from the backup and from the open database.
COUNTS = (
    ("在读学生", "SELECT count(*) FROM students WHERE status = '在读'"),
    ("全部学生（含转出、毕业）", "SELECT count(*) FROM students"),
    ("家访记录", "SELECT count(*) FROM current_visits"),
    ("控辍保学个案", "SELECT count(*) FROM cases"),
)
_STAMP = re.compile(r"_(\d{8}-\d{6})(?:_(.+?))?(?:_\d+)?$")


# -- the folders a school chose ------------------------------------------------------------------
def _folders_file() -> Path:
    return data_dir() / FOLDERS_FILE


def _all_folders() -> dict[str, list[str]]:
    try:
        found = json.loads(_folders_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {k: [f for f in v if isinstance(f, str)] for k, v in found.items() if isinstance(v, list)}


def chosen_folders(db_path: str | Path) -> list[Path]:
    """The folders this database was backed up into by hand, newest first (present or not)."""
    return [Path(f) for f in _all_folders().get(str(Path(db_path).resolve()), [])]


def _remember(db_path: Path, folder: Path) -> None:
    known = _all_folders()
    key = str(db_path.resolve())
    folders = [str(folder.resolve())] + [f for f in known.get(key, []) if f != str(folder.resolve())]
    known[key] = folders[:KEEP_FOLDERS]
    try:
        write_bytes_atomically(_folders_file(), json.dumps(known, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass  # the list is a convenience: the backup itself is written and verified


def backup_school(store: Store, folder: str | Path) -> str:
    """A verified backup into a folder the school chose; the folder is remembered for the list."""
    path = backup_to(store, folder)
    _remember(store.path, Path(folder))
    return str(path)


# -- the list ---------------------------------------------------------------------------------
def _entry(path: Path, kind: str) -> dict:
    match = _STAMP.search(path.stem)
    if match:
        when = dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
        reason = match.group(2) or ""
    else:  # a copy made by hand, renamed: its time on disk is all we know
        when, reason = dt.datetime.fromtimestamp(path.stat().st_mtime), ""
    return {"path": str(path), "name": path.name, "folder": str(path.parent), "kind": kind,
            "reason": reason, "when": when.strftime("%Y-%m-%d %H:%M"), "size": path.stat().st_size}


def list_backups(store: Store) -> dict:
    """Backups of this database: the automatic ones and those in the folders chosen before, newest
    first; `missing` lists chosen folders that cannot be reached now (a stick not plugged in)."""
    entries, missing = [], []
    auto = auto_backup_dir(store.path)
    pattern = f"{store.path.stem}_*{SUFFIX}"
    if auto.is_dir():
        entries += [_entry(p, "自动") for p in auto.glob(pattern) if p.is_file()]
    for folder in chosen_folders(store.path):
        if not folder.is_dir():
            missing.append(str(folder))
            continue
        try:
            entries += [_entry(p, "手动") for p in folder.glob(pattern) if p.is_file()]
        except OSError:
            missing.append(str(folder))
    entries.sort(key=lambda e: (e["when"], e["name"]), reverse=True)
    return {"backups": entries, "missing": missing}


# -- preview and restore ----------------------------------------------------------------------
def _counts(conn: sqlite3.Connection) -> list[int | None]:
    found = []
    for _, sql in COUNTS:
        try:
            found.append(conn.execute(sql).fetchone()[0])
        except sqlite3.OperationalError:  # a backup from before that table existed
            found.append(None)
    return found


def _backup_school(conn: sqlite3.Connection) -> dict | None:
    try:
        row = conn.execute("SELECT code, name FROM school ORDER BY created_at LIMIT 1").fetchone()
    except sqlite3.OperationalError:
        return None
    return {"code": row[0], "name": row[1]} if row else None


def backup_preview(store: Store, backup_file: str | Path) -> dict:
    """What restoring this file would bring back, against the database as it is now.

    Refuses (with a message) an unfinished or damaged file, one that is not a school database of
    ours, and a backup of another school."""
    path = Path(backup_file)
    check_backup_file(path, store.schema)
    conn = connect_read_only(path)
    try:
        school = _backup_school(conn)
        theirs = _counts(conn)
        last = conn.execute("SELECT max(at) FROM batches").fetchone()[0]
    except sqlite3.DatabaseError:
        raise DataError(f"“{path.name}”不是本软件的备份文件，或已损坏、不完整，不能用来恢复。请换一份备份（如较早的自动备份）。") from None
    finally:
        conn.close()
    here = school_info(store)
    if school is None:
        raise DataError(f"备份“{path.name}”里没有登记学校信息，不是一所学校的备份，不能用来恢复。请选择本校的备份文件。")
    if here is not None and school["code"] != here["code"]:
        raise DataError(f"备份“{path.name}”是“{school['name']}”（学校标识码{school['code']}）的数据，"
                        f"不是本校“{here['name']}”（{here['code']}）的，不能恢复到这里。请选择本校的备份文件。")
    ours = _counts(store.conn)
    match = _STAMP.search(path.stem)
    taken = (dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S") if match
             else dt.datetime.fromtimestamp(path.stat().st_mtime))
    return {"file": str(path), "name": path.name, "school": school,
            "taken": taken.strftime("%Y-%m-%d %H:%M"), "last_change": (last or "")[:16].replace("T", " "),
            "counts": [{"label": label, "backup": b, "current": c} for (label, _), b, c in zip(COUNTS, theirs, ours)]}


def restore_school_backup(store: Store, backup_file: str | Path) -> str | None:
    """Restore a backup of this school (checked again as in the preview) after saving the current
    data as an automatic backup, whose path is returned; an older backup's schema is brought up to
    date."""
    from jiaoyuapp.school import open_school
    backup_preview(store, backup_file)
    safety = restore(store, backup_file)
    open_school(store.path, create=False).close()
    return safety
