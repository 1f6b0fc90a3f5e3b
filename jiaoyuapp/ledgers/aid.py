"""Financial aid (资助台账): programs and their rules as data (aid_rules.py), per-student records per
term with what the 资助台账 prints (认定, 公示, 困难等级, 领取人), the 应助未助 report per program (a
poor student with no means-tested aid this term; the meal subsidy does not clear it) and totals."""

from __future__ import annotations

import datetime as dt
import math

from jiaoyuapp.codes import fold, records, table
from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.ledgers import settings
from jiaoyuapp.ledgers.aid_rules import (PROGRAM_LEVELS, STUDENT_COLUMNS, covers, judge, level_of,  # noqa: F401
                                         split_groups)
from jiaoyuapp.ledgers.coverage import current_term
from jiaoyuapp.ledgers.school_calendar import Calendar, as_date
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.store import Store

ELIGIBLE = ("s.poverty_alleviated = 1 OR s.monitoring_kind IN ('1','2','3') OR s.dibao = 1 OR s.tekun = 1 "
            "OR s.orphan = 1")


LEVELS = ("小学", "初中", "高中")
# Which 学段 a school teaches, by its type (jiaoyuapp.school.SCHOOL_TYPES).
SCHOOL_LEVELS = {"小学": ("小学",), "教学点": ("小学",), "初中": ("初中",), "九年一贯制": ("小学", "初中"),
                 "完全中学": ("初中", "高中"), "高中": ("高中",)}


def school_levels(store: Store) -> tuple[str, ...]:
    """The 学段 of this school (from its registered type); all of them when it is not known."""
    school = store.query("SELECT school_type FROM school LIMIT 1")
    return SCHOOL_LEVELS.get(school[0]["school_type"] if school else None, LEVELS)


def is_pilot(store: Store) -> bool:
    """Whether the school gives 营养改善计划 (学校设置 → 参数设置)."""
    return settings.get_int(store, "nutrition_pilot") == 1


def offered(program: dict, levels: tuple[str, ...], pilot: bool) -> bool:
    """A program this school gives: of its 学段, and (营养改善计划) only at a 试点 school."""
    return covers(program.get("level"), levels) and (pilot or not _flag(program.get("pilot_only")))


def _flag(value) -> bool:
    return str(value or "0").strip() not in ("", "0")


def _num(value) -> float | None:
    return float(value) if value not in (None, "") else None


def default_programs(store: Store, levels: tuple[str, ...] | None = None) -> list[dict]:
    """The national programs of codes/data/aid_programs.tsv that this school gives (its 学段, and
    营养改善计划 only at a 试点 school) and does not have yet."""
    levels = school_levels(store) if levels is None else levels
    have = {r[0] for r in store.conn.execute("SELECT code FROM aid_programs")}
    pilot = is_pilot(store)
    return [r for r in records("aid_programs") if r["code"] not in have and offered(r, levels, pilot)]


def ensure_default_programs(store: Store, actor: str = "", levels: tuple[str, ...] | None = None) -> int:
    """Add the national programs of codes/data/aid_programs.tsv that the school gives and does not
    have yet (`levels`: of these 学段 instead of the school's own)."""
    new = default_programs(store, levels)
    if new:
        with store.write("aid-programs", actor, "默认资助项目") as w:
            for r in new:
                w.insert("aid_programs", {"code": r["code"], "name": r["name"], "level": r["level"] or None,
                                          "boarding_only": int(_flag(r["boarding_only"])),
                                          "amount_per_term": _num(r["amount_per_term"]),
                                          "amount_per_day": _num(r["amount_per_day"]),
                                          "day_groups": r["day_groups"] or None, "day_rate": _num(r["day_rate"]),
                                          "means_tested": int(_flag(r["means_tested"])),
                                          "in_kind": int(_flag(r["in_kind"])), "pilot_only": int(_flag(r["pilot_only"])),
                                          "note": r["note"], "active": 1})
    return len(new)


def complete_program_rules(store: Store, actor: str = "升级") -> int:
    """Give the programs made before migration 0009 their rules (NULL until now), through the write
    path so that packets and the township's copy get them too: a national program the rules of
    codes/data/aid_programs.tsv (and its 学段: 营养改善计划 is for 义务教育), any other program the
    rules it had — means-tested, cash, at every school. Returns the programs completed."""
    waiting = store.query("SELECT * FROM aid_programs WHERE means_tested IS NULL OR in_kind IS NULL "
                          "OR pilot_only IS NULL")
    if not waiting:
        return 0
    defaults = {r["code"]: r for r in records("aid_programs")}
    with store.write("aid-rules-upgrade", actor, "资助项目补充资助规则（软件升级）") as w:
        for p in waiting:
            d = defaults.get(p["code"])
            if d is None:
                rules = {"means_tested": 1, "in_kind": 0, "pilot_only": 0}
            else:
                rules = {"means_tested": int(_flag(d["means_tested"])), "in_kind": int(_flag(d["in_kind"])),
                         "pilot_only": int(_flag(d["pilot_only"])), "level": d["level"] or None,
                         "day_groups": d["day_groups"] or None, "day_rate": _num(d["day_rate"])}
            w.update("aid_programs", p["uuid"], {k: v for k, v in rules.items()
                                                 if p[k] is None or k in ("level",) and d is not None})
    return len(waiting)


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


def _check_program(name, level, amount_per_term, amount_per_day, day_groups=None, day_rate=None) -> None:
    if name is not None and not str(name).strip():
        raise DataError("请填写资助项目名称。")
    if level not in (None, *PROGRAM_LEVELS):
        raise DataError("学段应为：小学、初中、高中或义务教育（不填表示不限）。")
    targets = table("aid_target")
    for g in split_groups(day_groups):
        if g not in targets.codes():
            raise DataError(f"走读生可享受的类别“{g}”不在列表中，应为：{'、'.join(targets.codes())}。")
    if day_rate is not None and (not math.isfinite(day_rate) or not 0 < day_rate <= 1):
        raise DataError("走读生按寄宿生标准的比例应在0到100%之间，如 50%。")
    for value in (amount_per_term, amount_per_day):
        if value is not None and (not math.isfinite(value) or value < 0):
            raise DataError("金额不能为负数。")
    if amount_per_term is not None and amount_per_day is not None:
        raise DataError("每学期金额和每在校日金额只填一个：按学期发放填前者，按在校日计（如营养餐）填后者。")


def parse_rate(text) -> float | None:
    """A share of the boarder amount as typed: 50%, 50, 0.5, ５０％; empty means none."""
    if text is None or isinstance(text, (int, float)):
        return text
    folded = fold(str(text)).removesuffix("%")
    if not folded:
        return None
    try:
        value = float(folded)
    except ValueError:
        raise DataError(f"走读生比例应为百分数，如 50%，“{str(text).strip()}”不是数字。") from None
    return value / 100 if value > 1 else value


def add_program(store: Store, *, code: str | None = None, name: str, level: str | None = None,
                boarding_only: bool = False, amount_per_term: float | None = None,
                amount_per_day: float | None = None, note: str | None = None, day_groups: str | None = None,
                day_rate: float | None = None, means_tested: bool = False, in_kind: bool = False,
                pilot_only: bool = False, actor: str = "") -> str:
    """A program of the school's own (a county or charity grant); its code is made up when not given.
    Means-tested only when the school says so (then it clears 应助未助 and needs a 认定)."""
    _check_program(name, level, amount_per_term, amount_per_day, day_groups, day_rate)
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
                                         "day_groups": day_groups or None, "day_rate": day_rate,
                                         "means_tested": int(means_tested), "in_kind": int(in_kind),
                                         "pilot_only": int(pilot_only), "note": note, "active": 1})


def update_program(store: Store, ref: str, actor: str = "", **changes) -> dict:
    """Change a program's name, amounts, level or whether it is still in use; past records keep their amounts."""
    prog = find_program(store, ref)
    allowed = {"name", "level", "boarding_only", "amount_per_term", "amount_per_day", "active", "note", "day_groups",
               "day_rate", "means_tested", "in_kind", "pilot_only"}
    unknown = set(changes) - allowed
    if unknown:
        raise DataError(f"资助项目没有这些项：{'、'.join(sorted(unknown))}")
    merged = dict(prog, **changes)
    _check_program(changes.get("name"), merged["level"], merged["amount_per_term"], merged["amount_per_day"],
                   merged["day_groups"], merged["day_rate"])
    if "day_groups" in changes:
        changes["day_groups"] = changes["day_groups"] or None
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


def offered_programs(store: Store) -> list[dict]:
    """The programs in use that this school gives (its 学段; 营养改善计划 only at a 试点 school): what
    the 资助 screen and `aid programs` offer. A primary school never sees 普通高中国家助学金."""
    levels, pilot = school_levels(store), is_pilot(store)
    return [p for p in store.query("SELECT * FROM aid_programs WHERE active = 1 ORDER BY code")
            if offered(p, levels, pilot)]


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


def check_for(store: Store, student_uuid: str, program: str, target: str | None = None):
    """The program and the verdict of its rules for this student (aid_rules.judge)."""
    student = store.get("students", student_uuid)
    if student is None:
        raise NotFoundError("找不到这名学生。")
    prog = find_program(store, program)
    return prog, judge(prog, student, school_levels=school_levels(store), pilot=is_pilot(store), target=target)


def _code(name: str, raw, what: str) -> str | None:
    if raw in (None, ""):
        return None
    code = table(name).code(raw)
    if code is None:
        raise DataError(f"{what}应为：{'、'.join(table(name).labels())}")
    return code


def give_aid(store: Store, student_uuid: str, program: str, *, paid_on, amount: float | None = None,
             term: str | None = None, method: str | None = None, note: str | None = None, target: str | None = None,
             hardship: str | None = None, recognized_on=None, published_on=None, receiver: str | None = None,
             actor: str = "") -> str:
    """Record one payment. `target` (资助对象类型, the 认定) is taken from the roster when not given;
    a non-boarder of the four groups gets the program's day_rate of the amount; an in-kind program
    is never paid in cash."""
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
    target = _code("aid_target", target, "资助对象类型")
    verdict = judge(prog, student, school_levels=school_levels(store), pilot=is_pilot(store), target=target)
    if not verdict.ok:
        raise DataError(verdict.why)
    hardship = _code("hardship_level", hardship, "困难等级")
    recognized_on = as_date(recognized_on).isoformat() if recognized_on else None
    published_on = as_date(published_on).isoformat() if published_on else None
    if recognized_on and published_on and published_on < recognized_on:
        raise DataError(f"公示日期（{published_on}）不能早于认定日期（{recognized_on}）：先认定，再公示。")
    if published_on and published_on > paid_on.isoformat():
        raise DataError(f"公示日期（{published_on}）晚于发放日期（{paid_on.isoformat()}）：应先公示，公示无异议后再发放。")
    if store.scalar("SELECT 1 FROM aid_records WHERE student_uuid = ? AND program_uuid = ? AND term_uuid = ?",
                    (student_uuid, prog["uuid"], t["uuid"])):
        raise DataError(f"该生{t['name']}已有“{prog['name']}”的发放记录，不能重复登记。")
    if amount is None:
        full = default_amount(prog, cal, t)
        amount = round(full * verdict.share, 2) if full is not None else None
    if amount is None or amount <= 0:
        raise DataError("请填写发放金额（元）。")
    method_code = _code("payment_method", method, "发放方式")
    if prog["in_kind"]:
        if method_code in ("现金", "银行卡"):
            raise DataError(f"“{prog['name']}”以实物（膳食）方式提供，不能发放现金或打卡。发放方式请选“以膳食方式提供”。")
        method_code = method_code or "膳食"
    with store.write("aid", actor, "登记资助") as w:
        return w.insert("aid_records", {"student_uuid": student_uuid, "program_uuid": prog["uuid"],
                                        "term_uuid": t["uuid"], "amount": amount, "paid_on": paid_on.isoformat(),
                                        "method": method_code, "note": note, "target": verdict.target,
                                        "hardship": hardship, "recognized_on": recognized_on,
                                        "published_on": published_on, "receiver": (receiver or "").strip() or None})


def unaided(store: Store, *, today: dt.date | None = None, term: str | None = None) -> dict:
    """应助未助: students of 脱贫户, 监测户, 低保, 特困 or 孤儿 households — or any student a means-tested
    program of the school covers — with no means-tested aid this term. 营养改善计划 goes to every pupil
    and does not clear it. Each student names the programs they qualify for; `programs` gives, per
    means-tested program, how many qualify and how many of them have no record of it."""
    _, t = current_term(store, today or dt.date.today(), term)
    levels, pilot = school_levels(store), is_pilot(store)
    programs = [p for p in store.query("SELECT * FROM aid_programs WHERE active = 1 AND means_tested = 1 ORDER BY code")
                if offered(p, levels, pilot)]
    got: dict[str, set[str]] = {}
    for uid, prog in store.conn.execute("SELECT student_uuid, program_uuid FROM aid_records WHERE term_uuid = ?",
                                        (t["uuid"],)):
        got.setdefault(uid, set()).add(prog)
    tested = {p[0] for p in store.conn.execute("SELECT uuid FROM aid_programs WHERE means_tested = 1")}
    names = dict(store.conn.execute("SELECT uuid, name FROM aid_programs"))
    rows = store.query(
        f"SELECT {', '.join('s.' + c for c in STUDENT_COLUMNS)} FROM students s WHERE s.status = '在读' "
        f"AND ({ELIGIBLE} OR s.needs_aid = 1) ORDER BY s.grade, CAST(s.class_no AS INTEGER), s.name")
    per_program = {p["uuid"]: {"code": p["code"], "name": p["name"], "eligible": 0, "missing": 0} for p in programs}
    items = []
    for r in rows:
        mine = got.get(r["uuid"], set())
        fits = [p for p in programs if judge(p, r, school_levels=levels, pilot=pilot).ok]
        for p in fits:
            per_program[p["uuid"]]["eligible"] += 1
            if p["uuid"] not in mine:
                per_program[p["uuid"]]["missing"] += 1
        flagged = any(r[c] == 1 for c in ("poverty_alleviated", "dibao", "tekun", "orphan")) or \
            r["monitoring_kind"] in ("1", "2", "3")
        if mine & tested or not (flagged or fits):
            continue
        why = [label for col, label in (("poverty_alleviated", "脱贫户"), ("dibao", "低保"), ("tekun", "特困供养"),
                                        ("orphan", "孤儿")) if r[col] == 1]
        if r["monitoring_kind"] in ("1", "2", "3"):
            why.append(table("monitoring_kind").label(r["monitoring_kind"]))
        if not why:
            why.append("需要申请资助")
        items.append({"uuid": r["uuid"], "name": r["name"], "class": class_label(r["grade"], r["class_no"]),
                      "reasons": why, "programs": [p["name"] for p in fits],
                      "received": sorted(names[x] for x in mine)})
    return {"term": t["name"], "students": items, "programs": list(per_program.values())}


def totals(store: Store, *, today: dt.date | None = None, term: str | None = None) -> dict:
    _, t = current_term(store, today or dt.date.today(), term)
    rows = store.query(
        "SELECT p.name, p.code, count(DISTINCT a.student_uuid) AS students, count(a.uuid) AS records, "
        "coalesce(sum(a.amount), 0) AS amount FROM aid_programs p LEFT JOIN aid_records a "
        "ON a.program_uuid = p.uuid AND a.term_uuid = ? GROUP BY p.uuid ORDER BY p.code", (t["uuid"],))
    return {"term": t["name"], "programs": rows, "amount": round(sum(r["amount"] for r in rows), 2)}
