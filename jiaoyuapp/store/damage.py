"""A damaged database file: which tables and indexes cannot be read, told without the data in them.

A bad sector, a stick pulled out while Windows was still writing, or a file copied half-way
leaves pages of junk in the school's database. SQLite then refuses every statement that touches
those pages ("database disk image is malformed") — its own `integrity_check` included, which
stops at the first unreadable page. So besides what `integrity_check` can say, each table and
each index is read once from end to end: whatever fails is damaged. Names only, never values.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from jiaoyuapp.errors import DatabaseError

CORRUPT_NAMES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def is_corruption(exc: BaseException) -> bool:
    """An SQLite error that means damaged pages, not a mistake of ours or a busy file."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    return name.startswith(CORRUPT_NAMES) or "malformed" in text or "not a database" in text


def corruption_error(path: str | Path | None, doing: str = "本次操作") -> DatabaseError:
    """What a teacher sees when a command runs into damaged pages."""
    name = f"“{Path(path).name}”" if path else ""
    return DatabaseError(
        f"学校数据库{name}有损坏的部分，{doing}没有完成（没有写入任何数据）。"
        "请检查数据库，看哪些内容损坏，再把还能读出的数据抢救到一个新文件（原文件保持不动）。", todo="check")


@dataclass
class Damage:
    """One table or index that cannot be read whole (or a problem SQLite reports elsewhere)."""
    kind: str                 # "table", "index" or "file"
    name: str                 # the table's or index's name ("" for the file)
    table: str = ""           # the table an index belongs to
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "table": self.table, "notes": self.notes}


def integrity_lines(conn: sqlite3.Connection, limit: int = 100) -> tuple[list[str], bool]:
    """The lines `integrity_check` gives before it stops (empty when healthy), and whether it
    had to stop at an unreadable page."""
    lines: list[str] = []
    cur = conn.execute(f"PRAGMA integrity_check({int(limit)})")
    while True:
        try:
            row = cur.fetchone()
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise
            return lines, True
        if row is None:
            break
        lines += str(row[0]).splitlines()
    lines = [x for x in lines if x.strip() and x.strip() != "*** in database main ***"]
    return ([] if lines == ["ok"] else lines), False


def _objects(conn: sqlite3.Connection) -> list[tuple[str, str, str, int, str]]:
    """(type, name, table, root page, sql) of every table and index with pages of its own."""
    return [tuple(r) for r in conn.execute(
        "SELECT type, name, tbl_name, rootpage, coalesce(sql, '') FROM sqlite_master "
        "WHERE type IN ('table', 'index') AND rootpage > 0 ORDER BY rootpage")]


def _reads_whole(conn: sqlite3.Connection, sql: str) -> bool | None:
    """True if every row reads, False at damaged pages, None when SQLite cannot run the probe
    (an index on expressions, a partial index)."""
    try:
        for _ in conn.execute(sql):
            pass
        return True
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return False
        if isinstance(exc, sqlite3.OperationalError):
            return None
        raise


def _index_probe(conn: sqlite3.Connection, index: str, table: str) -> str | None:
    cols = [f"[{r[2]}]" for r in conn.execute(f"PRAGMA index_info([{index}])")]
    if not cols or "[None]" in cols:
        return None
    return f"SELECT {', '.join(cols)} FROM [{table}] INDEXED BY [{index}] ORDER BY {', '.join(cols)}"


def describe(conn: sqlite3.Connection) -> list[Damage]:
    """Every damaged table and index, by name (empty when the file is healthy)."""
    try:
        objects = _objects(conn)
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        return [Damage("file", "", notes=["数据库的目录（记录有哪些表的部分）已损坏，表和索引都无法找到"])]
    lines, stopped = integrity_lines(conn)
    by_root = {root: (kind, name, table) for kind, name, table, root, _ in objects}
    found: dict[tuple[str, str], Damage] = {}

    def note(kind: str, name: str, table: str, text: str) -> None:
        d = found.setdefault((kind, name), Damage(kind, name, table))
        if text not in d.notes:
            d.notes.append(text)

    for kind, name, table, _, _ in objects:
        if kind == "table":
            probe = f"SELECT * FROM [{name}] NOT INDEXED"
        else:
            probe = _index_probe(conn, name, table)
        if probe and _reads_whole(conn, probe) is False:
            note(kind, name, table, "有无法读出的页面")
    for line in lines:
        m = re.search(r"(?:from|in) index (\S+)", line)
        if m:
            idx = m.group(1)
            note("index", idx, next((t for _, n, t, _, _ in objects if n == idx), ""), "与表中的记录不一致")
            continue
        m = re.match(r"(?:Tree|On tree page) (\d+)", line)
        if m and int(m.group(1)) in by_root:
            kind, name, table = by_root[int(m.group(1))]
            note(kind, name, table, "结构有错误")
            continue
        m = re.search(r"(?:NULL value|CHECK constraint failed) in (\w+)", line)
        if m:
            note("table", m.group(1), m.group(1), "有不符合约束的值")
            continue
        if not re.match(r"Page \d+: btreeInitPage", line):  # the unreadable page itself: found above
            note("file", "", "", "数据库文件的页面记录有错误（例如有未使用或重复使用的页）")
    if stopped and not found:
        note("file", "", "", "完整性检查在无法读出的页面处中止")
    return sorted(found.values(), key=lambda d: ({"table": 0, "index": 1, "file": 2}[d.kind], d.name))
