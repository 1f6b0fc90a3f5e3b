"""One visit as the folder prints it: what was done, with whom, where — and beside it the photos
and the parent's signature that prove it.

Used for every visit that carries evidence (section 四 of the folder, whatever the student) and
for the visits on a priority student's 一生一档 page, so an inspector sees the same block in both
places. A phone or video visit has no 家长签字 line: nobody could have signed it.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from jiaoyuapp.codes import table
from jiaoyuapp.documents.evidence_images import image, labelled, picture_row
from jiaoyuapp.documents.pdf_style import base_table_style, p
from jiaoyuapp.ledgers.visits import takes_signature, visit_details
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.store import Store

PICTURES_SHARE = 0.55          # of the block's width, for the photos and the signature
PHOTO_H = 36 * mm
DETAILS = (("home_situation", "家庭情况"), ("school_behaviour", "在校表现"), ("home_behaviour", "在家表现"),
           ("policies", "宣讲政策"), ("parent_opinion", "家长意见"), ("problems", "发现问题"),
           ("measures", "帮扶措施"), ("followup_plan", "跟进计划"))


def visit_lines(v: dict, *, number: int | None = None, with_students: bool = False) -> list[str]:
    """The visit in words: form, teachers, 参与人员, 地点, 受访人, then what was found and done."""
    head = f"第{number}条　" if number else ""
    head += f"{v['day']} {table('visit_mode').label(v['mode']) or v['mode']}"
    if with_students and v.get("students"):
        head += "，学生：" + "、".join(f"{s['name']}（{class_label(s['grade'], s['class_no'])}）" for s in v["students"])
    lines = [head, "家访教师：" + ("、".join(t["name"] for t in v["teachers"]) or "未填")
             + (f"；参与人员：{v['participants']}" if v["participants"] else "")]
    who = v["met_name"] or ""
    if v["met_relation"]:
        who += f"（{v['met_relation']}）"
    lines.append(f"受访人：{who or '未填'}；家访地点：{v['location'] or '未填'}")
    lines += [f"{label}：{v[key]}" for key, label in DETAILS if v[key]]
    if v["followup_date"]:
        lines.append(f"跟进日期：{v['followup_date']}")
    return lines


def visit_block(store: Store, v: dict, st: dict, width: float, *, number: int | None = None,
                with_students: bool = False):
    """A boxed visit with all its photos and, for a visit in person, the parent's signature."""
    photos = [a for a in v["attachments"] if a["role"] == "photo"]
    signature = [a for a in v["attachments"] if a["role"] == "signature"]
    lines = visit_lines(v, number=number, with_students=with_students)
    lines.append(f"照片：{len(photos)}张")
    if takes_signature(v["mode"]) and not signature:
        lines.append("家长签字：未留电子签名（以纸质记录为准）")
    text = p("\n".join(lines), st["cell"])
    # the pictures to the right of the words they prove, two to a line
    side = width * PICTURES_SHARE
    pictures = [image(store, a, side / 2 - 4 * mm, PHOTO_H) for a in photos]
    if signature and takes_signature(v["mode"]):
        pictures.append(labelled(store, signature[0], "家长签字：", st, max_w=side / 2 - 8 * mm))
    if pictures:
        box = Table([[text, picture_row(pictures, side, per_row=2)]], colWidths=[width - side, side])
    else:
        box = Table([[text]], colWidths=[width])
    box.setStyle(TableStyle(base_table_style() + [("BOX", (0, 0), (-1, -1), 0.4, "#999999"),
                                                  ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return KeepTogether([box, Spacer(1, 2 * mm)])


def ledger_numbers(store: Store) -> dict[str, int]:
    """Each current visit's 序号 in the 家访记录 ledger (the same order as ledger_rows.visit_rows)."""
    return {uid: n for n, (uid,) in enumerate(store.conn.execute(
        "SELECT uuid FROM current_visits ORDER BY day, created_at"), 1)}


def evidence_section(store: Store, st: dict, width: float) -> list:
    """Every visit that carries photos or a signature, whether or not its student is a priority
    student, numbered as in the ledger table above it."""
    numbers = ledger_numbers(store)
    with_evidence = [r[0] for r in store.conn.execute(
        "SELECT v.uuid FROM current_visits v WHERE EXISTS (SELECT 1 FROM visit_attachments va "
        "WHERE va.visit_uuid = v.uuid) ORDER BY v.day, v.created_at")]
    out: list = [p(f"家访佐证：照片与家长签字（{len(with_evidence)}次家访，序号同上表）", st["h3"])]
    if not with_evidence:
        out.append(p("（暂无附照片或签字的家访）", st["cell"]))
    for uid in with_evidence:
        out.append(visit_block(store, visit_details(store, uid), st, width, number=numbers.get(uid),
                               with_students=True))
    return out
