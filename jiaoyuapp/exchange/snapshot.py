"""A full packet's data as a database: the snapshot.

A school's first packet (or one asked for in full) carries `snapshot.sqlite` instead of a list of
changes: an empty database of the school's own schema holding its school-data tables, its change
log and batches up to the packet's last entry, and the students' search keys — nothing local (no
keys, no settings, no packet records, no photos: those travel as the packet's attachments). At a
center that has no copy of the school yet, the snapshot, once checked, becomes the copy: written
once, like a file copy, instead of rebuilt record by record. A center that already has a copy
turns the snapshot back into changes and merges them like any packet.

Checks before a snapshot is used: the packet's hashes and signature (township), then here: the
schema is exactly the one this program makes at the school's schema level (no extra table, view
or trigger), the tables that are not school data are empty, and the log ends where the manifest
says.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from pathlib import Path

SNAPSHOT_DB = "snapshot.sqlite"
# What a snapshot carries besides the school-data tables.
LOG_TABLES = ("batches", "change_log")
DERIVED = ("student_search",)
_EMPTY: dict[str | None, bytes] = {}


def empty_database(stop_before: str | None = None) -> bytes:
    """An empty school database with every migration applied (or those before `stop_before`),
    as bytes, made once per process. Rollback journal, 8 KiB pages: a copy is written in bulk,
    and larger pages make its B-trees shallower and its writes fewer."""
    if stop_before not in _EMPTY:
        from jiaoyuapp.school import open_school
        work = Path(tempfile.mkdtemp(prefix="jiaoyu-empty-"))
        try:
            with contextlib.closing(sqlite3.connect(work / "empty.db")) as conn:
                conn.execute("PRAGMA page_size = 8192")
                conn.execute("VACUUM")
            open_school(work / "empty.db", stop_before=stop_before).close()
            with contextlib.closing(sqlite3.connect(work / "empty.db", isolation_level=None)) as conn:
                conn.execute("PRAGMA journal_mode=DELETE")
            _EMPTY[stop_before] = (work / "empty.db").read_bytes()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return _EMPTY[stop_before]


def write_snapshot(store, path: Path) -> int:
    """Write the school's snapshot to `path`, all read in one transaction; returns the last log
    entry it holds."""
    path.write_bytes(empty_database())
    conn = store.conn
    conn.execute("ATTACH DATABASE ? AS snap", (str(path),))
    try:
        conn.execute("BEGIN")
        try:
            log_to = conn.execute("SELECT coalesce(max(seq), 0) FROM main.change_log").fetchone()[0]
            for table in store.schema.school_tables + LOG_TABLES + DERIVED:
                cols = ", ".join(f"[{r[1]}]" for r in conn.execute(f"PRAGMA main.table_info([{table}])"))
                conn.execute(f"INSERT INTO snap.[{table}] ({cols}) SELECT {cols} FROM main.[{table}]"
                             + (" WHERE seq <= :to" if table == "change_log" else
                                " WHERE first_seq <= :to" if table == "batches" else ""), {"to": log_to})
            conn.execute("DELETE FROM snap.sqlite_sequence WHERE name = 'change_log'")
            conn.execute("INSERT INTO snap.sqlite_sequence (name, seq) VALUES ('change_log', ?)", (log_to,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE snap")
    return log_to


def check_snapshot(path: Path, *, migrations: list[str], known: list[str], school_tables: tuple[str, ...],
                   log_to: int) -> None:
    """Refuse (PacketError) a snapshot that is not exactly what this program writes."""
    from jiaoyuapp.exchange.container import PacketError
    refuse = "数据包中的数据库文件{}，已拒收。请让学校用本软件重新导出。"
    level = migrations[-1] if migrations else None
    nxt = known[known.index(level) + 1] if level in known and known.index(level) + 1 < len(known) else None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            ours = _schema_of(empty_database(nxt))
            theirs = set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
            applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
            if theirs != ours or applied != migrations:
                raise PacketError(refuse.format("的结构与本软件不符"))
            carried = set(school_tables) | set(LOG_TABLES) | set(DERIVED) | {"_sqlite_migrations", "sqlite_sequence"}
            for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                if table not in carried and conn.execute(f"SELECT 1 FROM [{table}] LIMIT 1").fetchone():
                    raise PacketError(refuse.format(f"含有不应有的内容（{table}）"))
            last = conn.execute("SELECT max(seq) FROM change_log").fetchone()[0] or 0
            named = {r[0] for r in conn.execute("SELECT DISTINCT tbl FROM change_log")}
            if last != log_to or named - set(school_tables):
                raise PacketError(refuse.format("与清单不一致"))
    except sqlite3.DatabaseError:
        raise PacketError(refuse.format("已损坏")) from None


def _schema_of(data: bytes) -> set[tuple]:
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.deserialize(data)
        return set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


def as_changes(path: Path, school_tables: tuple[str, ...]) -> bytes:
    """The snapshot as a changes file (what a packet of changes carries), for a center that already
    has a copy and must merge."""
    from jiaoyuapp.exchange.packet_export import fill_changes_db
    with contextlib.closing(sqlite3.connect(":memory:", isolation_level=None)) as conn:
        conn.execute("ATTACH DATABASE ? AS snap", (f"file:{path}?mode=ro",))
        conn.execute("CREATE TABLE changes (seq INTEGER PRIMARY KEY, batch TEXT, tbl TEXT, uuid TEXT, "
                     "op TEXT, changes TEXT, actor TEXT, at TEXT)")
        conn.execute("INSERT INTO changes SELECT c.seq, b.uuid, c.tbl, c.record_uuid, c.op, c.changes, "
                     "coalesce(c.actor, b.actor), coalesce(c.at, b.at) FROM snap.change_log c "
                     "JOIN snap.batches b ON b.id = c.batch ORDER BY c.seq")
        fill_changes_db(conn, "main", "snap", school_tables)
        conn.execute("DETACH DATABASE snap")
        return conn.serialize()
