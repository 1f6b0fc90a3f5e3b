"""A school's roster at a glance: counts by status, grade and flag."""

from __future__ import annotations

from jiaoyuapp.codes import table
from jiaoyuapp.roster.flags import FLAGS
from jiaoyuapp.school import school_info
from jiaoyuapp.store import Store


def summary(store: Store) -> dict:
    school = school_info(store)
    by_status = dict(store.conn.execute("SELECT status, count(*) FROM students GROUP BY status ORDER BY status"))
    by_grade = {table("grade").label(str(g)): n for g, n in store.conn.execute(
        "SELECT grade, count(*) FROM students WHERE status = '在读' GROUP BY grade ORDER BY grade")}
    classes = store.scalar("SELECT count(*) FROM (SELECT DISTINCT grade, class_no FROM students WHERE status = '在读')")
    flags = {}
    for f in FLAGS:
        flags[f.name] = store.scalar(f"SELECT count(*) FROM students s WHERE s.status = '在读' AND ({f.condition})")
    return {
        "school": {k: school[k] for k in ("code", "name", "township", "county", "school_type", "top_grade")}
        if school else None,
        "students": store.scalar("SELECT count(*) FROM students"),
        "in_school": by_status.get("在读", 0),
        "by_status": by_status,
        "by_grade": by_grade,
        "classes": classes,
        "households": store.scalar("SELECT count(DISTINCT household_uuid) FROM students WHERE status = '在读'"),
        "flags": flags,
        "last_change": store.scalar("SELECT max(seq) FROM change_log") or 0,
    }
