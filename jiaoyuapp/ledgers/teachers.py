"""The school's staff, so visits, attempts and responsibilities name real people."""

from __future__ import annotations

from jiaoyuapp.codes import table
from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.roster import cell_values as cv
from jiaoyuapp.roster.classes import class_label, parse_class
from jiaoyuapp.roster.identifiers import check_phone
from jiaoyuapp.store import Store


def add_teacher(store: Store, name: str, role: str = "任课教师", phone: str | None = None,
                classes: list[str] = (), actor: str = "") -> str:
    name = cv.compact(name)
    if not name:
        raise DataError("请填写教师姓名。")
    role_code = table("teacher_role").code(role)
    if role_code is None:
        raise DataError(f"职务“{role}”不在列表中，请填写：{'、'.join(table('teacher_role').labels())}")
    phone = cv.identifier(phone, "电话") if phone else None
    if phone and (msg := check_phone(phone)):
        raise DataError(msg)
    parsed = [parse_class(c) for c in classes]
    if any(cls is None for _, cls in parsed):
        raise DataError("班主任所带班级要写到班，如“三年级1班”。")
    with store.write("teacher-add", actor, "登记教师") as w:
        uid = w.insert("teachers", {"name": name, "role": role_code, "phone": phone, "active": 1})
        for grade, cls in parsed:
            w.insert("class_heads", {"teacher_uuid": uid, "grade": grade, "class_no": cls})
    return uid


def update_teacher(store: Store, ref: str, *, name: str | None = None, role: str | None = None,
                   phone: str | None = None, active: bool | None = None, actor: str = "") -> dict:
    """Change a teacher's details; a teacher who leaves is made inactive, never deleted (records name them)."""
    teacher = find_teacher(store, ref)
    changes: dict = {}
    if name is not None:
        if not cv.compact(name):
            raise DataError("教师姓名不能为空。")
        changes["name"] = cv.compact(name)
    if role is not None:
        code = table("teacher_role").code(role)
        if code is None:
            raise DataError(f"职务“{role}”不在列表中，请填写：{'、'.join(table('teacher_role').labels())}")
        changes["role"] = code
    if phone is not None:
        phone = cv.identifier(phone, "电话")
        if phone and (msg := check_phone(phone)):
            raise DataError(msg)
        changes["phone"] = phone
    if active is not None:
        changes["active"] = int(active)
    with store.write("teacher-edit", actor, "修改教师信息") as w:
        return w.update("teachers", teacher["uuid"], changes)


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


def head_of_class(store: Store, grade: int, class_no: str) -> dict | None:
    rows = store.query("SELECT t.* FROM class_heads h JOIN teachers t ON t.uuid = h.teacher_uuid "
                       "WHERE h.grade = ? AND h.class_no = ? AND t.active = 1", (grade, class_no))
    return rows[0] if rows else None
