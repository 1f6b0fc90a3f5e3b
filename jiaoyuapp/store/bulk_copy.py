"""Copying many records inserted in another database (a school's, at the township center) through
the write path without building them in Python.

The other database is attached to the connection: `<prefix><table>` tables hold the records its
log entries insert, in columns (seq, uuid, fields …), and `changes` the entries themselves (seq,
tbl, uuid, op, changes JSON …). A temporary table names the entries NOT to copy in bulk (they are
applied one by one by the caller). All the entries copied are logged first, in one statement; the
records are then copied table by table, in each table's order, as far as the caller needs before its
next single change of that table. The batch refuses to close until every logged record is copied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jiaoyuapp.store.writes import Batch


class CopiedInserts:
    def __init__(self, batch: "Batch", source: str, prefix: str, skip: str, after: int, tables: list[str]):
        self.batch, self.source, self.prefix, self.skip, self.after = batch, source, prefix, skip, after
        self.copied_upto = dict.fromkeys(tables, after)
        self._picked: dict[str, str] = {}
        self.logged = self.copied = 0

    def log(self) -> None:
        """Append every copied entry to this database's log, in the other's order."""
        count = self.batch.conn.execute(
            f"INSERT INTO main.change_log (batch, tbl, record_uuid, op, changes) "
            f"SELECT :batch, c.tbl, c.uuid, 'insert', c.changes FROM {self.source}.changes c "
            f"WHERE c.seq > :after AND c.op = 'insert' AND c.seq NOT IN (SELECT seq FROM {self.skip}) ORDER BY c.seq",
            {"batch": self.batch.id, "after": self.after}).rowcount
        self.logged += count
        if count:
            self.batch.logged(count)

    def copy(self, table: str, upto: int) -> int:
        """Copy this table's records up to entry `upto`; returns how many."""
        batch = self.batch
        cols = [c for c in batch.columns(table) if c != "uuid"]
        if table not in self._picked:
            have = {r[1] for r in batch.conn.execute(f"PRAGMA {self.source}.table_info([{self.prefix}{table}])")}
            self._picked[table] = ", ".join(f"r.[{c}]" if c in have else "NULL" for c in cols)  # sender lacks: empty
        picked = self._picked[table]
        rows = (f"FROM {self.source}.[{self.prefix}{table}] r WHERE r.seq > :after AND r.seq <= :upto "
                f"AND r.seq NOT IN (SELECT seq FROM {self.skip})")
        span = {"after": self.copied_upto[table], "upto": upto}
        self.copied_upto[table] = upto
        count = batch.conn.execute(
            f"INSERT INTO main.[{table}] (uuid, {', '.join(f'[{c}]' for c in cols)}) "
            f"SELECT r.uuid, {picked} {rows} ORDER BY r.seq", span).rowcount
        if count:
            self.copied += count
            batch.copied(table, count, lambda: [uid for (uid,) in batch.conn.execute(f"SELECT r.uuid {rows}", span)])
        return count

    def complete(self) -> bool:
        return self.copied == self.logged
