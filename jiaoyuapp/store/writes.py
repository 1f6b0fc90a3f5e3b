"""The one write path. Every change to school data is a row written and a
change-log entry appended, in the same transaction.

A log entry names its batch (who, when, what operation) and records `{field: [old, new]}` for the fields that changed: all of
them for an insert (old is null), all of them for a delete (new is null).
Replaying the log from the start rebuilds every school-data table exactly;
`changelog.verify` proves it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import is_not, itemgetter
from typing import TYPE_CHECKING, Any, Callable, Iterable

import orjson

from jiaoyuapp.store.bulk_copy import CopiedInserts

if TYPE_CHECKING:
    from jiaoyuapp.store.connection import Store

BOOKKEEPING = ("uuid", "created_at", "updated_at")


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# The RFC 9562 variant digit for each random hex digit (the two high bits become 10).
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}
_urandom = os.urandom
_clock = time.time_ns
_last = [0, 0]   # the millisecond of the last number made, and its counter within that millisecond


def new_uuid() -> str:
    """A time-ordered (version 7, RFC 9562) UUID as text: 48 bits of Unix milliseconds, a 12-bit
    counter within the millisecond (method 1 of section 6.2, so the numbers one process makes
    always increase), then 62 random bits.

    Increasing numbers go to the end of every index they key (the record's own, the change log's),
    where random ones land all over it: an import of 20,000 children makes some 75,000 of them,
    and writes them about a tenth faster this way. They are unique as version 4 numbers are (62
    random bits per millisecond and counter); the time in them is no secret — each record keeps
    its created_at."""
    ms = _clock() // 1_000_000
    last = _last
    if ms > last[0]:
        last[0], last[1] = ms, 0
    else:                       # the same millisecond (or the clock went back): count on from the last
        last[1] += 1
        if last[1] > 0xFFF:
            last[0], last[1] = last[0] + 1, 0
        ms = last[0]
    t = f"{ms:012x}"
    h = _urandom(8).hex()
    return f"{t[:8]}-{t[8:]}-7{last[1]:03x}-{_VARIANT[h[0]]}{h[1:4]}-{h[4:]}"


def to_sql(value: Any) -> Any:
    """Values as SQLite stores them, so that comparing old and new is exact."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# Types SQLite takes as they are: to_sql leaves them alone, so the bulk insert skips the call.
_PLAIN = frozenset({str, int, float, bytes, type(None)})
# The standard library's encoder, for what orjson refuses (an integer beyond 64 bits, a lone
# surrogate): one for every entry (json.dumps with options builds a new one per call); a change is
# plain values, never a structure that holds itself, so the cycle check is skipped.
_STDLIB = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
_ORJSON = orjson.dumps


def _getter(indexes: list[int]) -> Callable[[tuple | list], tuple]:
    """A C-level getter of these items as a tuple (itemgetter gives a bare value for one index)."""
    if len(indexes) == 1:
        one = indexes[0]
        return lambda seq: (seq[one],)
    return itemgetter(*indexes)


def encoded(changes: dict) -> bytes | str:
    """A change as the log keeps it: compact JSON, non-ASCII as itself, as UTF-8 bytes (or text,
    from the fallback) that the log's INSERT stores as text. orjson writes the same text as
    `json.dumps(…, ensure_ascii=False, separators=(",", ":"))` for every string, integer and
    ordinary float (only a float below 1e-4 reads 1e-7 rather than 1e-07: the same number), at
    half the cost — an import encodes one entry per student, guardian and household — and its
    bytes go to SQLite as they are, where text would be encoded to UTF-8 once more."""
    try:
        return _ORJSON(changes)
    except TypeError:
        return _STDLIB(changes)


def dumps(changes: dict) -> str:
    """`encoded` as text."""
    out = encoded(changes)
    return out.decode() if type(out) is bytes else out


@dataclass
class OpChanges:
    """What one batch changed; views refresh from it instead of reloading."""

    batch_uuid: str
    kind: str
    inserted: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    first_seq: int | None = None
    last_seq: int | None = None

    @property
    def total(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values()) + sum(self.deleted.values())

    def touched(self, table: str) -> bool:
        return bool(self.inserted[table] or self.updated[table] or self.deleted[table])


class Batch:
    """One transaction's writes. Obtain it from `Store.write()`, never directly."""

    def __init__(self, store: "Store", kind: str, actor: str, summary: str):
        self.store = store
        self.conn = store.conn
        self.actor = actor or ""
        self.summary = summary
        self.at = now_iso()
        self.uuid = new_uuid()
        self.id = 0  # the batch's row in `batches`, set by open()
        self.changes = OpChanges(self.uuid, kind)
        self._columns: dict[str, list[str]] = {}
        self._column_sets: dict[str, set[str]] = {}
        self._copiers: list[CopiedInserts] = []
        self._touched: list[tuple[str, str, str]] = []

    # -- lifecycle (called by Store.write) ----------------------------------
    def open(self) -> None:
        self.id = self.conn.execute(
            "INSERT INTO batches (uuid, kind, actor, at, summary) VALUES (?, ?, ?, ?, ?)",
            (self.uuid, self.changes.kind, self.actor, self.at, self.summary),
        ).lastrowid

    def close(self) -> None:
        if not all(c.complete() for c in self._copiers):
            raise RuntimeError("records logged as copied were not all copied")
        for table in {t for _, t, _ in self._touched}:
            for hook in self.store.schema.hooks.get(table, []):
                hook(self.conn, [x for x in self._touched if x[1] == table])
        if self.changes.total == 0:
            self.conn.execute("DELETE FROM batches WHERE id = ?", (self.id,))
        else:
            self.conn.execute(
                "UPDATE batches SET summary = ?, first_seq = ?, last_seq = ? WHERE id = ?",
                (self.summary, self.changes.first_seq, self.changes.last_seq, self.id),
            )

    # -- helpers -------------------------------------------------------------
    def columns(self, table: str) -> list[str]:
        if table not in self._columns:
            if table not in self.store.schema.school_tables:
                raise ValueError(f"{table} is not a school-data table")
            self._columns[table] = [r[1] for r in self.conn.execute(f"PRAGMA table_info([{table}])")]
        return self._columns[table]

    def _check_fields(self, table: str, values: dict) -> None:
        cols = self._column_sets.get(table)
        if cols is None:
            cols = self._column_sets[table] = set(self.columns(table))
        unknown = [k for k in values if k not in cols]
        if unknown:
            raise ValueError(f"unknown columns for {table}: {unknown}")

    def _log(self, entries: list[tuple[str, str, str, str]]) -> None:
        """entries: (table, record_uuid, op, changes as `encoded` made them)."""
        if not entries:
            return
        self.conn.executemany(
            "INSERT INTO change_log (batch, tbl, record_uuid, op, changes) VALUES (?, ?, ?, ?, CAST(? AS TEXT))",
            [(self.id, t, u, op, ch) for t, u, op, ch in entries],
        )
        last = self.conn.execute("SELECT max(seq) FROM change_log").fetchone()[0]
        first = last - len(entries) + 1
        if self.changes.first_seq is None:
            self.changes.first_seq = first
        self.changes.last_seq = last

    # -- the operations --------------------------------------------------------
    def get(self, table: str, uuid: str) -> dict | None:
        return self.store.get(table, uuid)

    def insert(self, table: str, values: dict, uuid: str | None = None) -> str:
        return self.insert_many(table, [dict(values, uuid=uuid) if uuid else values])[0]

    def insert_many(self, table: str, rows: Iterable[dict]) -> list[str]:
        """Insert rows (each may carry its own `uuid`, `created_at`, `updated_at`); one log entry
        per row. Written for tens of thousands of rows (a whole roster): the rows of one import
        share a few sets of keys, so where each column's value comes from (and which columns its
        log entry names, in column order) is worked out once per set, and a record and its entry
        are then gathered by C-level getters, not a Python step per value; plain values skip
        `to_sql`."""
        cols = self.columns(table)
        at, plain, convert, encode = self.at, _PLAIN, to_sql, encoded
        position = {c: i for i, c in enumerate(cols)}
        u_at, c_at, m_at = position["uuid"], position["created_at"], position["updated_at"]
        plans: dict[tuple, tuple] = {}
        records, entries, uuids = [], [], []
        for values in rows:
            keys = tuple(values)
            plan = plans.get(keys)
            if plan is None:
                self._check_fields(table, values)
                source = {position[k]: j for j, k in enumerate(keys)}
                missing = len(keys)     # the index of the None appended to each row's values
                named = sorted((set(source) | {c_at, m_at}) - {u_at})
                plan = plans[keys] = (_getter([source.get(i, missing) for i in range(len(cols))]),
                                      _getter(named), tuple(cols[i] for i in named))
            gather, gather_logged, logged = plan
            record = list(gather((*values.values(), None)))
            if not plain.issuperset(map(type, record)):
                record = [v if type(v) in plain else convert(v) for v in record]
            uid = record[u_at] = record[u_at] or new_uuid()
            record[c_at] = record[c_at] or at
            record[m_at] = record[m_at] or at
            records.append(record)
            logged_values = gather_logged(record)
            entries.append((table, uid, "insert", encode(dict(compress(
                zip(logged, zip(repeat(None), logged_values)), map(is_not, logged_values, repeat(None)))))))
            uuids.append(uid)
        if not records:
            return []
        self._touched.extend(("insert", table, uid) for uid in uuids)
        marks = ", ".join("?" for _ in cols)
        names = ", ".join(f"[{c}]" for c in cols)
        self.conn.executemany(f"INSERT INTO [{table}] ({names}) VALUES ({marks})", records)
        self._log(entries)
        self.changes.inserted[table] += len(records)
        return uuids

    def copy_inserts(self, source: str, prefix: str, skip: str, after: int, tables: list[str]) -> CopiedInserts:
        """Log now every insert entry of the attached database `source` past `after` (except the
        numbers in `skip`); the returned object copies their records, which must all be copied
        before the batch closes. See `bulk_copy`."""
        copier = CopiedInserts(self, source, prefix, skip, after, tables)
        copier.log()
        self._copiers.append(copier)
        return copier

    def logged(self, count: int) -> None:
        """`count` entries were just appended to the log by SQL (bulk_copy)."""
        last = self.conn.execute("SELECT max(seq) FROM main.change_log").fetchone()[0]
        if self.changes.first_seq is None:
            self.changes.first_seq = last - count + 1
        self.changes.last_seq = last

    def copied(self, table: str, count: int, uuids) -> None:
        """`count` records of `table` were just copied by SQL (bulk_copy); `uuids()` lists them,
        asked only when a hook needs to know."""
        self.changes.inserted[table] += count
        if table in self.store.schema.hooks:
            self._touched.extend(("insert", table, uid) for uid in uuids())

    def update(self, table: str, uuid: str, values: dict, at: str | None = None) -> dict:
        """Set fields; returns {field: (old, new)} for what really changed (maybe nothing).
        `at` keeps another database's modification time (a merged change), instead of now."""
        values = {k: to_sql(v) for k, v in values.items() if k not in BOOKKEEPING}
        self._check_fields(table, values)
        old = self.get(table, uuid)
        if old is None:
            raise KeyError(f"{table} {uuid} not found")
        changed = {k: (old[k], v) for k, v in values.items() if old[k] != v}
        if not changed:
            return {}
        changed["updated_at"] = (old["updated_at"], at or self.at)
        sets = ", ".join(f"[{k}] = ?" for k in changed)
        self.conn.execute(
            f"UPDATE [{table}] SET {sets} WHERE uuid = ?", [v for _, v in changed.values()] + [uuid]
        )
        self._log([(table, uuid, "update", encoded(changed))])
        self.changes.updated[table] += 1
        self._touched.append(("update", table, uuid))
        return changed

    def put_blob(self, data: bytes) -> str:
        """Store bytes under their SHA-256 (once); returns the hash. Blobs are immutable and
        verified by their name, so they need no log entry: the row that refers to them has one."""
        sha = hashlib.sha256(data).hexdigest()
        self.conn.execute("INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", (sha, data))
        return sha

    def delete(self, table: str, uuid: str) -> dict:
        self.columns(table)
        old = self.get(table, uuid)
        if old is None:
            raise KeyError(f"{table} {uuid} not found")
        self.conn.execute(f"DELETE FROM [{table}] WHERE uuid = ?", (uuid,))
        changes = {k: [v, None] for k, v in old.items() if k != "uuid" and v is not None}
        self._log([(table, uuid, "delete", encoded(changes))])
        self.changes.deleted[table] += 1
        self._touched.append(("delete", table, uuid))
        return old
