"""Financial aid (资助台账): programs and amounts as data, per-student records per term,
the 应助未助 report (eligible students with no aid this term) and totals per program."""

from __future__ import annotations

import datetime as dt
import math

from jiaoyuapp.codes import fold, records, table
from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.ledgers.coverage import current_term
from jiaoyuapp.ledgers.school_calendar import Calendar, as_date
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.store import Store

ELIGIBLE = ("s.poverty_alleviated = 1 OR s.monitoring_kind IN ('1','2','3') OR s.dibao = 1 OR s.tekun = 1 "
            "OR s.orphan = 1")


def level_of(grade: int | None) -> str | None:
    if grade is None:
        return None
    return "小学" if grade <= 6 else "初中" if grade <= 9 else "高中"


LEVELS = ("小学", "初中", "高中")
# Which 学段 a school teaches, by its type (jiaoyuapp.school.SCHOOL_TYPES).
SCHOOL_LEVELS = {"小学": ("小学",), "教学点": ("小学",), "初中": ("初中",), "九年一贯制": ("小学", "初中"),
                 "完全中学": ("初中", "高中"), "高中": ("高中",)}


def school_levels(store: Store) -> tuple[str, ...]:
    """The 学段 of this school (from its registered type); all of them when it is not known."""
    school = store.query("SELECT school_type FROM school LIMIT 1")
    return SCHOOL_LEVELS.get(school[0]["school_type"] if school else None, LEVELS)


def default_programs(store: Store, levels: tuple[str, ...] | None = None) -> list[dict]:
    """The national programs of codes/data/aid_programs.tsv for these levels (the school's own by
    default) that the school does not have yet."""
    levels = school_levels(store) if levels is None else levels
    have = {r[0] for r in store.conn.execute("SELECT code FROM aid_programs")}
    return [r for r in records("aid_programs") if r["code"] not in have and (not r["level"] or r["level"] in levels)]


def ensure_default_programs(store: Store, actor: str = "", levels: tuple[str, ...] | None = LEVELS) -> int:
    """Add the national programs of codes/data/aid_programs.tsv that the school does not have yet
    (of every level unless `levels` says which; None: the school's own)."""
    new = default_programs(store, levels)
    if new:
        with store.write("aid-programs", actor, "默认资助项目") as w:
            for r in new:
                w.insert("aid_programs", {"code": r["code"], "name": r["name"], "level": r["level"] or None,
                                          "boarding_only": int(r["boarding_only"] or 0),
                                          "amount_per_term": float(r["amount_per_term"]) if r["amount_per_term"] else None,
                                          "amount_per_day": float(r["amount_per_day"]) if r["amount_per_day"] else None,
                                          "note": r["note"], "active": 1})
    return len(new)


def parse_amount(text, what: str = "金额") -> float | None:
    """An amount in 元 as typed (625, ６２５, 2.5); empty means none."""
    if text is None or isinstance(text, (int, float)):
        value = text
    else:
        folded = fold(str(text)).removesuffix("元")
        if not folded:
            return None
        try:
            value = float(folded)
        except ValueError:
            raise DataError(f"{what}应为数字（元），如 625，“{str(text).strip()}”不是数字。") from None
    if value is not None and (not math.isfinite(value) or value < 0 or value > 100000):
        raise DataError(f"{what}应在0到100000元之间。")
    return value


def _check_program(name, level, amount_per_term, amount_per_day) -> None:
    if name is not None and not str(name).strip():
        raise DataError("请填写资助项目名称。")
    if level not in (None, *LEVELS):
        raise DataError("学段应为：小学、初中或高中（不填表示不限）。")
    for value in (amount_per_term, amount_per_day):
        if value is not None and (not math.isfinite(value) or value < 0):
            raise DataError("金额不能为负数。")
    if amount_per_term is not None and amount_per_day is not None:
        raise DataError("每学期金额和每在校日金额只填一个：按学期发放填前者，按在校日计（如营养餐）填后者。")


def add_program(store: Store, *, code: str | None = None, name: str, level: str | None = None,
                boarding_only: bool = False, amount_per_term: float | None = None,
                amount_per_day: float | None = None, note: str | None = None, actor: str = "") -> str:
    """A program of the school's own (a county or charity grant); its code is made up when not given."""
    _check_program(name, level, amount_per_term, amount_per_day)
    name = name.strip()
    if store.scalar("SELECT 1 FROM aid_programs WHERE name = ?", (name,)):
        raise DataError(f"已有名为“{name}”的资助项目。如需改金额，请修改该项目。")
    if not code:
        n = 1 + store.scalar("SELECT count(*) FROM aid_programs WHERE code LIKE 'XM%'")
        while store.scalar("SELECT 1 FROM aid_programs WHERE code = ?", (f"XM{n:02d}",)):
            n += 1
        code = f"XM{n:02d}"
    if store.scalar("SELECT 1 FROM aid_programs WHERE code = ?", (code,)):
        raise DataError(f"资助项目代码“{code}”已存在。")
    with store.write("aid-program", actor, f"新增资助项目：{name}") as w:
        return w.insert("aid_programs", {"code": code, "name": name, "level": level, "boarding_only": int(boarding_only),
                                         "amount_per_term": amount_per_term, "amount_per_day": amount_per_day,
                                         "note": note, "active": 1})


def update_program(store: Store, ref: str, actor: str = "", **changes) -> dict:
    """Change a program's name, amounts, level or whether it is still in use; past records keep their amounts."""
    prog = find_program(store, ref)
    allowed = {"name", "level", "boarding_only", "amount_per_term", "amount_per_day", "active", "note"}
    unknown = set(changes) - allowed
    if unknown:
        raise DataError(f"资助项目没有这些项：{'、'.join(sorted(unknown))}")
    merged = dict(prog, **changes)
    _check_program(changes.get("name"), merged["level"], merged["amount_per_term"], merged["amount_per_day"])
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if store.scalar("SELECT 1 FROM aid_programs WHERE name = ? AND uuid != ?", (changes["name"], prog["uuid"])):
            raise DataError(f"已有名为“{changes['name']}”的资助项目。")
    with store.write("aid-program", actor, f"修改资助项目：{prog['name']}") as w:
        return w.update("aid_programs", prog["uuid"], changes)


def list_programs(store: Store) -> list[dict]:
    """Every program, those in use first; each with how many aid records name it."""
    return store.query("SELECT p.*, (SELECT count(*) FROM aid_records a WHERE a.program_uuid = p.uuid) AS records "
                       "FROM aid_programs p ORDER BY p.active DESC, p.code")


def find_program(store: Store, ref: str) -> dict:
    rows = store.query("SELECT * FROM aid_programs WHERE uuid = ? OR code = ? OR name = ?", (ref, ref, ref))
    if not rows:
        names = "、".join(r[0] for r in store.conn.execute("SELECT name FROM aid_programs"))
        raise NotFoundError(f"没有资助项目“{ref}”。" + (f"已有：{names}。请从中选择，或先添加这个项目。" if names
                                                   else "还没有任何资助项目，请先添加（国家资助项目可一次添加）。"),
                            todo="aid_programs")
    return rows[0]


def default_amount(program: dict, cal: Calendar, term: dict) -> float | None:
    if program["amount_per_term"] is not None:
        return program["amount_per_term"]
    if program["amount_per_day"] is not None:
        days = cal.school_days(as_date(term["start_date"]), as_date(term["end_date"]))
        return round(program["amount_per_day"] * len(days), 2)
    return None


def give_aid(store: Store, student_uuid: str, program: str, *, paid_on, amount: float | None = None,
             term: str | None = None, method: str | None = None, note: str | None = None, actor: str = "") -> str:
    student = store.get("students", student_uuid)
    if student is None:
        raise NotFoundError("找不到这名学生。")
    if student["status"] != "在读":
        raise DataError(f"该学生学籍状态为“{student['status']}”，不能登记资助。")
    prog = find_program(store, program)
    if not prog["active"]:
        raise DataError(f"资助项目“{prog['name']}”已停用。")
    paid_on = as_date(paid_on)
    cal, t = current_term(store, paid_on, term)
    level = level_of(student["grade"])
    if prog["level"] and level and prog["level"] != level:
        raise DataError(f"“{prog['name']}”只面向{prog['level']}学生，该生是{level}学生。")
    if prog["boarding_only"] and student["boarding"] != "2":
        raise DataError(f"“{prog['name']}”只面向寄宿生，该生登记为走读。如已住校，请先修改就读方式。")
    if store.scalar("SELECT 1 FROM aid_records WHERE student_uuid = ? AND program_uuid = ? AND term_uuid = ?",
                    (student_uuid, prog["uuid"], t["uuid"])):
        raise DataError(f"该生{t['name']}已有“{prog['name']}”的发放记录，不能重复登记。")
    amount = amount if amount is not None else default_amount(prog, cal, t)
    if amount is None or amount <= 0:
        raise DataError("请填写发放金额（元）。")
    method_code = table("payment_method").code(method) if method else None
    if method and method_code is None:
        raise DataError(f"发放方式应为：{'、'.join(table('payment_method').labels())}")
    with store.write("aid", actor, "登记资助") as w:
        return w.insert("aid_records", {"student_uuid": student_uuid, "program_uuid": prog["uuid"],
                                        "term_uuid": t["uuid"], "amount": amount, "paid_on": paid_on.isoformat(),
                                        "method": method_code, "note": note})


def unaided(store: Store, *, today: dt.date | None = None, term: str | None = None) -> dict:
    """应助未助: students of 脱贫户/监测户/低保/特困/孤儿 households with no aid this term."""
    _, t = current_term(store, today or dt.date.today(), term)
    rows = store.query(
        f"SELECT s.uuid, s.name, s.grade, s.class_no, s.poverty_alleviated, s.monitoring_kind, s.dibao, s.tekun, "
        f"s.orphan FROM students s WHERE s.status = '在读' AND ({ELIGIBLE}) AND NOT EXISTS ("
        f"SELECT 1 FROM aid_records a WHERE a.student_uuid = s.uuid AND a.term_uuid = ?) "
        f"ORDER BY s.grade, CAST(s.class_no AS INTEGER), s.name", (t["uuid"],))
    items = []
    for r in rows:
        why = [label for col, label in (("poverty_alleviated", "脱贫户"), ("dibao", "低保"), ("tekun", "特困供养"),
                                        ("orphan", "孤儿")) if r[col] == 1]
        if r["monitoring_kind"] in ("1", "2", "3"):
            why.append(table("monitoring_kind").label(r["monitoring_kind"]))
        items.append({"uuid": r["uuid"], "name": r["name"], "class": class_label(r["grade"], r["class_no"]),
                      "reasons": why})
    return {"term": t["name"], "students": items}


def totals(store: Store, *, today: dt.date | None = None, term: str | None = None) -> dict:
    _, t = current_term(store, today or dt.date.today(), term)
    rows = store.query(
        "SELECT p.name, p.code, count(DISTINCT a.student_uuid) AS students, count(a.uuid) AS records, "
        "coalesce(sum(a.amount), 0) AS amount FROM aid_programs p LEFT JOIN aid_records a "
        "ON a.program_uuid = p.uuid AND a.term_uuid = ? GROUP BY p.uuid ORDER BY p.code", (t["uuid"],))
    return {"term": t["name"], "programs": rows, "amount": round(sum(r["amount"] for r in rows), 2)}
