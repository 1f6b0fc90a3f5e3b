"""Smaller promises of the window: cancel leaves nothing written, the shipped Chinese font when
the system has none, unexpected errors logged without children's data, keyboard shortcuts, filters
by class and flag, the ledgers exported with a progress bar, and the printable visit form."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase

from jiaoyuapp.paths import log_file
from jiaoyuapp.school import open_school
from tests.ui_helpers import (close_message_boxes, demo_db, empty_school, message_boxes, open_window,
                              roster_workbook)


def test_cancel_an_import_writes_nothing(qtbot, tmp_path):
    workbook = roster_workbook(tmp_path / "学籍.xlsx", 4000, seed=5)
    db = empty_school(tmp_path / "学校.db")
    window = open_window(qtbot, db)
    dialog = window.show_screen("roster").start_import(str(workbook))
    task = dialog._running_task
    # 取消 pressed as soon as the first rows are read (the dialog's button does task.cancel())
    task.signals.progress.connect(lambda *_: task.cancel(), Qt.ConnectionType.DirectConnection)
    qtbot.waitUntil(lambda: any("已取消" in t for t in message_boxes()), timeout=60000)
    assert dialog.report is None
    assert window.session.store.scalar("SELECT count(*) FROM students") == 0
    close_message_boxes()


def test_shipped_font_when_the_system_has_no_chinese_font(qtbot):
    from jiaoyuapp.resources import cjk_font
    index = QFontDatabase.addApplicationFont(str(cjk_font()))
    assert index >= 0 and any("WenQuanYi" in f for f in QFontDatabase.applicationFontFamilies(index))
    from ui.fonts import cjk_family
    family = cjk_family()
    assert QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family)


def test_zoom_with_ctrl_plus_and_minus(qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication
    window = open_window(qtbot, demo_db(tmp_path))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    before = QApplication.font().pointSize()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.font().pointSize() == before + 1
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.font().pointSize() == before
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.screen("roster")


def test_unexpected_error_is_logged_without_data_and_the_app_goes_on(qtbot, tmp_path):
    from ui.dialogs import install_excepthook
    old = sys.excepthook
    install_excepthook()
    try:
        try:
            raise ValueError("张三 510123201803050011 13800138000")  # a message that carries a child's data
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old
    text = log_file().read_text(encoding="utf-8")
    assert "ValueError" in text and "test_ui_details.py" in text
    assert "张三" not in text and "510123201803050011" not in text and "13800138000" not in text
    assert any("意外错误" in t and str(log_file()) in t for t in message_boxes())
    close_message_boxes()


def test_roster_filters_by_class_and_flag(qtbot, tmp_path):
    window = open_window(qtbot, demo_db(tmp_path))
    roster = window.show_screen("roster")
    store = window.session.store
    roster.class_box.setCurrentText("三年级1班")
    expected = store.scalar("SELECT count(*) FROM students WHERE grade = 3 AND class_no = '1' AND status = '在读'")
    assert roster.model.rowCount() == expected > 0
    roster.flag_box.setCurrentText("留守")
    expected = store.scalar("SELECT count(*) FROM students WHERE grade = 3 AND class_no = '1' AND status = '在读' "
                            "AND left_behind IN ('1','2','9')")
    assert roster.model.rowCount() == expected
    assert all("留守" in roster.model.data(roster.model.index(r, 7)) for r in range(expected))


def test_ledgers_exported_with_a_progress_bar(qtbot, tmp_path):
    window = open_window(qtbot, demo_db(tmp_path))
    screen = window.show_screen("export")
    out = tmp_path / "台账.xlsx"
    screen.public.setChecked(True)
    task = screen.export_ledgers(str(out))
    qtbot.waitUntil(lambda: "已导出公示版台账" in screen.result.text(), timeout=60000)
    assert task.final_value[0] == task.final_value[1] > 0  # the bar ended full
    import openpyxl
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames[0] == "学生花名册"
    ids = [row[0] for row in wb["学生花名册"].iter_rows(min_row=4, max_col=12, values_only=True) if row[0]]
    assert ids
    close_message_boxes()


def test_printable_visit_form_prefilled_with_the_household(qtbot, tmp_path):
    from jiaoyuapp.documents.visit_form import write_visit_form
    db = demo_db(tmp_path)
    store = open_school(db)
    kid = store.query("SELECT s.uuid, s.name FROM students s WHERE status = '在读' AND household_uuid IN "
                      "(SELECT household_uuid FROM students GROUP BY household_uuid HAVING count(*) > 1) LIMIT 1")[0]
    siblings = [r[0] for r in store.conn.execute(
        "SELECT name FROM students WHERE status = '在读' AND household_uuid = (SELECT household_uuid FROM students "
        "WHERE uuid = ?)", (kid["uuid"],))]
    out = write_visit_form(store, kid["uuid"], tmp_path / "家访记录表.pdf")
    store.close()
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "家访记录表" in text and all(name in text for name in siblings)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded


def test_closing_the_window_stops_long_work(qtbot, tmp_path):
    from PySide6.QtCore import QThreadPool

    workbook = roster_workbook(tmp_path / "学籍.xlsx", 4000, seed=6)
    db = empty_school(tmp_path / "学校.db")
    window = open_window(qtbot, db, track=False)
    dialog = window.show_screen("roster").start_import(str(workbook))
    started, outcome = [], []
    task = dialog._running_task
    task.signals.progress.connect(lambda *_: started.append(1), Qt.ConnectionType.DirectConnection)
    for name in ("done", "cancelled", "failed"):
        getattr(task.signals, name).connect(lambda *_, n=name: outcome.append(n), Qt.ConnectionType.DirectConnection)
    qtbot.waitUntil(lambda: bool(started), timeout=60000)
    window.close()
    assert QThreadPool.globalInstance().waitForDone(20000)  # the worker stopped; nothing waits on it
    assert outcome == ["cancelled"]
    store = open_school(db)
    assert store.scalar("SELECT count(*) FROM students") == 0
    store.close()
    close_message_boxes()
