"""Who needs attention: an explainable risk score per student, the principal's alert list,
and a 四查三比对-style comparison of the roster with the ledgers.

Every score is the sum of stated factors whose weights are settings; the
list shows each factor as a reason, never a bare number.
"""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.ledgers import case_placement, home_teaching, settings
from jiaoyuapp.ledgers.aid import unaided
from jiaoyuapp.ledgers.cases import list_cases
from jiaoyuapp.ledgers.coverage import (current_term, followups, missing_home_visits, priority_home_shortfall,
                                        visit_counts)
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.store import Store

LEFT_SCHOOL = ("转出", "毕业", "辍学", "其他离校")


def _ids(store: Store, sql: str, params=()) -> set[str]:
    return {r[0] for r in store.conn.execute(sql, params)}


def risk_list(store: Store, *, today: dt.date | None = None, term: str | None = None) -> list[dict]:
    """Every 在读 student with a score above zero, highest first, each with its reasons."""
    today = today or dt.date.today()
    cal, t = current_term(store, today, term)
    w = {k: settings.get(store, k) for k in (
        "risk_window_days", "risk_unexcused_per_day", "risk_unexcused_cap", "risk_economic",
        "risk_orphan_unsupported", "risk_left_behind_no_guardian", "risk_disability_no_placement",
        "risk_sibling_dropout", "risk_previous_case", "risk_no_visit", "risk_high")}
    window = cal.last_school_days(min(today, dt.date.fromisoformat(t["end_date"])), int(w["risk_window_days"]))
    start = window[0].isoformat() if window else today.isoformat()
    unexcused = dict(store.conn.execute(
        "SELECT student_uuid, count(*) FROM absences WHERE kind = '无故' AND day BETWEEN ? AND ? GROUP BY student_uuid",
        (start, today.isoformat())))
    with_guardian = _ids(store, "SELECT DISTINCT student_uuid FROM guardians WHERE name IS NOT NULL "
                                "AND coalesce(is_guardian, 1) != 0")
    home_taught = _ids(store, "SELECT student_uuid FROM cases WHERE status = '送教上门'")
    dropout_homes = _ids(store, "SELECT s.household_uuid FROM students s WHERE s.household_uuid IS NOT NULL AND "
                                "(s.status = '辍学' OR EXISTS (SELECT 1 FROM cases c WHERE c.student_uuid = s.uuid "
                                "AND c.status IN ('确认辍学', '劝返中')))")
    dropouts = _ids(store, "SELECT uuid FROM students WHERE status = '辍学' OR uuid IN (SELECT student_uuid FROM "
                           "cases WHERE status IN ('确认辍学', '劝返中'))")
    previous = _ids(store, "SELECT student_uuid FROM cases WHERE status = '已销号'")
    open_cases = dict(store.conn.execute("SELECT student_uuid, uuid FROM cases WHERE status != '已销号'"))
    visited = visit_counts(store, t)
    out = []
    for s in store.query("SELECT uuid, name, grade, class_no, household_uuid, poverty_alleviated, monitoring_kind, "
                         "dibao, tekun, orphan, unsupported, left_behind, disability_type, health, inclusive_edu, disabled "
                         "FROM students WHERE status = '在读'"):
        reasons: list[tuple[str, float]] = []
        days = unexcused.get(s["uuid"], 0)
        if days:
            reasons.append((f"近{len(window)}个教学日无故缺课{days}天",
                            min(days * w["risk_unexcused_per_day"], w["risk_unexcused_cap"])))
        economic = [label for ok, label in ((s["poverty_alleviated"] == 1, "脱贫户"),
                                            (s["monitoring_kind"] in ("1", "2", "3"), "监测户"),
                                            (s["dibao"] == 1, "低保"), (s["tekun"] == 1, "特困供养")) if ok]
        if economic:
            reasons.append(("家庭经济困难（" + "、".join(economic) + "）", w["risk_economic"]))
        if s["orphan"] == 1 or s["unsupported"] == 1:
            reasons.append(("孤儿" if s["orphan"] == 1 else "事实无人抚养", w["risk_orphan_unsupported"]))
        if s["left_behind"] in ("1", "2", "9") and s["uuid"] not in with_guardian:
            reasons.append(("留守且未登记监护人", w["risk_left_behind_no_guardian"]))
        disabled = (s["disability_type"] not in (None, "0")) or s["health"] == "50" or s["disabled"] == 1
        if disabled and s["inclusive_edu"] in (None, "0") and s["uuid"] not in home_taught:
            reasons.append(("残疾但未安置（无随班就读、无送教上门）", w["risk_disability_no_placement"]))
        if s["household_uuid"] in dropout_homes and s["uuid"] not in dropouts:
            reasons.append(("兄弟姐妹辍学", w["risk_sibling_dropout"]))
        if s["uuid"] in previous:
            reasons.append(("曾有控辍案件", w["risk_previous_case"]))
        if s["uuid"] not in visited:
            reasons.append(("本学期未家访", w["risk_no_visit"]))
        reasons = [(text, pts) for text, pts in reasons if pts > 0]
        if not reasons:
            continue
        score = sum(p for _, p in reasons)
        out.append({"uuid": s["uuid"], "name": s["name"], "class": class_label(s["grade"], s["class_no"]),
                    "score": score, "high": score >= w["risk_high"],
                    "reasons": [f"{text}（+{pts:g}）" for text, pts in reasons],
                    "open_case": open_cases.get(s["uuid"])})
    out.sort(key=lambda r: (-r["score"], r["class"], r["name"]))
    return out


def _student_item(row: dict, **extra) -> dict:
    return dict({"uuid": row["student_uuid"] if "student_uuid" in row else row["uuid"], "name": row["name"],
                 "class": class_label(row["grade"], row["class_no"])}, **extra)


def attention(store: Store, *, today: dt.date | None = None) -> dict:
    """The principal's home screen: what an inspector would find first."""
    today = today or dt.date.today()
    _, t = current_term(store, today)
    new_cases = [_student_item(c, case_uuid=c["uuid"], opened_on=c["opened_on"],
                               detail=f"{c['opened_on']}登记疑似辍学，尚未核实")
                 for c in list_cases(store, status="疑似辍学", today=today)]
    overdue = [_student_item(c, case_uuid=c["uuid"], status=c["status"], next_date=c["next_date"],
                             detail=f"{c['status']}，应于{c['next_date']}再次劝返，已逾期")
               for c in list_cases(store, overdue=True, today=today)]
    visited = visit_counts(store, t)
    not_visited = [_student_item(s, detail=f"{t['name']}尚未家访") for s in store.query(
        "SELECT uuid, name, grade, class_no FROM students WHERE status = '在读' "
        "ORDER BY grade, CAST(class_no AS INTEGER), class_no, name") if s["uuid"] not in visited]
    # the yearly 入户 rule: a phone or video visit does not take a student off this list
    no_home = [dict(m) for m in missing_home_visits(store, t)]
    priority_home = priority_home_shortfall(store, t)
    aid_missing = [dict(s, detail="应助未助：" + "、".join(s["reasons"])) for s in unaided(store, today=today)["students"]]
    risky = [dict({k: r[k] for k in ("uuid", "name", "class", "score", "reasons")},
                  detail="高风险且未立案：" + "；".join(r["reasons"]))
             for r in risk_list(store, today=today) if r["high"] and not r["open_case"]]
    late = [dict(f, detail=f"家访跟进计划应于{f['followup_date']}完成") for f in followups(store, today)["overdue"]]
    from jiaoyuapp.ledgers.case_escalation import overdue_steps
    steps_late = [_student_item(c, case_uuid=c["case_uuid"], status=c["status"], detail=c["detail"])
                  for c in overdue_steps(store, today=today)]
    # (key, what 首页 calls it, the students): one line each, so each rule adds its own
    listed = [
        ("new_cases", "新的疑似辍学", new_cases),
        ("overdue_cases", "劝返逾期", overdue),
        ("escalation_overdue", "劝返步骤逾期", steps_late),
        ("not_visited", "本学期未家访", not_visited),
        ("no_home_visit", "本学年未入户家访", no_home),
        ("priority_home_due", "重点学生入户家访不足", priority_home),
        ("unaided", "应助未助", aid_missing),
        ("high_risk_without_case", "高风险未立案", risky),
        ("followups_overdue", "家访跟进逾期", late),
        ("home_teaching_short", "送教上门不足", home_teaching.overdue_items(store, today=today)),
    ]
    sections = {key: rows for key, _, rows in listed}
    labels = {key: label for key, label, _ in listed}
    items = [dict(item, kind=labels[key]) for key, rows in sections.items() for item in rows]
    return dict(sections, date=today.isoformat(), term=t["name"],
                counts={labels[k]: len(v) for k, v in sections.items()}, items=items)


def mismatches(store: Store) -> list[dict]:
    """四查三比对-style: where the roster (学籍) and the ledgers disagree."""
    out = []

    def add(kind: str, rows: list[dict], detail) -> None:
        out.extend(_student_item(r, kind=kind, detail=detail(r)) for r in rows)

    add("在读但台账为辍学", store.query(
        "SELECT s.uuid, s.name, s.grade, s.class_no, c.status AS case_status FROM students s JOIN cases c "
        "ON c.student_uuid = s.uuid WHERE s.status = '在读' AND c.status IN ('确认辍学', '劝返中')"),
        lambda r: f"学籍状态为在读，控辍台账为“{r['case_status']}”")
    add("辍学但台账无在案", store.query(
        "SELECT s.uuid, s.name, s.grade, s.class_no FROM students s WHERE s.status = '辍学' AND NOT EXISTS ("
        "SELECT 1 FROM cases c WHERE c.student_uuid = s.uuid AND c.status != '已销号')"),
        lambda r: "学籍状态为辍学，控辍台账没有在案案件")
    add("核实去向与学籍不符", store.query(
        "SELECT s.uuid, s.name, s.grade, s.class_no, c.finding FROM students s JOIN cases c ON c.student_uuid = s.uuid "
        "WHERE s.status = '在读' AND c.finding IN ('转学', '在外地就读') AND c.opened_on = (SELECT max(opened_on) "
        "FROM cases d WHERE d.student_uuid = s.uuid)"),
        lambda r: f"控辍核实为“{r['finding']}”，学籍仍为在读")
    add("已复学但学籍未恢复", store.query(
        "SELECT s.uuid, s.name, s.grade, s.class_no, s.status AS student_status FROM students s JOIN cases c "
        "ON c.student_uuid = s.uuid WHERE s.status != '在读' AND (c.status = '已复学' OR c.outcome = '已复学') "
        "AND c.opened_on = (SELECT max(opened_on) FROM cases d WHERE d.student_uuid = s.uuid)"),
        lambda r: f"控辍台账为已复学，学籍状态为“{r['student_status']}”")
    add("随班就读但无残疾记录", case_placement.placements_to_check(store),
        lambda r: "复学安置为“随班就读”（残疾学生的安置方式），该生没有残疾记录：请核对")
    add("送教上门但无残疾记录", case_placement.home_teaching_to_check(store),
        lambda r: "案件为“送教上门”，该生没有残疾记录（残疾类型，以及残疾证号或评估）：请核对并补登")
    marks = ",".join("?" * len(LEFT_SCHOOL))
    add("离校后仍有资助", store.query(
        f"SELECT s.uuid, s.name, s.grade, s.class_no, s.status AS student_status, a.paid_on, p.name AS program "
        f"FROM students s JOIN aid_records a ON a.student_uuid = s.uuid JOIN aid_programs p ON p.uuid = a.program_uuid "
        f"WHERE s.status IN ({marks}) AND s.status_date IS NOT NULL AND a.paid_on > s.status_date", LEFT_SCHOOL),
        lambda r: f"{r['student_status']}后仍于{r['paid_on']}发放“{r['program']}”")
    add("离校后仍登记缺课", store.query(
        f"SELECT s.uuid, s.name, s.grade, s.class_no, s.status AS student_status, max(a.day) AS last_day "
        f"FROM students s JOIN absences a ON a.student_uuid = s.uuid WHERE s.status IN ({marks}) "
        f"AND s.status_date IS NOT NULL AND a.day > s.status_date GROUP BY s.uuid", LEFT_SCHOOL),
        lambda r: f"{r['student_status']}后仍登记了缺课（最后一天{r['last_day']}）")
    return out


def overview(store: Store, *, today: dt.date | None = None) -> dict:
    """Everything the home screen shows, in one call (the window computes it off the UI thread):
    the attention list, visit coverage by class, and cases by status. A school without a calendar
    yet gets the reason instead of the attention list."""
    from collections import Counter

    from jiaoyuapp.errors import DataError
    from jiaoyuapp.ledgers.coverage import coverage
    today = today or dt.date.today()
    out = {"attention": None, "problem": None, "coverage": [],
           "cases": Counter(c["status"] for c in list_cases(store, today=today)).most_common()}
    try:
        out["attention"] = attention(store, today=today)
        out["coverage"] = [(c["class"], c["coverage"]) for c in coverage(store, today=today)["by_class"]]
    except DataError as exc:
        out["problem"] = exc.message
    return out
