"""The paper home-visit form (家访记录表), pre-filled with the household's children and guardians,
for visits done without the PC; the teacher fills in the rest by hand and types it in later."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from jiaoyuapp.atomic_write import write_atomically
from jiaoyuapp.codes import table
from jiaoyuapp.documents.ledger_rows import mask_id
from jiaoyuapp.documents.pdf_style import FONT, grid, p, pairs, styles
from jiaoyuapp.errors import NotFoundError
from jiaoyuapp.ledgers.visits import FIELD_LABELS
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.school import require_school
from jiaoyuapp.store import Store

HANDWRITTEN = ["home_situation", "school_behaviour", "home_behaviour", "policies", "parent_opinion", "problems",
               "measures", "followup_plan"]


def write_visit_form(store: Store, student_uuid: str, out: str | Path, *, today: dt.date | None = None) -> Path:
    student = store.get("students", student_uuid)
    if student is None:
        raise NotFoundError("找不到这名学生。")
    school = require_school(store)
    st = styles()
    household = [student]
    if student["household_uuid"]:
        household = store.query("SELECT * FROM students WHERE household_uuid = ? AND status = '在读' ORDER BY grade",
                                (student["household_uuid"],)) or [student]
    guardians = store.query("SELECT g.* FROM guardians g WHERE g.student_uuid IN (%s) ORDER BY g.position"
                            % ",".join("?" * len(household)), [s["uuid"] for s in household])
    seen, people = set(), []
    for g in guardians:
        if g["name"] and g["name"] not in seen:
            seen.add(g["name"])
            people.append(g)
    width = A4[0] - 30 * mm
    story = [p(f"{school['name']}家访记录表", st["h1"]),
             p(f"打印日期：{(today or dt.date.today()).isoformat()}　　本表家访后请录入系统，并交学校存档。", st["small"]),
             Spacer(1, 3 * mm), p("学生（同一户在校的兄弟姐妹一并家访）", st["h3"]),
             grid([["姓名", "性别", "班级", "身份证件号（部分隐藏）"]] +
                  [[s["name"], table("sex").label(s["sex"]) or "", class_label(s["grade"], s["class_no"]),
                    mask_id(s["id_number"]) or ""] for s in household],
                  [width * 0.2, width * 0.1, width * 0.25, width * 0.45], st["body"]),
             Spacer(1, 3 * mm), p("家长/监护人", st["h3"]),
             grid([["姓名", "关系", "联系电话"]] + [[g["name"], g["relation"] or "", g["phone"] or ""] for g in people]
                  + [["", "", ""]], [width * 0.3, width * 0.2, width * 0.5], st["body"]),
             Spacer(1, 3 * mm),
             pairs([("家访日期", ""), ("家访形式", "□入户走访 □电话 □视频 □到校约谈"), ("家访教师", ""),
                    ("家访地点", student["current_address"] or student["home_address"] or ""),
                    ("参与人员", ""), ("受访人", ""), ("与学生关系", "")],
                   (width * 0.15, width * 0.35, width * 0.15, width * 0.35), st["body"]),
             Spacer(1, 3 * mm)]
    tall = grid([[FIELD_LABELS[k], "\n\n\n"] for k in HANDWRITTEN]
                + [["跟进日期", ""], ["家长签名\n（入户、到校约谈时签；电话、视频家访不签）", "\n\n"], ["教师签名", "\n\n"]],
                [width * 0.2, width * 0.8], st["body"], header=False)
    story.append(tall)

    def build(tmp: Path) -> None:
        SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                          bottomMargin=15 * mm, title=f"{school['name']}家访记录表",
                          initialFontName=FONT).build(story)  # no unembedded Helvetica anywhere
    return write_atomically(out, build)
