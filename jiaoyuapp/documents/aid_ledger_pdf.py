"""The 资助台账 in the PDF inspection folder: each payment with its 学籍号, the 认定 (资助对象类型 and
困难等级, the 认定 and 公示 dates), 金额, 发放方式 and a 领取人签字 cell, then this term's 应助未助 by
program — the two things an inspector checks a 资助 ledger for. Columns come from ledger_rows (the
workbook's sheet), masked as the rest of the folder."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak

from jiaoyuapp.documents import ledger_rows
from jiaoyuapp.documents.pdf_style import grid, p
from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import aid
from jiaoyuapp.store import Store

# Printed columns and their relative widths (the page is 180 mm wide).
COLUMNS = {"序号": 7, "姓名": 12, "学籍号": 24, "班级": 14, "资助对象类型（认定）": 18, "困难等级": 10, "认定日期": 15,
           "公示日期": 15, "资助项目": 22, "金额（元）": 11, "发放方式": 14, "领取人签字": 14}


def aid_ledger_pages(store: Store, today: dt.date, st, heading: str = "五、资助台账") -> list:
    ledger = next(x for x in ledger_rows.LEDGERS if x.sheet == "资助台账")
    index = [i for i, c in enumerate(ledger.columns) if c.header in COLUMNS]
    headers = [ledger.columns[i].header for i in index]
    rows = [headers] + [["" if row[i] is None else (f"{row[i]:g}" if isinstance(row[i], float) else row[i])
                         for i in index] for row in ledger.rows(store, True)]
    total = sum(COLUMNS[h] for h in headers)
    out = [PageBreak(), p(heading, st["h1"])]
    if len(rows) == 1:
        out.append(p("（暂无资助发放记录）", st["body"]))
    else:
        out.append(grid(rows, [COLUMNS[h] * 180 * mm / total for h in headers], st["cell"]))
    try:
        missing = aid.unaided(store, today=today)
    except DataError:
        return out
    out.append(p(f"应助未助（{missing['term']}）：{len(missing['students'])}人", st["h3"]))
    lines = [["资助项目", "应享受人数", "本学期未发放人数"]]
    lines += [[x["name"], x["eligible"], x["missing"]] for x in missing["programs"]]
    out.append(grid(lines, [90 * mm, 45 * mm, 45 * mm], st["cell"]))
    out.append(p("说明：营养改善计划面向全体学生，不按家庭经济困难认定，不计入应助未助。", st["body"]))
    return out
