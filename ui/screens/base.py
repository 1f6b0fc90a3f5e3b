"""What every screen has: the window it lives in, the open database, and a refresh when shown."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QPushButton, QWidget


class Screen(QWidget):
    title = ""

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        self.stale = True

    @property
    def session(self):
        return self.window_.session

    @property
    def store(self):
        return self.window_.session.store

    @staticmethod
    def today() -> dt.date:
        return dt.date.today()

    def refresh(self) -> None:
        if self.stale:
            self.stale = False
            self.reload()

    def reload(self) -> None:
        """Read what the screen shows from the core; override."""


def heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSize(font.pointSize() + 3)
    font.setBold(True)
    label.setFont(font)
    return label


def date_edit(name: str = "") -> QDateEdit:
    """A date field as schools write dates (2026-11-22), today by default, with a calendar popup."""
    edit = QDateEdit(QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if name:
        edit.setObjectName(name)
    return edit


def button(text: str, on_click, name: str = "") -> QPushButton:
    """A button that does `on_click`; `name` is what tests and screenshots find it by."""
    b = QPushButton(text)
    if name:
        b.setObjectName(name)
    b.clicked.connect(on_click)
    return b


def wrapped(text: str) -> QLabel:
    """A sentence of explanation: it wraps in a narrow column instead of widening the screen."""
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def left_row(*widgets: QWidget) -> QHBoxLayout:
    """Widgets side by side from the left with the spare room after them (the buttons under a list
    or a form), so they keep their size when the window is wide."""
    row = QHBoxLayout()
    for w in widgets:
        row.addWidget(w)
    row.addStretch(1)
    return row
