"""A plain horizontal bar chart (QtCharts is not in pyside6-essentials, and needs no more than this)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget


class BarChart(QWidget):
    def __init__(self, title: str, unit: str = "", parent=None):
        super().__init__(parent)
        self.title, self.unit = title, unit
        self.items: list[tuple[str, float]] = []
        self.maximum: float | None = None
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_items(self, items: list[tuple[str, float]], maximum: float | None = None) -> None:
        self.items, self.maximum = items, maximum
        self.setMinimumHeight(40 + 24 * max(1, len(items)))
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = p.fontMetrics()
        line = metrics.height() + 6
        p.drawText(QRectF(0, 0, self.width(), line), Qt.AlignmentFlag.AlignLeft, self.title)
        if not self.items:
            p.drawText(QRectF(0, line, self.width(), line), Qt.AlignmentFlag.AlignLeft, "（暂无数据）")
            return
        label_w = max(metrics.horizontalAdvance(label) for label, _ in self.items) + 10
        top = max(self.maximum or 0, max(v for _, v in self.items)) or 1
        bar_w = max(10, self.width() - label_w - 90)
        step = min(line + 4, (self.height() - line) / len(self.items))
        for i, (label, value) in enumerate(self.items):
            y = line + i * step
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(0, y, label_w - 6, step), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            width = bar_w * value / top
            p.fillRect(QRectF(label_w, y + 3, width, step - 6), QColor("#3a7bd5"))
            text = f"{value:.0%}" if self.unit == "%" else f"{value:g}{self.unit}"
            p.drawText(QRectF(label_w + width + 4, y, 90, step), Qt.AlignmentFlag.AlignVCenter, text)
