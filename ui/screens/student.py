"""学生档案: one student's details, editable with the core's validation shown beside each field,
and the timeline of visits, absences, cases and attempts, and aid."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers.cases import open_case, open_case_of
from jiaoyuapp.ledgers.student_timeline import timeline
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.roster.flags import flags_of
from jiaoyuapp.roster.roster_export import cell_text
from jiaoyuapp.roster.roster_rows import FIELDS_BY_KEY
from jiaoyuapp.roster.students import parse_values, update_student
from ui.dialogs import show_error, show_info
from ui.screens.base import Screen, heading

EDITABLE = ["name", "sex", "birth_date", "id_number", "student_no", "grade", "class_no", "ethnicity", "phone",
            "current_address", "left_behind", "boarding", "g1.name", "g1.relation", "g1.phone", "g2.name",
            "g2.relation", "g2.phone", "note"]


class StudentScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        self.uuid: str | None = None
        self.shown: dict[str, str] = {}
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.header = heading("学生档案")
        back = QPushButton("← 返回花名册")
        back.clicked.connect(lambda: self.window_.show_screen("roster"))
        top.addWidget(back)
        top.addWidget(self.header, 1)
        self.visit_button = QPushButton("记一次家访")
        self.case_button = QPushButton("登记疑似辍学")
        self.visit_button.clicked.connect(self._visit)
        self.case_button.clicked.connect(self._case)
        top.addWidget(self.visit_button)
        top.addWidget(self.case_button)
        layout.addLayout(top)
        self.flags = QLabel()
        layout.addWidget(self.flags)
        split = QSplitter(Qt.Orientation.Horizontal)
        form_box = QWidget()
        grid = QGridLayout(form_box)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        for i, key in enumerate(EDITABLE):
            edit, error = QLineEdit(), QLabel()
            edit.setObjectName(f"field_{key}")
            error.setObjectName(f"error_{key}")
            error.setStyleSheet("color: #c0392b")
            error.setWordWrap(True)
            edit.editingFinished.connect(lambda k=key: self._check(k))
            grid.addWidget(QLabel(FIELDS_BY_KEY[key].header), i, 0)
            grid.addWidget(edit, i, 1)
            grid.addWidget(error, i, 2)
            self.edits[key], self.errors[key] = edit, error
        self.save_button = QPushButton("保存修改")
        self.save_button.setObjectName("saveStudent")
        self.save_button.clicked.connect(self.save)
        grid.addWidget(self.save_button, len(EDITABLE), 1)
        grid.setRowStretch(len(EDITABLE) + 1, 1)
        split.addWidget(form_box)
        self.timeline = QTreeWidget()
        self.timeline.setObjectName("studentTimeline")
        self.timeline.setHeaderLabels(["日期", "事项", "内容"])
        self.timeline.setColumnWidth(0, 100)
        self.timeline.setColumnWidth(1, 110)
        self.timeline.itemDoubleClicked.connect(self._open_item)
        split.addWidget(self.timeline)
        split.setSizes([480, 620])
        layout.addWidget(split, 1)

    def load(self, uuid: str) -> None:
        self.uuid = uuid
        self.stale = False
        self.reload()

    def refresh(self) -> None:
        if self.stale and self.uuid:
            self.stale = False
            self.reload()

    def reload(self) -> None:
        s = self.store.get("students", self.uuid) if self.uuid else None
        if s is None:
            self.header.setText("学生档案（找不到这名学生）")
            return
        self.header.setText(f"学生档案 · {s['name']} · {class_label(s['grade'], s['class_no'])} · {s['status']}")
        self.flags.setText("关注标记：" + ("、".join(flags_of(s)) or "无"))
        guardians = {g["position"]: g for g in self.store.query(
            "SELECT * FROM guardians WHERE student_uuid = ?", (self.uuid,))}
        self.shown = {}
        for key in EDITABLE:
            if "." in key:
                g = guardians.get(int(key[1]), {})
                value = g.get(key.split(".")[1])
            else:
                value = s.get(key)
            text = cell_text(FIELDS_BY_KEY[key], value) or ""
            self.shown[key] = text
            self.edits[key].setText(text)
            self.errors[key].clear()
        self.timeline.clear()
        for item in timeline(self.store, self.uuid):
            row = QTreeWidgetItem([item["date"] or "", item["kind"], item["text"]])
            row.setData(0, Qt.ItemDataRole.UserRole, item["ref"])
            row.setToolTip(2, item["text"])
            self.timeline.addTopLevelItem(row)

    def changed(self) -> dict[str, str]:
        return {k: e.text().strip() for k, e in self.edits.items() if e.text().strip() != self.shown.get(k, "")}

    def _check(self, key: str) -> bool:
        """The core's own validation of one field, shown beside it as the teacher leaves it."""
        text = self.edits[key].text().strip()
        if text == self.shown.get(key, "") or (not text and key not in ("name",)):
            self.errors[key].clear()
            return True
        _, problems, warnings = parse_values({key: text, "name": self.edits["name"].text() or "某"})
        own = [p for p in problems if p.get("column") == FIELDS_BY_KEY[key].header]
        self.errors[key].setText("；".join(p["message"] for p in own) or "；".join(
            w["message"] for w in warnings if w.get("column") == FIELDS_BY_KEY[key].header))
        return not own

    def save(self) -> bool:
        changes = self.changed()
        if not changes:
            show_info(self, "没有需要保存的修改。", title="提示")
            return False
        if not all([self._check(k) for k in changes]):
            show_error(self, "有的内容不符合要求（见红字说明），请改正后再保存。")
            return False
        try:
            update_student(self.store, self.uuid, changes, actor="窗口")
        except JiaoyuError as exc:
            show_error(self, exc.message)
            return False
        self.window_.data_changed()
        self.reload()
        return True

    def _visit(self) -> None:
        if self.uuid:
            self.window_.show_screen("visits").choose_student(self.uuid)

    def _case(self) -> None:
        if not self.uuid:
            return
        existing = open_case_of(self.store, self.uuid)
        if existing:
            self.window_.show_screen("cases").open_case(existing["uuid"])
            return
        try:
            case = open_case(self.store, self.uuid, on=self.today(), source="手工登记", actor="窗口")
        except JiaoyuError as exc:
            show_error(self, exc.message)
            return
        self.window_.data_changed()
        self.window_.show_screen("cases").open_case(case)

    def _open_item(self, item: QTreeWidgetItem, _column: int) -> None:
        ref = item.data(0, Qt.ItemDataRole.UserRole)
        if ref and item.text(1) == "家访":
            self.window_.show_screen("visits").show_visit(ref)
        elif ref:
            self.window_.show_screen("cases").open_case(ref)
