"""The ledgers workbook: one sheet per ledger, as inspectors print them.

Each sheet: a title row (school and date), the column headers, ID numbers as text, a frozen
header, sensible widths, A4 landscape with the header row repeated on every page and a
"第 X 页 共 Y 页" footer, and a sign-off line. Written in streaming mode (no row cap, flat
memory), under a temporary name, then renamed. The public-notice variant (公示名单) masks
ID numbers and phones.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from jiaoyuapp.atomic_write import save_workbook
from jiaoyuapp.data_cells import data_cell
from jiaoyuapp.documents.ledger_rows import LEDGERS, Column
from jiaoyuapp.documents.summary_figures import figures
from jiaoyuapp.errors import CancelledError
from jiaoyuapp.school import require_school
from jiaoyuapp.store import Store

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def setup_sheet(ws, columns: list[Column], title: str) -> None:
    for i, col in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "C3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.right.text = title
    ws.merged_cells.add(CellRange(min_col=1, min_row=1, max_col=len(columns), max_row=1))


def cell(ws, value, *, font=None, align=None, border=True, text=False):
    """A styled cell of the ledgers; its value is data, never a formula (data_cells.py)."""
    c = data_cell(ws, value)
    if font:
        c.font = font
    c.alignment = align or WRAP
    if border:
        c.border = BOX
    if text:
        c.number_format = "@"
    return c


def write_ledgers(store: Store, out: str | Path, *, masked: bool = False, today: dt.date | None = None,
                  progress: Callable[[int, int | None, str], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> Path:
    """Write the school's ledgers workbook; returns its path."""
    out = Path(out)
    today = today or dt.date.today()
    school = require_school(store)
    wb = openpyxl.Workbook(write_only=True)
    write_ledger_sheets(wb, school["name"], [(None, store)], masked=masked, today=today, progress=progress,
                        cancel=cancel)
    _summary_sheet(wb, school, today, store, "（公示）" if masked else "")
    save_workbook(wb, out)
    return out


def write_ledger_sheets(wb, owner: str, sources: list[tuple[str | None, Store]], *, masked: bool, today: dt.date,
                        progress=None, cancel=None) -> None:
    """One sheet per ledger with the rows of every source; with several schools (the township's
    copies) a 学校 column comes first."""
    total = sum(ledger.count(s) for ledger in LEDGERS for _, s in sources)
    done = 0
    suffix = "（公示）" if masked else ""
    many = any(name for name, _ in sources)
    for ledger in LEDGERS:
        columns = ([Column("学校", 16)] if many else []) + ledger.columns
        ws = wb.create_sheet(ledger.sheet)
        title = f"{owner}{ledger.title}{suffix}（截至{today:%Y年%m月%d日}）"
        setup_sheet(ws, columns, ledger.title)
        ws.row_dimensions[1].height = 28
        ws.append([cell(ws, title, font=Font(bold=True, size=14), align=CENTER, border=False)])
        ws.append([cell(ws, c.header, font=Font(bold=True), align=CENTER) for c in columns])
        text_cols = {i for i, c in enumerate(columns) if c.kind in ("id", "phone", "date")}
        for name, store in sources:
            for row in ledger.rows(store, masked):
                row = ([name] if many else []) + list(row)
                ws.append([cell(ws, None if v is None else (str(v) if i in text_cols else v), text=i in text_cols)
                           for i, v in enumerate(row)])
                done += 1
                if done % 1000 == 0:
                    if cancel and cancel():
                        raise CancelledError()
                    if progress:
                        progress(done, total, "导出台账")
        ws.append([])
        ws.append([cell(ws, label + " " * 12, border=False) for label in ledger.sign_off])
    if progress:
        progress(total, total, "完成")


def _summary_sheet(wb, school: dict, today: dt.date, store: Store, suffix: str) -> None:
    ws = wb.create_sheet("统计汇总")
    columns = [Column("项目", 34), Column("数值", 24)]
    setup_sheet(ws, columns, "统计汇总")
    ws.freeze_panes = "A3"
    ws.page_setup.orientation = "portrait"
    ws.append([cell(ws, f"{school['name']}统计汇总{suffix}（{today:%Y年%m月%d日}）", font=Font(bold=True, size=14),
                     align=CENTER, border=False)])
    ws.append([cell(ws, "项目", font=Font(bold=True), align=CENTER), cell(ws, "数值", font=Font(bold=True),
                                                                           align=CENTER)])
    for section, pairs in figures(store, today):
        ws.append([cell(ws, section, font=Font(bold=True)), cell(ws, "")])
        for label, value in pairs:
            ws.append([cell(ws, "　" + label), cell(ws, value)])
    ws.append([])
    ws.append([cell(ws, "制表人：            审核人：", border=False), cell(ws, "日期：", border=False)])
