"""A Chinese font for the whole window, and Ctrl +/- to enlarge it.

Most Chinese PCs have one (微软雅黑, 宋体, Noto CJK, WenQuanYi); when the system has none, the
WenQuanYi Micro Hei shipped in resources/ is loaded, so no label is ever drawn as boxes.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontInfo, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QApplication, QTableView, QTreeView

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.resources import cjk_font

PREFERRED = ("Microsoft YaHei", "微软雅黑", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "SimSun", "宋体", "PingFang SC", "Noto Sans SC")
MIN_SIZE, MAX_SIZE = 9, 24
SAMPLE = "控辍保学家访台账"  # characters every screen shows


def cjk_family() -> str:
    """A font family that has Chinese glyphs: the system's, else the one shipped with the app."""
    families = set(QFontDatabase.families())
    for name in PREFERRED:
        if name in families:
            return name
    for name in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        return name
    return shipped_family() or QApplication.font().family()


@cache
def shipped_family() -> str | None:
    """The family of the font file shipped in resources/ (loaded once); None when the file is
    missing or Qt cannot read it (an incomplete installation: the self-check says so)."""
    try:
        path = cjk_font()
    except JiaoyuError:
        return None
    loaded = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(loaded) if loaded >= 0 else []
    return families[0] if families else None


def has_cjk_glyphs(family: str, text: str = SAMPLE) -> bool:
    """True when `family` itself (not a fallback font Qt would borrow glyphs from) has a glyph for
    every character of `text`, and draws them as different shapes rather than one box each."""
    font = exact_font(family)
    if QFontInfo(font).family() != family:  # Qt substituted another family: this one is not installed
        return False
    metrics = QFontMetrics(font)
    return all(metrics.inFontUcs4(ord(ch)) for ch in text) and draws_distinct_shapes(font, text)


def exact_font(family: str) -> QFont:
    """`family` at a size where shapes differ clearly, never borrowing glyphs from another font."""
    font = QFont(family)
    font.setPixelSize(32)
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    return font


def draws_distinct_shapes(font: QFont, text: str) -> bool:
    """Each character of `text` drawn alone: none blank and no two alike (a missing glyph is
    drawn as the same box, or as nothing)."""
    def picture(ch: str) -> bytes:
        image = QImage(48, 48, QImage.Format.Format_Grayscale8)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setFont(font)
        painter.setPen(QColor("black"))
        painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, ch)
        painter.end()
        return bytes(image.constBits())
    shapes = {picture(ch) for ch in text}
    return len(shapes) == len(set(text)) and picture(" ") not in shapes


def font_report(app: QApplication) -> dict:
    """What the self-check reports: the family the window uses, whether that is the shipped font,
    and whether it really draws Chinese; and the same for the shipped file, which must work even
    where the system has a Chinese font of its own (it is what a PC without one gets)."""
    family = QFontInfo(app.font()).family()
    shipped = shipped_family()
    try:
        path = str(cjk_font())
    except JiaoyuError:
        path = None
    return {"family": family, "shipped_font_loaded": shipped is not None, "shipped_font_in_use": family == shipped,
            "cjk_glyphs": has_cjk_glyphs(family), "shipped_font": path, "shipped_family": shipped,
            "shipped_cjk_glyphs": shipped is not None and has_cjk_glyphs(shipped)}


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
