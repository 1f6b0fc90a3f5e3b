"""Exporting the roster as a 学籍-style workbook that imports back with zero changes.

ID numbers are written as text (a number cell would be rounded to 15 digits),
codes as their labels, dates as YYYYMMDD. A value still 待核对 (left empty by the import) is
written as the text the import found, so the file says what the school's file said and imports
back the same. Written in streaming mode, no row cap, under a temporary name and renamed when
complete.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Iterable

import openpyxl
from openpyxl.styles import Font

from jiaoyuapp.atomic_write import save_workbook
from jiaoyuapp.codes import table
from jiaoyuapp.data_cells import data_cell
from jiaoyuapp.errors import CancelledError
from jiaoyuapp.roster.fields import ALL_FIELDS, Field
from jiaoyuapp.roster.review import load_notes
from jiaoyuapp.roster.roster_import import GUARDIAN_COLS
from jiaoyuapp.school import require_school
from jiaoyuapp.store import Store

TEXT = "@"


def cell_text(f: Field, value) -> str | None:
    if value is None or value == "":
        return None
    kind = f.kind
    if kind == "code":
        return table(f.table).label(str(value)) or str(value)
    if kind == "flag":
        return "是" if int(value) else "否"
    if kind == "date":
        return str(value).replace("-", "")
    if kind == "ym":
        return str(value).replace("-", "")
    if kind == "grade":
        return table("grade").label(str(value))
    if kind == "class":
        return f"{value}班" if str(value).isdigit() else str(value)
    return str(value)


def export_roster(store: Store, out: str | Path, *, progress: Callable[[int, int | None, str], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> int:
    """Write every student (all statuses); returns how many rows were written."""
    school = require_school(store)
    total = store.scalar("SELECT count(*) FROM students")
    title = f"{school['name']}学生花名册（学校标识码{school['code']}，导出日期{dt.date.today():%Y-%m-%d}）"
    return write_roster(out, _student_values(store), title, total=total, progress=progress, cancel=cancel)


def _student_values(store: Store):
    """Each student's values with guardians as g1./g2. keys, in class order."""
    guardians: dict[str, dict[int, tuple]] = {}
    for g in store.conn.execute(f"SELECT student_uuid, position, {', '.join(GUARDIAN_COLS)} FROM guardians"):
        guardians.setdefault(g[0], {})[g[1]] = g[2:]
    for values in store.rows("SELECT * FROM students ORDER BY grade, CAST(class_no AS INTEGER), class_no, seat_no, name"):
        for position, g in guardians.get(values["uuid"], {}).items():
            values.update({f"g{position}.{c}": v for c, v in zip(GUARDIAN_COLS, g)})
        yield values


def write_roster(out: str | Path, rows: Iterable[dict], title: str | None, *, total: int | None = None,
                 progress: Callable[[int, int | None, str], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> int:
    """Stream student values into a workbook laid out like the 学籍 export (title row, then the
    template headers); identifiers and dates are text cells."""
    out = Path(out)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("学生花名册")
    ws.freeze_panes = "B3" if title else "B2"
    if title:
        cell = data_cell(ws, title)
        cell.font = Font(bold=True, size=14)
        ws.append([cell])
    bold = Font(bold=True)
    header = []
    for f in ALL_FIELDS:
        c = data_cell(ws, f.header)
        c.font = bold
        header.append(c)
    ws.append(header)
    text_kinds = ("id_number", "student_no", "phone", "date", "ym")
    written = 0
    for values in rows:
        cells = []
        notes = load_notes(values.get("unchecked"))
        for f in ALL_FIELDS:
            text = cell_text(f, values.get(f.key))
            c = data_cell(ws, notes.get(f.key) if text is None else text)
            if f.kind in text_kinds:
                c.number_format = TEXT
            cells.append(c)
        ws.append(cells)
        written += 1
        if written % 1000 == 0:
            if cancel and cancel():
                raise CancelledError()
            if progress:
                progress(written, total, "导出")
    save_workbook(wb, out)
    return written
