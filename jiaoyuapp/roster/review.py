"""待核对: values an import could not match, kept instead of refusing the child.

A file import refuses a row only for what identifies the child; a 上下学方式 the code tables do not
know, a phone number with a digit missing, a 入学年月 that cannot be read are imported empty, and
the cell's original text is kept on the student (`students.unchecked`, JSON {field key: text}).
This module lists them and lets the principal settle each one: `resolve` sets the proper value
(checked as strictly as an edit in the window) and drops the note; `accept` keeps the value as it
is (empty, if the import left it so) and drops the note. Both go through the one write path.
"""

from __future__ import annotations

import json

from jiaoyuapp.codes import table
from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.roster import cell_values as cv
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.roster.fields import ALL_FIELDS, Field
from jiaoyuapp.roster.identifiers import check_id_number, check_phone, check_student_no, id_birth_date, id_sex
from jiaoyuapp.store import Store

_FIELDS = {f.key: f for f in ALL_FIELDS}


SETTLED = "="   # a note the principal settled is kept as "=key": the text it was, not raised again


def _load(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    try:
        notes = json.loads(text)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in notes.items()} if isinstance(notes, dict) else {}


def load_notes(text: str | None) -> dict[str, str]:
    """The values still to check: {field key: the cell's text as imported}."""
    return {k: v for k, v in _load(text).items() if not k.startswith(SETTLED)}


def load_settled(text: str | None) -> dict[str, str]:
    """The values the principal settled (resolved or accepted), by the text the file had: the next
    import of the same file does not raise them again (学籍 exports are imported every term)."""
    return {k[1:]: v for k, v in _load(text).items() if k.startswith(SETTLED)}


def dump_notes(notes: dict[str, str], settled: dict[str, str] | None = None) -> str | None:
    """The column's text: None when nothing is left to check or remember, so most students have none."""
    both = dict(notes, **{SETTLED + k: v for k, v in (settled or {}).items()})
    return json.dumps(dict(sorted(both.items())), ensure_ascii=False, separators=(",", ":")) if both else None


def field_label(key: str) -> str:
    """The column's name as the roster workbook writes it (上下学交通方式, 成员1联系电话 …)."""
    f = _FIELDS.get(key)
    return f.header if f else key


def choices(key: str) -> list[str]:
    """What the principal may pick from: the code table's labels, 是/否, the grades; [] when the
    value is typed (a phone, a date, an address)."""
    f = _FIELDS.get(key)
    if f is None:
        return []
    if f.kind == "code":
        return table(f.table).labels()
    if f.kind == "flag":
        return ["是", "否"]
    if f.kind == "grade":
        return table("grade").labels()
    return []


def pending(store: Store) -> list[dict]:
    """Every value still to check, in class order: student, class, field, its label, the original
    text, and the choices."""
    out = []
    for s in store.rows("SELECT uuid, name, grade, class_no, unchecked FROM students WHERE unchecked IS NOT NULL "
                        "ORDER BY grade, CAST(class_no AS INTEGER), class_no, name"):
        for key, text in load_notes(s["unchecked"]).items():
            out.append({"student_uuid": s["uuid"], "name": s["name"], "class": class_label(s["grade"], s["class_no"]),
                        "field": key, "label": field_label(key), "original": text, "choices": choices(key)})
    return out


def pending_count(store: Store) -> int:
    return sum(len(load_notes(t)) for (t,) in store.conn.execute(
        "SELECT unchecked FROM students WHERE unchecked IS NOT NULL"))


def _student_and_notes(store: Store, student_uuid: str, key: str) -> tuple[dict, dict]:
    student = store.get("students", student_uuid)
    if student is None:
        raise NotFoundError("找不到这名学生，可能已被删除，请刷新待核对列表。")
    notes = load_notes(student.get("unchecked"))
    if key not in notes:
        raise NotFoundError(f"{student['name']}的“{field_label(key)}”已经核对过了，请刷新待核对列表。")
    return student, notes


def _clean(f: Field, text: str, student: dict) -> dict:
    """{column: value} to write for the chosen or typed text, checked as an edit is; DataError
    says what is wrong."""
    from jiaoyuapp.roster.roster_rows import GRADES, _parse
    what = field_label(f.key)
    try:
        if f.kind == "class":
            grade, cls = cv.grade_and_class(student.get("grade"), text, GRADES)
            return {"grade": grade, "class_no": cls}
        value = _parse(f, text)
    except cv.CellError as exc:
        raise DataError(str(exc)) from None
    if value is None:
        raise DataError(f"请填写或选择“{what}”的值；要保留为空，请选“保持为空”。")
    if f.kind == "phone":
        msg = check_phone(value)
    elif f.kind == "id_number":
        msg = check_id_number(value) if len(value) == 18 else None
    elif f.kind == "student_no":
        msg = check_student_no(value)
    else:
        msg = None
    if msg:
        raise DataError(f"{what}：{msg}")
    if f.kind == "date":
        value = value.isoformat()
    return {f.key: value}


def _check_against_the_school(store: Store, student: dict, key: str, values: dict) -> None:
    """What the import checks across rows, for one value set in 待核对: an ID number or 全国学籍号 of
    another student, a 出生日期 or 性别 the student's ID number contradicts."""
    value = values.get(key)
    for column, label in (("id_number", "身份证件号"), ("student_no", "全国学籍号")):
        if key == column and store.scalar(f"SELECT 1 FROM students WHERE {column} = ? AND uuid != ?",
                                          (value, student["uuid"])):
            raise DataError(f"这个{label}已属于另一名学生，请核对。")
    idn = student.get("id_number")
    if key in ("birth_date", "sex") and idn and student.get("id_type") in (None, "1") and not check_id_number(idn):
        if key == "birth_date" and value != id_birth_date(idn).isoformat():
            raise DataError(f"出生日期{value}与身份证件号中的出生日期{id_birth_date(idn):%Y-%m-%d}不一致，"
                            "请对照户口本核对哪一个写错了。")
        if key == "sex" and value != id_sex(idn):
            raise DataError(f"性别与身份证件号不一致（按身份证件号应为{table('sex').label(id_sex(idn))}），请核对。")


def resolve(store: Store, student_uuid: str, key: str, value: str, actor: str = "") -> dict:
    """Set the proper value of a field kept for checking and drop its note; returns what changed."""
    student, notes = _student_and_notes(store, student_uuid, key)
    f = _FIELDS[key]
    values = _clean(f, str(value), student)
    _check_against_the_school(store, student, key, values)
    remembered = _settle(student, notes, key)
    with store.write("review-resolve", actor, f"核对{class_label(student['grade'], student['class_no'])}学生的"
                                              f"{field_label(key)}") as w:
        if "." in key:
            position, col = int(key[1]), key.split(".", 1)[1]
            changed = w.update("students", student_uuid, {"unchecked": remembered})
            g = store.query("SELECT uuid FROM guardians WHERE student_uuid = ? AND position = ?",
                            (student_uuid, position))
            if g:
                changed.update(w.update("guardians", g[0]["uuid"], {col: values[key]}))
            else:
                w.insert("guardians", {"student_uuid": student_uuid, "position": position, col: values[key]})
                changed[key] = (None, values[key])
        else:
            changed = w.update("students", student_uuid, dict(values, unchecked=remembered))
    return changed


def _settle(student: dict, notes: dict, key: str) -> str | None:
    """The student's notes with `key` settled: out of the list, its text remembered."""
    settled = load_settled(student.get("unchecked"))
    settled[key] = notes.pop(key)
    return dump_notes(notes, settled)


def accept(store: Store, student_uuid: str, key: str, actor: str = "") -> None:
    """Keep the field as it is (empty, if the import left it so) and drop its note."""
    student, notes = _student_and_notes(store, student_uuid, key)
    remembered = _settle(student, notes, key)
    with store.write("review-accept", actor, f"确认{class_label(student['grade'], student['class_no'])}学生的"
                                             f"{field_label(key)}保持现状") as w:
        w.update("students", student_uuid, {"unchecked": remembered})
