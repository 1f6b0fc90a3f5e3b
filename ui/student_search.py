"""Find a student as you type (name, pinyin initials, part of an ID number) and pick one: the
search box and its short result list that 家访 and 资助 share. The search is the core's
(`find_students`), so it finds what the roster finds."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.roster.search import find_students


class StudentSearch(QWidget):
    chosen = Signal(str)   # the student's uuid

    def __init__(self, store_of, name: str, placeholder: str = "输入学生姓名或拼音首字母（如 zs）",
                 height: int = 110):
        super().__init__()
        self._store_of = store_of   # a callable: the screen's current school database
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.find = QLineEdit()
        self.find.setObjectName(f"{name}Search")
        self.find.setPlaceholderText(placeholder)
        self.found = QListWidget()
        self.found.setObjectName(f"{name}Results")
        self.found.setMaximumHeight(height)
        self.find.textChanged.connect(self.search)
        self.found.itemActivated.connect(lambda item: self.chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.found.itemClicked.connect(lambda item: self.chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self.find)
        layout.addWidget(self.found)

    def search(self, text: str) -> None:
        self.found.clear()
        if not text.strip():
            return
        try:
            rows = find_students(self._store_of(), text, status="在读", limit=20)
        except JiaoyuError:
            return
        for s in rows:
            item = QListWidgetItem(f"{s['name']}　{class_label(s['grade'], s['class_no'])}")
            item.setData(Qt.ItemDataRole.UserRole, s["uuid"])
            self.found.addItem(item)
