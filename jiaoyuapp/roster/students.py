"""One student at a time: adding and editing with the import's own validation."""

from __future__ import annotations

from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.roster.fields import ALL_FIELDS
from jiaoyuapp.roster.review import dump_notes, load_notes, load_settled
from jiaoyuapp.roster.roster_import import ImportReport, apply_rows
from jiaoyuapp.roster.roster_rows import FIELDS_BY_KEY, Column, HeaderMap, RowReader
from jiaoyuapp.store import Store

FIELDS_BY_HEADER = {f.header: f for f in ALL_FIELDS}


def _resolve(key: str):
    f = FIELDS_BY_KEY.get(key) or FIELDS_BY_HEADER.get(key)
    if f is None:
        from jiaoyuapp.roster.fields import field_for_header
        f = field_for_header(key)
    if f is None:
        raise DataError(f"没有“{key}”这一项。可以修改的项目如：姓名、性别、出生日期、身份证件号、年级、班级、联系电话、成员1姓名……")
    return f


def parse_values(raw: dict) -> tuple[dict, list[dict], list[dict]]:
    """Validate {field key or Chinese header: raw value} exactly as an import row would be."""
    fields = [_resolve(k) for k in raw]
    header = HeaderMap(0, [Column(i, f.header, f) for i, f in enumerate(fields)], [])
    pr = RowReader(header).parse(1, list(raw.values()))
    if pr is None:
        return {}, [{"row": 1, "column": "姓名", "letter": "", "message": "至少要填写姓名和身份证件号或全国学籍号",
                     "value": ""}], []
    return pr.values, pr.problems, pr.warnings


def _refuse(problems: list[dict]) -> None:
    if problems:
        raise DataError("；".join(f"{p['column']}：{p['message']}" for p in problems))


def add_student(store: Store, raw: dict, actor: str = "", kind: str = "add-student") -> tuple[str, list[dict]]:
    """Add one student (their record must not exist yet); returns (uuid, warnings).

    The write is opened here, so the import's automatic backup is not taken for one student: a
    day of adding children by hand would otherwise push the backups taken before the last import
    or 升级 out of the ten kept."""
    from jiaoyuapp.roster.classes import class_label
    from jiaoyuapp.roster.roster_rows import ParsedRow
    values, problems, warnings = parse_values(raw)
    _refuse(problems)
    present = set(values) | ({"grade"} if "class_no" in values else set())
    pr = ParsedRow(1, values, [], warnings, present=present)
    where = class_label(values.get("grade"), values.get("class_no")) or "未分班"
    with store.write(kind, actor, f"新增学生：{where}"):
        report = apply_rows(store, [pr], ImportReport(file="手工录入"), actor=actor, kind=kind)
        _refuse(report.problems)
        if report.created != 1:  # the import took it as an update of that student: rolled back here
            raise DataError("这名学生已在花名册中（身份证件号或全国学籍号相同），请查找后修改，而不是重复添加。")
    uid = store.scalar("SELECT uuid FROM students WHERE id_number = ? OR student_no = ?",
                       (values.get("id_number"), values.get("student_no")))
    return uid, report.warnings


def update_student(store: Store, uuid: str, raw: dict, actor: str = "") -> dict:
    """Change some fields of one student; returns {field: (old, new)} of what changed."""
    current = store.get("students", uuid)
    if current is None:
        raise NotFoundError("找不到这名学生，可能已被删除，请重新查询。")
    keys = {_resolve(k).key for k in raw}
    merged = dict(raw)
    # Validate the edit together with the rest of the identity; only `keys` are written.
    context = ["name", "id_number", "id_type", "student_no"]
    if keys & {"id_number", "birth_date", "sex"}:
        context += ["birth_date", "sex"]
    for key in context:
        if key not in keys and current.get(key) is not None:
            merged[key] = current[key]
    if "class_no" in keys and "grade" not in keys and current.get("grade") is not None:
        merged["grade"] = current["grade"]
    values, problems, _ = parse_values(merged)
    _refuse(problems)
    write_keys = keys | ({"grade"} if "class_no" in keys else set())
    student = {k: values.get(k) for k in write_keys if "." not in k}
    notes = load_notes(current.get("unchecked"))
    if notes.keys() & write_keys:   # a value typed in now settles what an import kept for 待核对
        student["unchecked"] = dump_notes({k: v for k, v in notes.items() if k not in write_keys},
                                          load_settled(current.get("unchecked")))
    if "id_number" in student and student["id_number"]:
        other = store.scalar("SELECT uuid FROM students WHERE id_number = ? AND uuid != ?",
                             (student["id_number"], uuid))
        if other:
            raise DataError("这个身份证件号已属于另一名学生，请核对。")
    guardians = {}
    for key in keys:
        if "." in key:
            p, col = key.split(".")
            guardians.setdefault(int(p[1]), {})[col] = values.get(key)
    with store.write("edit-student", actor, "修改学生信息") as w:
        changed = w.update("students", uuid, student) if student else {}
        for p, cols in guardians.items():
            g = store.query("SELECT uuid FROM guardians WHERE student_uuid = ? AND position = ?", (uuid, p))
            if g:
                changed.update({f"g{p}.{k}": v for k, v in w.update("guardians", g[0]["uuid"], cols).items()})
            else:
                w.insert("guardians", dict(cols, student_uuid=uuid, position=p))
                changed.update({f"g{p}.{k}": (None, v) for k, v in cols.items()})
    return changed
