"""Opening a school's database file: pragmas, migrations, refusing newer files."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from jiaoyuapp.disk_space import free_bytes, full_error, is_disk_full
from jiaoyuapp.errors import DatabaseError, SchemaTooNewError
from jiaoyuapp.store.damage import corruption_error, is_corruption
from jiaoyuapp.store.migration_list import Migrations
from jiaoyuapp.store.writes import Batch

# A hook gets the open connection and the (op, table, uuid) triples of one batch,
# inside its transaction; it maintains derived data such as search indexes.
WriteHook = Callable[[sqlite3.Connection, list[tuple[str, str, str]]], None]


@dataclass
class Schema:
    """What a store needs to know about the schema: its migrations and which
    tables hold school data (every write to those goes through the change log)."""

    migrations: Migrations
    school_tables: tuple[str, ...]
    hooks: dict[str, list[WriteHook]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # table -> what a teacher calls it (check, salvage)

    def migration_names(self) -> list[str]:
        return self.migrations.names()


# What SQLite needs beside the file to work at all: its write-ahead log grows to about a thousand
# pages before it is folded back into the file, plus the shared-memory index.
ROOM_TO_WORK = 1000 * 4096 + (64 << 10)


def out_of_room(exc: BaseException, path: Path) -> bool:
    """A failure that comes from a full disk. SQLite reports some as I/O errors (it cannot grow
    its shared-memory file) rather than as "disk is full"; then the free space decides."""
    if is_disk_full(exc):
        return True
    name = getattr(exc, "sqlite_errorname", "") or ""
    if isinstance(exc, OSError) or name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
        free = free_bytes(path)
        return free is not None and free < ROOM_TO_WORK
    return False


def disk_full_error(path: Path, done: str = "本次操作没有写入任何数据（原有数据完好）") -> Exception:
    """Where the school database lives and how much room it needs; never a hint to restore a backup
    (a full disk damages nothing, and an older backup would put older data over newer)."""
    wal = Path(str(path) + "-wal")
    grown = wal.stat().st_size if wal.exists() else 0
    return full_error(Path(path).parent, max(ROOM_TO_WORK, 2 * grown), done=done)


def _companions(path: Path) -> list[Path]:
    return [Path(str(path) + s) for s in ("-wal", "-shm")]


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in the write path).
    had = {p for p in [path, *_companions(path)] if p.exists()}
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=15, check_same_thread=False)
    try:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        conn.close()
        if out_of_room(exc, path):
            for p in [path, *_companions(path)]:  # what SQLite began just now and could not fill
                if p not in had and p.exists() and (p.name.endswith("-shm") or p.stat().st_size == 0):
                    p.unlink(missing_ok=True)
            raise disk_full_error(path, done="数据库没有打开，里面的数据完好，没有任何改动") from None
        if "not a database" in str(exc).lower():
            raise DatabaseError(
                f"文件“{path.name}”不是本软件的数据库（文件开头不是数据库的格式）。"
                "请确认选择的是学校数据库文件（以 .db 结尾）；如果它确是学校数据库，说明文件开头已损坏，"
                "本软件无法读出，只能从备份恢复。") from None
        if is_corruption(exc):
            raise corruption_error(path, "打开数据库") from None
        raise DatabaseError(f"无法打开数据库“{path.name}”（{exc}）。请确认文件在本机可写的磁盘上，"
                            "并且没有被其他程序独占。") from None
    if mode.lower() != "wal":
        conn.close()
        raise DatabaseError(
            f"无法以 WAL 模式打开“{path.name}”（当前为 {mode}）。"
            "数据库需要放在可写的本地磁盘上，请不要直接在光盘或只读U盘上打开。"
        )
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA temp_store=MEMORY")  # staging tables of a merge are small; spare the disk
    # A large write (a packet merged, a roster imported) touches several indexes at random places;
    # with SQLite's default 2 MB cache its dirty pages spill to the WAL before commit and are
    # written twice. 64 MB is taken only as a transaction needs it.
    conn.execute("PRAGMA cache_size = -65536")
    return conn


class Store:
    """An open school database. Reads are free; writes go through `write()`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, schema: Schema):
        self.path = path
        self.conn = conn
        self.schema = schema
        self._batch: Batch | None = None

    # -- reading -----------------------------------------------------------
    def rows(self, sql: str, params=()) -> Iterator[dict]:
        """Rows as dicts, one at a time (for ledgers too long to hold in memory)."""
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(cols, row))

    def query(self, sql: str, params=()) -> list[dict]:
        return list(self.rows(sql, params))

    def scalar(self, sql: str, params=()):
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def get(self, table: str, uuid: str) -> dict | None:
        rows = self.query(f"SELECT * FROM [{table}] WHERE uuid = ?", (uuid,))
        return rows[0] if rows else None

    # -- writing -----------------------------------------------------------
    @contextmanager
    def write(self, kind: str, actor: str = "", summary: str = "", *, bulk: bool = False) -> Iterator[Batch]:
        """The one write path: a transaction that logs every change it makes.

        Nested calls join the outer batch, so composed operations stay atomic. `bulk` (a whole
        roster imported): when no other connection has the database open, the transaction goes
        through a rollback journal instead of the WAL, so its pages — tens of megabytes, mostly
        new — are written once, into the file, instead of twice (into the WAL, then copied into the
        file by the checkpoint); the journal keeps it all-or-nothing just the same, and the
        database is back in WAL mode before this returns. With another connection open (the
        window reading while its worker imports), SQLite keeps the WAL, and so do we.
        """
        if self._batch is not None:
            yield self._batch
            return
        journal = bulk and self._rollback_journal()
        try:
            with self._transaction():
                batch = Batch(self, kind, actor, summary)
                self._batch = batch
                try:
                    batch.open()
                    yield batch
                    batch.close()
                finally:
                    self._batch = None
        finally:
            if journal:
                self._back_to_wal()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any failure; SQLite's errors a user can act
        on said in Chinese."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise _friendly(exc, self.path) from None
        try:
            yield
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise _friendly(exc, self.path) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback_journal(self) -> bool:
        """Leave WAL mode for one large transaction, if this is the only connection."""
        try:
            return self.conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0].lower() == "delete"
        except sqlite3.DatabaseError:
            return False    # busy, or the WAL could not be emptied: stay in WAL mode

    def _back_to_wal(self) -> None:
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError:
            pass            # every later open sets WAL mode again before anything else

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite has already rolled back (a full disk or damaged pages can do that)

    @contextmanager
    def local(self) -> Iterator[sqlite3.Connection]:
        """A transaction for this machine's own bookkeeping (keys, packet state) — tables that are
        not school data, so they are neither logged nor shipped. School data never goes here."""
        if self._batch is not None or self.conn.in_transaction:
            yield self.conn
            return
        with self._transaction():
            yield self.conn

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _friendly(exc: sqlite3.DatabaseError, path: Path) -> Exception:
    """SQLite's write failures that a user can act on, in Chinese; anything else unchanged."""
    text = str(exc).lower()
    if out_of_room(exc, path):
        return disk_full_error(path)
    if is_corruption(exc):
        return corruption_error(path)
    if not isinstance(exc, sqlite3.OperationalError):
        return exc
    if "locked" in text or "busy" in text:
        return DatabaseError("数据库正被另一个程序使用（例如另一个窗口正在导入或备份），本次没有写入。请稍等片刻再试。")
    if "readonly" in text or "read-only" in text:
        return DatabaseError("数据库文件是只读的，不能写入。请把它复制到本机硬盘上再打开，或检查文件权限。")
    return exc


def run_script(conn: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the current transaction (executescript would commit)."""
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        conn.execute(pending)


def applied_migrations(conn: sqlite3.Connection, set_name: str) -> list[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='_sqlite_migrations'"
    ).fetchone()
    if not exists:
        return []
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            (set_name,),
        )
    ]


def open_store(path: str | Path, schema: Schema, *, create: bool = True,
               stop_before: str | None = None) -> Store:
    """Open (and if needed create and migrate) the database at `path`.

    A file whose applied migrations the code does not know was written by a
    newer version; it is refused untouched.
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise DatabaseError(f"找不到数据库文件“{path}”。请检查路径，或先建立学校数据库。",
                                todo="school")  # each front end says how: a menu, or its command
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = _connect(path)
    try:
        known = schema.migration_names()
        applied = applied_migrations(conn, schema.migrations.name)
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise SchemaTooNewError(
                f"数据库“{path.name}”是用更新版本的软件建立的（含本版本不认识的升级步骤 {unknown[0]}），"
                "本版本不能打开它，以免损坏数据。请把软件升级到最新版本后再打开。"
            )
        if stop_before is not None or set(known) - set(applied):   # up to date (nearly always): nothing to load
            schema.migrations.apply(conn, stop_before=stop_before)
        version = len(applied_migrations(conn, schema.migrations.name))
        if conn.execute("PRAGMA user_version").fetchone()[0] != version:  # opening alone writes nothing
            conn.execute(f"PRAGMA user_version = {version}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        friendly = _friendly(exc, path)
        if friendly is exc:
            raise
        raise friendly from None
    except BaseException:
        conn.close()
        raise
    return Store(path, conn, schema)
