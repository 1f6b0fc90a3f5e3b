"""Applying a school's change log to the center's copy of that school.

Every change goes through the copy's own write path. Append-only records (visits, attempts …)
are inserts and never conflict. For an update, each field is compared three ways: if the
copy still holds the school's old value, the new one is applied; if it already holds the new
one, nothing happens; otherwise the center changed that field too — both values are kept in
merge_conflicts for a person to decide, and the copy is left as it is. Nothing is silently
picked. A change that cannot follow from what the copy took in before (a record it never had, an
old value the center never set) refuses the packet. The applied position is stored in the same transaction, so a repeated or interrupted
import applies each change exactly once.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from pathlib import Path
from typing import Iterable, NamedTuple

from jiaoyuapp.exchange import changes_file
from jiaoyuapp.exchange.center_copies import mark_packet
from jiaoyuapp.exchange.changes_file import ROWS_PREFIX, SEARCH_KEYS
from jiaoyuapp.exchange.container import PacketError
from jiaoyuapp.store import Store
from jiaoyuapp.store.writes import BOOKKEEPING, new_uuid, now_iso


class Change(NamedTuple):
    seq: int
    table: str
    uuid: str
    op: str


REFUSED = "数据包中的变更记录文件{}，已拒收。请让学校用本软件重新导出。"


def applied_upto(replica: Store) -> int:
    value = replica.scalar("SELECT value FROM replica_state WHERE key = 'school_seq'")
    return int(value) if value else 0


def columns(store: Store) -> dict[str, list[str]]:
    """This program's own columns of every school table (what a packet may name)."""
    return {t: [r[1] for r in store.conn.execute(f"PRAGMA main.table_info([{t}])")] for t in store.schema.school_tables}


def attach(conn: sqlite3.Connection, changes_db: bytes | Path, name: str = "pk") -> None:
    if isinstance(changes_db, bytes):
        conn.execute(f"ATTACH DATABASE ':memory:' AS {name}")
        conn.deserialize(changes_db, name=name)
    else:
        conn.execute(f"ATTACH DATABASE ? AS {name}", (str(changes_db),))


def check_changes(conn: sqlite3.Connection, name: str, cols: dict[str, list[str]], log_from: int, log_to: int) -> None:
    """The attached changes file is exactly what a school's export writes (PacketError if not)."""
    try:
        changes_file.check(conn, name, log_from=log_from, log_to=log_to, columns=cols)
    except changes_file.Malformed as exc:
        raise PacketError(REFUSED.format(exc)) from None
    except sqlite3.DatabaseError:
        raise PacketError(REFUSED.format("已损坏")) from None


def merge(replica: Store, changes_db: bytes | Path, attachments: Iterable[bytes], *, packet_no: int,
          school_code: str, log_from: int, log_to: int, manifest_sha: str) -> tuple[int, int]:
    """Apply the changes past the copy's position; returns (changes applied, conflicts noted).
    `changes_db` is the packet's changes file: its bytes, or its path (a private copy, which the
    merge may add to). A packet that does not fit — a gap after what the copy holds, a record
    this program's tables refuse, an attachment missing — is refused whole (PacketError)."""
    cols = columns(replica)
    attach(replica.conn, changes_db)
    try:
        check_changes(replica.conn, "pk", cols, log_from, log_to)
        start = applied_upto(replica)
        if log_from > start + 1:
            raise PacketError(f"数据包的变更从第{log_from}条开始，但本中心校的副本只到第{start}条，中间缺了一段，已拒收。"
                              "请先导入之前的数据包，或让学校导出完整数据包。")
        try:
            changes_file.derive_rows(replica.conn, "pk", cols)
            return _merge(replica, attachments, packet_no=packet_no, school_code=school_code,
                          manifest_sha=manifest_sha)
        except sqlite3.IntegrityError as exc:
            raise PacketError(f"第{packet_no}号数据包中的数据不符合本软件的要求（{_constraint(exc)}），"
                              "已拒收，没有合并任何内容。请让学校检查后用本软件重新导出。") from None
    finally:
        replica.conn.execute("DETACH DATABASE pk")


def _constraint(exc: sqlite3.IntegrityError) -> str:
    """What SQLite refused, without any value (the message names only tables and columns)."""
    text = str(exc)
    for kind, said in (("NOT NULL", "必填的字段为空"), ("UNIQUE", "有重复的记录"), ("FOREIGN KEY", "记录引用了不存在的记录"),
                       ("CHECK", "字段的值不在允许的范围内"), ("datatype", "字段的类型不对")):
        if kind.lower() in text.lower():
            return said + (f"：{text.split(': ', 1)[1]}" if ": " in text and kind != "FOREIGN KEY" else "")
    return "数据不一致"


def _merge(replica: Store, attachments: Iterable[bytes], *, packet_no: int, school_code: str,
           manifest_sha: str) -> tuple[int, int]:
    start = applied_upto(replica)
    last = replica.scalar("SELECT max(seq) FROM pk.changes")
    if last is None or last <= start:
        mark_packet(replica, packet_no, manifest_sha)
        return 0, 0
    tables = [t for t in replica.schema.school_tables
              if replica.scalar("SELECT 1 FROM pk.sqlite_master WHERE name = ?", (ROWS_PREFIX + t,))]
    # Inserts of records the copy does not have yet ("fresh") are copied in bulk by SQLite; the
    # few other changes (updates, deletes, a record inserted again) are applied one by one.
    single = _singles(replica, start, tables)
    if {c.table for c in single} - set(tables):
        raise PacketError(REFUSED.format("中的变更记录涉及本软件不认识的数据表"))
    applied = conflicts = 0
    with replica.write("merge", f"学校{school_code}", f"合并第{packet_no}号数据包") as w:
        # Each table's changes keep the school's order; across tables only foreign keys relate
        # records, and they are checked at commit.
        w.conn.execute("PRAGMA defer_foreign_keys = ON")
        w.conn.execute("CREATE TEMP TABLE IF NOT EXISTS merge_skip (seq INTEGER PRIMARY KEY)")
        w.conn.execute("DELETE FROM temp.merge_skip")
        w.conn.executemany("INSERT INTO temp.merge_skip (seq) VALUES (?)", [(c.seq,) for c in single if c.op == "insert"])
        brought = [w.put_blob(data) for data in attachments]
        fresh = w.copy_inserts("pk", ROWS_PREFIX, "temp.merge_skip", start, tables)
        pending = _fresh_numbers(replica, start, {c.table for c in single if c.table in fresh.copied_upto})
        for entry in single:
            seq, table, uid, op = entry
            if table in pending and bisect.bisect_left(pending[table], seq) > bisect.bisect_right(
                    pending[table], fresh.copied_upto[table]):  # this table's fresh records before it, first
                applied += fresh.copy(table, seq)
            fields = json.loads(replica.scalar("SELECT changes FROM pk.changes WHERE seq = ?", (seq,)))
            current = replica.get(table, uid)
            if op == "insert":
                values = {k: new for k, (_, new) in fields.items()}
                if current is None:  # deleted earlier in this packet and inserted again
                    w.insert(table, values, uuid=uid)
                    applied += 1
                    continue
                fields = {k: [current.get(k), v] for k, v in values.items()}  # already there: compare
            if current is None:  # the school's log says it was there; the copy never had it
                raise PacketError(f"第{packet_no}号数据包修改或删除了一条中心校副本中从未有过的记录（{table}），"
                                  "与之前收到的数据接不上，已拒收，没有合并任何内容。请让学校导出完整数据包。")
            if op == "delete":
                differs = [k for k, (old, _) in fields.items() if k not in BOOKKEEPING and current.get(k) != old]
                if differs:
                    _center_changed(w.conn, entry, packet_no)
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
                    _center_changed(w.conn, entry, packet_no)
                    conflicts += _note(w, packet_no, entry, field, new, current.get(field))
            if changes:
                w.update(table, uid, changes, at=(fields.get("updated_at") or [None, None])[1])
            applied += 1
        for table in tables:
            applied += fresh.copy(table, last)
        w.conn.execute("DELETE FROM temp.merge_skip")
        _take_search_keys(w.conn)
        require_attachments(w.conn, packet_no, brought)
        with replica.local():
            replica.conn.execute("INSERT OR REPLACE INTO replica_state (key, value) VALUES ('school_seq', ?)",
                                 (str(last),))
        mark_packet(replica, packet_no, manifest_sha)
    return applied, conflicts


def _center_changed(conn, entry: Change, packet_no: int) -> None:
    """A field can differ from what the school says it was only if someone at the center changed
    the record; otherwise the packet does not follow what the copy took in before, and is refused
    (a conflict is a person's decision: a hostile packet must not make thousands of them). A copy
    made from a snapshot holds the school's own batches up to `snapshot_seq`: those are not the center's."""
    school_own = conn.execute("SELECT value FROM replica_state WHERE key = 'snapshot_seq'").fetchone()
    edited = conn.execute("SELECT 1 FROM change_log c JOIN batches b ON b.id = c.batch WHERE c.tbl = ? "
                          "AND c.record_uuid = ? AND b.kind != 'merge' AND c.seq > ? LIMIT 1",
                          (entry.table, entry.uuid, int(school_own[0]) if school_own else 0)).fetchone()
    if not edited:
        raise PacketError(f"第{packet_no}号数据包所写的原值与中心校副本中的不一致（{entry.table}），而中心校没有改过这条记录："
                          "数据包与之前收到的数据接不上，已拒收，没有合并任何内容。请让学校导出完整数据包。")


def require_attachments(conn: sqlite3.Connection, packet_no: int, brought: list[str]) -> None:
    """Every photo and signature the copy's records name is in the copy, and every one the packet
    `brought` is named by a record: a packet is received with all its attachments, or not at all,
    and cannot fill the copy with bytes no record uses."""
    missing = conn.execute("SELECT count(*) FROM attachments a WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE "
                           "b.sha256 = a.sha256) OR (a.print_sha256 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM blobs b "
                           "WHERE b.sha256 = a.print_sha256))").fetchone()[0]
    if missing:
        raise PacketError(f"第{packet_no}号数据包缺少{missing}个附件（照片或签字）的内容，已拒收，没有合并任何内容。"
                          "请让学校用本软件重新导出。")
    unused = conn.execute("SELECT count(*) FROM json_each(?) WHERE value NOT IN (SELECT sha256 FROM attachments "
                          "UNION SELECT print_sha256 FROM attachments WHERE print_sha256 IS NOT NULL)",
                          (json.dumps(brought),)).fetchone()[0]
    if unused:
        raise PacketError(f"第{packet_no}号数据包带了{unused}个没有任何记录用到的附件，这不是本软件导出的，已拒收，"
                          "没有合并任何内容。请让学校用本软件重新导出。")


def _singles(replica: Store, start: int, tables: list[str]) -> list[Change]:
    """The changes past `start` that are not a first insert of a record the copy lacks, in order:
    every change of a record the packet also updates or deletes, and inserts of records the copy
    already holds (looked up by SQLite, table by table). Changes of a table not in `tables` are
    listed too, for the caller to refuse."""
    rows = replica.conn.execute(
        "SELECT seq, tbl, uuid, op FROM pk.changes WHERE seq > :start AND (op != 'insert' "
        "OR tbl NOT IN (SELECT value FROM json_each(:tables)) OR (tbl, uuid) IN "
        "(SELECT tbl, uuid FROM pk.changes WHERE seq > :start AND op != 'insert'))",
        {"start": start, "tables": json.dumps(tables)}).fetchall()
    candidates = {seq: Change(seq, t, u, op) for seq, t, u, op in rows}
    present = set()
    for table in tables:
        if replica.scalar(f"SELECT 1 FROM main.[{table}] LIMIT 1") is None:
            continue  # nothing to look up
        for seq, uid in replica.conn.execute(
                f"SELECT r.seq, r.uuid FROM pk.[{ROWS_PREFIX}{table}] r "
                f"JOIN main.[{table}] m ON m.uuid = r.uuid WHERE r.seq > ?", (start,)):
            present.add((table, uid))
            candidates[seq] = Change(seq, table, uid, "insert")
    single, seen = [], set()
    for seq in sorted(candidates):
        entry = candidates[seq]
        key = (entry.table, entry.uuid)
        if entry.op != "insert" or key in seen or key in present or entry.table not in tables:
            single.append(entry)
        seen.add(key)
    return single


def _fresh_numbers(replica: Store, start: int, tables: set[str]) -> dict[str, list[int]]:
    """The numbers of the records copied in bulk, for the tables that also have single changes."""
    return {t: [r[0] for r in replica.conn.execute(
        f"SELECT seq FROM pk.[{ROWS_PREFIX}{t}] WHERE seq > ? AND seq NOT IN (SELECT seq FROM temp.merge_skip) "
        f"ORDER BY seq", (start,))] for t in tables}


def _take_search_keys(conn) -> None:
    """The school's pinyin keys of its new students, so the search index need not compute them
    again; the index keeps a key only while the name it was made from is the student's name."""
    if conn.execute("SELECT 1 FROM pk.sqlite_master WHERE name = ?", (SEARCH_KEYS,)).fetchone():
        conn.execute(f"INSERT OR IGNORE INTO main.student_search (uuid, name, pinyin, initials, given_pinyin, ids) "
                     f"SELECT k.uuid, k.name, k.pinyin, k.initials, k.given_pinyin, '' FROM pk.{SEARCH_KEYS} k "
                     f"WHERE k.uuid IN (SELECT uuid FROM main.students)")


def _note(w, packet_no: int, entry: Change, field: str, school_value, center_value) -> int:
    w.conn.execute(
        "INSERT INTO merge_conflicts (uuid, packet_no, school_seq, tbl, record_uuid, field, school_value, "
        "center_value, noted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (new_uuid(), packet_no, entry.seq, entry.table, entry.uuid, field,
         json.dumps(school_value, ensure_ascii=False), json.dumps(center_value, ensure_ascii=False), now_iso()))
    return 1
