"""The import wizard and hidden sheets, offscreen: named as skipped, read at the press of a button."""

import sqlite3

from PySide6.QtCore import Qt

from jiaoyuapp.school import init_school, open_school
from tests.broken_workbooks import base_workbook, changed, read_parts
from tests.ui_helpers import open_window


def test_hidden_roster_sheet_is_named_and_read_on_request(qtbot, tmp_path):
    """A roster on a hidden sheet is not imported silently: the wizard names it and reads it only when asked."""
    db = tmp_path / "新学校.db"
    store = open_school(db)
    init_school(store, code="5101230001", name="红岩村小学")
    store.close()
    parts = read_parts(base_workbook())
    hidden = parts["xl/workbook.xml"].replace('name="一年级" sheetId="1" state="visible"'.encode(),
                                              'name="一年级" sheetId="1" state="hidden"'.encode())
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(changed(base_workbook(), **{"xl/workbook.xml": hidden}))
    window = open_window(qtbot, db)
    dialog = window.show_screen("roster").start_import(str(path))
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    assert "隐藏的工作表“一年级”没有读取" in dialog.summary.text()
    assert dialog.hidden_button.isVisible() and not dialog.all_button.isEnabled()
    first = dialog.report
    qtbot.mouseClick(dialog.hidden_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not first, timeout=20000)
    assert dialog.report.rows == 6 and dialog.report.hidden_sheets == []
    assert not dialog.hidden_button.isVisible() and dialog.all_button.isEnabled()
    qtbot.mouseClick(dialog.all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20000)
    assert dialog.result.created == 6
    assert sqlite3.connect(db).execute("SELECT count(*) FROM students").fetchone()[0] == 6
