"""学校设置 → 教师: the staff list, a form to add or change one, and 离岗/调走 — a teacher who left
stays in every record that names them but is no longer offered for new visits."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from jiaoyuapp.codes import table
from jiaoyuapp.ledgers import teachers
from ui.dialogs import show_error, show_info
from ui.list_form import ListFormTab
from ui.screens.base import button, date_edit, left_row, wrapped

COLUMNS = ["姓名", "职务", "电话", "所带班级", "状态"]


class TeachersTab(ListFormTab):
    columns = COLUMNS
    table_name = "teacherTable"
    sizes = (640, 420)

    def _top(self, outer) -> None:
        self.count = QLabel()
        outer.addWidget(self.count)

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
        self.add_button = button("新增教师", self.add, "addTeacher")
        self.save_button = button("保存修改", self.save, "saveTeacher")
        self.new_button = button("清空，再加一位", self.clear)
        form.addRow(left_row(self.add_button, self.save_button, self.new_button))
        form.addRow(QLabel("教师离开本校（离岗、调走）："))
        self.leave_kind = QComboBox()
        self.leave_kind.addItems(teachers.LEAVE_KINDS)
        self.leave_kind.setCurrentText("调走")
        self.leave_day = date_edit("teacherLeaveDay")
        self.leave_button = button("登记离开", self.leave, "teacherLeave")
        self.back_button = button("恢复在岗", self.back, "teacherBack")
        form.addRow(left_row(self.leave_kind, self.leave_day, self.leave_button, self.back_button))
        form.addRow(wrapped("离开的教师仍保留在以往的家访、劝返记录中，但不再出现在新家访的教师名单里，"
                      "也不再算作班主任。"))
        return box

    # -- data --------------------------------------------------------------------------
    def reload(self) -> None:
        self.show_records(teachers.list_teachers(self.screen.store))
        active = sum(1 for t in self.rows if t["active"])
        self.count.setText(f"在岗教师{active}人" + (f"，已离开{len(self.rows) - active}人" if len(self.rows) > active else "")
                           + "。点选一位教师可修改其信息。" if self.rows else "还没有登记教师。请在右侧填写后点“新增教师”。")

    def row_texts(self, t: dict) -> list[str]:
        status = "在岗" if t["active"] else (t["note"] or "已离开")
        return [t["name"], table("teacher_role").label(t["role"]) or t["role"] or "", t["phone"] or "",
                "、".join(t["classes"]), status]

    def fill_form(self, t: dict) -> None:
        self.name.setText(t["name"])
        self.role.setCurrentText(table("teacher_role").label(t["role"]) or "任课教师")
        self.phone.setText(t["phone"] or "")
        self.classes.setText("、".join(t["classes"]))

    def clear_form(self) -> None:
        for edit in (self.name, self.phone, self.classes):
            edit.clear()
        self.role.setCurrentText("任课教师")
        self.name.setFocus()  # ready for the next teacher's name

    def _show_buttons(self) -> None:
        t = self.chosen
        self.title.setText(f"修改：{t['name']}" if t else "新增教师")
        self.save_button.setEnabled(t is not None)
        self.leave_button.setEnabled(bool(t and t["active"]))
        self.back_button.setEnabled(bool(t and not t["active"]))

    # -- writes --------------------------------------------------------------------------
    def add(self) -> str | None:
        uid = self.write(teachers.add_teacher, self.name.text(), self.role.currentText(), self.phone.text(),
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
        return self.write(teachers.update_teacher, self.chosen["uuid"], name=self.name.text(),
                          role=self.role.currentText(), phone=self.phone.text(), classes=self.classes.text()) is not None

    def leave(self) -> bool:
        if not self.chosen:
            show_error(self, "请先在左侧名单中点选离开的教师。")
            return False
        name = self.chosen["name"]
        done = self.write(teachers.mark_left, self.chosen["uuid"], self.leave_kind.currentText(),
                          self.leave_day.date().toString("yyyy-MM-dd")) is not None
        if done:
            show_info(self, f"已登记{name}{self.leave_kind.currentText()}。以往记录中仍保留其姓名。")
        return done

    def back(self) -> bool:
        if not self.chosen:
            return False
        return self.write(teachers.mark_back, self.chosen["uuid"]) is not None
