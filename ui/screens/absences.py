"""考勤: quick entry by class and day — every student of the class on one screen, the absent ones
marked, saved in one go. Three unexcused school days in a row open a 疑似辍学 case (the core's rule)."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from jiaoyuapp.codes import table
from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers.absences import record_absence, remove_absence
from jiaoyuapp.ledgers.school_calendar import Calendar, set_up_school_year
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.roster.roster_rows import school_year_start
from ui.dialogs import show_error, show_info
from ui.screens.base import Screen, date_edit, heading
from ui.todo_hints import window_text

PRESENT = "到校"
NO_TERMS_HERE = "（还没有设置学期：点右边的按钮，或到“学校设置 → 校历”中设置）"


class AbsencesScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        self.students: list[dict] = []
        self.before: dict[str, tuple[str, str]] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(heading("考勤"))
        bar = QHBoxLayout()
        self.class_box = QComboBox()
        self.class_box.setObjectName("absenceClass")
        self.day = date_edit("absenceDay")
        bar.addWidget(QLabel("班级"))
        bar.addWidget(self.class_box)
        bar.addWidget(QLabel("日期"))
        bar.addWidget(self.day)
        self.day_note = QLabel()
        bar.addWidget(self.day_note, 1)
        self.calendar_button = QPushButton("按默认设置本学年校历")
        self.calendar_button.clicked.connect(self._set_up_calendar)
        bar.addWidget(self.calendar_button)
        layout.addLayout(bar)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("absenceTable")
        self.table.setHorizontalHeaderLabels(["学生", "出勤", "说明"])
        self.table.setColumnWidth(0, 160)
        self.table.setColumnWidth(1, 140)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.save_button = QPushButton("保存本班当天考勤")
        self.save_button.setObjectName("saveAbsences")
        self.save_button.clicked.connect(self.save)
        layout.addWidget(self.save_button)
        self.class_box.currentIndexChanged.connect(lambda _: self.load_day())
        self.day.dateChanged.connect(lambda _: self.load_day())

    def reload(self) -> None:
        current = self.class_box.currentText()
        self.class_box.blockSignals(True)
        self.class_box.clear()
        for c in self.store.query("SELECT DISTINCT grade, class_no FROM students WHERE status = '在读' "
                                  "ORDER BY grade, CAST(class_no AS INTEGER), class_no"):
            self.class_box.addItem(class_label(c["grade"], c["class_no"]), (c["grade"], c["class_no"]))
        if current:
            self.class_box.setCurrentText(current)
        self.class_box.blockSignals(False)
        self.calendar_button.setVisible(not self.store.scalar("SELECT 1 FROM terms LIMIT 1"))
        self.load_day()

    def day_iso(self) -> str:
        return self.day.date().toString("yyyy-MM-dd")

    def load_day(self) -> None:
        key = self.class_box.currentData()
        self.table.setRowCount(0)
        if not key:
            return
        cal = Calendar.load(self.store)
        why = cal.why_not_school_day(self.day.date().toPython())
        self.day_note.setText(NO_TERMS_HERE if not cal.terms else f"（{why}，不是教学日）" if why else "")
        self.students = self.store.query(
            "SELECT s.uuid, s.name, a.kind, a.note FROM students s LEFT JOIN absences a ON a.student_uuid = s.uuid "
            "AND a.day = ? WHERE s.status = '在读' AND s.grade = ? AND s.class_no = ? ORDER BY s.seat_no, s.name",
            (self.day_iso(), key[0], key[1]))
        kinds = [PRESENT] + table("absence_kind").labels()
        self.table.setRowCount(len(self.students))
        self.before = {}
        for i, s in enumerate(self.students):
            self.table.setItem(i, 0, QTableWidgetItem(s["name"]))
            box = QComboBox()
            box.addItems(kinds)
            label = table("absence_kind").label(s["kind"]) if s["kind"] else PRESENT
            box.setCurrentText(label)
            self.table.setCellWidget(i, 1, box)
            note = QLineEdit(s["note"] or "")
            self.table.setCellWidget(i, 2, note)
            self.before[s["uuid"]] = (label, s["note"] or "")

    def mark(self, name: str, kind: str, note: str = "") -> None:
        """Set one student's entry (as a teacher would with the mouse)."""
        for i, s in enumerate(self.students):
            if s["name"] == name:
                self.table.cellWidget(i, 1).setCurrentText(kind)
                self.table.cellWidget(i, 2).setText(note)

    def save(self) -> int:
        day = self.day_iso()
        changes = []
        for i, s in enumerate(self.students):
            now = (self.table.cellWidget(i, 1).currentText(), self.table.cellWidget(i, 2).text().strip())
            if now != self.before.get(s["uuid"]):
                changes.append((s, now))
        if not changes:
            show_info(self, "没有改动。", title="提示")
            return 0
        opened = []
        try:
            with self.store.write("absences", "窗口", f"登记{self.class_box.currentText()}{day}考勤"):
                for s, (kind, note) in changes:
                    if kind == PRESENT:
                        remove_absence(self.store, s["uuid"], day, actor="窗口")
                    else:
                        result = record_absence(self.store, s["uuid"], day, kind, note or None, actor="窗口")
                        if result.opened_case:
                            opened.append(s["name"])
        except JiaoyuError as exc:
            show_error(self, window_text(exc) + "（本次考勤没有保存，请改正后再保存）")
            return 0
        self.window_.data_changed()
        self.load_day()
        text = f"已保存{len(changes)}名学生的考勤。"
        if opened:
            text += f"按连续无故缺课规则，已为{'、'.join(opened)}登记疑似辍学，请在“控辍保学”中核实。"
        show_info(self, text)
        return len(changes)

    def _set_up_calendar(self) -> None:
        try:
            set_up_school_year(self.store, school_year_start(self.today()).year, actor="窗口")
        except JiaoyuError as exc:
            show_error(self, exc)
            return
        self.window_.data_changed()
