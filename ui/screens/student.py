"""学生档案: one student's details (家庭住址 and 现住址 among them) in a scroll area, editable with
编辑 and checked by the core field by field; 转出 / 转入 / 休学 / 复学 with their dates; and the
timeline of visits, absences, cases and attempts, and aid, beside the student's enrollment changes.
The action buttons sit above the scroll area, so they stay on a 768-px screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHeaderView, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSplitter, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout)

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers.cases import open_case, open_case_of
from jiaoyuapp.ledgers.student_timeline import timeline
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.roster.flags import flags_of
from jiaoyuapp.roster.school_year import ACTIVE, enrollment_history
from jiaoyuapp.roster.students import update_student
from ui.dialogs import show_error, show_info
from ui.screens.base import Screen, heading
from ui.student_form import StudentForm

STATUS_KINDS = ("转出", "转入", "休学", "复学")


def allowed_kinds(status: str) -> list[str]:
    """The status changes a student's page offers (the core refuses the others anyway)."""
    if status == ACTIVE:
        return ["转出", "休学"]
    if status == "休学":
        return ["转出", "复学"]
    return ["转入"]


class StudentScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        self.uuid: str | None = None
        self.student: dict | None = None
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
        actions = QHBoxLayout()
        self.edit_button = QPushButton("编辑")
        self.edit_button.setObjectName("editStudent")
        self.save_button = QPushButton("保存修改")
        self.save_button.setObjectName("saveStudent")
        self.cancel_button = QPushButton("取消修改")
        self.edit_button.clicked.connect(lambda: self.set_editing(True))
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reload)
        for b in (self.edit_button, self.save_button, self.cancel_button):
            actions.addWidget(b)
        actions.addSpacing(24)
        self.status_buttons: dict[str, QPushButton] = {}
        for kind in STATUS_KINDS:
            b = QPushButton(f"{kind}…")
            b.setObjectName(f"status_{kind}")
            b.clicked.connect(lambda _=False, k=kind: self.start_status(k))
            actions.addWidget(b)
            self.status_buttons[kind] = b
        actions.addStretch(1)
        layout.addLayout(actions)
        self.flags = QLabel()
        self.flags.setWordWrap(True)
        layout.addWidget(self.flags)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.form = StudentForm(columns=1)
        self.edits, self.errors = self.form.widgets, self.form.errors
        self.details = QScrollArea()
        self.details.setObjectName("studentDetails")
        self.details.setWidgetResizable(True)
        self.details.setWidget(self.form)
        split.addWidget(self.details)
        right = QSplitter(Qt.Orientation.Vertical)
        self.timeline = QTreeWidget()
        self.timeline.setObjectName("studentTimeline")
        self.timeline.setHeaderLabels(["日期", "事项", "内容"])
        for column in (0, 1):   # a date or a school's name shown whole, also when the text is zoomed
            self.timeline.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.timeline.itemDoubleClicked.connect(self._open_item)
        right.addWidget(self.timeline)
        self.events = QTreeWidget()
        self.events.setObjectName("enrollmentEvents")
        self.events.setHeaderLabels(["日期", "学籍变动", "学校", "原因", "当时班级"])
        for column in (0, 1, 2, 4):   # a date or a school's name shown whole, also when the text is zoomed
            self.events.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        right.addWidget(self.events)
        right.setSizes([420, 140])
        split.addWidget(right)
        split.setSizes([500, 620])
        layout.addWidget(split, 1)
        self.set_editing(False)

    @property
    def shown(self) -> dict[str, str]:
        return self.form.shown

    def load(self, uuid: str) -> None:
        self.uuid = uuid
        self.stale = False
        self.reload()

    def refresh(self) -> None:
        if self.stale and self.uuid:
            self.stale = False
            self.reload()

    def set_editing(self, editing: bool) -> None:
        self.form.set_editable(editing)
        self.edit_button.setVisible(not editing)
        self.save_button.setVisible(editing)
        self.cancel_button.setVisible(editing)

    def reload(self) -> None:
        s = self.store.get("students", self.uuid) if self.uuid else None
        self.student = s
        self.set_editing(False)
        if s is None:
            self.header.setText("学生档案（找不到这名学生）")
            for b in self.status_buttons.values():
                b.setEnabled(False)
            return
        self.header.setText(f"学生档案 · {s['name']} · {class_label(s['grade'], s['class_no'])} · {s['status']}")
        case = open_case_of(self.store, s["uuid"])
        marks = flags_of(s) + ([f"控辍案件（{case['status']}）"] if case else [])
        self.flags.setText("关注标记：" + ("、".join(marks) or "无"))
        self.case_button.setText("查看控辍案件" if case else "登记疑似辍学")   # one open case per child
        allowed = allowed_kinds(s["status"])
        for kind, b in self.status_buttons.items():
            b.setEnabled(kind in allowed)
        guardians = {g["position"]: g for g in self.store.query(
            "SELECT * FROM guardians WHERE student_uuid = ?", (self.uuid,))}
        self.form.load(s, guardians)
        self.timeline.clear()
        for item in timeline(self.store, self.uuid):
            row = QTreeWidgetItem([item["date"] or "", item["kind"], item["text"]])
            row.setData(0, Qt.ItemDataRole.UserRole, item["ref"])
            row.setToolTip(2, item["text"])
            self.timeline.addTopLevelItem(row)
        self.timeline.resizeColumnToContents(0)  # whole dates, at any text size
        self.events.clear()
        for e in enrollment_history(self.store, self.uuid):
            self.events.addTopLevelItem(QTreeWidgetItem([
                e["event_date"], e["kind"], e["other_school"] or "", e["reason"] or "",
                class_label(e["grade"], e["class_no"])]))
        self.events.resizeColumnToContents(0)

    def changed(self) -> dict[str, str]:
        return self.form.changed()

    def _check(self, key: str) -> bool:
        return self.form.check(key)

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
            show_error(self, exc)
            return False
        self.window_.data_changed()
        self.reload()
        return True

    def start_status(self, kind: str):
        """转出 / 转入 / 休学 / 复学: a small dialog for the date and the other school or reason."""
        from ui.student_dialogs import EnrollmentDialog
        if self.student is None:
            return None
        dialog = EnrollmentDialog(self, self.store, self.student, kind)
        dialog.accepted.connect(self._status_done)
        self.status_dialog = dialog
        dialog.open()
        return dialog

    def _status_done(self) -> None:
        self.window_.data_changed()
        self.reload()

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
            show_error(self, exc)
            return
        self.window_.data_changed()
        self.window_.show_screen("cases").open_case(case)

    def _open_item(self, item: QTreeWidgetItem, _column: int) -> None:
        ref = item.data(0, Qt.ItemDataRole.UserRole)
        if ref and item.text(1) == "家访":
            self.window_.show_screen("visits").show_visit(ref)
        elif ref:
            self.window_.show_screen("cases").open_case(ref)
