"""The rows of each ledger, in the columns inspectors know (domain.md). Shared by the Excel
workbook and the PDF folder; each sheet is a generator, so no ledger is held in memory whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from jiaoyuapp.codes import table
from jiaoyuapp.ledgers import settings
from jiaoyuapp.ledgers.visits import takes_signature
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.roster.flags import flags_of
from jiaoyuapp.store import Store


@dataclass
class Column:
    header: str
    width: float
    kind: str = "text"      # text / id / phone / date / number
    key: bool = False       # repeated on every printable part (序号, 姓名, 班级): whose row it is


@dataclass
class Ledger:
    sheet: str
    title: str
    columns: list[Column]
    rows: Callable[[Store, bool], Iterator[list]]   # (store, masked) → rows
    count: Callable[[Store], int]
    sign_off: tuple[str, ...] = ("制表人：", "审核人：", "日期：")
    sign_off_block: str | None = None   # a school-set block (ledgers/sign_offs.py) printed before 日期

    def sign_off_titles(self, store: Store) -> list[str]:
        """The titles signing this ledger's foot: the school's block when it has one, then 日期."""
        if self.sign_off_block is None:
            return list(self.sign_off)
        from jiaoyuapp.ledgers import sign_offs
        return [t + "：" for t in sign_offs.titles(store, self.sign_off_block)] + ["日期："]


def mask_id(value: str | None, keep: tuple[int, int] = (6, 4)) -> str | None:
    """公示 masking: 510123********0118 (`keep`: leading and trailing characters shown)."""
    if not value or len(value) < 10:
        return value
    head, tail = keep
    return value[:head] + "*" * (len(value) - head - tail) + (value[-tail:] if tail else "")


def mask_phone(value: str | None, keep: tuple[int, int] = (3, 4)) -> str | None:
    if not value or len(value) < 7:
        return value
    head, tail = keep
    return value[:head] + "****" + (value[-tail:] if tail else "")


def maskers(store: Store, masked: bool) -> tuple[Callable, Callable]:
    """The masks for IDs and phones, as the school set them (学校设置 → 参数设置): the 公示 variant and
    the whole PDF folder use them (one rule per file); with masked=False values pass unchanged."""
    if not masked:
        return (lambda v: v), (lambda v: v)
    keep = settings.masking(store)
    return (lambda v: mask_id(v, keep["id"])), (lambda v: mask_phone(v, keep["phone"]))


def _guardians(store: Store) -> dict[str, dict]:
    return {r["student_uuid"]: r for r in store.query(
        "SELECT student_uuid, name, relation, phone FROM guardians WHERE position = 1")}


# The student columns flags_of() reads to name a family's type (脱贫户、低保、留守 …).
FAMILY_COLUMNS = ("s.poverty_alleviated, s.monitoring_kind, s.dibao, s.tekun, s.orphan, s.unsupported, "
                  "s.migrant_child, s.single_parent, s.disability_type, s.health, s.left_behind, s.boarding")


def _family_type(s: dict) -> str:
    return "、".join(flags_of(s)) or "一般家庭"


def _home(s) -> str | None:
    """Where the family can be found: the 家庭住址, else the 现住址 (a school-made sheet often has only
    a 居住地址 column), so the ledger a teacher visits from is not left blank."""
    return s["home_address"] or s["current_address"]


def roster_rows(store: Store, masked: bool) -> Iterator[list]:
    g = _guardians(store)
    hide_id, hide_phone = maskers(store, masked)
    found = store.rows("SELECT * FROM students ORDER BY status != '在读', grade, CAST(class_no AS INTEGER), "
                       "class_no, seat_no, name")
    for n, s in enumerate(found, 1):
        guardian = g.get(s["uuid"], {})
        idn, phone = s["id_number"], guardian.get("phone") or s["phone"]
        yield [n, s["name"], table("sex").label(s["sex"]), s["birth_date"], table("ethnicity").label(s["ethnicity"]),
               hide_id(idn), hide_id(s["student_no"]),
               table("grade").label(str(s["grade"])) if s["grade"] else "", class_label(s["grade"], s["class_no"]),
               s["status"], table("boarding").label(s["boarding"]), _home(s), guardian.get("name"),
               guardian.get("relation"), hide_phone(phone), _family_type(s)]


def visit_rows(store: Store, masked: bool) -> Iterator[list]:
    teachers: dict[str, list[str]] = {}
    for v, name in store.conn.execute("SELECT vt.visit_uuid, t.name FROM visit_teachers vt JOIN teachers t "
                                      "ON t.uuid = vt.teacher_uuid ORDER BY t.name"):
        teachers.setdefault(v, []).append(name)
    kids: dict[str, list[tuple]] = {}
    for v, name, grade, cls in store.conn.execute(
            "SELECT vs.visit_uuid, s.name, s.grade, s.class_no FROM visit_students vs JOIN students s "
            "ON s.uuid = vs.student_uuid ORDER BY s.grade"):
        kids.setdefault(v, []).append((name, class_label(grade, cls)))
    evidence = {v: (photos, signed) for v, photos, signed in store.conn.execute(
        "SELECT visit_uuid, sum(role = 'photo'), max(role = 'signature') FROM visit_attachments GROUP BY visit_uuid")}
    found = store.rows("SELECT * FROM current_visits ORDER BY day, created_at")
    for n, v in enumerate(found, 1):
        k = kids.get(v["uuid"], [])
        photos, signed = evidence.get(v["uuid"], (0, 0))
        yield [n, v["day"], "、".join(teachers.get(v["uuid"], [])), v["participants"], v["mode"], v["location"],
               "、".join(x[0] for x in k), "、".join(dict.fromkeys(x[1] for x in k)), v["met_name"], v["met_relation"],
               v["home_situation"], v["school_behaviour"], v["home_behaviour"], v["policies"], v["parent_opinion"],
               v["problems"], v["measures"], v["followup_plan"], v["followup_date"], int(photos or 0),
               parent_signature_cell(v["mode"], bool(signed)), "", v["note"]]


def parent_signature_cell(mode: str, signed: bool) -> str:
    """The 家长签字 cell: a phone or video visit has no signature to give (不需签字); a visit in person
    with an electronic signature says so (the image is in the folder); otherwise the cell is left
    empty for the parent to sign the printed ledger."""
    if not takes_signature(mode):
        return f"不需签字（{table('visit_mode').label(mode) or mode}）"
    return "电子签名（见档案）" if signed else ""


def case_rows(store: Store, masked: bool) -> Iterator[list]:
    school = store.query("SELECT name FROM school LIMIT 1")
    school_name = school[0]["name"] if school else ""
    g = _guardians(store)
    hide_id, hide_phone = maskers(store, masked)
    from jiaoyuapp.ledgers import case_escalation as esc
    from jiaoyuapp.ledgers.school_calendar import Calendar
    cal = Calendar.load(store)
    people: dict[str, list[dict]] = {}
    for person in store.query("SELECT * FROM case_people ORDER BY line, role"):
        people.setdefault(person["case_uuid"], []).append(person)
    found = store.rows(f"SELECT c.*, s.name, s.sex, s.id_number, s.student_no, s.ethnicity, s.grade, s.class_no, "
                       f"s.hukou_place, s.home_address, s.current_address, {FAMILY_COLUMNS} FROM cases c JOIN students s "
                       f"ON s.uuid = c.student_uuid ORDER BY c.opened_on, s.name")
    for n, c in enumerate(found, 1):
        guardian = g.get(c["student_uuid"], {})
        p = esc.people_by_line(people.get(c["uuid"], []), hide_phone)
        phone = guardian.get("phone")
        yield [n, c["name"], table("sex").label(c["sex"]), hide_id(c["id_number"]),
               hide_id(c["student_no"]), table("ethnicity").label(c["ethnicity"]),
               school_name, table("grade").label(str(c["grade"])) if c["grade"] else "",
               class_label(c["grade"], c["class_no"]), c["hukou_place"], guardian.get("name"), guardian.get("relation"),
               hide_phone(phone), _home(c), _family_type(c),
               esc.absence_start(store, c, cal), esc.unexcused_days(store, c, cal=cal), esc.whereabouts_label(c),
               esc.reason_label(c), "；".join(p.get("教育线", [])),
               "；".join(p.get("政府线", [])), c["status"], c["returned_on"], c["placement"], c["closed_on"],
               "；".join(x for x in (c["outcome"] and f"销号结论：{c['outcome']}", c["confirmed_by"] and
                                     f"确认人：{c['confirmed_by']}", c["plan"] and f"一人一案：{c['plan']}") if x)]


def attempt_rows(store: Store, masked: bool) -> Iterator[list]:
    from jiaoyuapp.ledgers.case_escalation import attempt_people_text, step_of
    evidence = dict(store.conn.execute("SELECT attempt_uuid, count(*) FROM attempt_attachments GROUP BY attempt_uuid"))
    found = store.rows("SELECT a.*, s.name, s.grade, s.class_no FROM attempts a JOIN cases c ON c.uuid = a.case_uuid "
                       "JOIN students s ON s.uuid = c.student_uuid ORDER BY s.name, a.on_date")
    for n, a in enumerate(found, 1):
        yield [n, a["name"], class_label(a["grade"], a["class_no"]), a["on_date"],
               table("escalation_step").label(step_of(a)) if step_of(a) else "", attempt_people_text(store, a),
               table("attempt_method").label(a["method"]), a["action"], a["result"], a["next_date"],
               evidence.get(a["uuid"], 0)]


def teaching_rows(store: Store, masked: bool) -> Iterator[list]:
    found = store.rows("SELECT h.*, s.name, s.grade, s.class_no FROM home_teaching h JOIN cases c "
                       "ON c.uuid = h.case_uuid JOIN students s ON s.uuid = c.student_uuid ORDER BY s.name, h.on_date")
    for n, h in enumerate(found, 1):
        yield [n, h["name"], class_label(h["grade"], h["class_no"]), h["on_date"], h["teacher_name"], h["content"],
               h["hours"]]


def aid_rows(store: Store, masked: bool) -> Iterator[list]:
    """The 资助台账 as inspectors read it: who (学籍号; 就读方式, since a 走读 pupil gets half the
    生活补助), as what (资助对象类型 by the 认定, 困难等级, the 认定 and 公示 dates), what (program,
    term, 金额, 发放方式) and a 领取人签字 column (the name recorded, else blank for the signature on
    paper)."""
    found = store.rows(f"SELECT a.*, p.name AS program, t.name AS term, s.name, s.sex, s.id_number, s.student_no, "
                       f"s.grade, s.class_no, {FAMILY_COLUMNS} FROM aid_records a JOIN aid_programs p "
                       f"ON p.uuid = a.program_uuid JOIN terms t ON t.uuid = a.term_uuid JOIN students s "
                       f"ON s.uuid = a.student_uuid ORDER BY t.start_date, p.code, s.grade, s.name")
    hide_id, _ = maskers(store, masked)
    for n, a in enumerate(found, 1):
        yield [n, a["name"], table("sex").label(a["sex"]), hide_id(a["id_number"]), hide_id(a["student_no"]),
               class_label(a["grade"], a["class_no"]), table("boarding").label(a["boarding"]),
               table("aid_target").label(a["target"]),
               table("hardship_level").label(a["hardship"]), a["recognized_on"], a["published_on"], a["program"],
               a["term"], a["amount"], a["paid_on"], table("payment_method").label(a["method"]) if a["method"] else "",
               a["receiver"]]


def absence_rows(store: Store, masked: bool) -> Iterator[list]:
    """考勤（缺课）台账: every recorded absence, day by day, with the kind the school recorded."""
    found = store.rows("SELECT a.day, a.kind, a.note, a.recorded_by, s.name, s.sex, s.grade, s.class_no "
                       "FROM absences a JOIN students s ON s.uuid = a.student_uuid "
                       "ORDER BY a.day, s.grade, CAST(s.class_no AS INTEGER), s.class_no, s.name")
    for n, a in enumerate(found, 1):
        yield [n, a["day"], a["name"], table("sex").label(a["sex"]), class_label(a["grade"], a["class_no"]),
               table("absence_kind").label(a["kind"]), a["note"], a["recorded_by"]]


def _count(sql: str) -> Callable[[Store], int]:
    return lambda store: store.scalar(sql) or 0


C = Column
LEDGERS: tuple[Ledger, ...] = (
    Ledger("学生花名册", "学生花名册", [C("序号", 6, "number", True), C("姓名", 10, key=True), C("性别", 6), C("出生日期", 12, "date"),
                                       C("民族", 8), C("身份证件号", 21, "id"), C("全国学籍号", 22, "id"), C("年级", 8),
                                       C("班级", 11, key=True), C("在校状态", 9), C("就读方式", 9), C("家庭住址", 24),
                                       C("监护人", 10), C("关系", 7), C("联系电话", 14, "phone"), C("家庭类型", 22)],
           roster_rows, _count("SELECT count(*) FROM students")),
    Ledger("家访记录", "家访记录表（千师进万家）",
           [C("序号", 6, "number", True), C("家访日期", 12, "date", True), C("家访教师", 12), C("参与人员", 12), C("家访形式", 10),
            C("家访地点", 16), C("学生姓名", 14, key=True), C("班级", 11, key=True), C("受访人", 10), C("关系", 7),
            C("家庭基本情况", 24), C("学生在校表现", 20), C("在家表现", 20), C("宣讲政策", 22), C("家长意见与建议", 20),
            C("发现问题", 20), C("帮扶措施", 20), C("后续跟进计划", 18), C("跟进日期", 12, "date"),
            C("照片（张）", 7, "number"), C("家长签字", 12), C("教师签名", 12), C("备注", 12)],
           visit_rows, _count("SELECT count(*) FROM current_visits")),
    Ledger("控辍保学台账", "控辍保学工作台账",
           [C("序号", 6, "number", True), C("姓名", 10, key=True), C("性别", 6), C("身份证号", 21, "id"),
            C("学籍号", 22, "id"), C("民族", 8), C("学校", 16), C("年级", 8), C("班级", 11, key=True), C("户籍地（乡/村）", 18), C("监护人", 10),
            C("关系", 7), C("电话", 14, "phone"), C("家庭住址", 22), C("家庭类型", 18), C("离校/缺课起始日期", 14, "date"),
            C("无故缺课天数", 8, "number"), C("去向", 12), C("辍学原因", 14), C("包保责任人（教育线）", 24),
            C("包保责任人（政府线）", 24), C("当前状态", 10), C("复学日期", 12, "date"), C("安置方式", 10),
            C("销号日期", 12, "date"), C("备注", 24)],
           case_rows, _count("SELECT count(*) FROM cases"), sign_off_block="quanfan"),
    Ledger("劝返记录", "劝返工作记录",
           [C("序号", 6, "number", True), C("姓名", 10, key=True), C("班级", 11, key=True), C("日期", 12, "date"), C("劝返步骤", 16),
            C("人员（身份 姓名）", 22), C("方式", 16), C("措施", 28), C("结果", 24), C("下次劝返日期", 13, "date"),
            C("佐证（份）", 8, "number")],
           attempt_rows, _count("SELECT count(*) FROM attempts"), sign_off_block="quanfan"),
    Ledger("送教上门记录", "送教上门记录",
           [C("序号", 6, "number", True), C("姓名", 10, key=True), C("班级", 11, key=True), C("日期", 12, "date"),
            C("送教教师", 12),
            C("送教内容", 32), C("课时", 8, "number")],
           teaching_rows, _count("SELECT count(*) FROM home_teaching")),
    Ledger("资助台账", "学生资助台账",
           [C("序号", 6, "number", True), C("姓名", 10, key=True), C("性别", 6), C("身份证件号", 21, "id"), C("学籍号", 22, "id"),
            C("班级", 11, key=True), C("就读方式", 8), C("资助对象类型（认定）", 18), C("困难等级", 9),
            C("认定日期", 12, "date"), C("公示日期", 12, "date"), C("资助项目", 22), C("学期", 16),
            C("金额（元）", 10, "number"), C("发放日期", 12, "date"), C("发放方式", 14), C("领取人签字", 12)],
           aid_rows, _count("SELECT count(*) FROM aid_records")),
    Ledger("考勤缺课台账", "考勤（缺课）台账",
           [C("序号", 6, "number", True), C("日期", 12, "date", True), C("姓名", 10, key=True), C("性别", 6),
            C("班级", 11, key=True), C("缺课类型", 10), C("原因/说明", 30), C("登记人", 12)],
           absence_rows, _count("SELECT count(*) FROM absences")),
)
