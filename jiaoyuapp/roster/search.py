"""Finding students: by name or part of one, by pinyin (full or initials), by any
run of digits in an ID number or 全国学籍号, filtered by class, flag and status.

All of it is SQL over the derived `student_search` table; nothing is loaded
into Python lists first, so the window's lazy model can page through results.
"""

from __future__ import annotations

import re
import unicodedata

from jiaoyuapp.roster.classes import parse_class
from jiaoyuapp.roster.flags import flag
from jiaoyuapp.store import Store

_DIGITS = re.compile(r"^[GJL]?[0-9]+[X]?$")
_LETTERS = re.compile(r"^[a-z]+$")


def _like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def where_clause(query: str | None = None, class_name: str | None = None, flags: list[str] | None = None,
                 status: str | None = None) -> tuple[str, list]:
    """SQL condition on `student_search x CROSS JOIN students s` (the scan runs over the small search table; CROSS JOIN keeps SQLite from walking the class index instead) and its parameters."""
    conds, params = [], []
    q = "".join(unicodedata.normalize("NFKC", query or "").split())
    if q:
        upper = q.upper()
        if _DIGITS.match(upper):
            conds.append("x.ids LIKE ? ESCAPE '\\'")
            params.append(f"%{_like(upper)}%")
        elif _LETTERS.match(q.lower()):
            low = q.lower()
            conds.append("(x.initials LIKE ? OR x.pinyin LIKE ? OR x.given_pinyin LIKE ?)")
            params += [f"{low}%"] * 3
        else:
            conds.append("x.name LIKE ? ESCAPE '\\'")
            params.append(f"%{_like(q)}%")
    if class_name:
        grade, cls = parse_class(class_name)
        conds.append("s.grade = ?")
        params.append(grade)
        if cls:
            conds.append("s.class_no = ?")
            params.append(cls)
    for name in flags or []:
        conds.append(f"({flag(name).condition})")
    if status:
        conds.append("s.status = ?")
        params.append(status)
    return (" AND ".join(conds) or "1"), params


ORDER = "ORDER BY s.grade, CAST(s.class_no AS INTEGER), s.class_no, x.pinyin"


def find_uuids(store: Store, query: str | None = None, *, class_name: str | None = None,
               flags: list[str] | None = None, status: str | None = None, limit: int | None = None) -> list[str]:
    where, params = where_clause(query, class_name, flags, status)
    sql = f"SELECT s.uuid FROM student_search x CROSS JOIN students s ON s.uuid = x.uuid WHERE {where} {ORDER}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [r[0] for r in store.conn.execute(sql, params)]


def find_students(store: Store, query: str | None = None, *, class_name: str | None = None,
                  flags: list[str] | None = None, status: str | None = None, limit: int | None = None) -> list[dict]:
    where, params = where_clause(query, class_name, flags, status)
    sql = (f"SELECT s.* FROM student_search x CROSS JOIN students s ON s.uuid = x.uuid WHERE {where} {ORDER}"
           + (f" LIMIT {int(limit)}" if limit else ""))
    return store.query(sql, params)
