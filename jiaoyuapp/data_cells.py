"""The one way our exported workbooks write a cell: as data, never as a formula.

A name, an address or a visit note is typed by people and may begin with `=`, `+`, `-` or
`@`. openpyxl turns a string beginning with `=` into a live formula (and "#N/A" into an error
value), so a hostile or unlucky note would run in the 公示版 on the notice board or in the
township workbook at the county. Here every string is stored as a string cell, exactly as
entered (no apostrophe added, so the roster still re-imports unchanged), and one that Excel or
WPS would read as a formula when a user edits the cell also gets the quote-prefix flag, which
keeps it text there. Control characters, which no workbook can hold (they came in pasted, or in
a hostile school's packet), are left out rather than failing the whole export.
"""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What Excel, WPS and LibreOffice take as the start of a formula when a cell is typed or edited.
FORMULA_STARTS = ("=", "+", "-", "@")


def data_cell(ws, value=None) -> WriteOnlyCell:
    """A write-only cell holding `value` as data: a str is always a string cell."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters a workbook cannot hold
    c = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        c.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            c.quotePrefix = True
    return c
