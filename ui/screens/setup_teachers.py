"""学校设置 → 教师: the staff list, a form to add or change one, and 离岗/调走 — a teacher who left
stays in every record that names them but is no longer offered for new visits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QScrollArea, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from jiaoyuapp.codes import table
from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers import teachers
from ui.dialogs import show_error, show_info
from ui.screens.base import date_edit

COLUMNS = ["姓名", "职务", "电话", "所带班级", "状态"]


class TeachersTab(QWidget):
    def __init__(self, screen):
        super().__init__()
        self.screen = screen
        self.rows: list[dict] = []
        self.chosen: dict | None = None
        outer = QVBoxLayout(self)
        self.count = QLabel()
        outer.addWidget(self.count)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("teacherTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        split.addWidget(self.table)
        split.addWidget(self._form())
        split.setSizes([640, 420])
        outer.addWidget(split, 1)

    def _form(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        self.title = QLabel("新增教师")
        form.addRow(self.title)
        self.name, self.phone, self.classes = QLineEdit(), QLineEdit(), QLineEdit()
        self.name.setObjectName("teacherName")
        self.phone.setObjectName("teacherPhone")
        self.classes.setObjectName("teacherClasses")
        self.classes.setPlaceholderText("如 三年级1班、四年级2班（班主任填写）")
        self.role = QComboBox()
        self.role.setObjectName("teacherRole")
        self.role.addItems(table("teacher_role").labels())
        self.role.setCurrentText("任课教师")
        form.addRow("姓名：", self.name)
        form.addRow("职务：", self.role)
        form.addRow("电话：", self.phone)
        form.addRow("所带班级：", self.classes)
        buttons = QHBoxLayout()
        self.add_button, self.save_button, self.new_button = QPushButton("新增教师"), QPushButton("保存修改"), QPushButton("清空，再加一位")
        self.add_button.setObjectName("addTeacher")
        self.save_button.setObjectName("saveTeacher")
        self.add_button.clicked.connect(self.add)
        self.save_button.clicked.connect(self.save)
        self.new_button.clicked.connect(self.clear)
        for b in (self.add_button, self.save_button, self.new_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        form.addRow(buttons)
        form.addRow(QLabel("教师离开本校（离岗、调走）："))
        leave = QHBoxLayout()
        self.leave_kind = QComboBox()
        self.leave_kind.addItems(teachers.LEAVE_KINDS)
        self.leave_kind.setCurrentText("调走")
        self.leave_day = date_edit("teacherLeaveDay")
        self.leave_button, self.back_button = QPushButton("登记离开"), QPushButton("恢复在岗")
        self.leave_button.setObjectName("teacherLeave")
        self.back_button.setObjectName("teacherBack")
        self.leave_button.clicked.connect(self.leave)
        self.back_button.clicked.connect(self.back)
        for w in (self.leave_kind, self.leave_day, self.leave_button, self.back_button):
            leave.addWidget(w)
        leave.addStretch(1)
        form.addRow(leave)
        note = QLabel("离开的教师仍保留在以往的家访、劝返记录中，但不再出现在新家访的教师名单里，"
                      "也不再算作班主任。")
        note.setWordWrap(True)
        form.addRow(note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(box)
        self._show_buttons()
        return scroll

    # -- data --------------------------------------------------------------------------
    def reload(self) -> None:
        chosen = self.chosen["uuid"] if self.chosen else None
        self.rows = teachers.list_teachers(self.screen.store)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rows))
        for i, t in enumerate(self.rows):
            status = "在岗" if t["active"] else (t["note"] or "已离开")
            values = [t["name"], table("teacher_role").label(t["role"]) or t["role"] or "", t["phone"] or "",
                      "、".join(t["classes"]), status]
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if not t["active"]:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.table.blockSignals(False)
        active = sum(1 for t in self.rows if t["active"])
        self.count.setText(f"在岗教师{active}人" + (f"，已离开{len(self.rows) - active}人" if len(self.rows) > active else "")
                           + "。点选一位教师可修改其信息。" if self.rows else "还没有登记教师。请在右侧填写后点“新增教师”。")
        self.chosen = next((t for t in self.rows if t["uuid"] == chosen), None)
        if self.chosen:
            self.table.selectRow(self.rows.index(self.chosen))
        self._show_buttons()

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        self.choose(self.rows[rows[0].row()]["uuid"])

    def choose(self, uuid: str) -> None:
        """Fill the form with one teacher, to change them (as a click on the list does)."""
        self.chosen = next(t for t in self.rows if t["uuid"] == uuid)
        t = self.chosen
        self.name.setText(t["name"])
        self.role.setCurrentText(table("teacher_role").label(t["role"]) or "任课教师")
        self.phone.setText(t["phone"] or "")
        self.classes.setText("、".join(t["classes"]))
        self._show_buttons()

    def clear(self) -> None:
        self.chosen = None
        self.table.clearSelection()
        for edit in (self.name, self.phone, self.classes):
            edit.clear()
        self.role.setCurrentText("任课教师")
        self._show_buttons()
        self.name.setFocus()

    def _show_buttons(self) -> None:
        t = self.chosen
        self.title.setText(f"修改：{t['name']}" if t else "新增教师")
        self.save_button.setEnabled(t is not None)
        self.leave_button.setEnabled(bool(t and t["active"]))
        self.back_button.setEnabled(bool(t and not t["active"]))

    # -- writes --------------------------------------------------------------------------
    def _call(self, action, *args, **kwargs):
        try:
            result = action(self.screen.store, *args, actor="窗口", **kwargs)
        except JiaoyuError as exc:
            show_error(self, exc)
            return None
        self.screen.changed()
        return result if result is not None else True

    def add(self) -> str | None:
        uid = self._call(teachers.add_teacher, self.name.text(), self.role.currentText(), self.phone.text(),
                         self.classes.text())
        if uid:
            name = self.name.text().strip()
            self.clear()
            self.count.setText(f"已登记教师{name}。可以接着登记下一位。")
        return uid

    def save(self) -> bool:
        if not self.chosen:
            show_error(self, "请先在左侧名单中点选要修改的教师。")
            return False
        return self._call(teachers.update_teacher, self.chosen["uuid"], name=self.name.text(),
                          role=self.role.currentText(), phone=self.phone.text(), classes=self.classes.text()) is not None

    def leave(self) -> bool:
        if not self.chosen:
            show_error(self, "请先在左侧名单中点选离开的教师。")
            return False
        name = self.chosen["name"]
        done = self._call(teachers.mark_left, self.chosen["uuid"], self.leave_kind.currentText(),
                          self.leave_day.date().toString("yyyy-MM-dd")) is not None
        if done:
            show_info(self, f"已登记{name}{self.leave_kind.currentText()}。以往记录中仍保留其姓名。")
        return done

    def back(self) -> bool:
        if not self.chosen:
            return False
        return self._call(teachers.mark_back, self.chosen["uuid"]) is not None
