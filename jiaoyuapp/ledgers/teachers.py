"""The school's staff, so visits, attempts and responsibilities name real people."""

from __future__ import annotations

import datetime as dt
import re

from jiaoyuapp.codes import table
from jiaoyuapp.errors import DataError, JiaoyuError, NotFoundError
from jiaoyuapp.ledgers.school_calendar import as_date
from jiaoyuapp.roster import cell_values as cv
from jiaoyuapp.roster.classes import class_label, parse_class
from jiaoyuapp.roster.identifiers import check_phone
from jiaoyuapp.store import Store


ROLE_HINT = "、".join(table("teacher_role").labels())
LEAVE_KINDS = ("离岗", "调走")


def split_classes(classes) -> list[str]:
    """Classes as typed in one box (三年级1班、四年级2班) or given as a list."""
    if isinstance(classes, str):
        classes = re.split(r"[、，,;；\s]+", classes)
    return [c.strip() for c in classes or () if c and c.strip()]


def check_teacher(name, role="任课教师", phone=None, classes=()) -> dict:
    """A teacher's details as they will be stored, or the reason they cannot be (nothing is written):
    the window checks a whole page of rows this way before it saves any."""
    name = cv.compact(name)
    if not name:
        raise DataError("请填写教师姓名。")
    role_code = table("teacher_role").code(role or "任课教师")
    if role_code is None:
        raise DataError(f"职务“{role}”不在列表中，请填写：{ROLE_HINT}")
    phone = cv.compact(phone) or None
    if phone and (msg := check_phone(phone)):
        raise DataError(f"{msg}。")
    parsed = []
    for text in split_classes(classes):
        try:
            grade, cls = parse_class(text)
        except JiaoyuError as exc:
            raise DataError(exc.message) from None
        if cls is None:
            raise DataError(f"所带班级要写到班，如“三年级1班”，“{text}”没有写班。")
        parsed.append((grade, cls))
    return {"name": name, "role": role_code, "phone": phone, "classes": list(dict.fromkeys(parsed))}


def add_teacher(store: Store, name: str, role: str = "任课教师", phone: str | None = None,
                classes: list[str] | str = (), actor: str = "") -> str:
    t = check_teacher(name, role, phone, classes)
    with store.write("teacher-add", actor, "登记教师") as w:
        uid = w.insert("teachers", {"name": t["name"], "role": t["role"], "phone": t["phone"], "active": 1})
        for grade, cls in t["classes"]:
            w.insert("class_heads", {"teacher_uuid": uid, "grade": grade, "class_no": cls})
    return uid


def update_teacher(store: Store, ref: str, *, name: str | None = None, role: str | None = None,
                   phone: str | None = None, active: bool | None = None, classes: list[str] | str | None = None,
                   actor: str = "") -> dict:
    """Change a teacher's details; a teacher who leaves is made inactive, never deleted (records name them).
    `classes`, when given, replaces the classes the teacher holds."""
    teacher = find_teacher(store, ref)
    t = check_teacher(teacher["name"] if name is None else name, teacher["role"] if role is None else role,
                      phone, classes if classes is not None else ())
    changes: dict = {}
    if name is not None:
        changes["name"] = t["name"]
    if role is not None:
        changes["role"] = t["role"]
    if phone is not None:
        changes["phone"] = t["phone"]
    if active is not None:
        changes["active"] = int(active)
    with store.write("teacher-edit", actor, "修改教师信息") as w:
        changed = w.update("teachers", teacher["uuid"], changes)
        if classes is not None:
            held = {(h["grade"], h["class_no"]): h["uuid"] for h in store.query(
                "SELECT uuid, grade, class_no FROM class_heads WHERE teacher_uuid = ?", (teacher["uuid"],))}
            for key, uid in held.items():
                if key not in t["classes"]:
                    w.delete("class_heads", uid)
            for grade, cls in t["classes"]:
                if (grade, cls) not in held:
                    w.insert("class_heads", {"teacher_uuid": teacher["uuid"], "grade": grade, "class_no": cls})
            before = [class_label(g, c) for g, c in sorted(held)]
            after = [class_label(g, c) for g, c in sorted(t["classes"])]
            if before != after:
                changed["classes"] = ("、".join(before), "、".join(after))
        return changed


def mark_left(store: Store, ref: str, kind: str = "调走", on=None, actor: str = "") -> dict:
    """离岗 or 调走: the teacher stays in every record that names them, but is no longer offered for
    new visits, nor counted as a class's 班主任 or against the visit quota."""
    if kind not in LEAVE_KINDS:
        raise DataError(f"离开方式应为：{'、'.join(LEAVE_KINDS)}")
    teacher = find_teacher(store, ref)
    day = as_date(on) if on else dt.date.today()
    if not teacher["active"]:
        raise DataError(f"{teacher['name']}已登记为{teacher['note'] or '离开'}，不用再登记。")
    with store.write("teacher-edit", actor, f"教师{kind}") as w:
        return w.update("teachers", teacher["uuid"], {"active": 0, "note": f"{day.isoformat()}{kind}"})


def mark_back(store: Store, ref: str, actor: str = "") -> dict:
    """A teacher who came back (or was marked as left by mistake) is offered again."""
    teacher = find_teacher(store, ref)
    with store.write("teacher-edit", actor, "教师回校") as w:
        return w.update("teachers", teacher["uuid"], {"active": 1, "note": None})


def find_teacher(store: Store, ref: str) -> dict:
    """A teacher by uuid or by name (which must then be unique)."""
    rows = store.query("SELECT * FROM teachers WHERE uuid = ? OR name = ?", (ref, cv.compact(ref)))
    if not rows:
        raise NotFoundError(f"找不到教师“{ref}”。请核对姓名，或先登记这位教师。", todo="teachers")
    if len(rows) > 1:
        raise DataError(f"有{len(rows)}位教师叫“{ref}”，请用教师编号区分。")
    return rows[0]


def list_teachers(store: Store) -> list[dict]:
    teachers = store.query("SELECT * FROM teachers ORDER BY active DESC, name")
    heads: dict[str, list[str]] = {}
    for h in store.query("SELECT teacher_uuid, grade, class_no FROM class_heads ORDER BY grade, class_no"):
        heads.setdefault(h["teacher_uuid"], []).append(class_label(h["grade"], h["class_no"]))
    for t in teachers:
        t["classes"] = heads.get(t["uuid"], [])
    return teachers


def active_teachers(store: Store) -> list[dict]:
    """The teachers a new visit, attempt or responsibility may name: those still at the school."""
    return [t for t in list_teachers(store) if t["active"]]


def head_of_class(store: Store, grade: int, class_no: str) -> dict | None:
    rows = store.query("SELECT t.* FROM class_heads h JOIN teachers t ON t.uuid = h.teacher_uuid "
                       "WHERE h.grade = ? AND h.class_no = ? AND t.active = 1", (grade, class_no))
    return rows[0] if rows else None
