"""Home visits (家访, 千师进万家).

A visit is to a household, so it covers every sibling at the school. Visits
are append-only facts: a correction is a new version that supersedes the old
one, which stays; reports read the `current_visits` view.
"""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.codes import table
from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.ledgers.attachments import store_image
from jiaoyuapp.ledgers.school_calendar import as_date
from jiaoyuapp.roster import cell_values as cv
from jiaoyuapp.store import Store
from jiaoyuapp.store.writes import new_uuid

HOME_MODE = "入户走访"            # the only form that counts as an on-site (入户) visit
IN_PERSON_MODES = (HOME_MODE, "到校约谈")   # the parent is there to sign; a call or video cannot be signed


def takes_signature(mode: str | None) -> bool:
    """Whether a visit of this form has a 家长签字 (a phone or video visit has no line for it)."""
    return table("visit_mode").code(mode or "") in IN_PERSON_MODES


NO_SIGNATURE = "电话、视频家访没有家长签字。请去掉家长签名，或把家访形式改为入户走访或到校约谈。"

TEXT_FIELDS = ("location", "participants", "met_name", "met_relation", "home_situation", "school_behaviour",
               "home_behaviour", "policies", "parent_opinion", "problems", "measures", "followup_plan", "note")
FIELD_LABELS = {"location": "家访地点", "participants": "参与人员", "met_name": "受访人",
                "met_relation": "受访人与学生关系", "home_situation": "家庭基本情况", "school_behaviour": "学生在校表现",
                "home_behaviour": "在家表现", "policies": "宣讲政策", "parent_opinion": "家长意见与建议",
                "problems": "发现问题", "measures": "帮扶措施", "followup_plan": "后续跟进计划",
                "followup_date": "跟进日期", "note": "备注", "day": "家访日期", "mode": "家访形式"}


def _clean(fields: dict, day: dt.date) -> dict:
    out = {k: cv.prose(fields.get(k)) for k in TEXT_FIELDS if k in fields}
    if fields.get("followup_date"):
        follow = as_date(fields["followup_date"])
        if follow < day:
            raise DataError("跟进日期不能早于家访日期。")
        out["followup_date"] = follow.isoformat()
    elif "followup_date" in fields:
        out["followup_date"] = None
    return out


def record_visit(store: Store, *, student_uuid: str, day, teachers: list[str], mode: str,
                 photos: list[bytes] = (), signature: bytes | None = None, by: str | None = None,
                 actor: str = "", today: dt.date | None = None, **fields) -> str:
    """Record a visit to the student's household; returns the visit's uuid."""
    student = store.get("students", student_uuid)
    if student is None:
        raise NotFoundError("找不到这名学生。")
    day = as_date(day)
    if day > (today or dt.date.today()):
        raise DataError("家访日期不能是将来的日期。")
    mode_code = table("visit_mode").code(mode)
    if mode_code is None:
        raise DataError(f"家访形式应为：{'、'.join(table('visit_mode').codes())}")
    if signature is not None and mode_code not in IN_PERSON_MODES:
        raise DataError(NO_SIGNATURE)
    if not teachers:
        raise DataError("请至少选择一位家访教师。")
    unknown = [t for t in teachers if store.get("teachers", t) is None]
    if unknown:
        raise NotFoundError("家访教师中有未登记的人，请先登记教师。")
    covered = [student_uuid]
    if student["household_uuid"]:
        covered = [r[0] for r in store.conn.execute(
            "SELECT uuid FROM students WHERE household_uuid = ? AND (status = '在读' OR uuid = ?) ORDER BY grade",
            (student["household_uuid"], student_uuid))]
    values = _clean(fields, day)
    key = new_uuid()
    with store.write("visit", actor, "登记家访") as w:
        uid = w.insert("visits", dict(values, visit_key=key, version=1, household_uuid=student["household_uuid"],
                                      day=day.isoformat(), mode=mode_code, recorded_by=by))
        _links(store, w, uid, teachers, covered, photos, signature)
    return uid


def _links(store: Store, w, visit_uuid: str, teachers, students, photos, signature) -> None:
    w.insert_many("visit_teachers", [{"visit_uuid": visit_uuid, "teacher_uuid": t} for t in dict.fromkeys(teachers)])
    w.insert_many("visit_students", [{"visit_uuid": visit_uuid, "student_uuid": s} for s in students])
    attached = []
    for data in photos:
        attached.append((store_image(store, w, data), "photo"))
    if signature is not None:
        attached.append((store_image(store, w, signature), "signature"))
    w.insert_many("visit_attachments", [{"visit_uuid": visit_uuid, "attachment_uuid": a, "role": r}
                                        for a, r in dict.fromkeys(attached)])


def correct_visit(store: Store, visit_uuid: str, *, actor: str = "", by: str | None = None,
                  teachers: list[str] | None = None, photos: list[bytes] | None = None,
                  signature: bytes | None = None, **changes) -> str:
    """A new version of the visit with `changes`; the old version is kept. Returns the new uuid."""
    old = store.get("visits", visit_uuid)
    if old is None:
        raise NotFoundError("找不到这次家访记录。")
    if store.scalar("SELECT 1 FROM visits WHERE supersedes = ?", (visit_uuid,)):
        raise DataError("这不是最新版本的家访记录，请在最新版本上更正。")
    unknown = [k for k in changes if k not in TEXT_FIELDS and k not in ("followup_date", "day", "mode")]
    if unknown:
        raise DataError(f"家访记录没有这些项目：{'、'.join(unknown)}")
    day = as_date(changes.get("day", old["day"]))
    values = {k: old[k] for k in TEXT_FIELDS + ("followup_date",)}
    values.update(_clean(changes, day))
    mode = table("visit_mode").code(changes["mode"]) if "mode" in changes else old["mode"]
    if mode is None:
        raise DataError(f"家访形式应为：{'、'.join(table('visit_mode').codes())}")
    if mode not in IN_PERSON_MODES and (signature is not None or (
            signature is None and store.scalar("SELECT 1 FROM visit_attachments WHERE visit_uuid = ? "
                                               "AND role = 'signature'", (visit_uuid,)))):
        raise DataError(NO_SIGNATURE)
    old_teachers = [r[0] for r in store.conn.execute("SELECT teacher_uuid FROM visit_teachers WHERE visit_uuid = ?",
                                                     (visit_uuid,))]
    students = [r[0] for r in store.conn.execute("SELECT student_uuid FROM visit_students WHERE visit_uuid = ?",
                                                 (visit_uuid,))]
    kept = store.query("SELECT a.sha256, va.role FROM visit_attachments va JOIN attachments a "
                       "ON a.uuid = va.attachment_uuid WHERE va.visit_uuid = ?", (visit_uuid,))
    with store.write("visit-correct", actor, "更正家访记录") as w:
        uid = w.insert("visits", dict(values, visit_key=old["visit_key"], version=old["version"] + 1,
                                      supersedes=visit_uuid, household_uuid=old["household_uuid"],
                                      day=day.isoformat(), mode=mode, recorded_by=by or old["recorded_by"]))
        keep_photos = photos is None
        keep_signature = signature is None
        links = [(store.scalar("SELECT uuid FROM attachments WHERE sha256 = ?", (k["sha256"],)), k["role"])
                 for k in kept if (k["role"] == "photo" and keep_photos) or (k["role"] == "signature" and keep_signature)]
        _links(store, w, uid, teachers or old_teachers, students, photos or [], signature)
        w.insert_many("visit_attachments", [{"visit_uuid": uid, "attachment_uuid": a, "role": r} for a, r in links])
    return uid


def visit_details(store: Store, visit_uuid: str) -> dict:
    v = store.get("visits", visit_uuid)
    if v is None:
        raise NotFoundError("找不到这次家访记录。")
    v["teachers"] = store.query("SELECT t.uuid, t.name FROM visit_teachers vt JOIN teachers t ON t.uuid = vt.teacher_uuid "
                                "WHERE vt.visit_uuid = ? ORDER BY t.name", (visit_uuid,))
    v["students"] = store.query("SELECT s.uuid, s.name, s.grade, s.class_no FROM visit_students vs JOIN students s "
                                "ON s.uuid = vs.student_uuid WHERE vs.visit_uuid = ? ORDER BY s.grade", (visit_uuid,))
    v["attachments"] = store.query("SELECT a.*, va.role FROM visit_attachments va JOIN attachments a "
                                   "ON a.uuid = va.attachment_uuid WHERE va.visit_uuid = ? ORDER BY va.role",
                                   (visit_uuid,))
    v["versions"] = store.query("SELECT uuid, version, created_at, recorded_by FROM visits WHERE visit_key = ? "
                                "ORDER BY version", (v["visit_key"],))
    return v


def list_visits(store: Store, *, student_uuid: str | None = None, start: str | None = None,
                end: str | None = None, teacher_uuid: str | None = None) -> list[dict]:
    conds, params = [], []
    if student_uuid:
        conds.append("v.uuid IN (SELECT visit_uuid FROM visit_students WHERE student_uuid = ?)")
        params.append(student_uuid)
    if teacher_uuid:
        conds.append("v.uuid IN (SELECT visit_uuid FROM visit_teachers WHERE teacher_uuid = ?)")
        params.append(teacher_uuid)
    if start:
        conds.append("v.day >= ?")
        params.append(start)
    if end:
        conds.append("v.day <= ?")
        params.append(end)
    where = " AND ".join(conds) or "1"
    return store.query(f"SELECT v.* FROM current_visits v WHERE {where} ORDER BY v.day DESC", params)
