"""A full packet's data as a database: the snapshot.

A school's first packet (or one asked for in full) carries `snapshot.sqlite` instead of a changes
file: an empty database of the school's own schema holding its school-data tables, its change log
and batches up to the packet's last entry, and the students' search keys — nothing local (no
keys, no settings, no packet records, no photos: those travel as the packet's attachments). At a
center that has no copy of the school yet, the snapshot, once checked, becomes the copy: written
once, like a file copy, instead of rebuilt record by record. A center that already has a copy
turns the snapshot back into changes and merges them like any packet.

The log is the truth; the snapshot only saves time. So before a snapshot is used (after the
packet's signature and hashes), it must pass SQLite's integrity and foreign-key checks; its
schema must be exactly the one this program makes at the school's schema level (no extra table,
view or trigger); the tables that are not school data must be empty; its log must be numbered
1…N without a gap, N being what the signed manifest says; and every school-data table must equal
the replay of that log, record for record and field for field.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

from jiaoyuapp.exchange.changes_file import MAX_NAME, Malformed, check_rows, check_text, judge, read_only_uri, readable

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
        from jiaoyuapp.work_folders import work_folder
        with work_folder("空库") as work:
            with contextlib.closing(sqlite3.connect(work / "empty.db")) as conn:
                conn.execute("PRAGMA page_size = 8192")
                conn.execute("VACUUM")
            open_school(work / "empty.db", stop_before=stop_before).close()
            with contextlib.closing(sqlite3.connect(work / "empty.db", isolation_level=None)) as conn:
                conn.execute("PRAGMA journal_mode=DELETE")
            _EMPTY[stop_before] = (work / "empty.db").read_bytes()
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


def check_snapshot(path: Path, *, migrations: list[str], schema, log_to: int) -> None:
    """Raise Malformed unless the snapshot at `path` is exactly what this program writes, and
    its tables are what its own log says. `schema` is this program's (its school tables)."""
    known = schema.migration_names()
    level = migrations[-1] if migrations else None
    if level not in known:
        raise Malformed("的数据格式版本不明")
    nxt = known[known.index(level) + 1] if known.index(level) + 1 < len(known) else None
    ours = _schema_of(empty_database(nxt))
    try:
        with contextlib.closing(_open_untrusted(path)) as conn:
            # the schema first: nothing the file defines may run before it is known to be ours
            if set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")) != ours:
                raise Malformed("的结构与本软件不符")
            if [r[0] for r in conn.execute("PRAGMA integrity_check")] != ["ok"]:
                raise Malformed("已损坏（完整性检查未通过）")
            if conn.execute("PRAGMA foreign_key_check").fetchone():
                raise Malformed("中有记录引用了不存在的记录")
            _same_as_written(conn, schema, migrations, log_to)
            for table in schema.school_tables:
                _table_matches(conn, table)
    except sqlite3.DatabaseError:
        raise Malformed("已损坏") from None
    except (ValueError, TypeError, AttributeError, RecursionError):  # checked before; a second line
        raise Malformed("中的变更记录格式不对") from None


def _same_as_written(conn: sqlite3.Connection, schema, migrations: list[str], log_to: int) -> None:
    """Migrations, nothing local, the log numbered 1…log_to, each entry's own columns and its text."""
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    if applied != migrations:
        raise Malformed("的结构与本软件不符")
    carried = set(schema.school_tables) | set(LOG_TABLES) | set(DERIVED) | {"_sqlite_migrations", "sqlite_sequence"}
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        if table not in carried and conn.execute(f"SELECT 1 FROM [{table}] LIMIT 1").fetchone():
            raise Malformed(f"含有不应有的内容（{table}）")
    count, last = conn.execute("SELECT count(*), coalesce(max(seq), 0) FROM change_log").fetchone()
    sequence = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'change_log'").fetchone()
    if (count, last) != (log_to, log_to) or (sequence[0] if sequence else 0) != log_to:
        raise Malformed(f"中的变更编号与清单不符（清单：第1–{log_to}条）")
    columns = {t: [r[1] for r in conn.execute(f"PRAGMA table_info([{t}])")] for t in schema.school_tables}
    check_rows(conn, "change_log", "record_uuid", columns)
    check_text(conn, "change_log")
    readable(conn, "SELECT * FROM batches")
    readable(conn, "SELECT * FROM student_search")
    if conn.execute("SELECT count(*) FROM batches WHERE length(actor) > 200 OR length(summary) > 1000 "
                    "OR length(kind) > 100").fetchone()[0]:
        raise Malformed("中的变更批次格式不对")


def _open_untrusted(path: Path) -> sqlite3.Connection:
    """A read-only connection to a database file that came from outside: its schema may run no
    function, and every cell's size is checked as it is read."""
    conn = sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None)
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")
    conn.execute("PRAGMA mmap_size = 0")
    return conn


def _canonical(cols: list[str]) -> str:
    """SQL for the text Batch logs for inserting row `t`: {"col":[null,value],…} over its non-null
    columns in table order, rendered as Python's json.dumps renders them (for the values a school
    writes; anything rendered otherwise is simply judged the slow way)."""
    parts = " || ".join(f"CASE WHEN t.[{c}] IS NOT NULL THEN '\"{c}\":[null,' || json_quote(t.[{c}]) || '],' "
                        "ELSE '' END" for c in cols)
    return f"('{{' || rtrim({parts}, ',') || '}}')"


def _table_matches(conn: sqlite3.Connection, table: str) -> None:
    """`table` equals the replay of the log, or Malformed. A record whose only entry is its insert
    (nearly all) passes when that entry is, to the character, the text Batch writes for the row as
    it is — which proves the entry well formed and the row its replay in one comparison. Every other
    record (updated, deleted, or not matching so) is read in Python, a few hundred at a time, its
    entries judged value by value and replayed."""
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])") if r[1] != "uuid"]
    long_name = "OR length(t.name) > :name" if "name" in cols else ""
    conn.execute("DROP TABLE IF EXISTS temp.replayed")
    conn.execute("CREATE TEMP TABLE replayed (uuid TEXT PRIMARY KEY, simple INTEGER) WITHOUT ROWID")
    conn.execute("INSERT OR IGNORE INTO temp.replayed SELECT record_uuid, 0 FROM change_log "
                 "WHERE tbl = ? AND op != 'insert'", (table,))
    n_simple = conn.execute("SELECT count(*) FROM change_log l WHERE l.tbl = ? AND l.op = 'insert' "
                            "AND l.record_uuid NOT IN (SELECT uuid FROM temp.replayed)", (table,)).fetchone()[0]
    conn.execute(f"INSERT OR IGNORE INTO temp.replayed SELECT l.record_uuid, 1 FROM change_log l "
                 f"LEFT JOIN [{table}] t ON t.uuid = l.record_uuid WHERE l.tbl = :t AND l.op = 'insert' "
                 f"AND l.record_uuid NOT IN (SELECT uuid FROM temp.replayed) "
                 f"AND (t.uuid IS NULL OR l.changes IS NOT {_canonical(cols)} {long_name})",
                 {"t": table, "name": MAX_NAME})
    columns = {table: ["uuid", *cols]}
    live = n_simple
    for chunk in _chunks(conn.execute("SELECT uuid, simple FROM temp.replayed")):
        uuids = [u for u, _ in chunk]
        judge(conn, "change_log", {s for (s,) in conn.execute(
            "SELECT seq FROM change_log WHERE tbl = ? AND record_uuid IN (SELECT value FROM json_each(?))",
            (table, json.dumps(uuids)))}, columns)
        expected = _replay(conn, table, cols, uuids)
        if expected != _rows(conn, table, cols, uuids):
            raise Malformed(f"中的数据表 {table} 与它自己的变更记录不一致")
        live += sum(1 for u, simple in chunk if u in expected and not simple)
    if conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0] != live:
        raise Malformed(f"中的数据表 {table} 与它自己的变更记录不一致")
    conn.execute("DROP TABLE temp.replayed")


def _chunks(cursor, size: int = 500):
    while rows := cursor.fetchmany(size):
        yield rows


def _replay(conn: sqlite3.Connection, table: str, cols: list[str], uuids: list[str]) -> dict[str, dict]:
    """These records as the log leaves them (deleted ones absent). A log that inserts a record
    twice, or changes or deletes one it never inserted, is not one a school writes."""
    rows: dict[str, dict] = {}
    for start in range(0, len(uuids), 500):
        part = uuids[start:start + 500]
        for uid, op, changes in conn.execute(
                f"SELECT record_uuid, op, changes FROM change_log WHERE tbl = ? AND record_uuid IN "
                f"({', '.join('?' * len(part))}) ORDER BY seq", [table, *part]):
            fields = json.loads(changes)
            if (op == "insert") == (uid in rows):
                raise Malformed(f"中的变更记录前后矛盾（数据表 {table}）")
            if op == "insert":
                rows[uid] = {k: new for k, (_, new) in fields.items()}
            elif op == "update":
                rows[uid].update({k: new for k, (_, new) in fields.items()})
            else:
                del rows[uid]
    return {uid: {c: row.get(c) for c in cols} for uid, row in rows.items()}


def _rows(conn: sqlite3.Connection, table: str, cols: list[str], uuids: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    names = ", ".join(f"[{c}]" for c in cols)
    for start in range(0, len(uuids), 500):
        part = uuids[start:start + 500]
        for uid, *values in conn.execute(f"SELECT uuid, {names} FROM [{table}] WHERE uuid IN "
                                         f"({', '.join('?' * len(part))})", part):
            found[uid] = dict(zip(cols, values))
    return found


def _schema_of(data: bytes) -> set[tuple]:
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.deserialize(data)
        return set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
