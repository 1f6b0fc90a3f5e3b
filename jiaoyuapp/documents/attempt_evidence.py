"""A case's timeline and its 劝返 attempts for the PDF, each attempt with its people (role and name),
its escalation step and, right under it, the photos and scans (承诺书, 通知书) that prove it.

An inspector reads an attempt and its proof together, so the evidence is a row of the timeline
table itself, not an appendix."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle

from jiaoyuapp.codes import table
from jiaoyuapp.documents.evidence_images import PHOTO_H, PHOTO_W, image, picture_row
from jiaoyuapp.documents.pdf_style import base_table_style, p
from jiaoyuapp.ledgers import case_escalation as esc
from jiaoyuapp.store import Store

TIMELINE_WIDTHS = [22 * mm, 18 * mm, 34 * mm, 32 * mm, 74 * mm]
MAX_PICTURES = 6


def attempt_text(store: Store, a: dict) -> list[str]:
    """The timeline cells of one attempt: date, 劝返, step and method, people, measures and result."""
    step = esc.step_of(a)
    how = "；".join(x for x in (table("escalation_step").label(step) if step else "",
                                table("attempt_method").label(a["method"])) if x)
    return [a["on_date"], "劝返", how, esc.attempt_people_text(store, a),
            "；".join(x for x in (a["action"], a["result"], a["next_date"] and f"下次{a['next_date']}") if x)]


def evidence_pictures(store: Store, attempt_uuid: str, st: dict, width: float) -> list:
    """The attempt's evidence as captioned images laid out across width (nothing when there is none)."""
    pictures = []
    for e in esc.attempt_evidence(store, attempt_uuid)[:MAX_PICTURES]:
        box = Table([[p(table("attempt_evidence").label(e["kind"]), st["cell"])],
                     [image(store, e, PHOTO_W * 0.8, PHOTO_H * 0.8)]])
        box.setStyle(TableStyle(base_table_style()))
        pictures.append(box)
    return picture_row(pictures, width) if pictures else []


def case_timeline(store: Store, h: dict, st: dict) -> Table:
    """Events, attempts (each followed by its evidence) and 送教 sessions in date order, one table."""
    rows: list[tuple[tuple, list, str | None]] = []
    # by day, then in the order recorded (a same-day 登记, 劝返 and status change read as they happened)
    rows += [((e["on_date"], e["logged"] or 0, 0), [e["on_date"], e["kind"], f"{e['from_status'] or ''}→{e['to_status'] or ''}",
                                              e["by_name"] or "", e["note"] or ""], None) for e in h["events"]]
    rows += [((a["on_date"], a["logged"] or 0, 1), attempt_text(store, a), a["uuid"]) for a in h["attempts"]]
    rows += [((t["on_date"], t["logged"] or 0, 2), [t["on_date"], "送教上门", f"{t['hours']:g}课时", t["teacher_name"],
                                              t["content"]], None) for t in h["home_teaching"]]
    rows.sort(key=lambda r: r[0])
    data = [[p(x, st["cell"]) for x in ("日期", "事项", "状态/方式", "人员", "内容与结果")]]
    spans = []
    for _, cells, attempt in rows:
        data.append([p(x, st["cell"]) for x in cells])
        pictures = evidence_pictures(store, attempt, st, sum(TIMELINE_WIDTHS) - 8) if attempt else []
        if pictures:
            data.append([pictures, "", "", "", ""])
            spans.append(("SPAN", (0, len(data) - 1), (-1, len(data) - 1)))
    out = Table(data, colWidths=TIMELINE_WIDTHS, repeatRows=1)
    out.setStyle(TableStyle(base_table_style() + [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf5"))] + spans))
    return out


def attempts_section(store: Store, st: dict, width: float = 180 * mm) -> list:
    """For the folder's 控辍 part: every attempt that carries evidence, its text, then its images —
    also for a student who is not in the 一生一档 pages."""
    found = store.query("SELECT a.*, s.name FROM attempts a JOIN cases c ON c.uuid = a.case_uuid JOIN students s "
                        "ON s.uuid = c.student_uuid WHERE EXISTS (SELECT 1 FROM attempt_attachments x "
                        "WHERE x.attempt_uuid = a.uuid) ORDER BY a.on_date, s.name")
    if not found:
        return []
    out: list = [p("劝返佐证（照片、承诺书、通知书）", st["h3"])]
    for a in found:
        cells = attempt_text(store, a)
        out.append(p(f"{a['name']}　{cells[0]}　{cells[2]}　人员：{cells[3]}" + (f"　{cells[4]}" if cells[4] else ""),
                     st["cell"]))
        out += evidence_pictures(store, a["uuid"], st, width)
    return out
