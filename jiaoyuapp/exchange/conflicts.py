"""Fields both a school and the center changed: kept side by side by the merge, settled by a
person at the center — the school's value taken through the copy's own write path, or the
center's kept. A conflict names a table and a field that came from a packet; both are checked
against this program's own schema before anything is written."""

from __future__ import annotations

import json
import sqlite3

from jiaoyuapp.errors import DataError, NotFoundError, UsageError
from jiaoyuapp.exchange.township import require_township
from jiaoyuapp.exchange.center_copies import open_replica, writing
from jiaoyuapp.store.writes import BOOKKEEPING, now_iso


def open_conflicts(store, code: str) -> list[dict]:
    """Fields the school and the center both changed, waiting for a person's decision; each with
    the student it concerns (`who`) when there is one."""
    require_township(store)
    replica = open_replica(store, code)
    try:
        rows = replica.query("SELECT * FROM merge_conflicts WHERE decided_at IS NULL ORDER BY noted_at")
        for r in rows:
            record = replica.get(r["tbl"], r["record_uuid"]) if r["tbl"] in replica.schema.school_tables else None
            student = record if r["tbl"] == "students" else (
                replica.get("students", record["student_uuid"]) if record and record.get("student_uuid") else None)
            r["who"] = student["name"] if student else ""
    finally:
        replica.close()
    return rows


def decide(store, code: str, conflict_uuid: str, take: str, actor: str = "") -> None:
    """Settle a conflict: keep the center's value, or take the school's (for a record the school
    deleted: delete it in the copy too)."""
    if take not in ("school", "center"):
        raise UsageError("请选择采用哪一方的值：school（学校）或 center（中心校）。")
    require_township(store)
    with writing(store, code):
        replica = open_replica(store, code)
        try:
            rows = replica.query("SELECT * FROM merge_conflicts WHERE uuid = ?", (conflict_uuid,))
            if not rows:
                raise NotFoundError("找不到这条待决定的冲突，请核对编号（可能已经决定过）。", todo="conflicts")
            c = rows[0]
            if c["decided_at"]:
                raise DataError("这条冲突已经决定过了。")
            change = None
            delete = take == "school" and c["field"] == "（删除）"   # the school deleted the record
            if take == "school" and not c["field"].startswith("（"):
                change = _school_value(replica, c)
            if delete and c["tbl"] not in replica.schema.school_tables:
                raise DataError("这条冲突所指的数据表在本软件的数据中不存在，只能保留中心校的值（选择“中心校”）。")
            with replica.write("conflict-decision", actor,
                               f"决定冲突：采用{'学校' if take == 'school' else '中心校'}的值") as w:
                if (change is not None or delete) and replica.get(c["tbl"], c["record_uuid"]) is None:
                    raise DataError("这条冲突所指的记录在中心校副本中已不存在，只能保留中心校的值（选择“中心校”）。")
                if change is not None:
                    w.update(c["tbl"], c["record_uuid"], change)
                if delete:
                    w.delete(c["tbl"], c["record_uuid"])
                w.conn.execute("UPDATE merge_conflicts SET decided_at = ?, decision = ? WHERE uuid = ?",
                               (now_iso(), take, conflict_uuid))
        except sqlite3.IntegrityError:
            raise DataError("不能按学校的做法删除这条记录：副本中还有其他记录用到它。请保留中心校的值（选择“中心校”），"
                            "或先处理用到它的记录。") from None
        finally:
            replica.close()


def _school_value(replica, c: dict) -> dict:
    """{field: value} to write, once the table and field are this program's own."""
    table, field = c["tbl"], c["field"]
    columns = ([r[1] for r in replica.conn.execute(f"PRAGMA table_info([{table}])")]
               if table in replica.schema.school_tables else [])
    if field not in columns or field in BOOKKEEPING:
        raise DataError(f"这条冲突所指的字段（{table}.{field}）在本软件的数据中不存在，不能采用学校的值。"
                        "请选择保留中心校的值（center）。")
    try:
        value = json.loads(c["school_value"]) if c["school_value"] is not None else None
    except ValueError:
        raise DataError("这条冲突记录的学校一方的值已损坏，不能采用。请选择保留中心校的值（center）。") from None
    if isinstance(value, (dict, list)):
        raise DataError("这条冲突记录的学校一方的值格式不对，不能采用。请选择保留中心校的值（center）。")
    return {field: value}
