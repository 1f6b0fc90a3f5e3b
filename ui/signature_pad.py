"""The parent's signature, written with the mouse or a pen tablet, kept as a PNG."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

SIZE = (480, 160)


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setFixedSize(*SIZE)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.image = QImage(*SIZE, QImage.Format.Format_RGB32)
        self.blank = True
        self._last: QPointF | None = None
        self.clear()

    def clear(self) -> None:
        self.image.fill(QColor("white"))
        self.blank = True
        self.update()
        self.changed.emit()

    def stroke(self, points: list[tuple[float, float]], width: float = 2.5) -> None:
        """Draw a line through points (what the mouse or pen does; tests use it too)."""
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("black"), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            painter.drawLine(QPointF(x1, y1), QPointF(x2, y2))
        painter.end()
        self.blank = False
        self.update()
        self.changed.emit()

    def png(self) -> bytes | None:
        if self.blank:
            return None
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.image.save(buffer, "PNG")
        return bytes(data)

    def load_png(self, data: bytes | None) -> None:
        if not data:
            self.clear()
            return
        loaded = QImage.fromData(data, "PNG")
        if not loaded.isNull():
            self.image = loaded.convertToFormat(QImage.Format.Format_RGB32).scaled(*SIZE)
            self.blank = False
            self.update()

    # -- mouse and pen -----------------------------------------------------------
    def _to(self, point: QPointF, pressure: float = 1.0) -> None:
        if self._last is not None:
            self.stroke([(self._last.x(), self._last.y()), (point.x(), point.y())], 1.5 + 2.5 * pressure)
        self._last = point

    def mousePressEvent(self, event) -> None:
        self._last = event.position()

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._to(event.position())

    def mouseReleaseEvent(self, event) -> None:
        self._last = None

    def tabletEvent(self, event) -> None:
        kind = event.type()
        if kind == event.Type.TabletPress:
            self._last = event.position()
        elif kind == event.Type.TabletMove and event.pressure() > 0:
            self._to(event.position(), event.pressure())
        else:
            self._last = None
        event.accept()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.drawImage(0, 0, self.image)
        painter.setPen(QColor("#999"))
        painter.drawRect(0, 0, self.width() - 1, self.height() - 1)
        if self.blank:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "请家长在此签名（鼠标或手写板）")
