"""一生一档: one priority student's file — details, every visit with its photos and signature,
every case with its full attempt timeline, and aid.

IDs and phones are masked as everywhere in the folder (ledger_rows.maskers: the school's 打码
settings): the folder leaves the school with inspectors, and the full numbers stay in the school's
own workbook."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from jiaoyuapp.codes import table
from jiaoyuapp.documents.case_evidence import case_evidence
from jiaoyuapp.documents.ledger_rows import maskers
from jiaoyuapp.documents.pdf_style import grid, p, pairs
from jiaoyuapp.documents.visit_evidence import visit_block
from jiaoyuapp.ledgers.cases import case_history
from jiaoyuapp.ledgers.visits import visit_details
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.store import Store

WIDTH = 180 * mm


def student_file(store: Store, student_uuid: str, reasons: list[str], st: dict) -> list:
    s = store.get("students", student_uuid)
    out: list = [p(f"{s['name']}（{class_label(s['grade'], s['class_no'])}）", st["student"])]
    guardians = store.query("SELECT * FROM guardians WHERE student_uuid = ? ORDER BY position", (student_uuid,))
    hide_id, hide_phone = maskers(store, True)
    items = [("性别", table("sex").label(s["sex"])), ("出生日期", s["birth_date"]),
             ("身份证件号", hide_id(s["id_number"])), ("全国学籍号", hide_id(s["student_no"])),
             ("民族", table("ethnicity").label(s["ethnicity"])), ("在校状态", s["status"]),
             ("家庭住址", s["home_address"] or s["current_address"]), ("关注原因", "、".join(reasons))]
    items += [(f"家庭成员{g['position']}", f"{g['name'] or ''}（{g['relation'] or ''}）{hide_phone(g['phone']) or ''}")
              for g in guardians]
    out.append(pairs(items, (24 * mm, 66 * mm, 24 * mm, 66 * mm), st["cell"]))
    visits = store.query("SELECT v.uuid FROM current_visits v JOIN visit_students vs ON vs.visit_uuid = v.uuid "
                         "WHERE vs.student_uuid = ? ORDER BY v.day", (student_uuid,))
    out.append(p(f"家访记录（{len(visits)}次）", st["h3"]))
    for v in visits:
        out.append(_visit(store, visit_details(store, v["uuid"]), st))
    for c in store.query("SELECT uuid FROM cases WHERE student_uuid = ? ORDER BY opened_on", (student_uuid,)):
        out += _case(store, case_history(store, c["uuid"]), st, hide_phone)
        out += case_evidence(store, c["uuid"], st)
    aid = store.query("SELECT p.name, t.name AS term, a.amount, a.paid_on FROM aid_records a JOIN aid_programs p "
                      "ON p.uuid = a.program_uuid JOIN terms t ON t.uuid = a.term_uuid WHERE a.student_uuid = ? "
                      "ORDER BY a.paid_on", (student_uuid,))
    if aid:
        out.append(p("资助", st["h3"]))
        out.append(grid([["资助项目", "学期", "金额（元）", "发放日期"]] +
                        [[a["name"], a["term"], f"{a['amount']:g}", a["paid_on"]] for a in aid],
                        [80 * mm, 40 * mm, 25 * mm, 35 * mm], st["cell"]))
    out.append(Spacer(1, 6 * mm))
    return out


def _visit(store: Store, v: dict, st: dict):
    return visit_block(store, v, st, WIDTH)


def _case(store: Store, h: dict, st: dict, hide_phone=lambda v: v) -> list:
    from jiaoyuapp.documents.attempt_evidence import case_timeline
    from jiaoyuapp.ledgers import case_escalation as esc
    c = h["case"]
    out = [p(f"控辍案件：{c['status']}（{c['opened_on']}登记，{c['source']}）", st["h3"])]
    facts = [f"辍学原因：{esc.reason_label(c)}", f"登记依据：{esc.trigger(c)}",
             f"无故缺课：自{esc.absence_start(store, c)}起{esc.unexcused_days(store, c)}天"]
    if c["plan"]:
        facts.append(f"一人一案：{c['plan']}")
    facts.append(f"去向：{esc.whereabouts_label(c)}")
    facts.append("包保责任人：" + esc.people_text(h["people"], hide_phone))
    facts.append("劝返步骤：" + esc.steps_text(store, c))
    if c["closed_on"]:
        facts.append(f"销号：{c['closed_on']}，{c['outcome']}，确认人{c['confirmed_by']}")
    out.append(p("\n".join(facts), st["cell"]))
    out.append(case_timeline(store, h, st))
    return out
