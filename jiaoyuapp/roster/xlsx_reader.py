"""Streaming a worksheet row by row, with merged cells filled in.

openpyxl's read-only mode streams rows without loading the workbook, but it
does not report merged ranges. We find them by scanning the sheet's XML for
`<mergeCell ref=…>` (a byte search, no parsing) and fill each merged cell
with the value of its top-left cell, so a class name merged over ten rows
reaches every one of them.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Iterator

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from jiaoyuapp.errors import DataError

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=[\"']([A-Z]+[0-9]+:[A-Z]+[0-9]+)[\"']")
_CHUNK = 1 << 20


def open_workbook(path: Path):
    name = path.name
    if not path.exists():
        raise DataError(f"找不到文件“{path}”，请检查文件名和位置。")
    if path.suffix.lower() == ".xls":
        raise DataError(f"“{name}”是旧版Excel（.xls）文件，本软件读取.xlsx。"
                        "请用Excel或WPS打开它，“另存为”Excel工作簿（.xlsx）后再导入。")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except PermissionError:
        raise DataError(f"“{name}”正被其他程序占用或没有读取权限。请先在Excel或WPS中关闭这个文件，再重新导入。") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DataError(f"无法读取“{name}”：文件不是有效的.xlsx工作簿，或已损坏、被加密（{type(exc).__name__}）。"
                        "请在Excel或WPS中打开确认无误，另存为.xlsx后再导入。") from None


def merged_ranges(path: Path, worksheet_path: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range in one sheet."""
    found: list[tuple[int, int, int, int]] = []
    with zipfile.ZipFile(path) as zf, zf.open(worksheet_path) as fh:
        tail = b""
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            data = tail + chunk
            end = 0
            for m in _MERGE.finditer(data):
                found.append(range_boundaries(m.group(1).decode()))
                end = m.end()
            tail = data[max(end, len(data) - 200):]
    return found


class MergeFiller:
    """Replaces the empty cells of merged ranges with their anchor's value, row by row."""

    def __init__(self, ranges: list[tuple[int, int, int, int]]):
        self.by_row: dict[int, list[tuple[int, int, int, int]]] = {}
        for rng in ranges:
            min_col, min_row, max_col, max_row = rng
            if max_row - min_row > 100_000:
                continue
            for r in range(min_row, max_row + 1):
                self.by_row.setdefault(r, []).append(rng)
        self.anchors: dict[tuple[int, int], object] = {}

    def fill(self, row_number: int, values: list) -> list:
        ranges = self.by_row.get(row_number)
        if not ranges:
            return values
        values = list(values)
        for min_col, min_row, max_col, max_row in ranges:
            if row_number == min_row:
                anchor = values[min_col - 1] if len(values) >= min_col else None
                self.anchors[(min_col, min_row)] = anchor
            else:
                anchor = self.anchors.get((min_col, min_row))
            if len(values) < max_col:
                values.extend([None] * (max_col - len(values)))
            for c in range(min_col, max_col + 1):
                if (c, row_number) != (min_col, min_row):
                    values[c - 1] = anchor
            if row_number == max_row:
                self.anchors.pop((min_col, min_row), None)
        return values


def iter_sheet_rows(path: Path, ws) -> Iterator[tuple[int, list]]:
    """(spreadsheet row number, values) with merged cells filled, from row 1.

    The sheet's dimension record is ignored (some programs write a wrong one,
    which would cut the rows short); call `estimated_rows` first if needed.
    """
    filler = MergeFiller(merged_ranges(path, ws._worksheet_path))
    ws.reset_dimensions()
    for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        yield number, filler.fill(number, values)


def estimated_rows(ws) -> int | None:
    try:
        return ws.max_row
    except Exception:  # a sheet without a dimension record
        return None
