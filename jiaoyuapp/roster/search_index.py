"""The derived search table: pinyin and identifier keys for each student.

Kept in step by a write-path hook inside the same transaction; `rebuild`
recreates it from the students table at any time (it holds no school data).
"""

from __future__ import annotations

import sqlite3

from jiaoyuapp.roster.pinyin_names import name_keys


def _rows(conn: sqlite3.Connection, where: str = "", params=()) -> list[tuple]:
    out = []
    cur = conn.execute(
        "SELECT s.uuid, s.name, s.id_number, s.student_no, x.name, x.pinyin, x.initials, x.given_pinyin "
        "FROM students s LEFT JOIN student_search x ON x.uuid = s.uuid " + where, params)
    for uid, name, id_number, student_no, old_name, py, ini, giv in cur:
        if old_name != name:
            py, ini, giv = name_keys(name)
        ids = " ".join(v for v in (id_number, student_no) if v)
        out.append((uid, name, py, ini, giv, ids))
    return out


def _store(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO student_search (uuid, name, pinyin, initials, given_pinyin, ids) "
        "VALUES (?, ?, ?, ?, ?, ?)", rows)


def rebuild(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM student_search")
    _store(conn, _rows(conn))


def on_students_written(conn: sqlite3.Connection, touched: list[tuple[str, str, str]]) -> None:
    deleted = [(uid,) for op, _, uid in touched if op == "delete"]
    if deleted:
        conn.executemany("DELETE FROM student_search WHERE uuid = ?", deleted)
    live = list(dict.fromkeys(uid for op, _, uid in touched if op != "delete"))
    for start in range(0, len(live), 500):
        chunk = live[start:start + 500]
        marks = ",".join("?" * len(chunk))
        _store(conn, _rows(conn, f"WHERE s.uuid IN ({marks})", chunk))


def repair(conn: sqlite3.Connection) -> int:
    """Recompute the keys of every student whose row is missing or no longer matches (name or
    identifiers), and drop rows of students who are gone — for a search table that came from
    elsewhere (a school's snapshot at the center). Returns the students recomputed."""
    conn.execute("DELETE FROM student_search WHERE uuid NOT IN (SELECT uuid FROM students)")
    stale = [r[0] for r in conn.execute(
        "SELECT s.uuid FROM students s LEFT JOIN student_search x ON x.uuid = s.uuid "
        "WHERE x.uuid IS NULL OR x.name IS NOT s.name OR x.ids IS NOT trim(coalesce(s.id_number, '') || "
        "CASE WHEN coalesce(s.id_number, '') != '' AND coalesce(s.student_no, '') != '' THEN ' ' ELSE '' END || "
        "coalesce(s.student_no, ''))")]
    for start in range(0, len(stale), 500):
        chunk = stale[start:start + 500]
        conn.execute(f"DELETE FROM student_search WHERE uuid IN ({','.join('?' * len(chunk))})", chunk)
        _store(conn, _rows(conn, f"WHERE s.uuid IN ({','.join('?' * len(chunk))})", chunk))
    return len(stale)
