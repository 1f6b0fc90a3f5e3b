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

from jiaoyuapp.exchange.packet_export import SEARCH_KEYS
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
    allowed = {"changes", SEARCH_KEYS} | {PACKET_TABLES_PREFIX + t for t in replica.schema.school_tables}
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
    todo = replica.conn.execute("SELECT seq, tbl, uuid, op FROM pk.changes WHERE seq > ? ORDER BY seq",
                                (start,)).fetchall()
    if not todo:
        return 0, 0
    # Inserts of records the copy does not have yet are copied in bulk; the few others (the
    # record is there already, or was deleted and inserted again in this packet) go one by one.
    present = _existing(replica, todo)
    single = set()
    for seq, table, uid, op in todo:
        known = present[table]
        if op != "insert" or uid in known:
            single.add(seq)
        known.add(uid)
    applied = conflicts = 0
    with replica.write("merge", f"学校{school_code}", f"合并第{packet_no}号数据包") as w:
        # Fresh records are copied by SQLite in runs, each run ending before the next change that
        # is not a fresh insert; foreign keys are checked at commit, since a child may now be
        # written before its parent.
        w.conn.execute("PRAGMA defer_foreign_keys = ON")
        w.conn.execute("CREATE TEMP TABLE IF NOT EXISTS merge_fresh "
                       "(tbl TEXT, seq INTEGER, PRIMARY KEY (tbl, seq)) WITHOUT ROWID")
        w.conn.execute("DELETE FROM temp.merge_fresh")
        w.conn.execute("INSERT INTO temp.merge_fresh (tbl, seq) SELECT tbl, seq FROM pk.changes "
                       "WHERE seq > ? AND op = 'insert'", (start,))
        w.conn.executemany("DELETE FROM temp.merge_fresh WHERE tbl = ? AND seq = ?",
                           [(t, q) for q, t, _, op in todo if q in single and op == "insert"])
        for data in blobs.values():
            w.put_blob(data)
        run_tables: set[str] = set()
        copied_upto = start

        def flush(upto: int) -> int:
            nonlocal copied_upto
            done = sum(w.insert_copied(table, f"pk.{PACKET_TABLES_PREFIX}{table}", "pk.changes", "temp.merge_fresh",
                                       copied_upto, upto) for table in sorted(run_tables))
            run_tables.clear()
            copied_upto = upto
            return done

        for seq, table, uid, op in todo:
            if seq not in single:
                run_tables.add(table)
                continue
            applied += flush(seq)
            fields = json.loads(replica.scalar("SELECT changes FROM pk.changes WHERE seq = ?", (seq,)))
            current = replica.get(table, uid)
            entry = Change(seq, table, uid, op)
            if op == "insert":
                values = {k: new for k, (_, new) in fields.items()}
                if current is None:  # deleted earlier in this packet and inserted again
                    w.insert(table, values, uuid=uid)
                    applied += 1
                    continue
                fields = {k: [current.get(k), v] for k, v in values.items()}  # already there: compare
            if current is None:
                conflicts += _note(w, packet_no, entry, "（记录不存在）", None, "中心校副本中没有这条记录")
                continue
            if op == "delete":
                differs = [k for k, (old, _) in fields.items() if k not in BOOKKEEPING and current.get(k) != old]
                if differs:
                    conflicts += _note(w, packet_no, entry, "（删除）", None, "中心校改过这条记录：" + "、".join(differs))
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
                    conflicts += _note(w, packet_no, entry, field, new, current.get(field))
            if changes:
                w.update(table, uid, changes, at=(fields.get("updated_at") or [None, None])[1])
            applied += 1
        applied += flush(todo[-1][0])
        w.conn.execute("DELETE FROM temp.merge_fresh")
        _take_search_keys(w.conn)
        with replica.local():
            replica.conn.execute("INSERT OR REPLACE INTO replica_state (key, value) VALUES ('school_seq', ?)",
                                 (str(todo[-1][0]),))
    return applied, conflicts


def _take_search_keys(conn) -> None:
    """The school's pinyin keys of its new students, so the search index need not compute them
    again; the index keeps a key only while the name it was made from is the student's name."""
    if conn.execute("SELECT 1 FROM pk.sqlite_master WHERE name = ?", (SEARCH_KEYS,)).fetchone():
        conn.execute(f"INSERT OR IGNORE INTO main.student_search (uuid, name, pinyin, initials, given_pinyin, ids) "
                     f"SELECT k.uuid, k.name, k.pinyin, k.initials, k.given_pinyin, '' FROM pk.{SEARCH_KEYS} k "
                     f"WHERE k.uuid IN (SELECT uuid FROM main.students)")


def _existing(replica: Store, entries: list[tuple]) -> dict[str, set[str]]:
    """Which of the records these (seq, table, uuid, op) entries name the copy already holds,
    looked up in bulk."""
    found: dict[str, set[str]] = {t: set() for _, t, _, _ in entries}
    empty = {t for t in found if replica.scalar(f"SELECT 1 FROM [{t}] LIMIT 1") is None}  # nothing to look up
    wanted: dict[str, set[str]] = {}
    for _, table, uid, _ in entries:
        if table not in empty:
            wanted.setdefault(table, set()).add(uid)
    for table, uuids in wanted.items():
        ids = list(uuids)
        have = found[table]
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
