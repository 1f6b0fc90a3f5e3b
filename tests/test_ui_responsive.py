"""A 20,000-row roster import through the window: the event loop keeps answering (a timer that
should fire every 10 ms never waits 200 ms), and the import completes."""

from __future__ import annotations

from PySide6.QtCore import Qt, QThreadPool

from tests.ui_helpers import empty_school, open_window, roster_workbook
from ui.stall_meter import StallMeter

ROWS = 20_000


def test_big_import_keeps_the_window_answering(qtbot, tmp_path):
    workbook = roster_workbook(tmp_path / "学籍.xlsx", ROWS, seed=3)
    db = empty_school(tmp_path / "大学校.db", "大坪中心小学")
    window = open_window(qtbot, db)
    roster = window.show_screen("roster")
    qtbot.wait(100)  # the pinyin warm-up, started once the window is up, is done before the import
    QThreadPool.globalInstance().waitForDone()
    meter = StallMeter()
    meter.start()
    dialog = roster.start_import(str(workbook))
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    assert dialog.report.rows == ROWS and dialog.all_button.isEnabled(), dialog.summary.text()
    qtbot.mouseClick(dialog.all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=180000)
    longest = meter.stop()
    assert dialog.result.created == ROWS
    assert meter.ticks > 100
    print(f"longest stall {longest * 1000:.0f} ms over {meter.ticks} ticks")
    assert longest < 0.2, f"the event loop stalled for {longest * 1000:.0f} ms"
    qtbot.waitUntil(lambda: roster.model.rowCount() == ROWS, timeout=10000)
