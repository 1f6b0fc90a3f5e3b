"""A Chinese font for the whole window, and Ctrl +/- to enlarge it.

Most Chinese PCs have one (微软雅黑, 宋体, Noto CJK, WenQuanYi); when the system has none, the
WenQuanYi Micro Hei shipped in resources/ is loaded, so no label is ever drawn as boxes.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

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


def zoom(app: QApplication, step: int) -> int:
    """Enlarge (step > 0) or shrink the font of every window; returns the new point size."""
    font = app.font()
    size = max(MIN_SIZE, min(MAX_SIZE, font.pointSize() + step))
    font.setPointSize(size)
    app.setFont(font)
    for widget in app.allWidgets():
        widget.setFont(font)
    return size
