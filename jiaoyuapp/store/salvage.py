"""Salvage: copy what can still be read from a damaged database into a new file.

The new file is made like any school database (this version's schema and migrations), then
filled table by table. A table is read in rowid order; where a read runs into a damaged page,
the rows around it are found by seeking (`rowid >= x LIMIT 1` descends the b-tree to one leaf
only), and the rowid span that no seek can reach is given up. Rows of school data that were lost
are then rebuilt from the change log, which holds every field of every change (where the log
itself was readable); derived data (the search keys) is recomputed by the schema's own hooks.
Nothing is ever written to the damaged file: it is opened read-only and kept as it is.

Why not SQLite's own recovery (the `sqlite3` shell's `.recover`)? Python's sqlite3 module has no
recovery API, the Windows install has no `sqlite3` shell, and shipping one (APSW's wheels carry
one) would add a separate program to bundle and call. This reader needs only the SQLite the app
already has, on Windows as on the .deb, gives back exactly this version's schema, and can count
what each table lost. What it cannot do is read rows out of the damaged page itself, or find
leaf pages cut off below a damaged interior page; those rows come back from the change log.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from jiaoyuapp.atomic_write import fsync_dir
from jiaoyuapp.disk_space import full_error, require_free
from jiaoyuapp.errors import DataError, UsageError
from jiaoyuapp.store.backup_folders import BackupFolder, remove_with_journals
from jiaoyuapp.store.connection import Schema, applied_migrations, open_store, out_of_room
from jiaoyuapp.store.damage import integrity_lines, is_corruption
from jiaoyuapp.store.read_only import connect_read_only

CHUNK = 500
MAX_PROBES = 20_000  # seeks per damaged span before the rest of it is given up
MAX_ROWID = (1 << 63) - 1
SKIP_TABLES = ("_sqlite_migrations", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4")


@dataclass
class TableSalvage:
    """What became of one table: rows it should have held, read, rebuilt from the log, lost."""
    name: str
    label: str = ""
    expected: int | None = None  # from the table itself when readable, else an index, else the log
    copied: int = 0
    rebuilt: int = 0
    damaged: bool = False        # some part of it could not be read

    @property
    def lost(self) -> int | None:
        if self.expected is None:
            return None if self.damaged else 0
        return max(self.expected - self.copied - self.rebuilt, 0)

    def as_dict(self) -> dict:
        return {"table": self.name, "label": self.label, "expected": self.expected, "copied": self.copied,
                "rebuilt_from_log": self.rebuilt, "lost": self.lost, "damaged": self.damaged}


@dataclass
class SalvageReport:
    out: Path
    tables: list[TableSalvage] = field(default_factory=list)
    orphans: dict[str, int] = field(default_factory=dict)  # table -> rows that refer to a lost row

    @property
    def losses(self) -> list[TableSalvage]:
        return [t for t in self.tables if t.lost != 0]

    def as_dict(self) -> dict:
        return {"out": str(self.out), "tables": [t.as_dict() for t in self.tables if t.damaged or t.lost or t.rebuilt],
                "lost": {t.name: t.lost for t in self.losses}, "orphans": self.orphans,
                "rows": sum(t.copied + t.rebuilt for t in self.tables)}


def _corrupt(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and is_corruption(exc)


class _TableReader:
    """Every readable row of one table, in rowid order, stepping around damaged pages."""

    def __init__(self, conn: sqlite3.Connection, table: str, cols: list[str]):
        self.conn = conn
        self.select = f"SELECT rowid, {', '.join(f'[{c}]' for c in cols)} FROM [{table}]"
        self.damaged = False

    def _seek(self, x: int):
        """The first row at or after rowid x; None past the end; raises on a damaged page."""
        return self.conn.execute(self.select + " WHERE rowid >= ? ORDER BY rowid LIMIT 1", (x,)).fetchone()

    def _chunk(self, x: int) -> list:
        return self.conn.execute(self.select + " WHERE rowid >= ? ORDER BY rowid LIMIT ?", (x, CHUNK)).fetchall()

    def rows(self) -> Iterator[tuple]:
        x = -MAX_ROWID - 1
        while True:
            try:
                chunk = self._chunk(x)
            except sqlite3.DatabaseError as exc:
                if not _corrupt(exc):
                    raise
                chunk = None
            if chunk is not None:
                yield from chunk
                if len(chunk) < CHUNK:
                    return
                x = chunk[-1][0] + 1
                continue
            # Somewhere in the next CHUNK rows is a page that cannot be read: go row by row.
            for _ in range(CHUNK):
                try:
                    row = self._seek(x)
                except sqlite3.DatabaseError as exc:
                    if not _corrupt(exc):
                        raise
                    self.damaged = True
                    x = self._past_damage(x)
                    if x is None:
                        return
                    continue
                if row is None:
                    return
                yield row
                if row[0] >= MAX_ROWID:
                    return
                x = row[0] + 1

    def _readable(self, x: int) -> bool:
        try:
            self._seek(x)
            return True
        except sqlite3.DatabaseError as exc:
            if not _corrupt(exc):
                raise
            return False

    def _past_damage(self, x: int) -> int | None:
        """The smallest rowid after x from which a seek works again (None: none up to the end).
        Steps ahead by doubling, then narrows down by halves."""
        step, bad, good = 1, x, None
        while good is None:
            candidate = min(x + step, MAX_ROWID)
            if self._readable(candidate):
                good = candidate
            elif candidate == MAX_ROWID:
                return None
            else:
                bad = candidate
                step *= 2
        probes = 0
        while good - bad > 1 and probes < MAX_PROBES:
            probes += 1
            mid = (bad + good) // 2
            if self._readable(mid):
                good = mid
            else:
                bad = mid
        return good


def _source(path: Path) -> sqlite3.Connection:
    conn = connect_read_only(path)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]


def _rowid_alias(conn: sqlite3.Connection, table: str) -> bool:
    info = list(conn.execute(f"PRAGMA table_info([{table}])"))
    pks = [r for r in info if r[5]]
    return len(pks) == 1 and str(pks[0][2]).upper() == "INTEGER"


def _count_by_index(conn: sqlite3.Connection, table: str) -> int | None:
    """The table's row count read from one of its indexes (each holds one entry per row)."""
    for _, name, _, _, partial in conn.execute(f"PRAGMA index_list([{table}])"):
        if partial:
            continue
        try:
            return conn.execute(f"SELECT count(*) FROM [{table}] INDEXED BY [{name}]").fetchone()[0]
        except sqlite3.DatabaseError:
            continue
    return None


def _logged_live(conn: sqlite3.Connection, table: str) -> set[str] | None:
    """The records of a school table that the change log says exist (None if it cannot be read)."""
    try:
        rows = conn.execute(
            "SELECT record_uuid, op FROM change_log WHERE seq IN "
            "(SELECT max(seq) FROM change_log WHERE tbl = ? GROUP BY record_uuid)", (table,)).fetchall()
    except sqlite3.DatabaseError:
        return None
    return {uid for uid, op in rows if op != "delete"}


def _replay_one(conn: sqlite3.Connection, table: str, uid: str) -> dict | None:
    row: dict | None = None
    for op, changes in conn.execute("SELECT op, changes FROM change_log WHERE tbl = ? AND record_uuid = ? "
                                    "ORDER BY seq", (table, uid)):
        fields = json.loads(changes)
        if op == "insert":
            row = {k: new for k, (_, new) in fields.items()}
        elif op == "update":
            row = (row or {}) | {k: new for k, (_, new) in fields.items()}
        else:
            row = None
    return row


def salvage(source: str | Path, out: str | Path, schema: Schema,
            progress: Callable[[int, int, str], None] | None = None) -> SalvageReport:
    """Copy everything readable from the damaged database `source` into the new file `out`
    (written under a temporary name and renamed when complete); `source` is never written."""
    source, out = Path(source), Path(out)
    progress = progress or (lambda *a: None)
    if out.suffix.lower() != ".db":
        raise UsageError("抢救出的新文件请以 .db 结尾，例如 抢救_红岩村小学.db")
    if out.exists() or out.resolve() == source.resolve():
        raise UsageError(f"“{out}”已经存在。抢救不会覆盖任何文件，请换一个新文件名。")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"无法创建文件夹“{out.parent}”：{exc.strerror}。请换一个位置。") from None
    size = source.stat().st_size
    require_free(out.parent, size)
    # Held like a backup's: a killed salvage's .part is cleared at the next start, and never while written.
    with BackupFolder(out.parent):
        return _salvage_into(source, out, schema, progress, size)


def _salvage_into(source: Path, out: Path, schema: Schema, progress, size: int) -> SalvageReport:
    tmp = out.with_name(out.name + ".part")
    remove_with_journals(tmp)
    src = _source(source)
    report = SalvageReport(out)
    try:
        pending = _pending_migrations(src, schema)
        # The new file starts at the damaged one's schema, so that its rows fit; the migrations it
        # had not had yet then run over the salvaged rows as they would have over the original.
        dst = open_store(tmp, schema, stop_before=pending[0] if pending else None)
        try:
            _fill(src, dst.conn, schema.labels, report, progress)
            _rebuild_from_log(src, dst.conn, schema, report)
        finally:
            dst.close()
        dst = open_store(tmp, schema)
        try:
            _recompute_derived(dst.conn, schema)
            report.orphans = _orphans(dst.conn)
            dst.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            dst.conn.execute("PRAGMA journal_mode=DELETE")
            if integrity_lines(dst.conn) != ([], False):
                raise DataError("抢救出的新文件没有通过完整性检查（存放它的磁盘可能也有问题）。请换一个位置再试。")
        finally:
            dst.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except (OSError, sqlite3.Error) as exc:
        remove_with_journals(tmp)
        if out_of_room(exc, out.parent):
            raise full_error(out.parent, size, done="抢救没有完成，没有留下不完整的文件，原数据库文件没有改动") from None
        if _corrupt(exc):
            raise DataError("数据库的目录（记录有哪些表的部分）已损坏，无法抢救。请从备份恢复。") from None
        raise
    except BaseException:
        remove_with_journals(tmp)
        raise
    finally:
        src.close()
    return report


def _pending_migrations(src: sqlite3.Connection, schema: Schema) -> list[str]:
    known = schema.migration_names()
    try:
        applied = applied_migrations(src, schema.migrations.name)
    except sqlite3.DatabaseError:
        return []
    if any(a not in known for a in applied):
        raise DataError("这个数据库是用更新版本的软件建立的，请先把软件升级到最新版本再抢救。")
    return [m for m in known if m not in applied] if applied else []


def _fill(src: sqlite3.Connection, dst: sqlite3.Connection, labels: dict[str, str],
          report: SalvageReport, progress) -> None:
    tables = [(name, sql) for name, sql in src.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND rootpage > 0 ORDER BY rootpage")
        if name not in SKIP_TABLES and not name.startswith("sqlite_")]
    have = {r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    dst.execute("PRAGMA foreign_keys = OFF")
    dst.execute("BEGIN IMMEDIATE")
    for n, (table, sql) in enumerate(tables):
        progress(n, len(tables), "读出数据")
        if table not in have:
            dst.execute(sql)  # a table this version does not make: keep it as it was
        report.tables.append(_copy_table(src, dst, table, labels.get(table, "")))
    _keep_sequences(src, dst)
    dst.execute("COMMIT")
    progress(len(tables), len(tables), "从变更日志补回")


def _orphans(dst: sqlite3.Connection) -> dict[str, int]:
    found: dict[str, int] = {}
    for table, *_ in dst.execute("PRAGMA foreign_key_check"):
        found[table] = found.get(table, 0) + 1
    return found


def _copy_table(src: sqlite3.Connection, dst: sqlite3.Connection, table: str, label: str) -> TableSalvage:
    result = TableSalvage(table, label)
    theirs = _columns(src, table)
    cols = [c for c in _columns(dst, table) if c in theirs]
    alias = _rowid_alias(dst, table)
    names = cols if alias else ["rowid", *cols]
    insert = f"INSERT OR IGNORE INTO [{table}] ({', '.join(f'[{c}]' for c in names)}) VALUES ({', '.join('?' * len(names))})"
    dst.execute(f"DELETE FROM [{table}]")  # rows the migrations put in (defaults) give way to the school's
    reader = _TableReader(src, table, cols)
    batch = []
    for row in reader.rows():
        batch.append(row[1:] if alias else row)
        if len(batch) >= CHUNK:
            result.copied += _insert(dst, insert, batch)
            batch = []
    result.copied += _insert(dst, insert, batch)
    result.damaged = reader.damaged
    result.expected = _count_by_index(src, table) if reader.damaged else result.copied
    return result


def _insert(dst: sqlite3.Connection, sql: str, rows: list) -> int:
    before = dst.total_changes
    dst.executemany(sql, rows)
    return dst.total_changes - before


def _keep_sequences(src: sqlite3.Connection, dst: sqlite3.Connection) -> None:
    """AUTOINCREMENT numbers are never reused, even those of rows that were lost."""
    try:
        seqs = src.execute("SELECT name, seq FROM sqlite_sequence").fetchall()
    except sqlite3.DatabaseError:
        return
    for name, seq in seqs:
        if dst.execute("SELECT 1 FROM sqlite_sequence WHERE name = ?", (name,)).fetchone():
            dst.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (seq, name))
        elif dst.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone():
            dst.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq))


def _rebuild_from_log(src: sqlite3.Connection, dst: sqlite3.Connection, schema: Schema,
                      report: SalvageReport) -> None:
    """Rows of school data that the log says exist but that could not be read: rebuilt from their
    logged changes — from the log copied into the new file, and from the damaged file's own where
    the copy lacks a record's entries."""
    by_name = {t.name: t for t in report.tables}
    dst.execute("PRAGMA foreign_keys = OFF")
    dst.execute("BEGIN IMMEDIATE")
    for table in schema.school_tables:
        result = by_name.get(table)
        if result is None:
            continue
        logs = {conn: live for conn in (dst, src) if (live := _logged_live(conn, table)) is not None}
        if not logs:
            continue
        live = set().union(*logs.values())
        if result.damaged and result.expected is None:
            result.expected = len(live)
        present = {r[0] for r in dst.execute(f"SELECT uuid FROM [{table}]")}
        cols = set(_columns(dst, table))
        for uid in sorted(live - present):
            row = None
            for conn in logs:
                try:
                    row = _replay_one(conn, table, uid)
                except sqlite3.DatabaseError:
                    row = None
                if row is not None:
                    break
            if row is None:
                continue
            values = {k: v for k, v in row.items() if k in cols} | {"uuid": uid}
            try:
                dst.execute(f"INSERT INTO [{table}] ({', '.join(f'[{k}]' for k in values)}) "
                            f"VALUES ({', '.join('?' * len(values))})", list(values.values()))
            except sqlite3.IntegrityError:
                continue  # clashes with a row that was read (a unique key): the row read is kept
            result.rebuilt += 1
    dst.execute("COMMIT")


def _recompute_derived(dst: sqlite3.Connection, schema: Schema) -> None:
    """Search keys and the like, recomputed by the schema's hooks from the rows now in the file."""
    dst.execute("BEGIN IMMEDIATE")
    for table, hooks in schema.hooks.items():
        touched = [("update", table, r[0]) for r in dst.execute(f"SELECT uuid FROM [{table}]")]
        for hook in hooks:
            hook(dst, touched)
    dst.execute("COMMIT")
