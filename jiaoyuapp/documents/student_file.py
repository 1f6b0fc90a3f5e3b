"""一生一档: one priority student's file — details, every visit with its photos and signature,
every case with its full attempt timeline, and aid.

IDs and phones are masked as everywhere in the folder (ledger_rows.maskers: the school's 打码
settings): the folder leaves the school with inspectors, and the full numbers stay in the school's
own workbook."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from jiaoyuapp.codes import table
from jiaoyuapp.documents.evidence_images import PHOTO_H, PHOTO_W, image, labelled, picture_row
from jiaoyuapp.documents.ledger_rows import maskers
from jiaoyuapp.documents.pdf_style import base_table_style, grid, p, pairs
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
        out += _case(case_history(store, c["uuid"]), st, hide_phone)
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
    lines = [f"{v['day']} {v['mode']}，教师：{'、'.join(t['name'] for t in v['teachers'])}"
             + (f"，见到：{v['met_name'] or ''}（{v['met_relation']}）" if v["met_relation"] else "")]
    for key, label in (("home_situation", "家庭情况"), ("school_behaviour", "在校表现"), ("home_behaviour", "在家表现"),
                       ("policies", "宣讲政策"), ("parent_opinion", "家长意见"), ("problems", "发现问题"),
                       ("measures", "帮扶措施"), ("followup_plan", "跟进计划")):
        if v[key]:
            lines.append(f"{label}：{v[key]}")
    if v["followup_date"]:
        lines.append(f"跟进日期：{v['followup_date']}")
    block: list = [p("\n".join(lines), st["cell"])]
    photos = [a for a in v["attachments"] if a["role"] == "photo"][:3]
    signature = [a for a in v["attachments"] if a["role"] == "signature"]
    pictures = [image(store, a, PHOTO_W, PHOTO_H) for a in photos]
    if signature:
        pictures.append(labelled(store, signature[0], "家长签字：", st))
    block += picture_row(pictures, WIDTH)
    box = Table([[block]], colWidths=[WIDTH])
    box.setStyle(TableStyle(base_table_style() + [("BOX", (0, 0), (-1, -1), 0.4, "#999999")]))
    return KeepTogether([box, Spacer(1, 2 * mm)])


def _case(h: dict, st: dict, hide_phone=lambda v: v) -> list:
    c = h["case"]
    out = [p(f"控辍案件：{c['status']}（{c['opened_on']}登记，{c['source']}）", st["h3"])]
    facts = [f"辍学原因：{table('dropout_reason').label(c['reason']) or c['reason_text'] or '未填'}"]
    if c["plan"]:
        facts.append(f"一人一案：{c['plan']}")
    if c["whereabouts"]:
        facts.append(f"去向：{c['whereabouts']}")
    facts.append("包保责任人：" + "；".join(f"{x['line']} {x['role']} {x['name']} {hide_phone(x['phone']) or ''}" for x in h["people"]))
    if c["closed_on"]:
        facts.append(f"销号：{c['closed_on']}，{c['outcome']}，确认人{c['confirmed_by']}")
    out.append(p("\n".join(facts), st["cell"]))
    timeline = [[e["on_date"], e["kind"], f"{e['from_status'] or ''}→{e['to_status'] or ''}", e["by_name"] or "",
                 e["note"] or ""] for e in h["events"]]
    timeline += [[a["on_date"], "劝返", table("attempt_method").label(a["method"]), a["people"],
                  "；".join(x for x in (a["action"], a["result"], a["next_date"] and f"下次{a['next_date']}") if x)]
                 for a in h["attempts"]]
    timeline += [[t["on_date"], "送教上门", f"{t['hours']:g}课时", t["teacher_name"], t["content"]]
                 for t in h["home_teaching"]]
    timeline.sort(key=lambda r: r[0])
    out.append(grid([["日期", "事项", "状态/方式", "人员", "内容与结果"]] + timeline,
                    [22 * mm, 18 * mm, 34 * mm, 32 * mm, 74 * mm], st["cell"]))
    return out
