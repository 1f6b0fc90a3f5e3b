"""The student form: the fields of a 学籍 record a school types by hand, for adding a child on the
roster and editing one on the student's page. Nothing is checked here: every value goes to the
core as the text a roster cell would hold (`roster.students.parse_values`), so a field typed in
the window is judged exactly as the same cell of an imported workbook, and the core's message is
shown beside the field it is about."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QVBoxLayout, QWidget)

from jiaoyuapp.codes import table
from jiaoyuapp.roster.roster_rows import FIELDS_BY_KEY
from jiaoyuapp.roster.students import parse_values
from ui.screens.base import date_edit

SECTIONS = [
    ("基本信息", ["name", "sex", "birth_date", "ethnicity", "id_type", "id_number", "student_no", "grade",
              "class_no", "enrolled_ym", "boarding"]),
    ("住址与联系", ["home_address", "current_address", "phone"]),
    ("家庭成员（监护人）", ["g1.name", "g1.relation", "g1.phone", "g1.is_guardian",
                    "g2.name", "g2.relation", "g2.phone", "g2.is_guardian"]),
    ("关注情况", ["left_behind", "disability_type", "poverty_alleviated", "monitoring_kind", "dibao", "tekun",
              "orphan", "unsupported", "single_parent", "migrant_child"]),
    ("其他", ["note"]),
]
LABELS = {"home_address": "家庭住址", "boarding": "就读方式（寄宿）", "enrolled_ym": "入学年月",
          "g1.name": "监护人1姓名", "g1.relation": "与学生关系", "g1.phone": "监护人1电话", "g1.is_guardian": "是监护人",
          "g2.name": "监护人2姓名", "g2.relation": "与学生关系", "g2.phone": "监护人2电话", "g2.is_guardian": "是监护人"}
HINTS = {"birth_date": "填了身份证号可不填，按身份证号", "enrolled_ym": "如 2024-09", "class_no": "如 1班",
         "student_no": "G加身份证号，或J、L开头的19位"}
BLANK = ""
UNSET_DATE = QDate(1900, 1, 1)


def form_keys() -> list[str]:
    """The fields the form shows (those the roster still knows, should a field be renamed)."""
    return [k for _, keys in SECTIONS for k in keys if k in FIELDS_BY_KEY]


def label_of(key: str) -> str:
    return LABELS.get(key) or FIELDS_BY_KEY[key].header


class StudentForm(QWidget):
    """The fields in groups (`columns` groups side by side); `shown` holds what was loaded, so that
    `changed()` is what the teacher altered."""

    def __init__(self, columns: int = 1, parent: QWidget | None = None):
        super().__init__(parent)
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.shown: dict[str, str] = {}
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        stacks = [QVBoxLayout() for _ in range(max(columns, 1))]
        for i, (title, keys) in enumerate(SECTIONS):
            keys = [k for k in keys if k in FIELDS_BY_KEY]
            box = QGroupBox(title)
            grid = QGridLayout(box)
            grid.setColumnStretch(1, 1)
            for row, key in enumerate(keys):
                widget, error = self._widget(key), QLabel()
                error.setObjectName(f"error_{key}")
                error.setStyleSheet("color: #c0392b")
                error.setWordWrap(True)
                error.hide()
                grid.addWidget(QLabel(label_of(key)), 2 * row, 0)
                grid.addWidget(widget, 2 * row, 1)
                grid.addWidget(error, 2 * row + 1, 1)
                self.widgets[key], self.errors[key] = widget, error
            # two columns: the child's own record on the left, family and flags on the right
            stacks[min(i // 2, len(stacks) - 1) if len(stacks) > 1 else 0].addWidget(box)
        for stack in stacks:
            stack.addStretch(1)
            outer.addLayout(stack, 1)
        self.shown = {k: self.text_of(k) for k in self.widgets}

    def _widget(self, key: str) -> QWidget:
        f = FIELDS_BY_KEY[key]
        if f.kind in ("code", "grade"):
            box = QComboBox()
            box.addItem(BLANK)
            box.addItems(table(f.table or "grade").labels())
            widget = box
        elif f.kind == "flag":
            widget = QCheckBox("是")
        elif f.kind == "date":
            widget = date_edit()
            widget.setMinimumDate(UNSET_DATE)
            widget.setSpecialValueText("（未填）")
            widget.setDate(UNSET_DATE)
        else:
            widget = QLineEdit()
            widget.setPlaceholderText(HINTS.get(key, ""))
            widget.editingFinished.connect(lambda k=key: self.check(k))
        widget.setObjectName(f"field_{key}")
        return widget

    # -- values as roster cells ----------------------------------------------------------------
    def text_of(self, key: str) -> str:
        w = self.widgets[key]
        if isinstance(w, QComboBox):
            return w.currentText().strip()
        if isinstance(w, QCheckBox):
            return "是" if w.isChecked() else "否"
        if isinstance(w, QDateEdit):
            return "" if w.date() == UNSET_DATE else w.date().toString("yyyy-MM-dd")
        return w.text().strip()

    def set_text(self, key: str, text: str) -> None:
        """Put a cell's text into its field (a code's label, 是/否, yyyy-MM-dd)."""
        w = self.widgets[key]
        if isinstance(w, QComboBox):
            if text and w.findText(text) < 0:
                w.addItem(text)  # a value the code table does not know (kept from an import)
            w.setCurrentIndex(max(w.findText(text or BLANK), 0))
        elif isinstance(w, QCheckBox):
            w.setChecked(text == "是")
        elif isinstance(w, QDateEdit):
            day = QDate.fromString(text, "yyyy-MM-dd") if text else UNSET_DATE
            w.setDate(day if day.isValid() else UNSET_DATE)
        else:
            w.setText(text)

    def load(self, student: dict, guardians: dict[int, dict]) -> None:
        """Show a student record (and their family members by position) as loaded values."""
        for key in self.widgets:
            if "." in key:
                value = guardians.get(int(key[1]), {}).get(key.split(".")[1])
            else:
                value = student.get(key)
            self.set_text(key, _cell(key, value))
            self.show_error(key, "")
        self.shown = {k: self.text_of(k) for k in self.widgets}

    def values(self) -> dict[str, str]:
        """What a new student's row would hold: the fields filled in, and the boxes ticked."""
        out = {}
        for key in self.widgets:
            text = self.text_of(key)
            if text and not (isinstance(self.widgets[key], QCheckBox) and text == "否"):
                out[key] = text
        return out

    def changed(self) -> dict[str, str]:
        return {k: self.text_of(k) for k in self.widgets if self.text_of(k) != self.shown.get(k, "")}

    def set_editable(self, editable: bool) -> None:
        for w in self.widgets.values():
            if isinstance(w, (QLineEdit, QDateEdit)):
                w.setReadOnly(not editable)
            else:
                w.setEnabled(editable)

    # -- the core's verdict -----------------------------------------------------------------
    def show_error(self, key: str, message: str) -> None:
        self.errors[key].setText(message)
        self.errors[key].setVisible(bool(message))

    def check(self, key: str) -> bool:
        """The core's own check of one field, shown beside it as the teacher leaves it."""
        text = self.text_of(key)
        if text == self.shown.get(key, "") or (not text and key != "name"):
            self.show_error(key, "")
            return True
        raw = {"name": self.text_of("name") or "某", key: text}
        if key == "id_number" and self.text_of("id_type"):
            raw["id_type"] = self.text_of("id_type")
        if key == "class_no" and self.text_of("grade"):
            raw["grade"] = self.text_of("grade")
        _, problems, warnings = parse_values(raw)
        header = FIELDS_BY_KEY[key].header
        own = [p["message"] for p in problems if p.get("column") == header]
        self.show_error(key, "；".join(own) or "；".join(w["message"] for w in warnings if w.get("column") == header))
        return not own

    def check_all(self, raw: dict[str, str]) -> list[str]:
        """Judge a whole row as the import would; each problem shown at its field. Returns the
        messages (empty when the row would be accepted)."""
        for key in self.widgets:
            self.show_error(key, "")
        _, problems, warnings = parse_values(raw)
        by_header = {FIELDS_BY_KEY[k].header: k for k in self.widgets}
        messages = []
        for p in problems:
            key = by_header.get(p.get("column"))
            if key:
                self.show_error(key, "；".join(filter(None, [self.errors[key].text(), p["message"]])))
            messages.append(f"{p.get('column') or '学生'}：{p['message']}")
        for w in warnings:
            key = by_header.get(w.get("column"))
            if key and not self.errors[key].text():
                self.show_error(key, w["message"])
        return messages


def _cell(key: str, value) -> str:
    """A stored value as the text a roster cell (and so the form) holds."""
    if value is None or value == "":
        return ""
    f = FIELDS_BY_KEY[key]
    if f.kind == "code":
        return table(f.table).label(str(value)) or str(value)
    if f.kind == "grade":
        return table("grade").label(str(value))
    if f.kind == "flag":
        return "是" if int(value) else "否"
    return str(value)
