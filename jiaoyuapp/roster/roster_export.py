"""Exporting the roster as a 学籍-style workbook that imports back with zero changes.

ID numbers are written as text (a number cell would be rounded to 15 digits),
codes as their labels, dates as YYYYMMDD. Written in streaming mode, no row cap,
under a temporary name and renamed when complete.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Callable

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from jiaoyuapp.codes import table
from jiaoyuapp.errors import CancelledError, DataError
from jiaoyuapp.roster.fields import ALL_FIELDS, Field
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
    out = Path(out)
    school = require_school(store)
    total = store.scalar("SELECT count(*) FROM students")
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("学生花名册")
    ws.freeze_panes = "B3"
    title = WriteOnlyCell(ws, f"{school['name']}学生花名册（学校标识码{school['code']}，导出日期{dt.date.today():%Y-%m-%d}）")
    title.font = Font(bold=True, size=14)
    ws.append([title])
    bold = Font(bold=True)
    header = []
    for f in ALL_FIELDS:
        c = WriteOnlyCell(ws, f.header)
        c.font = bold
        header.append(c)
    ws.append(header)
    guardians: dict[str, dict[int, dict]] = {}
    for g in store.conn.execute(f"SELECT student_uuid, position, {', '.join(GUARDIAN_COLS)} FROM guardians"):
        guardians.setdefault(g[0], {})[g[1]] = dict(zip(GUARDIAN_COLS, g[2:]))
    cur = store.conn.execute("SELECT * FROM students ORDER BY grade, CAST(class_no AS INTEGER), class_no, seat_no, name")
    cols = [d[0] for d in cur.description]
    written = 0
    for row in cur:
        s = dict(zip(cols, row))
        g = guardians.get(s["uuid"], {})
        cells = []
        for f in ALL_FIELDS:
            if "." in f.key:
                p, col = f.key.split(".")
                value = g.get(int(p[1]), {}).get(col)
            else:
                value = s.get(f.key)
            text = cell_text(f, value)
            c = WriteOnlyCell(ws, text)
            if f.kind in ("id_number", "student_no", "phone", "date", "ym"):
                c.number_format = TEXT
            cells.append(c)
        ws.append(cells)
        written += 1
        if written % 1000 == 0:
            if cancel and cancel():
                raise CancelledError()
            if progress:
                progress(written, total, "导出")
    _save_atomically(wb, out)
    return written


def _save_atomically(wb, out: Path) -> None:
    tmp = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise DataError(f"无法写入“{out}”：{exc.strerror or exc}。如果文件正在Excel或WPS中打开，请先关闭；"
                        "如果U盘已满，请换一个位置。") from None
