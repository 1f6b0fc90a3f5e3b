"""Applying a school's change log to the center's copy of that school.

Every change goes through the copy's own write path. Append-only records (visits, attempts …)
are inserts and never conflict. For an update, each field is compared three ways: if the
copy still holds the school's old value, the new one is applied; if it already holds the new
one, nothing happens; otherwise the center changed that field too — both values are kept in
merge_conflicts for a person to decide, and the copy is left as it is. Nothing is silently
picked. The applied position is stored in the same transaction, so a repeated or interrupted
import applies each change exactly once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from jiaoyuapp.store import Store
from jiaoyuapp.store.writes import BOOKKEEPING, new_uuid, now_iso


class Change(NamedTuple):
    seq: int
    table: str
    uuid: str
    op: str


PACKET_TABLES_PREFIX = "rows_"


def applied_upto(replica: Store) -> int:
    value = replica.scalar("SELECT value FROM replica_state WHERE key = 'school_seq'")
    return int(value) if value else 0


def _check_packet_db(replica: Store) -> None:
    """The attached changes file may hold only plain tables of the expected names."""
    from jiaoyuapp.exchange.container import PacketError
    allowed = {"changes"} | {PACKET_TABLES_PREFIX + t for t in replica.schema.school_tables}
    for kind, name in replica.conn.execute("SELECT type, name FROM pk.sqlite_master"):
        if kind != "table" or name not in allowed:
            raise PacketError("数据包中的变更文件含有不应有的内容，已拒收。请让学校重新导出。")


def merge(replica: Store, changes_db: Path, blobs: dict[str, bytes], *, packet_no: int,
          school_code: str) -> tuple[int, int]:
    """Apply the changes past the copy's position; returns (changes applied, conflicts noted)."""
    replica.conn.execute("ATTACH DATABASE ? AS pk", (str(changes_db),))
    try:
        _check_packet_db(replica)
        return _merge(replica, blobs, packet_no=packet_no, school_code=school_code)
    finally:
        replica.conn.execute("DETACH DATABASE pk")


def _merge(replica: Store, blobs: dict[str, bytes], *, packet_no: int, school_code: str) -> tuple[int, int]:
    start = applied_upto(replica)
    todo = [Change(*r) for r in replica.conn.execute(
        "SELECT seq, tbl, uuid, op FROM pk.changes WHERE seq > ? ORDER BY seq", (start,))]
    if not todo:
        return 0, 0
    present = _existing(replica, todo)
    fresh = []                     # inserts of records the copy does not have: copied in bulk
    for e in todo:
        known = present.setdefault(e.table, set())
        fresh.append(e.op == "insert" and e.uuid not in known)
        known.add(e.uuid)
    applied = conflicts = 0
    with replica.write("merge", f"学校{school_code}", f"合并第{packet_no}号数据包") as w:
        # Gathered per table and copied before the next update or delete; foreign keys are
        # checked at commit, since a child may now be written before its parent.
        w.conn.execute("PRAGMA defer_foreign_keys = ON")
        for data in blobs.values():
            w.put_blob(data)
        pending: dict[str, list[int]] = {}

        def flush() -> int:
            done = sum(w.insert_copied(table, f"pk.{PACKET_TABLES_PREFIX}{table}", "pk.changes", seqs)
                       for table, seqs in pending.items())
            pending.clear()
            return done

        for e, new_record in zip(todo, fresh):
            if new_record:
                pending.setdefault(e.table, []).append(e.seq)
                continue
            applied += flush()
            fields = json.loads(replica.scalar("SELECT changes FROM pk.changes WHERE seq = ?", (e.seq,)))
            table, uid, op = e.table, e.uuid, e.op
            current = replica.get(table, uid)
            if op == "insert":
                values = {k: new for k, (_, new) in fields.items()}
                if current is None:  # deleted earlier in this packet and inserted again
                    w.insert(table, values, uuid=uid)
                    applied += 1
                    continue
                fields = {k: [current.get(k), v] for k, v in values.items()}  # already there: compare
            if current is None:
                conflicts += _note(w, packet_no, e, "（记录不存在）", None, "中心校副本中没有这条记录")
                continue
            if op == "delete":
                differs = [k for k, (old, _) in fields.items() if k not in BOOKKEEPING and current.get(k) != old]
                if differs:
                    conflicts += _note(w, packet_no, e, "（删除）", None, "中心校改过这条记录：" + "、".join(differs))
                else:
                    w.delete(table, uid)
                    applied += 1
                continue
            changes = {}
            for field, (old, new) in fields.items():
                if field in BOOKKEEPING or current.get(field) == new:
                    continue
                if current.get(field) == old:
                    changes[field] = new
                else:
                    conflicts += _note(w, packet_no, e, field, new, current.get(field))
            if changes:
                w.update(table, uid, changes, at=(fields.get("updated_at") or [None, None])[1])
            applied += 1
        applied += flush()
        with replica.local():
            replica.conn.execute("INSERT OR REPLACE INTO replica_state (key, value) VALUES ('school_seq', ?)",
                                 (str(todo[-1].seq),))
    return applied, conflicts


def _existing(replica: Store, entries: list[Change]) -> dict[str, set[str]]:
    """Which of the records these entries name the copy already holds, looked up in bulk."""
    wanted: dict[str, set[str]] = {}
    for e in entries:
        wanted.setdefault(e.table, set()).add(e.uuid)
    found: dict[str, set[str]] = {}
    for table, uuids in wanted.items():
        ids = list(uuids)
        have = found.setdefault(table, set())
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            have.update(r[0] for r in replica.conn.execute(
                f"SELECT uuid FROM [{table}] WHERE uuid IN ({','.join('?' * len(chunk))})", chunk))
    return found


def _note(w, packet_no: int, entry: Change, field: str, school_value, center_value) -> int:
    w.conn.execute(
        "INSERT INTO merge_conflicts (uuid, packet_no, school_seq, tbl, record_uuid, field, school_value, "
        "center_value, noted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (new_uuid(), packet_no, entry.seq, entry.table, entry.uuid, field,
         json.dumps(school_value, ensure_ascii=False), json.dumps(center_value, ensure_ascii=False), now_iso()))
    return 1
