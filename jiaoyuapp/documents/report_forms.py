"""The 辍学学生情况报告表 (one form per case) and the 学校一月一报告 (one per month, 零报告 when
nothing is new), as workbook sheets and as PDF pages — the same fields in both
(rules and sources: ledgers/case_reports.py).

The form follows the county forms found (崇明县, 粤教基〔2009〕3号 附件1): the student, school and
class, the dates, 辍学原因 and 去向, what was done to bring the child back, the principal's
signature and the school's seal, and here the dates it went to the 乡镇 and to the 县.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, SimpleDocTemplate, Spacer

from jiaoyuapp.atomic_write import write_bytes_atomically
from jiaoyuapp.documents.ledger_rows import Column, maskers
from jiaoyuapp.documents.pdf_style import FONT, grid, p, pairs, styles
from jiaoyuapp.ledgers import case_escalation as esc
from jiaoyuapp.ledgers import case_reports
from jiaoyuapp.school import require_school
from jiaoyuapp.store import Store
from jiaoyuapp.chinese_dates import long_date

FORM_TITLE = "辍学学生情况报告表"
MONTH_TITLE = "学校控辍保学一月一报告"
NIL_TEXT = "零报告：本月无新增疑似辍学或辍学学生。"


def _day(value) -> str:
    return value or "—"


def form(store: Store, case_uuid: str, masked: bool = True) -> dict:
    """One case's form: fields as (label, value) pairs, the 劝返 so far, the signature and the dates sent."""
    hide_id, hide_phone = maskers(store, masked)
    r = case_reports.case_report(store, case_uuid)
    s, c, sent = r["student"], r["case"], r["sent"]
    guardian = f"{r['guardian'] or ''}（{r['relation'] or ''}）{hide_phone(r['phone']) or ''}" if r["guardian"] else "—"
    fields = [("学生姓名", s["name"]), ("性别", r["sex"]), ("出生日期", s["birth_date"]),
              ("身份证件号", hide_id(s["id_number"])), ("学校", r["school"]), ("年级班级", r["class"]),
              ("监护人及电话", guardian), ("家庭住址", r["address"]),
              ("离校/缺课起始日期", r["left_on"]), ("登记疑似辍学日期", c["opened_on"]),
              ("确认辍学日期", _day(r["confirmed_on"])), ("当前状态", c["status"]),
              ("辍学原因", r["reason"]), ("去向", esc.whereabouts_label(c))]
    attempts = [[a["on_date"], a["method"], a["people"], "；".join(x for x in (a["action"], a["result"]) if x)]
                for a in r["attempts"]]
    signed = [("校长（签字）", sent["signed_by"] or ""), ("学校（盖章）", ""), ("签字日期", sent["signed_on"] or "")]
    dates = [("报送乡镇日期", _day(sent["township_on"])), ("报送县教育局日期", _day(sent["county_on"]))]
    return {"title": f"{r['school']}{FORM_TITLE}", "student": s["name"], "fields": fields, "attempts": attempts,
            "signed": signed, "dates": dates}


def month_report(store: Store, year: int, month: int) -> dict:
    m = case_reports.monthly(store, year, month)
    m["rows"] = ([["新增疑似辍学", x["name"], x["class"], x["opened_on"], x["source"]] for x in m["new"]]
                 + [["复学", x["name"], x["class"], x["returned_on"], ""] for x in m["returned"]]
                 + [["月末仍未返校", x["name"], x["class"], x["opened_on"], x["status"]] for x in m["still_out"]])
    return m


# -- workbook ------------------------------------------------------------------------------------

FORM_COLUMNS = [Column("项目", 18), Column("内容", 26), Column("项目", 18), Column("内容", 26)]
MONTH_COLUMNS = [Column("月份", 12), Column("类别", 16), Column("姓名", 12), Column("班级", 12), Column("日期", 13),
                 Column("说明", 22)]
FORM_WIDTHS = [c.width for c in FORM_COLUMNS]
MONTH_WIDTHS = [c.width for c in MONTH_COLUMNS]


def write_report_sheets(wb, store: Store, *, masked: bool, today: dt.date) -> None:
    """Two sheets: every case's form (a page each) and the months of this school year."""
    from jiaoyuapp.documents.ledger_workbook import CENTER, cell, put, row_no, setup_sheet, sign_off_block
    school = require_school(store)
    bold = Font(bold=True)
    ws = wb.create_sheet(FORM_TITLE)
    setup_sheet(ws, FORM_COLUMNS, FORM_TITLE, header_row=False)
    ws.page_setup.orientation = "portrait"
    cases = case_reports.all_cases(store)
    if not cases:
        put(ws, [cell(ws, f"{school['name']}{FORM_TITLE}：暂无控辍案件，无需填报。", border=False)])
    for n, uid in enumerate(cases):
        f = form(store, uid, masked)
        if n:  # the first form's title row is merged by setup_sheet
            ws.row_breaks.append(Break(id=row_no(ws)))
            ws.merged_cells.add(CellRange(min_col=1, max_col=4, min_row=row_no(ws) + 1, max_row=row_no(ws) + 1))
        ws.row_dimensions[row_no(ws) + 1].height = 28
        put(ws, [cell(ws, f["title"], font=Font(bold=True, size=14), align=CENTER, border=False)])
        for i in range(0, len(f["fields"]), 2):
            pair = f["fields"][i:i + 2]
            row = []
            for label, value in pair:
                row += [cell(ws, label, font=bold), cell(ws, value, text=True)]
            put(ws, row, FORM_WIDTHS)
        ws.merged_cells.add(CellRange(min_col=1, max_col=4, min_row=row_no(ws) + 1, max_row=row_no(ws) + 1))
        put(ws, [cell(ws, f"劝返情况（{len(f['attempts'])}次）", font=bold)])
        put(ws, [cell(ws, h, font=bold, align=CENTER) for h in ("日期", "方式", "人员", "措施与结果")])
        for a in f["attempts"] or [["—", "尚未劝返", "", ""]]:
            put(ws, [cell(ws, v, text=True) for v in a], FORM_WIDTHS)
        sign_off_block(ws, FORM_COLUMNS, [f"{k}：{v}" for k, v in f["signed"] + f["dates"]])
    ws = wb.create_sheet("一月一报告")
    setup_sheet(ws, MONTH_COLUMNS, MONTH_TITLE)
    ws.row_dimensions[1].height = 28
    put(ws, [cell(ws, f"{school['name']}{MONTH_TITLE.removeprefix('学校')}（{long_date(today)}）", font=Font(bold=True, size=14),
                  align=CENTER, border=False)])
    put(ws, [cell(ws, c.header, font=bold, align=CENTER) for c in MONTH_COLUMNS])
    for y, m in case_reports.months(store, today):
        rep = month_report(store, y, m)
        if rep["nil"]:
            put(ws, [cell(ws, rep["label"]), cell(ws, "零报告", font=bold), cell(ws, ""), cell(ws, ""), cell(ws, ""),
                     cell(ws, f"本月无新增疑似辍学或辍学学生；复学{len(rep['returned'])}人，"
                                  f"月末仍未返校{len(rep['still_out'])}人")], MONTH_WIDTHS)
        for row in rep["rows"]:
            put(ws, [cell(ws, rep["label"])] + [cell(ws, v, text=True) for v in row], MONTH_WIDTHS)
    sign_off_block(ws, MONTH_COLUMNS, ["填报人：", "校长（签字）：", "报送日期："])


# -- PDF -----------------------------------------------------------------------------------------

def form_story(store: Store, case_uuid: str, st: dict, masked: bool = True) -> list:
    f = form(store, case_uuid, masked)
    out = [p(f["title"], st["h2"]), Spacer(1, 2 * mm),
           pairs(f["fields"], (30 * mm, 60 * mm, 30 * mm, 60 * mm), st["cell"]), Spacer(1, 3 * mm),
           p(f"劝返情况（{len(f['attempts'])}次）", st["h3"]),
           grid([["日期", "方式", "人员", "措施与结果"]] + (f["attempts"] or [["—", "尚未劝返", "", ""]]),
                [24 * mm, 26 * mm, 44 * mm, 86 * mm], st["cell"]), Spacer(1, 6 * mm),
           pairs(f["signed"] + f["dates"] + [("", "")], (30 * mm, 60 * mm, 30 * mm, 60 * mm), st["body"])]
    return [KeepTogether(out)]


def month_story(store: Store, year: int, month: int, st: dict) -> list:
    rep = month_report(store, year, month)
    out = [p(f"{rep['label']}（{rep['first']} 至 {rep['last']}）", st["h3"])]
    if rep["nil"]:
        out.append(p(NIL_TEXT + f"本月复学{len(rep['returned'])}人，月末仍未返校{len(rep['still_out'])}人"
                     "（已在控辍保学台账中跟进）。", st["body"]))
    if rep["rows"]:
        out.append(grid([["类别", "姓名", "班级", "日期", "说明"]] + rep["rows"],
                        [30 * mm, 30 * mm, 34 * mm, 30 * mm, 56 * mm], st["cell"]))
    return [KeepTogether(out), Spacer(1, 3 * mm)]


def reports_story(store: Store, st: dict, today: dt.date, masked: bool = True, h1: str = "h1",
                  numbers: tuple[str, str] = ("", "")) -> list:
    """The forms (a page each) then the months of this school year, for the folder or a report PDF."""
    school = require_school(store)
    out: list = [p(f"{numbers[0]}{FORM_TITLE}", st[h1])]
    cases = case_reports.all_cases(store)
    if not cases:
        out.append(p("（暂无控辍案件）", st["body"]))
    for n, uid in enumerate(cases):
        if n:
            out.append(PageBreak())
        out += form_story(store, uid, st, masked)
    out += [PageBreak(), p(f"{numbers[1]}{MONTH_TITLE}", st[h1]), p(school["name"], st["body"]), Spacer(1, 2 * mm)]
    for y, m in case_reports.months(store, today):
        out += month_story(store, y, m, st)
    out.append(Spacer(1, 6 * mm))
    out.append(pairs([("填报人", ""), ("校长（签字）", ""), ("报送日期", ""), ("", "")],
                     (30 * mm, 60 * mm, 30 * mm, 60 * mm), st["body"]))
    return out


def write_reports_pdf(store: Store, out: str | Path, *, today: dt.date | None = None, progress=None,
                      cancel=None) -> Path:
    """The two reports as a PDF to print, sign and send (unsigned digitally: the principal signs on paper).
    Unmasked, like the workbook: it goes to the 乡镇 and the 县, who must find the child by ID number;
    the copies in the 迎检档案, handed to inspectors, are masked with the rest of the folder."""
    out = Path(out)
    today = today or dt.date.today()
    school = require_school(store)
    st = styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"{school['name']}辍学学生情况报告表与一月一报告",
                            author=school["name"], initialFontName=FONT)
    doc.build(reports_story(store, st, today, masked=False))
    write_bytes_atomically(out, buffer.getvalue())
    if progress:
        progress(1, 1, "完成")
    return out


def write_reports_workbook(store: Store, out: str | Path, *, today: dt.date | None = None, progress=None,
                           cancel=None) -> Path:
    """The two reports alone, as a workbook (the same sheets the ledgers workbook carries)."""
    import openpyxl

    from jiaoyuapp.atomic_write import save_workbook
    out = Path(out)
    wb = openpyxl.Workbook(write_only=True)
    write_report_sheets(wb, store, masked=False, today=today or dt.date.today())
    save_workbook(wb, out)
    if progress:
        progress(1, 1, "完成")
    return out
