"""Ctrl +/− changes the text size everywhere and every table refits: no column shows "…" after a
zoom, rows take the new line height, and a screen's heading stays larger than its text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView

from tests.ui_helpers import demo_db, open_window


def _cut_columns(view: QTableView) -> list[str]:
    """Columns narrower than their widest text or their header (shown elided)."""
    header = view.horizontalHeader()
    cut = []
    for c in range(header.count()):
        if header.isSectionHidden(c) or (c == header.count() - 1 and header.stretchLastSection()):
            continue
        need = max(view.sizeHintForColumn(c), header.sectionSizeHint(c))
        if view.columnWidth(c) < need:
            cut.append(f"{view.objectName()}: {view.model().headerData(c, Qt.Orientation.Horizontal)} "
                       f"{view.columnWidth(c)} < {need}")
    return cut


def test_zoom_refits_the_columns_of_every_table(qtbot, tmp_path):
    """After Ctrl+ three times the roster, the case list and the aid records still show whole texts."""
    app = QApplication.instance()
    window = open_window(qtbot, demo_db(tmp_path))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    views = [window.show_screen("roster").table, window.show_screen("cases").list, window.show_screen("aid").records]
    window.show_screen("roster")
    row_height = views[0].verticalHeader().defaultSectionSize()
    heading = window.screen("roster").findChild(type(window.screen("roster").count))  # the first label: the heading
    try:
        for _ in range(3):
            qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
        assert app.font().pointSize() == 14
        assert all(v.model().rowCount() for v in views)
        cut = [c for v in views for c in _cut_columns(v)]
        assert not cut, cut
        assert views[0].verticalHeader().defaultSectionSize() > row_height
        assert heading.font().pointSize() > app.font().pointSize()
        for _ in range(3):
            qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
        assert app.font().pointSize() == 11
        assert views[0].verticalHeader().defaultSectionSize() == row_height
    finally:
        from ui import fonts
        fonts.apply_font(app)
