"""Dialogs about one student: 新增学生 (also a child transferring in from another school), and the
dated status changes 转出 / 转入 / 休学 / 复学. Each opens with `open()` (never blocking the window)
and writes through the core when its 保存/确定 button is pressed; a refusal stays in the dialog,
in the core's words, so the teacher can correct it there."""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from jiaoyuapp.codes import table
from jiaoyuapp.errors import DataError, JiaoyuError
from jiaoyuapp.roster import school_year
from jiaoyuapp.roster.cell_values import CellError, grade_and_class
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.roster.students import add_student
from ui.screens.base import date_edit
from ui.student_form import StudentForm
from ui.todo_hints import window_text

ERROR_STYLE = "color: #c0392b"


def _buttons(dialog: QDialog, ok_text: str, ok_name: str) -> tuple[QHBoxLayout, QPushButton]:
    row = QHBoxLayout()
    row.addStretch(1)
    ok, cancel = QPushButton(ok_text), QPushButton("取消")
    ok.setObjectName(ok_name)
    ok.setDefault(True)
    cancel.clicked.connect(dialog.reject)
    row.addWidget(ok)
    row.addWidget(cancel)
    return row, ok


class AddStudentDialog(QDialog):
    """新增学生: the form in a scroll area, sized for a 1366×768 screen."""

    def __init__(self, parent: QWidget, store):
        super().__init__(parent)
        self.store = store
        self.uuid: str | None = None
        self.warnings: list[dict] = []
        self.setWindowTitle("新增学生")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("按学籍卡填写。带身份证号的，出生日期和性别可不填（按身份证号）。"
                                "保存时按导入花名册的同样规则检查。"))
        self.form = StudentForm(columns=2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        layout.addWidget(scroll, 1)
        transfer = QHBoxLayout()
        self.transfer_in = QCheckBox("从其他学校转入")
        self.transfer_in.setObjectName("isTransferIn")
        self.from_school = QLineEdit()
        self.from_school.setObjectName("fromSchool")
        self.from_school.setPlaceholderText("原就读学校")
        self.transfer_day = date_edit("transferDay")
        for w in (self.from_school, self.transfer_day):
            w.setEnabled(False)
            self.transfer_in.toggled.connect(w.setEnabled)
        transfer.addWidget(self.transfer_in)
        transfer.addWidget(QLabel("原学校"))
        transfer.addWidget(self.from_school, 1)
        transfer.addWidget(QLabel("转入日期"))
        transfer.addWidget(self.transfer_day)
        layout.addLayout(transfer)
        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row, self.save_button = _buttons(self, "保存", "saveNewStudent")
        self.save_button.clicked.connect(self.save)
        layout.addLayout(row)
        self.resize(960, 620)
        screen = parent.screen() if parent is not None else None
        if screen is not None:  # at 125% a 1366×768 screen is about 1093×590: stay within it
            room = screen.availableGeometry()
            self.resize(min(960, int(room.width() * 0.95)), min(620, int(room.height() * 0.9)))

    def save(self) -> str | None:
        raw = self.form.values()
        problems = self.form.check_all(raw)
        if problems:
            self.message.setText("有的内容不符合要求（见红字说明），请改正后再保存：" + "；".join(problems))
            return None
        try:
            if self.transfer_in.isChecked():
                self.uuid = school_year.transfer_in(self.store, raw, from_school=self.from_school.text().strip(),
                                                    day=self.transfer_day.date().toPython(), actor="窗口")
            else:
                self.uuid, self.warnings = add_student(self.store, raw, actor="窗口")
        except JiaoyuError as exc:
            self.message.setText(window_text(exc))
            return None
        self.message.clear()
        self.accept()
        return self.uuid


KINDS = {
    "转出": ("转去的学校", "转学原因（可不填）"),
    "转入": ("原就读学校", None),
    "休学": (None, "休学原因（如：因病休学）"),
    "复学": (None, None),
}


class EnrollmentDialog(QDialog):
    """One dated status change of a student, with the other school, the reason, or (复学) the class
    the student rejoins."""

    def __init__(self, parent: QWidget, store, student: dict, kind: str):
        super().__init__(parent)
        self.store, self.student, self.kind = store, student, kind
        self.setWindowTitle(f"办理{kind}")
        self.setMinimumWidth(480)   # the other school's full name fits without scrolling
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{student['name']}，{class_label(student['grade'], student['class_no'])}，"
                                f"目前{student['status']}"))
        form = QFormLayout()
        self.day = date_edit("statusDay")
        form.addRow(f"{kind}日期", self.day)
        school_label, reason_label = KINDS[kind]
        self.other_school = QLineEdit()
        self.other_school.setObjectName("otherSchool")
        self.reason = QLineEdit()
        self.reason.setObjectName("statusReason")
        if school_label:
            form.addRow(school_label, self.other_school)
        if reason_label:
            self.reason.setPlaceholderText(reason_label)
            form.addRow("原因", self.reason)
        self.grade = QComboBox()
        self.grade.setObjectName("resumeGrade")
        self.class_no = QLineEdit(student["class_no"] or "")
        self.class_no.setObjectName("resumeClass")
        if kind in ("复学", "转入"):
            self.grade.addItems(table("grade").labels())
            if student["grade"]:
                self.grade.setCurrentText(table("grade").label(str(student["grade"])))
            form.addRow("回到年级", self.grade)
            form.addRow("班级（如 1）", self.class_no)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("statusMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row, self.ok_button = _buttons(self, f"办理{kind}", "applyStatus")
        self.ok_button.clicked.connect(self.apply)
        layout.addLayout(row)

    def _class(self) -> tuple[int, str | None]:
        """The class as the import reads a 年级 and a 班级 cell (一班, (1)班, 1 …)."""
        try:
            return grade_and_class(self.grade.currentText(), self.class_no.text(), table("grade"))
        except CellError as exc:
            raise DataError(str(exc)) from None

    def apply(self) -> bool:
        s, day, actor = self.student, self.day.date().toPython(), "窗口"
        try:
            if self.kind == "转出":
                school_year.transfer_out(self.store, s["uuid"], to_school=self.other_school.text(), day=day,
                                         reason=self.reason.text().strip() or None, actor=actor)
            elif self.kind == "休学":
                school_year.suspend(self.store, s["uuid"], reason=self.reason.text().strip(), day=day, actor=actor)
            elif self.kind == "复学":
                grade, class_no = self._class()
                school_year.resume(self.store, s["uuid"], day=day, grade=grade, class_no=class_no, actor=actor)
            else:
                grade, class_no = self._class()
                raw = {k: s[k] for k in ("name", "id_type", "id_number", "student_no") if s.get(k)}
                raw["grade"] = table("grade").label(str(grade))
                if class_no:
                    raw["class_no"] = class_no
                school_year.transfer_in(self.store, raw, from_school=self.other_school.text().strip(), day=day,
                                        actor=actor)
        except JiaoyuError as exc:
            self.message.setText(window_text(exc))
            return False
        self.accept()
        return True
