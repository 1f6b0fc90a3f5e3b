"""The import's problem list in the order a principal works through it, and as a workbook to fix.

A dry run of a real export can give three refusals and seventy identical hints; listed row by row
the refusals drown. So the list puts refusals (错误: the row is not imported) first, one line
each, and folds identical hints into one line saying how many rows and which. The workbook keeps
one line per problem (the principal fixes the file row by row), refusals first, every text cell
as text (an ID number stays all its digits), written atomically."""

from __future__ import annotations

from pathlib import Path

from jiaoyuapp.atomic_write import write_atomically

ERROR, WARNING = "错误", "提示"
HEADERS = ["类别", "工作表", "行", "列", "列名", "原值", "问题"]
WIDTHS = [8, 14, 6, 5, 16, 28, 70]


def _line(item: dict, kind: str) -> dict:
    return {"kind": kind, "sheet": item.get("sheet") or "", "row": item.get("row"),
            "letter": item.get("letter") or "", "column": item.get("column") or "",
            "value": "" if item.get("value") is None else str(item.get("value")), "message": item.get("message") or ""}


def _where(line: dict) -> tuple:
    return line["sheet"], line["row"] or 0, line["letter"]


def ordered(problems: list[dict], warnings: list[dict]) -> list[dict]:
    """Every problem as one line (kind, sheet, row, letter, column, value, message): refusals
    first, then hints, each by sheet and row."""
    return (sorted((_line(p, ERROR) for p in problems), key=_where)
            + sorted((_line(w, WARNING) for w in warnings), key=_where))


def row_ranges(rows: list[int]) -> str:
    """5, 6, 7, 9 → "5-7、9": which rows, short enough to read in one line."""
    rows = sorted(set(rows))
    parts, start = [], None
    for i, row in enumerate(rows):
        if start is None:
            start = row
        if i + 1 == len(rows) or rows[i + 1] != row + 1:
            parts.append(str(start) if start == row else f"{start}-{row}")
            start = None
    return "、".join(parts)


def grouped(problems: list[dict], warnings: list[dict]) -> list[dict]:
    """The list as shown: each refusal on its own line, then each kind of hint once (the same
    message in the same column of the same sheet), with `count` and `rows` ("5-73") of the rows
    it is about; `value` is the original text when it is the same in all of them."""
    out = [dict(line, count=1, rows=str(line["row"] or "")) for line in ordered(problems, [])]
    groups: dict[tuple, list[dict]] = {}
    for line in ordered([], warnings):
        groups.setdefault((line["sheet"], line["letter"], line["column"], line["message"]), []).append(line)
    for lines in groups.values():
        values = {line["value"] for line in lines}
        out.append(dict(lines[0], count=len(lines), rows=row_ranges([line["row"] or 0 for line in lines]),
                        value=values.pop() if len(values) == 1 else "（各行不同）"))
    return out


def write_problem_workbook(out: str | Path, problems: list[dict], warnings: list[dict], source: str = "") -> Path:
    """A workbook of every problem, refusals first, to fix the roster by; returns `out`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from jiaoyuapp.data_cells import data_cell

    lines = ordered(problems, warnings)

    def write(tmp: Path) -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("问题清单")
        for i, width in enumerate(WIDTHS):
            sheet.column_dimensions[chr(ord("A") + i)].width = width
        sheet.freeze_panes = "A2" if not source else "A3"
        if source:
            sheet.append([data_cell(sheet, f"导入检查：{source}（共{len(problems)}处错误、{len(warnings)}条提示；"
                                           "错误的行不会导入，改好后重新导入）")])
        header = []
        for text in HEADERS:
            cell = data_cell(sheet, text)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for line in lines:
            sheet.append([data_cell(sheet, line["kind"]), data_cell(sheet, line["sheet"]), line["row"],
                          data_cell(sheet, line["letter"]), data_cell(sheet, line["column"]),
                          data_cell(sheet, line["value"]), data_cell(sheet, line["message"])])
        book.save(tmp)

    return write_atomically(out, write)
