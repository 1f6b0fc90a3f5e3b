"""Daily absences and the consecutive-absence rule.

When a student reaches the configured number of consecutive unexcused school
days (weekends and holidays neither count nor break the run), a 疑似辍学 case
is opened, dated the day the threshold was reached — once per run, and never
while the student already has an open case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jiaoyuapp.codes import table
from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.ledgers import cases, settings
from jiaoyuapp.ledgers.school_calendar import Calendar, as_date
from jiaoyuapp.store import Store

UNEXCUSED = "无故"


@dataclass
class AbsenceResult:
    absence_uuid: str
    run: list[str]                 # the run of unexcused school days this day belongs to
    opened_case: str | None        # a case opened by this absence (the alert), if any


def record_absence(store: Store, student_uuid: str, day, kind: str = UNEXCUSED, note: str | None = None,
                   by: str | None = None, actor: str = "", calendar: Calendar | None = None) -> AbsenceResult:
    student = store.get("students", student_uuid)
    if student is None:
        raise NotFoundError("找不到这名学生。")
    if student["status"] != "在读":
        raise DataError(f"该学生学籍状态为“{student['status']}”，不能登记缺课。")
    code = table("absence_kind").code(kind)
    if code is None:
        raise DataError(f"缺课类型应为：{'、'.join(table('absence_kind').labels())}")
    day = as_date(day)
    cal = calendar or Calendar.load(store)
    why = cal.why_not_school_day(day)
    if why:
        raise DataError(f"{day:%Y-%m-%d}{why}，不是教学日，不能登记缺课。如当天调休上课，请先在校历中设置。")
    existing = store.scalar("SELECT uuid FROM absences WHERE student_uuid = ? AND day = ?",
                            (student_uuid, day.isoformat()))
    with store.write("absence", actor, "登记缺课") as w:  # the absence and any case it opens: one transaction
        if existing:
            w.update("absences", existing, {"kind": code, "note": note, "recorded_by": by})
            uid = existing
        else:
            uid = w.insert("absences", {"student_uuid": student_uuid, "day": day.isoformat(), "kind": code,
                                        "note": note, "recorded_by": by})
        run = unexcused_run(store, cal, student_uuid, day)
        opened = _apply_rule(store, student_uuid, run, by, actor)
    return AbsenceResult(uid, [d.isoformat() for d in run], opened)


def unexcused_run(store: Store, cal: Calendar, student_uuid: str, day: dt.date) -> list[dt.date]:
    """The consecutive unexcused school days around `day` (empty if that day is not unexcused)."""
    days = {dt.date.fromisoformat(r[0]) for r in store.conn.execute(
        "SELECT day FROM absences WHERE student_uuid = ? AND kind = ?", (student_uuid, UNEXCUSED))}
    if day not in days:
        return []
    run = [day]
    for step in (-1, 1):
        d = day
        while (d := cal.neighbour(d, step)) is not None and d in days:
            run.append(d)
    return sorted(run)


def _apply_rule(store: Store, student_uuid: str, run: list[dt.date], by: str | None, actor: str) -> str | None:
    threshold = settings.get_int(store, "absence_threshold_days")
    if threshold < 1 or len(run) < threshold:
        return None
    if cases.open_case_of(store, student_uuid):
        return None
    start, end = run[0].isoformat(), run[-1].isoformat()
    already = store.scalar("SELECT 1 FROM cases WHERE student_uuid = ? AND source = '缺课自动' AND "
                           "(absence_start BETWEEN ? AND ? OR opened_on BETWEEN ? AND ?)",
                           (student_uuid, start, end, start, end))
    if already:
        return None
    trigger = run[threshold - 1]
    return cases.open_case(store, student_uuid, on=trigger, source="缺课自动", absence_start=start, by=by,
                           trigger=f"自{start}起连续{len(run)}个教学日无故缺课", actor=actor)


def remove_absence(store: Store, student_uuid: str, day, actor: str = "") -> bool:
    """Take back an absence entered by mistake; returns whether there was one. A case the rule
    opened stays: it is closed by its own steps (已核实 → 销号), so its history is kept."""
    uid = store.scalar("SELECT uuid FROM absences WHERE student_uuid = ? AND day = ?",
                       (student_uuid, as_date(day).isoformat()))
    if uid is None:
        return False
    with store.write("absence-remove", actor, "撤销缺课登记") as w:
        w.delete("absences", uid)
    return True
