"""A Chinese font for the whole window, and Ctrl +/- to enlarge it.

Most Chinese PCs have one (微软雅黑, 宋体, Noto CJK, WenQuanYi); when the system has none, the
WenQuanYi Micro Hei shipped in resources/ is loaded, so no label is ever drawn as boxes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QTableView, QTreeView

from jiaoyuapp.resources import cjk_font

PREFERRED = ("Microsoft YaHei", "微软雅黑", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "SimSun", "宋体", "PingFang SC", "Noto Sans SC")
MIN_SIZE, MAX_SIZE = 9, 24


def cjk_family() -> str:
    """A font family that has Chinese glyphs: the system's, else the one shipped with the app."""
    families = set(QFontDatabase.families())
    for name in PREFERRED:
        if name in families:
            return name
    for name in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        return name
    loaded = QFontDatabase.addApplicationFont(str(cjk_font()))
    shipped = QFontDatabase.applicationFontFamilies(loaded) if loaded >= 0 else []
    return shipped[0] if shipped else QApplication.font().family()


def apply_font(app: QApplication, size: int | None = None) -> QFont:
    font = QFont(cjk_family())
    font.setPointSize(max(MIN_SIZE, min(MAX_SIZE, size or 11)))
    app.setFont(font)
    return font


FIT_ROWS = 2000  # fitting a column reads its rows: beyond a class-sized list, widths are scaled instead


def zoom(app: QApplication, step: int) -> int:
    """Enlarge (step > 0) or shrink the font of every window; returns the new point size.
    Widgets that follow the application's font follow it; those with a font of their own (a
    screen's heading) grow by the same step, so a heading stays a heading. Every table then fits
    its columns to the new text (no "…" after Ctrl+) and its rows to the new line height."""
    font = app.font()
    old = font.pointSize()
    size = max(MIN_SIZE, min(MAX_SIZE, old + step))
    if size == old:
        return size
    font.setPointSize(size)
    app.setFont(font)
    for widget in app.allWidgets():
        if widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
            own = widget.font()
            if own.pointSize() > 0:
                own.setPointSize(max(MIN_SIZE, own.pointSize() + size - old))
                widget.setFont(own)
    refit_views(app, size / old)
    return size


def refit_views(app: QApplication, ratio: float) -> None:
    """After the text size changed by `ratio`: tables fit their columns to the contents (a big
    table, and every tree, scales the widths it had), rows take the new line height."""
    for widget in app.allWidgets():
        if isinstance(widget, QTableView):
            rows = widget.verticalHeader()
            rows.setDefaultSectionSize(max(rows.minimumSectionSize(), round(rows.defaultSectionSize() * ratio)))
            model = widget.model()
            if model is not None and model.rowCount() <= FIT_ROWS:
                widget.resizeColumnsToContents()
            else:
                _scale_sections(widget.horizontalHeader(), ratio)
        elif isinstance(widget, QTreeView):
            _scale_sections(widget.header(), ratio)


def _scale_sections(header, ratio: float) -> None:
    last = header.count() - 1
    for section in range(header.count()):
        if not (section == last and header.stretchLastSection()):
            header.resizeSection(section, round(header.sectionSize(section) * ratio))
