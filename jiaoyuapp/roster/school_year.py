"""The school year: transfers in and out, suspension and resumption, and the
September rollover (升级). Each is one batch in the change log; the rollover is
previewed first and can be undone as a whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from jiaoyuapp.codes import table
from jiaoyuapp.errors import CancelledError, DataError, NotFoundError
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.roster.students import add_student
from jiaoyuapp.school import require_school
from jiaoyuapp.store import Store
from jiaoyuapp.store.backups import auto_backup
from jiaoyuapp.store.changelog import undo_batch

ACTIVE = "在读"


def _student(store: Store, uuid: str) -> dict:
    s = store.get("students", uuid)
    if s is None:
        raise NotFoundError("找不到这名学生，请重新查询。")
    return s


def _day(value: dt.date | str | None) -> str:
    if value is None:
        return dt.date.today().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else dt.date.fromisoformat(value).isoformat()


def _event(w, student: dict, kind: str, day: str, other_school: str | None = None, reason: str | None = None):
    w.insert("enrollment_events", {"student_uuid": student["uuid"], "kind": kind, "event_date": day,
                                   "other_school": other_school, "reason": reason,
                                   "grade": student["grade"], "class_no": student["class_no"]})


def _change_status(store: Store, uuid: str, *, allowed_from: tuple[str, ...], to: str, kind: str,
                   day, other_school=None, reason=None, actor="", extra: dict | None = None) -> None:
    s = _student(store, uuid)
    if s["status"] not in allowed_from:
        raise DataError(f"该学生当前状态是“{s['status']}”，不能办理{kind}（只有“{'/'.join(allowed_from)}”的学生可以）。")
    day = _day(day)
    with store.write(kind, actor, f"{kind}：{class_label(s['grade'], s['class_no'])}") as w:
        w.update("students", uuid, dict(extra or {}, status=to, status_date=day))
        _event(w, dict(s, **(extra or {})), kind, day, other_school, reason)


def transfer_out(store: Store, uuid: str, *, to_school: str, day=None, reason: str | None = None, actor="") -> None:
    if not (to_school or "").strip():
        raise DataError("请填写转入学校（学生转去哪所学校），以备核查去向。")
    _change_status(store, uuid, allowed_from=(ACTIVE, "休学"), to="转出", kind="转出", day=day,
                   other_school=to_school.strip(), reason=reason, actor=actor)


def suspend(store: Store, uuid: str, *, reason: str, day=None, actor="") -> None:
    if not (reason or "").strip():
        raise DataError("办理休学需要写明原因（如：因病休学）。")
    _change_status(store, uuid, allowed_from=(ACTIVE,), to="休学", kind="休学", day=day, reason=reason, actor=actor)


def resume(store: Store, uuid: str, *, day=None, grade: int | None = None, class_no: str | None = None,
           actor="") -> None:
    """复学: back to 在读, optionally into another class (a student usually rejoins the grade below)."""
    extra = {k: v for k, v in (("grade", grade), ("class_no", class_no)) if v is not None}
    _change_status(store, uuid, allowed_from=("休学",), to=ACTIVE, kind="复学", day=day, actor=actor, extra=extra)


def transfer_in(store: Store, raw: dict, *, from_school: str, day=None, actor="") -> str:
    """转入: a new student, or one who left (转出/休学) coming back; returns the uuid."""
    from jiaoyuapp.roster.students import parse_values
    if not (from_school or "").strip():
        raise DataError("请填写原就读学校（学生从哪所学校转来），以备核查来源。")
    from_school = from_school.strip()
    values, problems, _ = parse_values(raw)
    existing = None
    if not problems:
        by_id = store.scalar("SELECT uuid FROM students WHERE id_number = ?", (values.get("id_number"),))
        by_no = store.scalar("SELECT uuid FROM students WHERE student_no = ?", (values.get("student_no"),))
        if by_id and by_no and by_id != by_no:
            raise DataError("这个身份证件号和这个全国学籍号分别属于库中两名不同的学生，请对照户口本和学籍系统核对后再办理转入。")
        existing = by_id or by_no
    day = _day(day)
    with store.write("转入", actor, "转入") as w:
        if existing:
            s = _student(store, existing)
            if s["status"] == ACTIVE:
                raise DataError("这名学生已经在本校在读，不需要办理转入。")
            changes = {k: v for k, v in values.items() if "." not in k}
            w.update("students", existing, dict(changes, status=ACTIVE, status_date=day))
            uid = existing
        else:
            uid, _ = add_student(store, raw, actor=actor, kind="转入")
        _event(w, _student(store, uid), "转入", day, other_school=from_school)
    return uid


@dataclass
class RolloverPlan:
    top_grade: int
    moves: list[tuple[str, int, int]] = field(default_factory=list)     # uuid, from, to
    graduates: list[str] = field(default_factory=list)
    by_grade: dict[int, int] = field(default_factory=dict)

    def summary_lines(self) -> list[str]:
        lines = []
        for g in sorted(self.by_grade):
            label = table("grade").label(str(g))
            if g >= self.top_grade:
                lines.append(f"{label} {self.by_grade[g]} 人 → 毕业")
            else:
                lines.append(f"{label} {self.by_grade[g]} 人 → {table('grade').label(str(g + 1))}")
        return lines


def plan_rollover(store: Store) -> RolloverPlan:
    """Every 在读 student moves up one grade; the school's top grade graduates."""
    school = require_school(store)
    plan = RolloverPlan(top_grade=school["top_grade"] or 6)
    for uid, grade in store.conn.execute("SELECT uuid, grade FROM students WHERE status = ? AND grade IS NOT NULL",
                                         (ACTIVE,)):
        plan.by_grade[grade] = plan.by_grade.get(grade, 0) + 1
        if grade >= plan.top_grade:
            plan.graduates.append(uid)
        else:
            plan.moves.append((uid, grade, grade + 1))
    return plan


def apply_rollover(store: Store, actor: str = "", day=None, progress=None, cancel=None) -> str:
    """Carry out the rollover as one batch; returns the batch id (for undo).

    `progress(done, total, stage)` and `cancel()` let the window show a big school's rollover
    and stop it: a cancel rolls the whole batch back, so nobody is left half moved up."""
    progress = progress or (lambda done, total, stage="": None)
    cancel = cancel or (lambda: False)
    plan = plan_rollover(store)
    if not plan.moves and not plan.graduates:
        raise DataError("没有在读学生，无需升级。")
    day = _day(day)
    progress(0, None, "升级前自动备份")
    auto_backup(store, "升级前")
    total = len(plan.graduates) + len(plan.moves)
    with store.write("rollover", actor, f"{day[:4]}年秋季升级：升级{len(plan.moves)}人，毕业{len(plan.graduates)}人") as w:
        steps = [(uid, {"status": "毕业", "status_date": day}) for uid in plan.graduates]
        steps += [(uid, {"grade": to}) for uid, _, to in plan.moves]
        for i, (uid, values) in enumerate(steps):
            if i % 500 == 0:
                if cancel():
                    raise CancelledError()
                progress(i, total, "升级")
            w.update("students", uid, values)
        if cancel():
            raise CancelledError()
    progress(total, total, "完成")
    return w.uuid


def last_rollover(store: Store) -> dict | None:
    """The latest rollover that has not been undone ({uuid, at, summary}), the one undo reverses."""
    rows = store.query("SELECT uuid, at, summary FROM batches WHERE kind = 'rollover' AND undone_by IS NULL "
                       "ORDER BY last_seq DESC LIMIT 1")
    return rows[0] if rows else None


@dataclass
class RolloverPreview:
    """What the September 升级 would do, class by class, for a person to check before applying."""
    top_grade: int
    classes: list[dict]            # {grade, class_no, from, to, count, graduating, names}
    moves: int
    graduates: int
    last: dict | None              # the rollover undo would reverse
    done_this_year: bool           # a rollover was already applied since this school year's 1 September

    def warning(self) -> str:
        if not self.done_this_year:
            return ""
        return (f"本学年已经升级过一次（{self.last['at'][:10]}）。再升级一次，所有学生会再升一个年级。"
                "如果上次升级有误，请先撤销上次升级。")


def rollover_preview(store: Store, today: dt.date | None = None) -> RolloverPreview:
    """The rollover plan by class, with the students' names, and whether one was applied already."""
    from jiaoyuapp.roster.roster_rows import school_year_start
    plan = plan_rollover(store)
    by_class: dict[tuple, dict] = {}
    for name, grade, class_no in store.conn.execute(
            "SELECT name, grade, class_no FROM students WHERE status = ? AND grade IS NOT NULL "
            "ORDER BY grade, CAST(class_no AS INTEGER), class_no, name", (ACTIVE,)):
        row = by_class.get((grade, class_no))
        if row is None:
            graduating = grade >= plan.top_grade
            row = by_class[(grade, class_no)] = {
                "grade": grade, "class_no": class_no, "from": class_label(grade, class_no),
                "to": "毕业" if graduating else class_label(grade + 1, class_no),
                "count": 0, "graduating": graduating, "names": []}
        row["count"] += 1
        row["names"].append(name)
    last = last_rollover(store)
    start = school_year_start(today).isoformat()
    return RolloverPreview(plan.top_grade, list(by_class.values()), len(plan.moves), len(plan.graduates), last,
                           bool(last and last["at"][:10] >= start))


def enrollment_history(store: Store, uuid: str) -> list[dict]:
    """A student's 转入/转出/休学/复学, oldest first, as the student's page lists them."""
    return store.query("SELECT kind, event_date, other_school, reason, grade, class_no FROM enrollment_events "
                       "WHERE student_uuid = ? ORDER BY event_date, created_at", (uuid,))


def undo_rollover(store: Store, batch_uuid: str | None = None, actor: str = "") -> None:
    """Undo the latest rollover (or the one named), if nothing it touched changed since."""
    if batch_uuid is None:
        batch_uuid = store.scalar(
            "SELECT uuid FROM batches WHERE kind = 'rollover' AND undone_by IS NULL ORDER BY last_seq DESC LIMIT 1")
        if batch_uuid is None:
            raise NotFoundError("没有可以撤销的升级操作。")
    batch = store.get("batches", batch_uuid)
    if batch is None or batch["kind"] != "rollover":
        raise NotFoundError("找不到这次升级操作。")
    undo_batch(store, batch_uuid, actor, kind="rollover-undo")
