"""Dropout-control cases (控辍保学台账): one case per episode, moved only along the
allowed transitions (codes/data/case_transitions.tsv), every 劝返 attempt and 送教上门
session recorded, closed (销号) only with an outcome, reopened only with a reason.
"""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.codes import records, table
from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.ledgers import case_closing, case_escalation, case_placement, home_teaching
from jiaoyuapp.ledgers.school_calendar import happened
from jiaoyuapp.roster import cell_values as cv
from jiaoyuapp.roster.identifiers import check_phone
from jiaoyuapp.store import Store

SUSPECTED, CONFIRMED, PERSUADING, CLOSED = "疑似辍学", "确认辍学", "劝返中", "已销号"
SETTLED = ("已核实", "已复学", CLOSED)   # no next 劝返 is due once the child is back or was never out
REQUIREMENT_LABELS = {"finding": "核实结论（转学/在外地就读/已返校）", "placement": "安置方式",
                      "outcome": "销号结论"}


def transitions() -> dict[str, dict[str, str]]:
    """{from status: {to status: required field or ''}}."""
    out: dict[str, dict[str, str]] = {}
    for r in records("case_transitions"):
        out.setdefault(r["from"], {})[r["to"]] = r.get("requires", "")
    return out


def allowed_next(status: str) -> list[str]:
    return list(transitions().get(status, {}))


def get_case(store: Store, case_uuid: str) -> dict:
    case = store.get("cases", case_uuid)
    if case is None:
        raise NotFoundError("找不到这个控辍案件，请核对案件编号。", todo="cases")
    return case


def open_case_of(store: Store, student_uuid: str) -> dict | None:
    rows = store.query("SELECT * FROM cases WHERE student_uuid = ? AND status != ? ORDER BY opened_on DESC",
                       (student_uuid, CLOSED))
    return rows[0] if rows else None


def _event(w, case_uuid: str, kind: str, on: str, by: str | None, from_status=None, to_status=None, note=None):
    w.insert("case_events", {"case_uuid": case_uuid, "kind": kind, "from_status": from_status,
                             "to_status": to_status, "on_date": on, "by_name": by, "note": note})


def open_case(store: Store, student_uuid: str, *, on, source: str = "手工登记", reason: str | None = None,
              reason_text: str | None = None, absence_start: str | None = None, by: str | None = None,
              trigger: str | None = None, actor: str = "") -> str:
    """Register a 疑似辍学 case. The class head, the principal and the guardians are named as
    responsible people straight away (edit them with add_person)."""
    student = store.get("students", student_uuid)
    if student is None:
        raise NotFoundError("找不到这名学生。")
    if open_case_of(store, student_uuid):
        raise DataError("该学生已有未销号的控辍案件，请在原案件中继续跟进，不要重复登记。")
    reason_code = None
    if reason:
        reason_code = table("dropout_reason").code(reason)
        if reason_code is None:
            raise DataError(f"辍学原因“{reason}”不在列表中：{'、'.join(table('dropout_reason').labels())}")
    on = happened(on, "登记日期").isoformat()
    with store.write("case-open", actor, "登记疑似辍学") as w:
        uid = w.insert("cases", {"student_uuid": student_uuid, "status": SUSPECTED, "opened_on": on,
                                 "source": source, "absence_start": absence_start, "reason": reason_code,
                                 "reason_text": reason_text, "trigger_text": trigger})
        _event(w, uid, "登记", on, by, to_status=SUSPECTED, note=source)
        _default_people(store, w, uid, student)
    return uid


def _default_people(store: Store, w, case_uuid: str, student: dict) -> None:
    from jiaoyuapp.ledgers.teachers import head_of_class
    head = head_of_class(store, student["grade"], student["class_no"]) if student["grade"] else None
    if head:
        w.insert("case_people", {"case_uuid": case_uuid, "line": "教育线", "role": "班主任", "name": head["name"],
                                 "phone": head["phone"], "teacher_uuid": head["uuid"]})
    for p in store.query("SELECT * FROM teachers WHERE role = '校长' AND active = 1 LIMIT 1"):
        w.insert("case_people", {"case_uuid": case_uuid, "line": "教育线", "role": "校长", "name": p["name"],
                                 "phone": p["phone"], "teacher_uuid": p["uuid"]})
    for g in store.query("SELECT * FROM guardians WHERE student_uuid = ? AND name IS NOT NULL ORDER BY position",
                         (student["uuid"],)):
        w.insert("case_people", {"case_uuid": case_uuid, "line": "家长", "role": "家长", "name": g["name"],
                                 "phone": g["phone"]})


def _refuse_move(case: dict, to: str) -> None:
    nxt = allowed_next(case["status"])
    if case["status"] == CLOSED:
        raise DataError("案件已销号。如需继续跟进，请先“重新打开”并写明原因。")
    hint = "、".join(nxt) if nxt else "（无）"
    raise DataError(f"案件当前为“{case['status']}”，不能直接改为“{to}”。可以进行的下一步：{hint}。")


def move(store: Store, case_uuid: str, to: str, *, on, by: str | None = None, finding: str | None = None,
         placement: str | None = None, outcome: str | None = None, confirmed_by: str | None = None,
         evidence: str | None = None, note: str | None = None, actor: str = "") -> None:
    """Change a case's status along an allowed transition, with what that step requires."""
    case = get_case(store, case_uuid)
    allowed = transitions().get(case["status"], {})
    if to not in allowed:
        _refuse_move(case, to)
    case_escalation.check_move(store, case, to)  # government line named; an attempt before 确认辍学
    case_placement.check_move(store, case, to)
    on = happened(on, "日期").isoformat()
    if on < case["opened_on"]:
        raise DataError(f"日期{on}早于案件登记日期{case['opened_on']}，请核对。")
    changes: dict = {"status": to}
    need = allowed[to]
    if need == "finding":
        code = table("case_finding").code(finding) if finding else None
        if code is None:
            raise DataError(f"核实为非辍学需要写明结论：{'、'.join(table('case_finding').labels())}。"
                            "如核实为辍学，请改为“确认辍学”。")
        changes["finding"] = code
    if need == "placement" or (placement and to == "已复学"):
        code = table("case_placement").code(placement) if placement else None
        if code is None:
            raise DataError(f"复学需要写明安置方式：{'、'.join(table('case_placement').labels())}。")
        case_placement.check_placement(store, case, code)
        changes.update(placement=code, returned_on=on)
    if to == CONFIRMED:
        changes["finding"] = "确认辍学"
    if to == CLOSED:
        code = table("case_outcome").code(outcome) if outcome else None
        if code is None:
            raise DataError(f"销号需要写明结论：{'、'.join(table('case_outcome').labels())}。")
        if not (confirmed_by or "").strip():
            raise DataError("销号需要写明核实确认人（如：校长、村委会主任姓名）。")
        evidence = case_closing.evidence_for(store, case, code, on, evidence)
        changes.update(outcome=code, closed_on=on, confirmed_by=confirmed_by.strip(), evidence=evidence,
                       next_date=None)
    with store.write("case-move", actor, f"控辍案件：{case['status']}→{to}") as w:
        w.update("cases", case_uuid, changes)
        _event(w, case_uuid, "状态变更", on, by, case["status"], to, note)


def close(store: Store, case_uuid: str, *, outcome: str, on, confirmed_by: str, evidence: str | None = None,
          actor: str = "") -> None:
    move(store, case_uuid, CLOSED, on=on, by=confirmed_by, outcome=outcome, confirmed_by=confirmed_by,
         evidence=evidence, actor=actor)


def reopen(store: Store, case_uuid: str, *, reason: str, on, by: str | None = None, actor: str = "") -> str:
    """Reopen a closed case at the status it had before closing; the closing stays in its history."""
    case = get_case(store, case_uuid)
    if case["status"] != CLOSED:
        raise DataError("只有已销号的案件才需要重新打开。")
    if not (reason or "").strip():
        raise DataError("重新打开案件需要写明原因。")
    before = store.scalar("SELECT from_status FROM case_events WHERE case_uuid = ? AND to_status = ? "
                          "ORDER BY on_date DESC, created_at DESC LIMIT 1", (case_uuid, CLOSED)) or PERSUADING
    on = happened(on, "重新打开日期").isoformat()
    with store.write("case-reopen", actor, "重新打开控辍案件") as w:
        w.update("cases", case_uuid, {"status": before, "closed_on": None, "outcome": None, "confirmed_by": None,
                                      "evidence": None})
        _event(w, case_uuid, "重新打开", on, by, CLOSED, before, reason.strip())
    return before


def add_attempt(store: Store, case_uuid: str, *, on, people, method: str, action: str | None = None,
                result: str | None = None, next_date=None, step: str | None = None,
                evidence: list[tuple[str, bytes]] = (), actor: str = "") -> str:
    """A 劝返 attempt (people by role and name, its escalation step, evidence): see case_escalation.
    The first attempt on a confirmed dropout moves the case to 劝返中."""
    return case_escalation.record_attempt(store, case_uuid, on=on, people=people, method=method, step=step,
                                          action=action, result=result, next_date=next_date, evidence=evidence,
                                          actor=actor)


def add_person(store: Store, case_uuid: str, *, role: str, name: str, phone: str | None = None,
               teacher_uuid: str | None = None, actor: str = "") -> str:
    get_case(store, case_uuid)
    roles = {r["code"]: r for r in records("responsible_role")}
    found = next((r for r in roles.values() if role in (r["code"], r["label"])), None)
    if found is None:
        raise DataError(f"责任人身份应为：{'、'.join(r['label'] for r in roles.values())}")
    phone = cv.identifier(phone, "电话") if phone else None
    if phone and (msg := check_phone(phone)):
        raise DataError(msg)
    if not cv.compact(name):
        raise DataError("请填写责任人姓名。")
    if store.scalar("SELECT 1 FROM case_people WHERE case_uuid = ? AND role = ? AND name = ?",
                    (case_uuid, found["code"], cv.compact(name))):
        raise DataError(f"{found['label']}{cv.compact(name)}已经是这个案件的包保责任人，不用再添加。")
    with store.write("case-person", actor, "登记包保责任人") as w:
        return w.insert("case_people", {"case_uuid": case_uuid, "line": found["line"], "role": found["code"],
                                        "name": cv.compact(name), "phone": phone, "teacher_uuid": teacher_uuid})


def remove_person(store: Store, person_uuid: str, actor: str = "") -> None:
    """Take a responsible person off a case (added by mistake, or replaced). A case past 疑似辍学 keeps
    at least one person on the 政府线: add the new one first."""
    person = store.get("case_people", person_uuid)
    if person is None:
        raise NotFoundError("找不到这位包保责任人，可能已经删除。")
    case = get_case(store, person["case_uuid"])
    if person["line"] == "政府线" and case["status"] not in (SUSPECTED, CLOSED) and store.scalar(
            "SELECT count(*) FROM case_people WHERE case_uuid = ? AND line = '政府线'", (case["uuid"],)) <= 1:
        raise DataError("案件已经推进，政府线至少要有一位包保责任人：请先添加接替的责任人，再删除这一位。")
    with store.write("case-person-remove", actor, "删除包保责任人") as w:
        w.delete("case_people", person_uuid)


def set_plan(store: Store, case_uuid: str, plan: str, *, whereabouts: str | None = None, actor: str = "") -> None:
    """一人一案: the case's own plan (and the child's whereabouts, 去向)."""
    get_case(store, case_uuid)
    changes = {"plan": plan}
    if whereabouts is not None:
        changes["whereabouts"] = whereabouts
    with store.write("case-plan", actor, "修改一人一案") as w:
        w.update("cases", case_uuid, changes)


def add_home_teaching(store: Store, case_uuid: str, *, on, teacher: str, content: str, hours: float,
                      teacher_uuid: str | None = None, actor: str = "") -> str:
    """One teacher's 送教上门 session (home_teaching.add_session takes several, and photos)."""
    return home_teaching.add_session(store, case_uuid, on=on, teachers=[{"name": teacher, "teacher_uuid": teacher_uuid}],
                                     content=content, hours=hours, actor=actor)


def list_cases(store: Store, status: str | None = None, overdue: bool = False,
               today: dt.date | None = None) -> list[dict]:
    today = (today or dt.date.today()).isoformat()
    conds, params = [], []
    if status:
        code = table("case_status").code(status)
        if code is None:
            raise DataError(f"案件状态应为：{'、'.join(table('case_status').codes())}")
        conds.append("c.status = ?")
        params.append(code)
    if overdue:
        conds.append("c.status NOT IN (?, ?, ?) AND c.next_date IS NOT NULL AND c.next_date < ?")
        params += [*SETTLED, today]
    where = " AND ".join(conds) or "1"
    rows = store.query(
        f"SELECT c.*, s.name, s.grade, s.class_no, s.status AS student_status FROM cases c "
        f"JOIN students s ON s.uuid = c.student_uuid WHERE {where} ORDER BY c.opened_on, s.name", params)
    for r in rows:
        r["overdue"] = bool(r["status"] not in SETTLED and r["next_date"] and r["next_date"] < today)
        r["allowed_next"] = allowed_next(r["status"])
    return rows


def _in_order(store: Store, table: str, case_uuid: str) -> list[dict]:
    """A case's rows of `table` by day, then in the order they were recorded (`logged`: the change log
    number of their insert), so a timeline merging events, attempts and sessions reads as it happened."""
    return store.query(f"SELECT t.*, (SELECT min(seq) FROM change_log l WHERE l.tbl = '{table}' AND "
                       f"l.record_uuid = t.uuid) AS logged FROM [{table}] t WHERE t.case_uuid = ? "
                       "ORDER BY t.on_date, logged", (case_uuid,))


def case_history(store: Store, case_uuid: str) -> dict:
    case = get_case(store, case_uuid)
    return {
        "case": case,
        "people": store.query("SELECT * FROM case_people WHERE case_uuid = ? ORDER BY line, role", (case_uuid,)),
        "events": _in_order(store, "case_events", case_uuid),
        "attempts": _in_order(store, "attempts", case_uuid),
        "home_teaching": _in_order(store, "home_teaching", case_uuid),
        "allowed_next": allowed_next(case["status"]),
    }
