"""The two reports a school owes on its dropout cases, and the dates it sent them.

- 辍学学生情况报告表, one per case: a student absent without leave for 3 school days (the case the
  absence rule opens) gets a form filled by the school, signed by the principal and sent up — to the
  乡镇 and the 县 here (domain.md) — and kept in the student's file. Sources: 崇明县 "中小学辍学学生
  情况报告表", 经校长审核签字后上报 (https://360docs.net/doc/6e13347290.html); "报告表纳入学生学籍档案"
  (https://renrendoc.com/paper/179967959.html); 粤教基〔2009〕3号 附件1 "辍学学生情况报告表 … 作为学生
  学籍档案由学校永久保管" (http://www.tmdps.cn/a13/2019051512/7ae17e7f9652e2d5.html).
- 学校一月一报告: 教基厅函〔2024〕15号 "学校一月一报告，对疑似辍学或辍学的学生，及时纳入相应台账，并向主管
  教育部门上报" (https://ufqi.com/news/page.7618590.html). Each month: the cases newly found, those
  back in school, those still out; a month with nothing new to report is a 零报告 (domain.md: the
  school reports monthly, with a nil report when there is none).
"""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.codes import table
from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.ledgers.school_calendar import as_date
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.store import Store

OUT_STATUSES = ("疑似辍学", "确认辍学", "劝返中")   # not in school, not verified, not placed
RETURNED = "已复学"


def sent(store: Store, case_uuid: str) -> dict:
    """The report's record: who signed, and the dates it went to the 乡镇 and the 县 (None until sent)."""
    rows = store.query("SELECT * FROM case_reports WHERE case_uuid = ?", (case_uuid,))
    return rows[0] if rows else {"case_uuid": case_uuid, "signed_by": None, "signed_on": None,
                                 "township_on": None, "county_on": None, "note": None}


def record_sent(store: Store, case_uuid: str, *, township_on=None, county_on=None, signed_by: str | None = None,
                signed_on=None, note: str | None = None, today: dt.date | None = None, actor: str = "") -> dict:
    """Record when the principal signed the case's report and when it went to the 乡镇 and the 县.
    A date left out stays as it was; a date before the case was opened, or after today, is refused."""
    case = store.get("cases", case_uuid)
    if case is None:
        raise NotFoundError("找不到这个控辍案件，请在“控辍保学”中重新选择。", todo="cases")
    today = today or dt.date.today()
    opened = dt.date.fromisoformat(case["opened_on"])
    values: dict = {}
    for key, value, label in (("signed_on", signed_on, "校长签字日期"), ("township_on", township_on, "报送乡镇日期"),
                              ("county_on", county_on, "报送县教育局日期")):
        if value is None:
            continue
        day = as_date(value)
        if day < opened:
            raise DataError(f"{label}{day:%Y-%m-%d}早于案件登记日期{opened:%Y-%m-%d}，请核对后再填。")
        if day > today:
            raise DataError(f"{label}{day:%Y-%m-%d}还没到，请填已经报送的日期。")
        values[key] = day.isoformat()
    if signed_by is not None:
        values["signed_by"] = signed_by.strip() or None
    if note is not None:
        values["note"] = note.strip() or None
    if not values:
        raise DataError("没有要保存的日期：请填报送乡镇或报送县教育局的日期。")
    current = store.query("SELECT uuid FROM case_reports WHERE case_uuid = ?", (case_uuid,))
    with store.write("case-report", actor, "登记辍学学生情况报告表报送") as w:
        if current:
            w.update("case_reports", current[0]["uuid"], values)
        else:
            w.insert("case_reports", {"case_uuid": case_uuid, **values})
    return sent(store, case_uuid)


def principal(store: Store) -> str | None:
    return store.scalar("SELECT name FROM teachers WHERE role = '校长' ORDER BY created_at LIMIT 1")


def case_report(store: Store, case_uuid: str) -> dict:
    """Everything the 辍学学生情况报告表 of one case prints (unmasked: the caller masks)."""
    c = store.get("cases", case_uuid)
    if c is None:
        raise NotFoundError("找不到这个控辍案件，请在“控辍保学”中重新选择。", todo="cases")
    s = store.get("students", c["student_uuid"])
    school = store.query("SELECT name, township, county FROM school LIMIT 1")
    guardian = store.query("SELECT name, relation, phone FROM guardians WHERE student_uuid = ? ORDER BY position "
                           "LIMIT 1", (s["uuid"],))
    confirmed = store.scalar("SELECT min(on_date) FROM case_events WHERE case_uuid = ? AND to_status = '确认辍学'",
                             (case_uuid,))
    attempts = store.query("SELECT on_date, people, method, action, result FROM attempts WHERE case_uuid = ? "
                           "ORDER BY on_date, created_at", (case_uuid,))
    g = guardian[0] if guardian else {}
    return {
        "case": c, "student": s, "school": school[0]["name"] if school else "",
        "class": class_label(s["grade"], s["class_no"]),
        "grade": table("grade").label(str(s["grade"])) if s["grade"] else "",
        "sex": table("sex").label(s["sex"]), "guardian": g.get("name"), "relation": g.get("relation"),
        "phone": g.get("phone"), "address": s["home_address"] or s["current_address"],
        "left_on": c["absence_start"] or c["opened_on"], "confirmed_on": confirmed,
        "reason": table("dropout_reason").label(c["reason"]) or c["reason_text"] or "待核实",
        "whereabouts": c["whereabouts"],
        "attempts": [{**a, "method": table("attempt_method").label(a["method"])} for a in attempts],
        "sent": sent(store, case_uuid), "principal": principal(store),
    }


def all_cases(store: Store) -> list[str]:
    """Every case gets a report: each was opened by 3 unexcused school days or by hand as 疑似辍学."""
    return [r[0] for r in store.conn.execute(
        "SELECT c.uuid FROM cases c JOIN students s ON s.uuid = c.student_uuid ORDER BY c.opened_on, s.name")]


# -- 一月一报告 ----------------------------------------------------------------------------------

def months(store: Store, today: dt.date) -> list[tuple[int, int]]:
    """The months of the current school year up to today's, oldest first (September on)."""
    start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    out, y, m = [], start.year, start.month
    while (y, m) <= (today.year, today.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return nxt - dt.timedelta(days=1)


def status_on(store: Store, case_uuid: str, day: str) -> str | None:
    """A case's status at the end of `day`, from its history (None before it was opened)."""
    return store.scalar("SELECT to_status FROM case_events WHERE case_uuid = ? AND to_status IS NOT NULL AND "
                        "on_date <= ? ORDER BY on_date DESC, created_at DESC, rowid DESC LIMIT 1", (case_uuid, day))


def monthly(store: Store, year: int, month: int) -> dict:
    """The 一月一报告 of one month: new cases, returned, still out at the month's end. A month in which
    no student was newly found 疑似辍学 or 辍学 is a 零报告 (what the monthly report is for: every
    new case, reported, and a nil report rather than silence); those back in school and those still
    out are listed all the same, as they stand on the 台账."""
    first, last = dt.date(year, month, 1).isoformat(), _month_end(year, month).isoformat()
    rows = store.query("SELECT c.uuid, c.opened_on, c.source, c.status, s.name, s.grade, s.class_no FROM cases c "
                       "JOIN students s ON s.uuid = c.student_uuid WHERE c.opened_on <= ? ORDER BY c.opened_on, s.name",
                       (last,))
    returned_on = dict(store.conn.execute(
        "SELECT case_uuid, max(on_date) FROM case_events WHERE to_status = ? AND on_date BETWEEN ? AND ? "
        "GROUP BY case_uuid", (RETURNED, first, last)))
    new, back, out = [], [], []
    for r in rows:
        item = {"case_uuid": r["uuid"], "name": r["name"], "class": class_label(r["grade"], r["class_no"]),
                "opened_on": r["opened_on"], "source": r["source"]}
        if r["opened_on"] >= first:
            new.append(item)
        if r["uuid"] in returned_on:
            back.append({**item, "returned_on": returned_on[r["uuid"]]})
        status = status_on(store, r["uuid"], last)
        if status in OUT_STATUSES:
            out.append({**item, "status": status})
    return {"year": year, "month": month, "label": f"{year}年{month}月", "first": first, "last": last,
            "new": new, "returned": back, "still_out": out, "nil": not new}
