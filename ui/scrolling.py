"""A screen's content in a scroll area: on a 1366×768 screen (or at 125 % scaling) a long screen
scrolls instead of pushing the window taller than the screen, and on a bigger one it fills the
room as before (the content is resized to the viewport whenever that is larger)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget


def scrolled(content: QWidget, name: str = "") -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    if name:
        area.setObjectName(name)
    return area


def scrolling_body(screen: QWidget, name: str = "") -> QVBoxLayout:
    """The layout to fill for `screen`, inside a scroll area that is the screen's only child."""
    content = QWidget()
    outer = QVBoxLayout(screen)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scrolled(content, name))
    return QVBoxLayout(content)
