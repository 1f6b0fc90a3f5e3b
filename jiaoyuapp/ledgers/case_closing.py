"""What a 销号 (closing a case) must rest on, besides who confirmed it.

动态销号 is the point where a county stops counting a child as out of school, so the proof is what
an inspector checks (教基厅函〔2024〕15号 and county procedures, see shared domain notes):
- back in school (已复学, 休学期满返校, or a case verified as 已返校): the child attended school for
  a number of school days after the return (a setting) — counted from the attendance record: school
  days by the calendar from the return day to the closing day, minus days with an absence recorded;
- 转学 or 在外地就读: an image of the other school's 就读证明, attached to the case first;
- 送教上门: the disability recorded and at least one session on record;
- any other outcome (免学, 其他): a scanned written decision (县教体局认定, 诊断证明) and the 依据 written out.
The evidence found is written into the case's 依据, so the ledger says what the closing rested on.
"""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import disability_proof, settings
from jiaoyuapp.ledgers.attachments import store_image
from jiaoyuapp.ledgers.school_calendar import Calendar, as_date
from jiaoyuapp.store import Store

BACK_IN_SCHOOL = ("已复学", "休学期满返校")
ELSEWHERE = ("转学", "在外地就读")
PROOF = "就读证明"


def add_proof(store: Store, case_uuid: str, data: bytes, *, note: str | None = None, actor: str = "") -> str:
    """Attach an image of a 就读证明 (from the school the child now attends) to a case."""
    if store.get("cases", case_uuid) is None:
        raise DataError("找不到这个控辍案件。")
    with store.write("case-proof", actor, "上传就读证明") as w:
        att = store_image(store, w, data)
        return w.insert("case_closing_attachments", {"case_uuid": case_uuid, "attachment_uuid": att, "role": PROOF,
                                                     "note": (note or "").strip() or None})


def proofs(store: Store, case_uuid: str) -> list[dict]:
    return store.query("SELECT a.*, c.role, c.note, c.created_at AS attached_at FROM case_closing_attachments c "
                       "JOIN attachments a ON a.uuid = c.attachment_uuid WHERE c.case_uuid = ? ORDER BY c.created_at",
                       (case_uuid,))


def return_date(store: Store, case: dict) -> str | None:
    """The day the child came back: the 复学 date, or the day a case was verified as 已返校."""
    if case.get("returned_on"):
        return case["returned_on"]
    if case.get("finding") == "已返校":
        return store.scalar("SELECT max(on_date) FROM case_events WHERE case_uuid = ? AND to_status = '已核实'",
                            (case["uuid"],))
    return None


def days_in_school(store: Store, case: dict, until, calendar: Calendar | None = None) -> dict:
    """School days attended from the return day up to `until` (absence days left out)."""
    back = return_date(store, case)
    need = settings.get_int(store, "close_after_school_days")
    if back is None:
        return {"back": None, "days": 0, "need": need, "first": None, "last": None}
    cal = calendar or Calendar.load(store)
    until = as_date(until)
    absent = {r[0] for r in store.conn.execute(
        "SELECT day FROM absences WHERE student_uuid = ? AND day BETWEEN ? AND ?",
        (case["student_uuid"], back, until.isoformat()))}
    present = [d for d in cal.school_days(dt.date.fromisoformat(back), until) if d.isoformat() not in absent]
    return {"back": back, "days": len(present), "need": need,
            "first": present[0].isoformat() if present else None, "last": present[-1].isoformat() if present else None}


def evidence_for(store: Store, case: dict, outcome: str, on, note: str | None = None) -> str:
    """The 依据 of closing `case` with `outcome` on `on`, or a refusal saying what is missing."""
    on = as_date(on)
    found: list[str] = []
    if outcome in BACK_IN_SCHOOL:
        d = days_in_school(store, case, on)
        if d["back"] is None:
            raise DataError("以“已复学”销号需要复学日期：请先把案件推进到“已复学”（写明安置方式），"
                            "学生在校满规定的教学日后再销号。")
        if d["days"] < d["need"]:
            raise DataError(f"学生{d['back']}复学，到{on.isoformat()}在校{d['days']}个教学日，"
                            f"满{d['need']}个教学日才能销号（按校历，登记了缺课的日子不算）。"
                            "请等学生稳定在校后再销号（天数是学校的设置，可以修改）。")
        found.append(f"{d['back']}复学，至{on.isoformat()}在校{d['days']}个教学日（要求{d['need']}个）")
    elif outcome in ELSEWHERE:
        n = len(proofs(store, case["uuid"]))
        if not n:
            raise DataError(f"以“{outcome}”销号需要现就读学校出具的就读证明：请先上传就读证明的照片或扫描件，再销号。")
        found.append(f"就读证明{n}份（已上传）")
    elif outcome == "送教上门":
        disability_proof.require(store, case["student_uuid"], "送教上门")
        n = store.scalar("SELECT count(*) FROM home_teaching WHERE case_uuid = ?", (case["uuid"],))
        if not n:
            raise DataError("以“送教上门”销号需要至少一次送教记录：请先登记送教（教师、课时、内容、照片）。")
        found.append(f"送教记录{n}次")
    else:   # 免学, 其他: a written decision, scanned, and what it is
        n = len(proofs(store, case["uuid"]))
        if not (note and note.strip()) or not n:
            raise DataError(f"以“{outcome}”销号需要书面依据：请先上传依据材料（如县教体局书面认定、医院诊断证明）的"
                            "照片或扫描件，并在“销号依据”中写明是什么材料。")
        found.append(f"依据材料{n}份（已上传）")
    if note and note.strip():
        found.append(note.strip())
    return "；".join(found) or None
