"""控辍保学 escalation: who is responsible on both lines, the steps a county's 劝返 procedure
takes and their deadlines, each 劝返 attempt with its people by name and role and its evidence,
the case's reason (待核实 until someone records it) and the unexcused days of this case.

The rules, as public county procedures state them (looked up for issue 12; several agree):
- 动员辍学学生返校复学制度 (m.777doc.com/doc-4587640.html): the 班主任 visits at once; "说服动员三天内
  (不含双休日)仍不返校的，学校要向村级组织请求协助做好劝返工作，若仍无效时，上报乡政府和县教育局"; then
  the 乡政府 or 县教育局 acts by law. Hence school days, and the 村 joining after 3.
- 中和小学控辍保学劝返制度 (m.qiqiwenku.com/doc/651079.html): "学校要迅速派出教师当天家访" — contact on
  the first day; 劝返 together with 村干部.
- A county 工作方案 (e.wenmi.ren ArticleID=248776): 班主任 入户 on day 1, the school's leader with the
  班主任 on day 2, a report to the 镇 and the 镇政府's 督促入学通知书 on day 3 with about a week to comply,
  then 处罚通知书 and the 司法程序.
- 教基厅函〔2024〕15号 / domain notes: 双线控辍 — a case names its people on the government line
  (乡镇长, 村长/村委会主任) as well as the education line (校长, 班主任).
So: four steps (code table escalation_step), each due a number of school days (settings, group
劝返时限) after the previous step was done — or, when it was not, after it was due; a step is
overdue while the case is still open for 劝返 (疑似辍学, 确认辍学, 劝返中) and its due day has passed.
A case leaves 疑似辍学 only with someone on the government line, and is confirmed a dropout
(确认辍学) only after at least one recorded attempt: "每次劝返都有记录".
"""

from __future__ import annotations

import datetime as dt
import re

from jiaoyuapp.codes import records, table
from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.ledgers import settings
from jiaoyuapp.ledgers.school_calendar import Calendar, as_date, happened
from jiaoyuapp.roster import cell_values as cv
from jiaoyuapp.store import Batch, Store

SUSPECTED, CONFIRMED, PERSUADING, CLOSED = "疑似辍学", "确认辍学", "劝返中", "已销号"
ACTIVE = (SUSPECTED, CONFIRMED, PERSUADING)   # statuses in which the escalation runs
GOVERNMENT, EDUCATION, FAMILY, OTHER = "政府线", "教育线", "家长", "其他"
PENDING_REASON = "待核实"
_TRIGGER = re.compile(r"^自.*起连续\d+个教学日无故缺课$")


# -- people ---------------------------------------------------------------------------------
def role_of(role: str) -> dict | None:
    """A responsible_role row for a code or label (a label may be typed without its bracket)."""
    key = cv.compact(role or "")
    for r in records("responsible_role"):
        if key in (r["code"], r["label"], r["label"].split("（")[0]):
            return r
    return None


def role_label(code: str) -> str:
    found = role_of(code)
    return found["label"] if found else code


def person_text(person: dict, hide_phone=lambda x: x) -> str:
    """One responsible person as printed: role and name once (never "家长 家长 丁志明"), phone after."""
    phone = person.get("phone")
    return f"{role_label(person['role'])} {person['name']}" + (f" {hide_phone(phone)}" if phone else "")


def people_by_line(people: list[dict], hide_phone=lambda x: x) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for person in people:
        out.setdefault(person["line"], []).append(person_text(person, hide_phone))
    return out


def people_text(people: list[dict], hide_phone=lambda x: x) -> str:
    """包保责任人 grouped by line: "教育线：校长 周某 138…、班主任 王某；政府线：…；家长：…"."""
    grouped = people_by_line(people, hide_phone)
    order = [EDUCATION, GOVERNMENT, FAMILY] + [k for k in grouped if k not in (EDUCATION, GOVERNMENT, FAMILY)]
    return "；".join(f"{line}：{'、'.join(grouped[line])}" for line in order if line in grouped)


def government_people(store: Store, case_uuid: str) -> list[dict]:
    return store.query("SELECT * FROM case_people WHERE case_uuid = ? AND line = ?", (case_uuid, GOVERNMENT))


def parse_people(text: str) -> list[dict]:
    """"班主任:王老师、村委会:李四" (or "班主任王老师") as [{role, name}]; refused when a role is missing,
    so an attempt never lists people without saying who they are."""
    out = []
    for piece in re.split(r"[、，,;；]+", text or ""):
        piece = cv.compact(piece)
        if not piece:
            continue
        if re.search("[:：]", piece):
            role, name = re.split("[:：]", piece, maxsplit=1)
        else:
            prefixes = sorted(((prefix, r["code"]) for r in records("responsible_role")
                               for prefix in (r["label"], r["label"].split("（")[0], r["code"])),
                              key=lambda x: -len(x[0]))
            found = next(((prefix, code) for prefix, code in prefixes
                          if piece.startswith(prefix) and len(piece) > len(prefix)), None)
            if found is None:
                raise DataError(f"劝返人员“{piece}”没有写身份。请按“身份:姓名”填写，多人用顿号隔开，"
                                f"如：班主任:王老师、村委会:李主任。")
            role, name = found[1], piece[len(found[0]):]
        out.append({"role": role, "name": name})
    return out


def _people_rows(people) -> list[dict]:
    if isinstance(people, str):
        people = parse_people(people)
    rows = []
    for n, person in enumerate(people):
        role, name = (person["role"], person["name"]) if isinstance(person, dict) else person
        role, name = cv.compact(role or ""), cv.compact(name or "")
        if not name:
            raise DataError("劝返人员要写姓名。")
        if not role:
            raise DataError(f"劝返人员“{name}”没有写身份（如班主任、村委会主任、乡镇分管领导）。")
        found = role_of(role)
        rows.append({"line": found["line"] if found else OTHER, "role": found["code"] if found else role,
                     "name": name, "position": n})
    if not rows:
        raise DataError("请写明参与劝返的人员（身份和姓名）。")
    return rows


def attempt_people(store: Store, attempt: dict) -> list[dict]:
    """The people of an attempt by name and role; an attempt recorded before names were kept
    apart gives its old text as one entry (role 其他), so old records still read."""
    rows = store.query("SELECT * FROM attempt_people WHERE attempt_uuid = ? ORDER BY position", (attempt["uuid"],))
    if rows or not attempt.get("people"):
        return rows
    return [{"line": OTHER, "role": "", "name": attempt["people"]}]


def attempt_people_text(store: Store, attempt: dict) -> str:
    return "、".join(f"{role_label(p['role'])} {p['name']}" if p["role"] else p["name"]
                    for p in attempt_people(store, attempt))


# -- steps and deadlines ------------------------------------------------------------------------
def steps() -> tuple[dict, ...]:
    return records("escalation_step")


def step_of(attempt: dict) -> str | None:
    """An attempt's step: recorded, or (for attempts from before steps were kept) read from its method."""
    if attempt.get("step"):
        return attempt["step"]
    for s in steps():
        if attempt["method"] in s["methods"].split("|"):
            return s["code"]
    return None


def _after_school_days(cal: Calendar, base: dt.date, n: int) -> dt.date:
    """The n-th school day after base (base itself for 0); calendar days where the calendar runs out."""
    day = base
    for _ in range(n):
        nxt = cal.neighbour(day, 1)
        day = nxt if nxt is not None else day + dt.timedelta(days=1)
    return day


def escalation(store: Store, case: dict, *, today: dt.date | None = None, cal: Calendar | None = None,
               attempts: list[dict] | None = None) -> list[dict]:
    """The case's steps in order: due day, the attempt that did it (date and people), overdue or not,
    and how many days late a step was done (a first contact 35 days after opening is remarked)."""
    today = today or dt.date.today()
    cal = cal or Calendar.load(store)
    if attempts is None:
        attempts = store.query("SELECT * FROM attempts WHERE case_uuid = ? ORDER BY on_date, created_at",
                               (case["uuid"],))
    running = case["status"] in ACTIVE
    base = dt.date.fromisoformat(case["opened_on"])
    out = []
    for s in steps():
        days = settings.get_int(store, s["setting"])
        due = _after_school_days(cal, base, days)
        done = next((a for a in attempts if step_of(a) == s["code"]), None)
        late = (dt.date.fromisoformat(done["on_date"]) - due).days if done else 0
        row = {"code": s["code"], "label": s["label"], "due": due.isoformat(), "days": days,
               "done_on": done["on_date"] if done else None, "late_days": max(0, late),
               "people": attempt_people_text(store, done) if done else "",
               "overdue": bool(running and not done and due < today)}
        out.append(row)
        base = dt.date.fromisoformat(done["on_date"]) if done else due
    return out


def overdue_steps(store: Store, *, today: dt.date | None = None) -> list[dict]:
    """Every open case with an overdue escalation step (the first one named), for 首页."""
    today = today or dt.date.today()
    cal = Calendar.load(store)
    marks = ",".join("?" * len(ACTIVE))
    out = []
    for c in store.query(f"SELECT c.*, s.name, s.grade, s.class_no FROM cases c JOIN students s "
                         f"ON s.uuid = c.student_uuid WHERE c.status IN ({marks}) ORDER BY c.opened_on, s.name",
                         ACTIVE):
        late = [s for s in escalation(store, c, today=today, cal=cal) if s["overdue"]]
        if late:
            first = late[0]
            out.append({"case_uuid": c["uuid"], "student_uuid": c["student_uuid"], "name": c["name"],
                        "grade": c["grade"], "class_no": c["class_no"], "status": c["status"],
                        "step": first["code"], "due": first["due"],
                        "detail": f"{c['status']}：应于{first['due']}前{first['label']}，已逾期"
                                  + (f"（共{len(late)}步逾期）" if len(late) > 1 else "")})
    return out


# -- rules on moves -----------------------------------------------------------------------------
def check_move(store: Store, case: dict, to: str) -> None:
    """Refuse a move the escalation rules do not allow (called by cases.move before it writes)."""
    if case["status"] == SUSPECTED and not government_people(store, case["uuid"]):
        raise DataError("双线包保还没有政府线的责任人：请先在“包保责任人”里添加村（居）委会或乡镇的责任人"
                        "（姓名和电话），再把案件从“疑似辍学”推进下一步。")
    if to == CONFIRMED and not store.scalar("SELECT 1 FROM attempts WHERE case_uuid = ?", (case["uuid"],)):
        raise DataError("还没有登记过劝返，不能确认辍学：请先登记至少一次劝返（如当天电话或入户联系家长，"
                        "写明人员和结果），劝返无效再确认辍学。")


# -- attempts -------------------------------------------------------------------------------------
def record_attempt(store: Store, case_uuid: str, *, on, people, method: str, step: str | None = None,
                   action: str | None = None, result: str | None = None, next_date=None,
                   evidence: list[tuple[str, bytes]] = (), actor: str = "") -> str:
    """A 劝返 attempt: which escalation step, the date, people by role and name, and evidence images.
    Allowed from 疑似辍学 on (the first contact is itself an attempt); the first attempt on a
    confirmed dropout moves the case to 劝返中."""
    case = store.get("cases", case_uuid)
    if case is None:
        raise NotFoundError("找不到这个控辍案件，请核对案件编号。", todo="cases")
    if case["status"] == CLOSED:
        raise DataError("案件已销号，不能再登记劝返。如需继续，请先重新打开案件。")
    code = table("attempt_method").code(method)
    if code is None:
        raise DataError(f"劝返方式“{method}”不在列表中：{'、'.join(table('attempt_method').labels())}")
    step_code = table("escalation_step").code(step) if step else step_of({"method": code})
    if step and step_code is None:
        raise DataError(f"劝返步骤“{step}”不在列表中：{'、'.join(table('escalation_step').labels())}")
    rows = _people_rows(people)
    need = next((s["needs"] for s in steps() if s["code"] == step_code), "")
    if need and not any(r["line"] == need for r in rows):
        raise DataError(f"“{table('escalation_step').label(step_code)}”要有{need}的人参加：请在劝返人员中写上"
                        f"村（居）委会或乡镇的人员（身份和姓名）。")
    on = happened(on, "劝返日期").isoformat()
    if on < case["opened_on"]:
        raise DataError(f"劝返日期{on}早于案件登记日期{case['opened_on']}，请核对。")
    nxt = as_date(next_date).isoformat() if next_date else None
    if nxt and nxt <= on:
        raise DataError("下次劝返日期应晚于本次。")
    kinds = [_evidence_kind(kind) for kind, _ in evidence]
    text = "、".join(f"{role_label(r['role'])} {r['name']}" for r in rows)
    with store.write("attempt", actor, "登记劝返") as w:
        uid = w.insert("attempts", {"case_uuid": case_uuid, "on_date": on, "people": text, "method": code,
                                    "step": step_code, "action": action, "result": result, "next_date": nxt})
        for r in rows:
            w.insert("attempt_people", dict(r, attempt_uuid=uid))
        for kind, (_, data) in zip(kinds, evidence):
            _attach(store, w, uid, kind, data)
        changes = {"next_date": nxt}
        if case["status"] == CONFIRMED:
            changes["status"] = PERSUADING
            w.insert("case_events", {"case_uuid": case_uuid, "kind": "状态变更", "from_status": CONFIRMED,
                                     "to_status": PERSUADING, "on_date": on, "by_name": text, "note": "开始劝返"})
        w.update("cases", case_uuid, changes)
    return uid


def _evidence_kind(kind: str) -> str:
    code = table("attempt_evidence").code(kind)
    if code is None:
        raise DataError(f"佐证类型“{kind}”不在列表中：{'、'.join(table('attempt_evidence').labels())}")
    return code


def _attach(store: Store, w: Batch, attempt_uuid: str, kind: str, data: bytes) -> str:
    from jiaoyuapp.ledgers.attachments import store_image
    attachment = store_image(store, w, data)
    return w.insert("attempt_attachments", {"attempt_uuid": attempt_uuid, "attachment_uuid": attachment,
                                            "kind": kind})


def add_evidence(store: Store, attempt_uuid: str, kind: str, data: bytes, actor: str = "") -> str:
    """Add a photo or scan (承诺书, 通知书 …) to an attempt already recorded."""
    if store.get("attempts", attempt_uuid) is None:
        raise NotFoundError("找不到这次劝返记录。")
    code = _evidence_kind(kind)
    with store.write("attempt-evidence", actor, "添加劝返佐证") as w:
        return _attach(store, w, attempt_uuid, code, data)


def attempt_evidence(store: Store, attempt_uuid: str) -> list[dict]:
    """The attempt's evidence with the attachment rows (sha256, print_sha256) the PDF needs."""
    return store.query("SELECT x.uuid, x.kind, a.uuid AS attachment_uuid, a.sha256, a.print_sha256, a.width, "
                       "a.height FROM attempt_attachments x JOIN attachments a ON a.uuid = x.attachment_uuid "
                       "WHERE x.attempt_uuid = ? ORDER BY x.created_at", (attempt_uuid,))


# -- reason, trigger, unexcused days ------------------------------------------------------------
def trigger(case: dict) -> str:
    """What opened the case (the absence run), kept apart from its reason. Old cases kept it in reason_text."""
    if case.get("trigger_text"):
        return case["trigger_text"]
    if case.get("reason_text") and _TRIGGER.match(case["reason_text"]):
        return case["reason_text"]
    return case.get("source") or ""


def whereabouts_label(case: dict) -> str:
    """去向 as written; when nobody wrote one, what the case itself says (back in school, taught at
    home, closed with its outcome), and 待核实 only while nothing is known."""
    if case.get("whereabouts"):
        return case["whereabouts"]
    status = case.get("status")
    if status == "已销号":
        return f"已销号（{case.get('outcome') or '结论未填'}）"
    if status == "已复学":
        return "已返校就读" + (f"（{case['placement']}）" if case.get("placement") else "")
    if status == "送教上门":
        return "在家接受送教上门"
    if status == "休学":
        return "休学"
    if status == "已核实" and case.get("finding"):
        return case["finding"]
    return PENDING_REASON


def reason_label(case: dict) -> str:
    """辍学原因 from the reason codes, with its note; 待核实 until someone records one. The trigger of
    an auto-opened case ("自…起连续3个教学日无故缺课") is not a reason; a note written by hand is."""
    note = case.get("reason_text") if case.get("reason_text") and not _TRIGGER.match(case["reason_text"]) else None
    label = table("dropout_reason").label(case.get("reason")) if case.get("reason") else ""
    if not label:
        return note or PENDING_REASON
    return label + (f"（{note}）" if note else "")


def set_reason(store: Store, case_uuid: str, reason: str, *, note: str | None = None, actor: str = "") -> None:
    """Record the reason found (from the reason codes), replacing 待核实."""
    case = store.get("cases", case_uuid)
    if case is None:
        raise NotFoundError("找不到这个控辍案件，请核对案件编号。", todo="cases")
    code = table("dropout_reason").code(reason) if reason else None
    if code is None:
        raise DataError(f"辍学原因“{reason or ''}”不在列表中，请从中选择：{'、'.join(table('dropout_reason').labels())}")
    changes = {"reason": code, "reason_text": cv.compact(note or "") or None}
    if case.get("reason_text") and _TRIGGER.match(case["reason_text"]) and not case.get("trigger_text"):
        changes["trigger_text"] = case["reason_text"]   # keep an old case's trigger where it belongs
    with store.write("case-reason", actor, "登记辍学原因") as w:
        w.update("cases", case_uuid, changes)


def absence_start(store: Store, case: dict, cal: Calendar | None = None) -> str:
    """The first day of this case's absence: the run that opened it, or for a hand-opened case the
    unexcused run up to its opening day; the opening day when there is none."""
    if case.get("absence_start"):
        return case["absence_start"]
    from jiaoyuapp.ledgers.absences import unexcused_run
    cal = cal or Calendar.load(store)
    opened = dt.date.fromisoformat(case["opened_on"])
    for day in (opened, cal.neighbour(opened, -1)):
        if day is not None:
            run = [d for d in unexcused_run(store, cal, case["student_uuid"], day) if d <= opened]
            if run:
                return run[0].isoformat()
    return case["opened_on"]


def case_end(case: dict, today: dt.date | None = None) -> str:
    """Where this case's absence ends: back in school, closed, or still running today."""
    return case.get("returned_on") or case.get("closed_on") or (today or dt.date.today()).isoformat()


def unexcused_days(store: Store, case: dict, *, today: dt.date | None = None, cal: Calendar | None = None) -> int:
    """无故缺课天数 of THIS case: unexcused days from its absence start to its closing (or today)."""
    start = absence_start(store, case, cal)
    return store.scalar("SELECT count(*) FROM absences WHERE student_uuid = ? AND kind = '无故' "
                        "AND day BETWEEN ? AND ?", (case["student_uuid"], start, case_end(case, today))) or 0


def attempt_summary(store: Store, attempt: dict) -> str:
    """One line for a case's timeline: step, method, people, measures, result, evidence count."""
    step = step_of(attempt)
    evidence = store.scalar("SELECT count(*) FROM attempt_attachments WHERE attempt_uuid = ?", (attempt["uuid"],))
    parts = [table("escalation_step").label(step) if step else "", table("attempt_method").label(attempt["method"]),
             attempt_people_text(store, attempt), attempt["action"] and f"措施：{attempt['action']}",
             attempt["result"] and f"结果：{attempt['result']}", evidence and f"佐证{evidence}份"]
    return "；".join(p for p in parts if p)


def step_state(step: dict, running: bool = True) -> str:
    """How a step stands, in the words the case page and the PDF use."""
    if step["done_on"]:
        late = f"（晚于时限{step['late_days']}天）" if step["late_days"] else ""
        return f"{step['done_on']}已办{late}：{step['people']}"
    if step["overdue"]:
        return "已逾期，请尽快办理并登记"
    return "未到期" if running else "（案件已不在劝返中）"


def steps_text(store: Store, case: dict, today: dt.date | None = None) -> str:
    """The escalation as one paragraph for the PDF: each step, its due day and how it stands."""
    running = case["status"] in ACTIVE
    return "；".join(f"{s['label']}（应于{s['due']}前）{step_state(s, running)}"
                    for s in escalation(store, case, today=today))
