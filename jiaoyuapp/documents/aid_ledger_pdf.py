"""The 资助台账 in the PDF inspection folder: each means-tested payment with its 学籍号, the 认定
(资助对象类型 and 困难等级, the 认定 and 公示 dates), 金额, 发放方式 and a 领取人签字 cell; programs for
every pupil (营养改善计划) as one line each (pupils, amount) — the workbook keeps every record — then
this term's 应助未助 by program. Columns come from ledger_rows (the workbook's sheet), masked as the
rest of the folder."""

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
COLUMNS = {"序号": 6, "姓名": 12, "学籍号": 18, "班级": 14, "资助对象类型（认定）": 18, "困难等级": 13, "认定日期": 16,
           "公示日期": 16, "资助项目": 18, "金额（元）": 15, "发放方式": 18, "领取人签字": 16}


def aid_ledger_pages(store: Store, today: dt.date, st, heading: str = "五、资助台账") -> list:
    ledger = next(x for x in ledger_rows.LEDGERS if x.sheet == "资助台账")
    index = [i for i, c in enumerate(ledger.columns) if c.header in COLUMNS]
    headers = [ledger.columns[i].header for i in index]
    program_at = [c.header for c in ledger.columns].index("资助项目")
    for_all = {r[0] for r in store.conn.execute("SELECT name FROM aid_programs WHERE means_tested = 0")}
    rows = [headers]
    for row in ledger.rows(store, True):
        if row[program_at] not in for_all:
            rows.append(["" if row[i] is None else (f"{row[i]:g}" if isinstance(row[i], float) else row[i])
                         for i in index])
    for n, row in enumerate(rows[1:], 1):
        row[0] = n
    total = sum(COLUMNS[h] for h in headers)
    out = [PageBreak(), p(heading, st["h1"])]
    if len(rows) == 1:
        out.append(p("（暂无按家庭经济困难认定的资助发放记录）", st["body"]))
    else:
        out.append(grid(rows, [COLUMNS[h] * 180 * mm / total for h in headers], st["cell"]))
    everyone = store.query("SELECT p.name, t.name AS term, count(*) AS pupils, sum(a.amount) AS amount FROM aid_records a "
                           "JOIN aid_programs p ON p.uuid = a.program_uuid JOIN terms t ON t.uuid = a.term_uuid "
                           "WHERE p.means_tested = 0 GROUP BY p.uuid, t.uuid ORDER BY t.start_date, p.code")
    if everyone:
        out.append(p("面向全体学生的项目（明细见台账工作簿）", st["h3"]))
        out.append(grid([["资助项目", "学期", "人数", "金额（元）"]] +
                        [[e["name"], e["term"], e["pupils"], f"{e['amount']:g}"] for e in everyone],
                        [70 * mm, 50 * mm, 25 * mm, 35 * mm], st["cell"]))
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
