"""Visit plan and coverage: every student visited each term and at home (入户) each school year,
priority students more often; who is not yet visited (by class and by teacher), what is due and
overdue, and each teacher's count against the school's quota.

入户 visits are counted apart from 电话/视频/到校约谈: counties ask for at least one on-site visit
per student a year and treat calls as a supplement — e.g. 含山县 (安徽省教育厅, 2014-06-27, "含山县
中职高中开展家访活动落实资助政策"): "全体教师每学年到每个学生家庭至少实地走访一次，根据育人工作需要，
经常性使用电话、邮件等联系方式"; 陕西省 (省政府教育督导团, 西安晚报 2013-11-14): "班主任每学期要对
班上的每个留守儿童进行一次家访". (Read as republished at hefei.baogaosu.com, news 21510800,
and m.dentiste-levallois-perret.com/news/guonei/2013-11-14/130043.html.) Both numbers are
settings (group 家访): home_visits_per_year and priority_home_visits_per_term, beside the
any-form priority_visits_per_term.
"""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import settings
from jiaoyuapp.ledgers.school_calendar import Calendar, school_year_of
from jiaoyuapp.ledgers.visits import HOME_MODE
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.store import Store

# What makes a student a priority for visits: (reason shown, SQL condition on students s).
PRIORITY_RULES = (
    ("脱贫户/监测户", "s.poverty_alleviated = 1 OR s.monitoring_kind IN ('1','2','3')"),
    ("低保", "s.dibao = 1"),
    ("特困供养", "s.tekun = 1"),
    ("孤儿", "s.orphan = 1"),
    ("事实无人抚养", "s.unsupported = 1"),
    ("留守", "s.left_behind IN ('1','2','9')"),
    ("残疾", "(s.disability_type IS NOT NULL AND s.disability_type != '0') OR s.health = '50' OR s.disabled = 1"),
    ("有在案控辍案件", "EXISTS (SELECT 1 FROM cases c WHERE c.student_uuid = s.uuid AND c.status != '已销号')"),
)


def current_term(store: Store, today: dt.date, term: str | None = None) -> tuple[Calendar, dict]:
    cal = Calendar.load(store)
    if term:
        return cal, cal.term_named(term)
    found = cal.term_of(today)
    if found is None:
        past = [t for t in cal.terms if t["end_date"] < today.isoformat()]
        if not past:
            raise DataError("还没有设置学期，家访和考勤都按学期统计。请先设置本学年的校历。", todo="calendar")
        found = past[-1]  # in a holiday, the term just ended
    return cal, found


def priority_reasons(store: Store) -> dict[str, list[str]]:
    reasons: dict[str, list[str]] = {}
    for label, cond in PRIORITY_RULES:
        for (uid,) in store.conn.execute(f"SELECT s.uuid FROM students s WHERE s.status = '在读' AND ({cond})"):
            reasons.setdefault(uid, []).append(label)
    return reasons


def visit_counts(store: Store, term: dict, *, home_only: bool = False) -> dict[str, int]:
    """Visits per student in the term (any form, or only 入户 with home_only)."""
    return _counts(store, term["start_date"], term["end_date"], home_only)


def _counts(store: Store, start: str, end: str, home_only: bool) -> dict[str, int]:
    mode = " AND v.mode = ?" if home_only else ""
    return dict(store.conn.execute(
        "SELECT vs.student_uuid, count(DISTINCT v.visit_key) FROM current_visits v "
        f"JOIN visit_students vs ON vs.visit_uuid = v.uuid WHERE v.day BETWEEN ? AND ?{mode} GROUP BY vs.student_uuid",
        (start, end) + ((HOME_MODE,) if home_only else ())))


def school_year_span(term: dict) -> tuple[str, str, str]:
    """The school year a term belongs to: (first day, last day, name like 2026学年)."""
    year = school_year_of(dt.date.fromisoformat(term["start_date"]))
    return f"{year}-09-01", f"{year + 1}-08-31", f"{year}学年"


def home_visit_counts(store: Store, term: dict) -> dict[str, int]:
    """入户 visits per student in the school year of the term."""
    start, end, _ = school_year_span(term)
    return _counts(store, start, end, True)


def missing_home_visits(store: Store, term: dict) -> list[dict]:
    """在读 students below the yearly 入户 rule (home_visits_per_year), in class order, each with
    what they have and need: the list 首页 and 家访 show."""
    needed = settings.get_int(store, "home_visits_per_year")
    if needed <= 0:
        return []
    done = home_visit_counts(store, term)
    _, _, year = school_year_span(term)
    out = []
    for s in store.query("SELECT uuid, name, grade, class_no FROM students WHERE status = '在读' "
                         "ORDER BY grade, CAST(class_no AS INTEGER), class_no, name"):
        n = done.get(s["uuid"], 0)
        if n < needed:
            out.append({"uuid": s["uuid"], "name": s["name"], "class": class_label(s["grade"], s["class_no"]),
                        "home_visits": n, "required": needed,
                        "detail": f"{year}尚未入户家访" if n == 0 else f"{year}入户家访{n}次，应至少{needed}次"})
    return out


def priority_home_shortfall(store: Store, term: dict) -> list[dict]:
    """Priority students with fewer 入户 visits this term than priority_home_visits_per_term (calls
    and video do not count), in class order: the second list 首页 shows."""
    needed = settings.get_int(store, "priority_home_visits_per_term")
    if needed <= 0:
        return []
    reasons = priority_reasons(store)
    done = visit_counts(store, term, home_only=True)
    out = []
    for s in store.query("SELECT uuid, name, grade, class_no FROM students WHERE status = '在读' "
                         "ORDER BY grade, CAST(class_no AS INTEGER), class_no, name"):
        n = done.get(s["uuid"], 0)
        if s["uuid"] in reasons and n < needed:
            out.append({"uuid": s["uuid"], "name": s["name"], "class": class_label(s["grade"], s["class_no"]),
                        "home_visits": n, "required": needed, "priority": reasons[s["uuid"]],
                        "detail": f"重点学生（{'、'.join(reasons[s['uuid']])}）{term['name']}入户家访{n}次，"
                                  f"应至少{needed}次"})
    return out


def coverage(store: Store, *, today: dt.date | None = None, term: str | None = None) -> dict:
    today = today or dt.date.today()
    _, t = current_term(store, today, term)
    counts = visit_counts(store, t)
    home_term = visit_counts(store, t, home_only=True)
    home_year = home_visit_counts(store, t)
    _, _, year_name = school_year_span(t)
    priority = priority_reasons(store)
    per_priority = settings.get_int(store, "priority_visits_per_term")
    home_per_priority = settings.get_int(store, "priority_home_visits_per_term")
    home_per_year = settings.get_int(store, "home_visits_per_year")
    quota = settings.get_int(store, "teacher_visit_quota")
    heads: dict[tuple, list[dict]] = {}
    for h in store.query("SELECT h.grade, h.class_no, t.uuid, t.name FROM class_heads h JOIN teachers t "
                         "ON t.uuid = h.teacher_uuid WHERE t.active = 1"):
        heads.setdefault((h["grade"], h["class_no"]), []).append({"uuid": h["uuid"], "name": h["name"]})
    students = store.query("SELECT uuid, name, grade, class_no FROM students WHERE status = '在读' "
                           "ORDER BY grade, CAST(class_no AS INTEGER), class_no, name")
    by_class: dict[tuple, dict] = {}
    not_visited, due, no_home = [], [], []
    for s in students:
        key = (s["grade"], s["class_no"])
        c = by_class.setdefault(key, {"class": class_label(*key), "grade": key[0], "class_no": key[1],
                                      "head_teachers": [h["name"] for h in heads.get(key, [])],
                                      "students": 0, "visited": 0, "not_visited": 0, "home_visited": 0})
        done = counts.get(s["uuid"], 0)
        is_priority = s["uuid"] in priority
        required = per_priority if is_priority else 1
        home_done, home_year_done = home_term.get(s["uuid"], 0), home_year.get(s["uuid"], 0)
        home_required = home_per_priority if is_priority else 0
        c["students"] += 1
        c["visited" if done else "not_visited"] += 1
        c["home_visited"] += home_year_done >= max(1, home_per_year)
        missing = []
        if done < required:
            missing.append(f"本学期家访{done}次，应至少{required}次" if done else "本学期尚未家访")
        if home_done < home_required:
            missing.append(f"重点学生本学期入户家访{home_done}次，应至少{home_required}次")
        if home_year_done < home_per_year:
            missing.append(f"{year_name}尚未入户家访" if not home_year_done
                           else f"{year_name}入户家访{home_year_done}次，应至少{home_per_year}次")
        item = {"uuid": s["uuid"], "name": s["name"], "class": c["class"], "visits": done, "required": required,
                "home_visits": home_done, "home_required": home_required, "home_visits_year": home_year_done,
                "home_required_year": home_per_year, "missing": missing,
                "priority": priority.get(s["uuid"], []), "head_teachers": c["head_teachers"]}
        if not done:
            not_visited.append(item)
        if home_year_done < home_per_year:
            no_home.append(item)
        if missing:
            due.append(item)
    for c in by_class.values():
        # 入户 coverage of the school year: a phone call does not make a class "covered"
        c["coverage"] = round(c["home_visited"] / c["students"], 3) if c["students"] else 1.0
        c["term_coverage"] = round(c["visited"] / c["students"], 3) if c["students"] else 1.0
    by_teacher = []
    for teacher in store.query("SELECT uuid, name, role FROM teachers WHERE active = 1 ORDER BY name"):
        row = store.conn.execute(
            "SELECT count(DISTINCT v.visit_key), count(DISTINCT v.household_uuid) FROM current_visits v "
            "JOIN visit_teachers vt ON vt.visit_uuid = v.uuid WHERE vt.teacher_uuid = ? AND v.day BETWEEN ? AND ?",
            (teacher["uuid"], t["start_date"], t["end_date"])).fetchone()
        classes = [k for k, hs in heads.items() if any(h["uuid"] == teacher["uuid"] for h in hs)]
        by_teacher.append({"uuid": teacher["uuid"], "name": teacher["name"], "role": teacher["role"],
                           "visits": row[0], "households": row[1], "quota": quota, "meets_quota": row[1] >= quota,
                           "classes": [class_label(*k) for k in classes],
                           "not_visited_in_classes": sum(by_class[k]["not_visited"] for k in classes if k in by_class)})
    return {"term": t["name"], "start": t["start_date"], "end": t["end_date"], "students": len(students),
            "visited": len(students) - len(not_visited), "by_class": list(by_class.values()),
            "school_year": year_name, "home_visited": sum(c["home_visited"] for c in by_class.values()), "no_home_visit": no_home,
            "by_teacher": by_teacher, "not_visited": not_visited, "due": due,
            "followups": followups(store, today)}


def followups(store: Store, today: dt.date) -> dict:
    """Follow-up dates from visits: overdue (passed with no later visit to that home) and coming up."""
    window = settings.get_int(store, "followup_due_days")
    soon = (today + dt.timedelta(days=window)).isoformat()
    rows = store.query(
        "SELECT v.uuid, v.household_uuid, v.day, v.followup_date, v.followup_plan FROM current_visits v "
        "WHERE v.followup_date IS NOT NULL AND v.followup_date <= ? AND NOT EXISTS ("
        "  SELECT 1 FROM current_visits w WHERE w.household_uuid = v.household_uuid AND w.day > v.day)", (soon,))
    names = {}
    for r in rows:
        names[r["uuid"]] = store.query(
            "SELECT s.uuid, s.name, s.grade, s.class_no FROM visit_students vs JOIN students s "
            "ON s.uuid = vs.student_uuid WHERE vs.visit_uuid = ? ORDER BY s.grade", (r["uuid"],))
    iso = today.isoformat()

    def make(r: dict) -> dict:
        kids = names[r["uuid"]]
        first = kids[0] if kids else {"uuid": None, "grade": None, "class_no": None}
        return {"visit_uuid": r["uuid"], "followup_date": r["followup_date"], "plan": r["followup_plan"],
                "students": [{"uuid": k["uuid"], "name": k["name"]} for k in kids], "uuid": first["uuid"],
                "name": "、".join(k["name"] for k in kids), "class": class_label(first["grade"], first["class_no"])}
    return {"overdue": [make(r) for r in rows if r["followup_date"] < iso],
            "upcoming": [make(r) for r in rows if r["followup_date"] >= iso]}
