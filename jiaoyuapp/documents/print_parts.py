"""How a ledger sheet is laid out on A4 landscape so nothing prints below 8 pt.

A ledger of 26 columns squeezed to one page width prints at 4–5 pt (issue 12). The full sheet stays
as it is for machines and prints at 100% over several pages across; a ledger wider than one page
also gets printable parts, each a page wide, each repeating the key columns (序号, 姓名, 班级) so
every printed page says whose row it is. The split is computed from the column definitions, so a
column another ledger function adds lands in a part by itself.

Widths are in Excel's character units. LibreOffice without Calibri prints one unit as about 7 pt
(measured here), Excel with Calibri about 5.3 pt: the budget below fits the wider case at ≥ 80%,
so the body's 11 pt prints at 8.8 pt or more, whatever office program prints it.
"""

from __future__ import annotations

import unicodedata

# A4 landscape, 0.4" side margins: 784 pt printable; at 7 pt a unit, an 80% floor (11 pt → 8.8 pt).
PART_BUDGET = 140.0


def parts(widths: list[float], keys: list[bool], budget: float = PART_BUDGET) -> list[list[int]]:
    """Column indices of each printable part: one part (every column) when the ledger fits a page,
    else the key columns followed by as many others, in order, as fit the budget."""
    if sum(widths) <= budget:
        return [list(range(len(widths)))]
    key_idx = [i for i, k in enumerate(keys) if k]
    room = budget - sum(widths[i] for i in key_idx)
    out: list[list[int]] = []
    current: list[int] = []
    used = 0.0
    for i, w in enumerate(widths):
        if keys[i]:
            continue
        if current and used + w > room:
            out.append(current)
            current, used = [], 0.0
        current.append(i)
        used += w
    if current:
        out.append(current)
    return [sorted(key_idx + part) for part in out]


def text_units(text: str) -> float:
    """How many character units a line of text needs at 11 pt: a CJK or full-width character two
    (a little more, for fonts that run wide), anything else one."""
    return sum(2.2 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


# One printed line of 11-pt text, in points, with the line spacing of the CJK font LibreOffice falls
# back to (Noto/Source Han: about 1.45 em), and the cell's padding.
LINE_PT, PAD_PT, DEFAULT_ROW_PT = 16.0, 3.0, 15.0


def lines_needed(value, width: float) -> int:
    """How many printed lines a wrapped cell of `width` units takes for `value` (hard line breaks
    kept, each line wrapped at the width)."""
    if value is None or value == "":
        return 1
    room = max(1.0, width - 0.8)
    return sum(max(1, -(-text_units(line) // room)) for line in str(value).split("\n"))


def row_height(values: list, widths: list[float]) -> float | None:
    """The height (pt) a row of wrapped cells needs, or None when one line is enough. openpyxl
    writes no height and LibreOffice does not grow a row it reads without one, so without this a
    long cell prints over the row below."""
    most = max((int(lines_needed(v, w)) for v, w in zip(values, widths)), default=1)
    return None if most <= 1 else most * LINE_PT + PAD_PT


SIGN_ROOM = 12.0  # units of blank after a title, for the hand signature


def sign_off_cells(widths: list[float], titles: list[str]) -> list[list[tuple[int, int, str]]]:
    """The sign-off block as rows of (first column, last column, title): each title in a run of
    columns wide enough for the whole title and a signature, so no title wraps mid-word; a title
    that does not fit the rest of a row starts the next row."""
    rows: list[list[tuple[int, int, str]]] = []
    row: list[tuple[int, int, str]] = []
    col = 0
    for title in titles:
        need = text_units(title) + SIGN_ROOM
        for attempt in range(2):
            start, room = col, 0.0
            while col < len(widths) and room < need:
                room += widths[col]
                col += 1
            if room >= need or (attempt == 1 or start == 0):
                row.append((start, max(start, col - 1), title))
                break
            rows.append(row)      # not enough room left on this row: start a new one
            row, col = [], 0
        if col >= len(widths):
            rows.append(row)
            row, col = [], 0
    if row:
        rows.append(row)
    return rows
