"""The ledgers workbook: one sheet per ledger, as inspectors print them.

Each sheet: a title row (school and date), the column headers, ID numbers as text, a frozen
header, sensible widths, A4 landscape with the header row repeated on every page and a
"第 X 页 共 Y 页" footer, and a sign-off block. A ledger wider than a page keeps its full sheet (for
machines; it prints at 100% over several pages, 序号 and 姓名 repeated) and gets printable parts
(“（打印1）” …), each one page wide with the key columns repeated (print_parts.py): nothing prints
below 8 pt. Written in streaming mode (no row cap, flat memory), under a temporary name, then
renamed. The public-notice variant (公示名单) masks ID numbers and phones.
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
from jiaoyuapp.documents import print_parts
from jiaoyuapp.documents.ledger_rows import LEDGERS, Column, Ledger
from jiaoyuapp.documents.summary_figures import figures
from jiaoyuapp.errors import CancelledError
from jiaoyuapp.school import require_school
from jiaoyuapp.store import Store
from jiaoyuapp.chinese_dates import long_date

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
SIGN = Alignment(horizontal="left", vertical="center", wrap_text=False)


def setup_sheet(ws, columns: list[Column], title: str, fit: bool = True, header_row: bool = True) -> None:
    """Widths, frozen header, A4 landscape, header row on every page, page footer. `fit`: one page
    wide (a sheet narrow enough to print legibly so); otherwise 100% over pages across, with the
    first two columns repeated on each."""
    for i, col in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    if header_row:
        ws.freeze_panes = "C3"
        ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    if fit:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.page_setup.scale = 100
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.print_title_cols = "A:B"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.right.text = title
    ws.merged_cells.add(CellRange(min_col=1, min_row=1, max_col=len(columns), max_row=1))


def put(ws, row: list, widths: list[float] | None = None) -> None:
    """Append a row, counting rows (a streaming sheet does not say how many it has written). With the
    cells' `widths` (merged cells: their total), the row is made tall enough for its wrapped text."""
    if widths:
        height = print_parts.row_height([getattr(c, "value", c) for c in row], widths)
        if height:
            ws.row_dimensions[row_no(ws) + 1].height = height
    ws.append(row)
    ws.jiaoyu_rows = row_no(ws) + 1


def row_no(ws) -> int:
    """Rows written so far to a sheet filled with put()."""
    return getattr(ws, "jiaoyu_rows", 0)


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


def sign_off_block(ws, columns: list[Column], titles: list[str]) -> None:
    """The sign-off rows at the foot of a sheet: each title in merged cells wide enough for the whole
    title and a signature, never wrapped (print_parts.sign_off_cells)."""
    put(ws, [])
    for row in print_parts.sign_off_cells([c.width for c in columns], titles):
        cells: list = []
        for first, last, title in row:
            cells += [None] * (first - len(cells))
            cells.append(cell(ws, title, align=SIGN, border=False))
            if last > first:
                ws.merged_cells.add(CellRange(min_col=first + 1, max_col=last + 1, min_row=row_no(ws) + 1,
                                              max_row=row_no(ws) + 1))
            cells += [None] * (last - first)
        ws.row_dimensions[row_no(ws) + 1].height = 30
        put(ws, cells)


def write_ledgers(store: Store, out: str | Path, *, masked: bool = False, today: dt.date | None = None,
                  progress: Callable[[int, int | None, str], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> Path:
    """Write the school's ledgers workbook; returns its path."""
    from jiaoyuapp.documents import report_forms
    out = Path(out)
    today = today or dt.date.today()
    school = require_school(store)
    wb = openpyxl.Workbook(write_only=True)
    write_ledger_sheets(wb, school["name"], [(None, store)], masked=masked, today=today, progress=progress,
                        cancel=cancel)
    report_forms.write_report_sheets(wb, store, masked=masked, today=today)
    _summary_sheet(wb, school, today, store, "（公示）" if masked else "")
    save_workbook(wb, out)
    return out


def write_ledger_sheets(wb, owner: str, sources: list[tuple[str | None, Store]], *, masked: bool, today: dt.date,
                        progress=None, cancel=None) -> None:
    """One sheet per ledger with the rows of every source, and its printable parts when it is wider
    than a page; with several schools (the township's copies) a 学校 column comes first, unless the
    ledger has its own (the 控辍 ledger names each row's school already)."""
    total = sum(ledger.count(s) for ledger in LEDGERS for _, s in sources)
    done = 0
    suffix = "（公示）" if masked else ""
    many = any(name for name, _ in sources)
    for ledger in LEDGERS:
        prefix = many and not any(c.header == "学校" for c in ledger.columns)
        columns = ([Column("学校", 16, key=True)] if prefix else []) + ledger.columns
        # at the township every printed part says whose school a row is
        layout = print_parts.parts([c.width for c in columns], [c.key or (many and c.header == "学校") for c in columns])
        date = f"（截至{long_date(today)}）"
        sheets = [(wb.create_sheet(ledger.sheet), list(range(len(columns))), ledger.title, len(layout) == 1)]
        for k, idx in enumerate(layout if len(layout) > 1 else [], 1):
            sheets.append((wb.create_sheet(f"{ledger.sheet}（打印{k}）"), idx,
                           f"{ledger.title}（打印{k}/{len(layout)}）", True))
        text_cols = {i for i, c in enumerate(columns) if c.kind in ("id", "phone", "date")}
        for ws, idx, title, fit in sheets:
            cols = [columns[i] for i in idx]
            setup_sheet(ws, cols, title, fit=fit)
            ws.row_dimensions[1].height = 28
            put(ws, [cell(ws, f"{owner}{title}{suffix}{date}", font=Font(bold=True, size=14), align=CENTER,
                            border=False)])
            put(ws, [cell(ws, c.header, font=Font(bold=True), align=CENTER) for c in cols])
        for name, store in sources:
            for row in ledger.rows(store, masked):
                row = ([name] if prefix else []) + list(row)
                values = [None if v is None else (str(v) if i in text_cols else v) for i, v in enumerate(row)]
                for ws, idx, _, _ in sheets:
                    put(ws, [cell(ws, values[i], text=i in text_cols) for i in idx], [columns[i].width for i in idx])
                done += 1
                if done % 1000 == 0:
                    if cancel and cancel():
                        raise CancelledError()
                    if progress:
                        progress(done, total, "导出台账")
        titles = ledger.sign_off_titles(sources[0][1]) if len(sources) == 1 else list(Ledger.sign_off)
        for ws, idx, _, fit in sheets:
            # signed where it prints a page wide: on a wide ledger's printable parts, not on its full copy
            # for machines (printed across pages, a title merged over the repeated columns prints twice)
            if fit:
                sign_off_block(ws, [columns[i] for i in idx], titles)
    if progress:
        progress(total, total, "完成")


def _summary_sheet(wb, school: dict, today: dt.date, store: Store, suffix: str) -> None:
    ws = wb.create_sheet("统计汇总")
    columns = [Column("项目", 34), Column("数值", 24)]
    setup_sheet(ws, columns, "统计汇总")
    ws.freeze_panes = "A3"
    ws.page_setup.orientation = "portrait"
    put(ws, [cell(ws, f"{school['name']}统计汇总{suffix}（{long_date(today)}）", font=Font(bold=True, size=14),
                     align=CENTER, border=False)])
    put(ws, [cell(ws, "项目", font=Font(bold=True), align=CENTER), cell(ws, "数值", font=Font(bold=True),
                                                                           align=CENTER)])
    for section, pairs in figures(store, today):
        put(ws, [cell(ws, section, font=Font(bold=True)), cell(ws, "")])
        for label, value in pairs:
            put(ws, [cell(ws, "　" + label), cell(ws, value)])
    sign_off_block(ws, columns, ["制表人：", "审核人：", "日期："])
