"""Reading the change log: listing it, rebuilding tables from it, undoing a batch."""

from __future__ import annotations

import json
from typing import Callable, Iterator

from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.store.connection import Store

Progress = Callable[[int, int], None]


def entries(store: Store, since: int = 0, limit: int | None = None) -> Iterator[dict]:
    sql = ("SELECT c.seq, b.uuid, c.tbl, c.record_uuid, c.op, c.changes, coalesce(c.actor, b.actor), "
           "coalesce(c.at, b.at) FROM change_log c JOIN batches b ON b.id = c.batch WHERE c.seq > ? ORDER BY c.seq")
    params: list = [since]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    for seq, batch, tbl, rec, op, changes, actor, at in store.conn.execute(sql, params):
        yield {"seq": seq, "batch": batch, "table": tbl, "uuid": rec, "op": op,
               "changes": json.loads(changes), "actor": actor, "at": at}


def digest(store: Store, upto: int | None = None) -> tuple[str, int]:
    """SHA-256 over the change log up to `upto` (default: all) and the last sequence number:
    a fingerprint of the data a document or packet was made from."""
    import hashlib
    h = hashlib.sha256()
    last = 0
    sql = "SELECT seq, tbl, record_uuid, op, changes FROM change_log"
    params: tuple = ()
    if upto is not None:
        sql += " WHERE seq <= ?"
        params = (upto,)
    for seq, tbl, rec, op, changes in store.conn.execute(sql + " ORDER BY seq", params):
        h.update(f"{seq}\x1f{tbl}\x1f{rec}\x1f{op}\x1f{changes}\x1e".encode("utf-8"))
        last = seq
    return h.hexdigest(), last


def replay(store: Store, upto: int | None = None) -> dict[str, dict[str, dict]]:
    """Rebuild every school-data table from the log alone: {table: {uuid: row}}."""
    tables: dict[str, dict[str, dict]] = {t: {} for t in store.schema.school_tables}
    sql = "SELECT tbl, record_uuid, op, changes FROM change_log"
    params: tuple = ()
    if upto is not None:
        sql += " WHERE seq <= ?"
        params = (upto,)
    for tbl, rec, op, changes in store.conn.execute(sql + " ORDER BY seq", params):
        rows = tables.setdefault(tbl, {})
        fields = json.loads(changes)
        if op == "insert":
            rows[rec] = {k: new for k, (_, new) in fields.items()}
        elif op == "update":
            rows.setdefault(rec, {}).update({k: new for k, (_, new) in fields.items()})
        elif op == "delete":
            rows.pop(rec, None)
    # The log leaves out null fields of an insert; give every row all its table's columns.
    for table, rows in tables.items():
        cols = [r[1] for r in store.conn.execute(f"PRAGMA table_info([{table}])") if r[1] != "uuid"]
        for uid, row in rows.items():
            rows[uid] = {c: row.get(c) for c in cols}
    return tables


def verify(store: Store) -> list[str]:
    """Compare every school-data table with its replay; returns the differences
    (in Chinese, without personal data: table, record id and field names only)."""
    problems: list[str] = []
    rebuilt = replay(store)
    for table in store.schema.school_tables:
        expected = rebuilt.get(table, {})
        seen = set()
        cur = store.conn.execute(f"SELECT * FROM [{table}]")
        cols = [d[0] for d in cur.description]
        for row in cur:
            actual = dict(zip(cols, row))
            uid = actual.pop("uuid")
            seen.add(uid)
            logged = expected.get(uid)
            if logged is None:
                problems.append(f"表 {table} 的记录 {uid} 不在变更日志中（绕过了写入通道）")
                continue
            diff = [k for k, v in actual.items() if logged.get(k) != v]
            if diff:
                problems.append(f"表 {table} 的记录 {uid} 的字段 {', '.join(diff)} 与变更日志不一致")
        for uid in expected.keys() - seen:
            problems.append(f"表 {table} 缺少变更日志中存在的记录 {uid}")
    return problems


def undo_batch(store: Store, batch_uuid: str, actor: str = "", kind: str = "undo") -> "object":
    """Reverse one batch as a new batch, refusing if any of its records changed since."""
    batch = store.get("batches", batch_uuid)
    if batch is None:
        raise NotFoundError("找不到要撤销的操作记录。")
    if batch["undone_by"]:
        raise DataError("这项操作已经撤销过了，不能重复撤销。")
    rows = list(store.conn.execute(
        "SELECT seq, tbl, record_uuid, op, changes FROM change_log WHERE batch = ? ORDER BY seq DESC",
        (batch["id"],)))
    later = store.scalar(
        "SELECT count(*) FROM change_log c JOIN (SELECT DISTINCT tbl, record_uuid FROM change_log "
        "WHERE batch = ?) b ON c.tbl = b.tbl AND c.record_uuid = b.record_uuid WHERE c.seq > ?",
        (batch["id"], batch["last_seq"] or 0))
    if later:
        raise DataError(
            f"“{batch['summary'] or batch['kind']}”之后，其中 {later} 处记录又被修改过，"
            "不能直接撤销。请先撤销之后的修改，或手工更正。")
    with store.write(kind, actor, f"撤销：{batch['summary'] or batch['kind']}") as w:
        for _seq, tbl, rec, op, changes in rows:
            fields = json.loads(changes)
            if op == "insert":
                w.delete(tbl, rec)
            elif op == "delete":
                w.insert(tbl, {k: old for k, (old, _) in fields.items()}, uuid=rec)
            else:
                w.update(tbl, rec, {k: old for k, (old, _) in fields.items() if k != "updated_at"})
        store.conn.execute("UPDATE batches SET undone_by = ? WHERE uuid = ?", (w.uuid, batch_uuid))
    return w.changes
