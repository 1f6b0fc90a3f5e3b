"""The proof behind a case's placement, 送教上门 and 销号, printed beside what it proves: the
disability record behind 随班就读/送教上门, each session with its teachers and photos, the 销号 with
its 依据 and the 就读证明 image, and the county's quarterly 复核.

A student with a 一生一档 page gets it there, under the case timeline; every other case with such
proof (a closed case, a transferred child) gets it in the folder's 控辍保学 part, so no 销号 or 送教
is in the folder without its evidence.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from jiaoyuapp.documents.evidence_images import PHOTO_H, PHOTO_W, image, labelled, picture_row
from jiaoyuapp.documents.ledger_rows import mask_id
from jiaoyuapp.documents.pdf_style import base_table_style, grid, p
from jiaoyuapp.ledgers import case_closing, case_placement, case_review, disability_proof, home_teaching
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.store import Store

WIDTH = 180 * mm


def _boxed(block: list) -> KeepTogether:
    box = Table([[block]], colWidths=[WIDTH])
    box.setStyle(TableStyle(base_table_style() + [("BOX", (0, 0), (-1, -1), 0.4, "#999999")]))
    return KeepTogether([box, Spacer(1, 2 * mm)])


def case_evidence(store: Store, case_uuid: str, st: dict) -> list:
    """Flowables for one case: placement and disability, 送教 sessions with photos, 销号, 复核."""
    c = store.get("cases", case_uuid)
    out: list = []
    facts = []
    placed = case_placement.placement_text(store, c)
    if placed:
        facts.append(f"安置方式：{placed}")
    taught = home_teaching.sessions(store, case_uuid)
    d = disability_proof.disability_of(store, c["student_uuid"])
    if placed or taught or c["status"] == home_teaching.STATUS or d["type"]:
        facts.append(f"残疾情况：{disability_proof.describe(d, mask=mask_id)}")
    if facts:
        out.append(p("\n".join(facts), st["cell"]))
    f = home_teaching.frequency(store, case_uuid)
    if taught or f:
        out.append(p(f"送教上门记录（{len(taught)}次）" + (f"：{home_teaching.frequency_text(f)}" if f else ""), st["cell"]))
    for s in taught:
        block: list = [p(f"{s['on_date']} 送教上门，教师：{'、'.join(s['teachers'])}，{s['hours']:g}课时\n"
                         f"内容：{s['content']}", st["cell"])]
        block += picture_row([image(store, a, PHOTO_W, PHOTO_H) for a in s["photos"][:3]], WIDTH)
        out.append(_boxed(block))
    proofs = case_closing.proofs(store, case_uuid)
    if c["closed_on"] or proofs:
        text = (f"销号：{c['closed_on']}，{c['outcome']}，确认人{c['confirmed_by']}；依据：{c['evidence'] or '未写'}"
                if c["closed_on"] else "销号依据（尚未销号）")
        block = [p(text, st["cell"])]
        block += picture_row([labelled(store, a, "就读证明" + (f"（{a['note']}）" if a["note"] else "") + "：", st,
                                       PHOTO_W, PHOTO_H) for a in proofs[:3]], WIDTH)
        out.append(_boxed(block))
    reviews = case_review.reviews(store, case_uuid)
    if reviews:
        out.append(grid([["复核日期", "季度", "复核人", "复核结果与意见"]] +
                        [[r["on_date"], r["quarter"], r["reviewer"], r["result"] + (f"；{r['note']}" if r["note"] else "")]
                         for r in reviews], [24 * mm, 30 * mm, 50 * mm, 76 * mm], st["cell"]))
    return out


def folder_section(store: Store, covered: set[str], st: dict) -> list:
    """The evidence of every case whose student has no 一生一档 page (`covered` holds those who do)."""
    rows = store.query(
        "SELECT c.uuid, c.student_uuid, c.status, c.opened_on, s.name, s.grade, s.class_no FROM cases c "
        "JOIN students s ON s.uuid = c.student_uuid WHERE (c.closed_on IS NOT NULL OR c.placement IS NOT NULL "
        "OR EXISTS (SELECT 1 FROM home_teaching h WHERE h.case_uuid = c.uuid) "
        "OR EXISTS (SELECT 1 FROM case_closing_attachments a WHERE a.case_uuid = c.uuid) "
        "OR EXISTS (SELECT 1 FROM case_reviews r WHERE r.case_uuid = c.uuid)) ORDER BY s.grade, s.name, c.opened_on")
    out: list = []
    for r in rows:
        if r["student_uuid"] in covered:
            continue
        if not out:
            out.append(p("送教上门、销号依据与季度复核（未列入一生一档的学生）", st["h2"]))
        out.append(p(f"{r['name']}（{class_label(r['grade'], r['class_no'])}）：{r['status']}，{r['opened_on']}登记",
                     st["h3"]))
        out += case_evidence(store, r["uuid"], st)
    return out
