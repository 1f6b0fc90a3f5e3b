"""The import's problem list can be read and saved: refusals first, each with its sheet, row,
column letter and name, original value and whole message; identical hints folded into one line
with how many rows and which; and the list saved as a workbook that Excel and LibreOffice open."""

from __future__ import annotations

import csv
import subprocess

import openpyxl
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics

from jiaoyuapp.roster.problem_workbook import grouped, row_ranges, write_problem_workbook
from jiaoyuapp.roster.roster_import import ImportReport
from tests.fit_check import messy_workbook
from tests.test_roster_in_office import SOFFICE
from tests.ui_helpers import close_message_boxes, empty_school, open_window

HINT = "只写了“是”留守，没写单亲留守还是双亲留守；已按“留守（未注明）”导入，请补充"  # as a report may say


def _dialog(qtbot, tmp_path, report: ImportReport | None = None):
    window = open_window(qtbot, empty_school(tmp_path / "学校.db"))
    dialog = window.show_screen("roster").start_import(str(messy_workbook(tmp_path / "花名册.xlsx")))
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30000)
    if report is not None:  # as the importer reports it once every problem carries the cell's text
        dialog._checked(report)
    return dialog


def _cells(dialog, row: int) -> dict[str, str]:
    table = dialog.problems
    return {table.horizontalHeaderItem(c).text(): table.item(row, c).text() for c in range(table.columnCount())}


def test_refusals_first_and_identical_hints_on_one_line(qtbot, tmp_path):
    """Three refused rows sit above one line for 40 identical hints, each message whole and readable."""
    dialog = _dialog(qtbot, tmp_path)
    table = dialog.problems
    assert table.rowCount() == 4
    first = [_cells(dialog, r) for r in range(3)]
    assert [c["类别"] for c in first] == ["错误"] * 3
    assert [c["行"] for c in first] == ["6", "10", "45"]
    assert [(c["列"], c["列名"]) for c in first] == [("B", "身份证号码"), ("A", "姓名"), ("E", "出生日期")]
    assert first[2]["问题"] == dialog.report.problems[2]["message"]  # the whole message
    assert [c["原值"] for c in first] == [str(p.get("value") or "") for p in dialog.report.problems]
    hint = _cells(dialog, 3)
    assert hint["类别"] == "提示（40行）" and hint["行"] == "第3-5、7-9、11-44行"
    assert hint["问题"] == dialog.report.warnings[0]["message"] and "留守" in hint["问题"]
    assert hint["工作表"] == "学生名单" and (hint["列"], hint["列名"]) == ("F", "是否留守儿童")
    dialog.resize(900, 540)
    qtbot.wait(50)
    width = table.columnWidth(table.columnCount() - 1)
    for r in range(table.rowCount()):  # no text cut off: short columns fit, the message wraps into its row
        for c in range(table.columnCount() - 1):
            if c not in (4, 5):  # 列名 and 原值 are capped (a long value is in the tooltip)
                assert table.columnWidth(c) >= table.sizeHintForColumn(c), (r, c)
        item = table.item(r, table.columnCount() - 1)
        need = QFontMetrics(table.font()).boundingRect(QRect(0, 0, width - 8, 10000), Qt.TextFlag.TextWordWrap,
                                                       item.text()).height()
        assert table.rowHeight(r) >= need, (r, table.rowHeight(r), need)
        assert item.toolTip() == item.text()


def test_original_value_shown_and_saved_as_text(qtbot, tmp_path):
    """The cell's original text (a 17-digit ID, the 是 of a hint) is shown and saved, digits intact."""
    report = ImportReport(rows=3, valid=2, sheets=[{"name": "学生名单", "header_row": 2, "rows": 3}], sheet="学生名单",
                          header_row=2,
                          problems=[{"sheet": "学生名单", "row": 4, "column": "身份证号码", "letter": "B",
                                     "message": "身份证件号应为18位，这里是17位，请核对后重新填写", "value": "51012320180305001"}],
                          warnings=[{"sheet": "学生名单", "row": r, "column": "是否留守儿童", "letter": "F",
                                     "message": HINT, "value": "是"} for r in (3, 5)])
    dialog = _dialog(qtbot, tmp_path, report)
    assert _cells(dialog, 0)["原值"] == "51012320180305001"
    assert _cells(dialog, 1)["原值"] == "是" and _cells(dialog, 1)["行"] == "第3、5行"
    out = tmp_path / "问题清单.xlsx"
    assert dialog.save_problems(str(out)) == str(out)
    close_message_boxes()
    sheet = openpyxl.load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0] == ["错误", "学生名单", 4, "B", "身份证号码", "51012320180305001", report.problems[0]["message"]]
    assert sheet.cell(3, 6).data_type == "s"
    assert [r[2] for r in rows[1:]] == [3, 5] and {r[5] for r in rows[1:]} == {"是"}


def test_saved_problem_list_opens_in_excel_and_libreoffice(qtbot, tmp_path):
    """The 保存问题清单 workbook lists every problem, refusals first, and LibreOffice reads it the same."""
    dialog = _dialog(qtbot, tmp_path)
    assert dialog.save_button.isEnabled()
    out = tmp_path / "花名册_问题清单.xlsx"
    assert dialog.save_problems(str(out))
    close_message_boxes()
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[2]] == ["类别", "工作表", "行", "列", "列名", "原值", "问题"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert len(rows) == 43
    assert [r[0] for r in rows[:3]] == ["错误"] * 3 and {r[0] for r in rows[3:]} == {"提示"}
    hint = dialog.report.warnings[0]["message"]
    assert [r[2] for r in rows[:3]] == [6, 10, 45] and rows[3][6] == hint
    assert SOFFICE, "LibreOffice is installed by `make test` (installer/system-deps.sh)"
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path / "csv"), str(out)],
                   check=True, capture_output=True, timeout=180)
    with open(tmp_path / "csv" / "花名册_问题清单.csv", encoding="utf-8", newline="") as fh:
        read = list(csv.reader(fh))
    assert read[1] == ["类别", "工作表", "行", "列", "列名", "原值", "问题"]
    assert [r[2] for r in read[2:5]] == ["6", "10", "45"] and len(read) == 45
    assert read[5][6] == hint


def test_row_ranges_and_grouping_rules(tmp_path):
    """Which rows a folded hint is about reads as ranges; different hints stay on their own lines."""
    assert row_ranges([9, 5, 6, 7, 12, 11]) == "5-7、9、11-12"
    warnings = [{"row": r, "column": "民族", "letter": "F", "message": "民族不在代码表中"} for r in (4, 5)]
    warnings.append({"row": 6, "column": "民族", "letter": "F", "message": "另一条提示"})
    lines = grouped([{"row": 9, "column": "姓名", "letter": "A", "message": "姓名为空"}], warnings)
    assert [(l["kind"], l["count"], l["rows"]) for l in lines] == [("错误", 1, "9"), ("提示", 2, "4-5"), ("提示", 1, "6")]
    path = write_problem_workbook(tmp_path / "x.xlsx", [], warnings)
    assert openpyxl.load_workbook(path).active.max_row == 4
