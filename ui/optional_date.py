"""A date that may be left empty (the next follow-up, the next 劝返): a tick box and a date picker.

A date picker always holds some date, so an optional date needs a way to say "none": the box is
unticked, the picker greyed out, and the field's text is empty. It reads and writes like a line
edit (text(), setText(), clear(), textChanged), so forms and drafts treat it as one."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget

from ui.screens.base import date_edit

FORMAT = "yyyy-MM-dd"


class OptionalDate(QWidget):
    textChanged = Signal(str)

    def __init__(self, label: str = "填写", name: str = "", parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.given = QCheckBox(label)
        self.picker = date_edit(f"{name}Picker" if name else "")
        if name:
            self.setObjectName(name)
            self.given.setObjectName(f"{name}Given")
        self.picker.setEnabled(False)
        layout.addWidget(self.given)
        layout.addWidget(self.picker)
        layout.addStretch(1)
        self.given.toggled.connect(self._toggled)
        self.picker.dateChanged.connect(lambda _: self.textChanged.emit(self.text()))

    def _toggled(self, on: bool) -> None:
        self.picker.setEnabled(on)
        self.textChanged.emit(self.text())

    def text(self) -> str:
        """The date as 2026-12-20, or "" when none is given."""
        return self.picker.date().toString(FORMAT) if self.given.isChecked() else ""

    def setText(self, text: str) -> None:
        day = QDate.fromString((text or "").strip(), FORMAT)
        if day.isValid():
            self.picker.setDate(day)
        self.given.setChecked(day.isValid())

    def clear(self) -> None:
        self.given.setChecked(False)
        self.picker.setDate(QDate.currentDate())
