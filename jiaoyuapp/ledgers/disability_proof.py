"""A recorded disability: the type on the student (残疾人类型, from the roster) and, behind it, either
the 残联's 残疾证号 or an assessment (date, who assessed, conclusion).

随班就读 and 送教上门 are special-education placements: an inspector asks for the 残疾证 or the
county's 残疾儿童少年入学评估 behind each of them (see jiaoyuapp/ledgers/home_teaching.py for the
sources), so both rest on `recorded()` here and nowhere else.
"""

from __future__ import annotations

from jiaoyuapp.codes import table
from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.ledgers.school_calendar import as_date
from jiaoyuapp.roster import cell_values as cv
from jiaoyuapp.store import Store

NONE = "0"   # disability_type code for 无残疾


def disability_of(store: Store, student_uuid: str) -> dict:
    """What is recorded about a student's disability, and whether it is enough (`recorded`);
    `missing` says in school terms what is still to be recorded."""
    s = store.get("students", student_uuid)
    if s is None:
        raise NotFoundError("找不到这名学生。")
    proof = store.query("SELECT * FROM disability_proofs WHERE student_uuid = ?", (student_uuid,))
    proof = proof[0] if proof else {}
    kind = s.get("disability_type")
    has_type = kind not in (None, "", NONE)
    has_cert = bool(proof.get("cert_no"))
    has_assessment = bool(proof.get("assessed_on") and proof.get("assessed_by"))
    missing = []
    if not has_type:
        missing.append("残疾类型")
    if not (has_cert or has_assessment):
        missing.append("残疾证号或评估结论（评估日期、评估机构）")
    return {"type": kind if has_type else None, "type_label": table("disability_type").label(kind) if has_type else None,
            "grade": s.get("disability_grade"), "cert_no": proof.get("cert_no"), "assessed_on": proof.get("assessed_on"),
            "assessed_by": proof.get("assessed_by"), "assessment": proof.get("assessment"),
            "recorded": not missing, "missing": missing, "flagged": bool(has_type or s.get("disabled") == 1
                                                                          or s.get("health") == "50")}


def recorded(store: Store, student_uuid: str) -> bool:
    return disability_of(store, student_uuid)["recorded"]


def require(store: Store, student_uuid: str, what: str) -> None:
    """Refuse `what` (e.g. “送教上门”) for a child without a recorded disability, saying what is missing."""
    d = disability_of(store, student_uuid)
    if not d["recorded"]:
        raise DataError(f"“{what}”只适用于有残疾记录的学生（残疾类型，以及残疾证号或评估结论）。"
                        f"该生还缺：{'、'.join(d['missing'])}。请先登记该生的残疾情况；"
                        "如该生没有残疾，请选择其他安置方式（如插班就读）。")


def describe(d: dict, mask=None) -> str:
    """One line for the window and the PDF, e.g. 肢体残疾，残疾证号 …；评估：… . A 残疾证号 holds the
    child's ID number, so a printed copy passes the document's own `mask`."""
    if not d["type"] and not d["cert_no"] and not d["assessed_on"]:
        return "没有残疾记录"
    parts = [d["type_label"] or "残疾类型未填"]
    if d["cert_no"]:
        parts.append(f"残疾证号{mask(d['cert_no']) if mask else d['cert_no']}")
    if d["assessed_on"]:
        parts.append(f"{d['assessed_on']}经{d['assessed_by'] or '（评估机构未填）'}评估"
                     + (f"：{d['assessment']}" if d["assessment"] else ""))
    return "，".join(parts)


def record(store: Store, student_uuid: str, *, disability_type: str | None = None, cert_no: str | None = None,
           assessed_on=None, assessed_by: str | None = None, assessment: str | None = None, actor: str = "") -> None:
    """Record (or correct) a student's disability type and its certificate or assessment."""
    s = store.get("students", student_uuid)
    if s is None:
        raise NotFoundError("找不到这名学生。")
    changes_student = {}
    if disability_type:
        code = table("disability_type").code(disability_type)
        if code is None or code == NONE:
            labels = [lbl for c, lbl in zip(table("disability_type").codes(), table("disability_type").labels())
                      if c != NONE]
            raise DataError(f"残疾类型“{disability_type}”不在列表中：{'、'.join(labels)}")
        if code != s.get("disability_type"):
            changes_student["disability_type"] = code
    cert_no = cv.compact(cert_no) if cert_no else None
    assessed_by = (assessed_by or "").strip() or None
    assessment = (assessment or "").strip() or None
    on = as_date(assessed_on).isoformat() if assessed_on else None
    if (on is None) != (assessed_by is None):
        raise DataError("评估需要同时写明评估日期和评估机构（如：县残疾儿童少年入学评估委员会）。")
    if not (cert_no or on or changes_student):
        raise DataError("请填写残疾类型、残疾证号，或评估日期和评估机构。")
    existing = store.query("SELECT uuid FROM disability_proofs WHERE student_uuid = ?", (student_uuid,))
    proof = {k: v for k, v in (("cert_no", cert_no), ("assessed_on", on), ("assessed_by", assessed_by),
                               ("assessment", assessment)) if v is not None}
    with store.write("disability", actor, "登记残疾情况") as w:
        if changes_student:
            w.update("students", student_uuid, changes_student)
        if proof and existing:
            w.update("disability_proofs", existing[0]["uuid"], proof)
        elif proof:
            w.insert("disability_proofs", dict(proof, student_uuid=student_uuid))
