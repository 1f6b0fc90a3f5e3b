"""资助: this term's records by program, the totals, and the 应助未助 list (students of 脱贫户,
监测户, 低保, 特困 or 孤儿 households with no aid yet) — each a click from recording their aid."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers.aid import give_aid, totals, unaided
from jiaoyuapp.ledgers.coverage import current_term
from jiaoyuapp.roster.classes import class_label
from ui.dialogs import show_error
from ui.scrolling import scrolled
from ui.student_search import StudentSearch
from ui.screens.base import Screen, date_edit, heading, wrapped
from ui.screens.setup import NO_PROGRAMS, NO_TERMS, has_terms, setup_hint
from ui.todo_hints import window_text

ALL = "（全部项目）"


class AidScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        self.student_uuid: str | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("资助"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.no_programs_bar = setup_hint(window, NO_PROGRAMS, "去添加资助项目", "aid")
        layout.addWidget(self.no_programs_bar)
        bar = QHBoxLayout()
        self.term_box, self.program_box = QComboBox(), QComboBox()
        self.term_box.setObjectName("aidTerm")
        self.term_box.currentIndexChanged.connect(lambda _: self._fill_records())
        self.program_box.currentIndexChanged.connect(lambda _: self._fill_records())
        bar.addWidget(QLabel("学期"))
        bar.addWidget(self.term_box)
        bar.addWidget(QLabel("项目"))
        bar.addWidget(self.program_box)
        bar.addStretch(1)
        layout.addLayout(bar)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.records = QTableWidget(0, 5)
        self.records.setObjectName("aidRecords")
        self.records.setHorizontalHeaderLabels(["学生", "班级", "项目", "金额（元）", "发放日期"])
        self.records.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        split.addWidget(self.records)
        right = QWidget()
        r = QVBoxLayout(right)
        r.addWidget(wrapped("查找学生登记资助（营养改善计划等面向全体学生的项目也从这里登记）："))
        picker = StudentSearch(lambda: self.store, "aidStudent", height=90)
        picker.chosen.connect(self.choose)
        self.find, self.found = picker.find, picker.found
        r.addWidget(picker)
        r.addWidget(wrapped("或从应助未助名单中点选（本学期还没有任何资助记录）："))
        self.unaided = QListWidget()
        self.unaided.setObjectName("unaidedList")
        self.unaided.itemClicked.connect(lambda item: self.choose(item.data(Qt.ItemDataRole.UserRole)))
        r.addWidget(self.unaided, 1)
        self.chosen = wrapped("查找或点选一名学生登记资助")
        r.addWidget(self.chosen)
        self.give_program = QComboBox()
        self.paid_on = date_edit()
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("金额（元），不填按项目标准")
        form = QFormLayout()
        for label, w in (("资助项目", self.give_program), ("发放日期", self.paid_on), ("金额", self.amount)):
            form.addRow(label + "：", w)
        r.addLayout(form)
        self.give_button = QPushButton("登记资助")
        self.give_button.setObjectName("giveAid")
        self.give_button.clicked.connect(self.give)
        r.addWidget(self.give_button)
        split.addWidget(scrolled(right, "aidGiveForm"))  # short screens and big text scroll, never push the window
        split.setSizes([700, 400])
        layout.addWidget(split, 1)

    def reload(self) -> None:
        programs = self.store.query("SELECT name FROM aid_programs WHERE active = 1 ORDER BY code")
        for box, first in ((self.program_box, [ALL]), (self.give_program, [])):
            box.blockSignals(True)
            current = box.currentText()
            box.clear()
            box.addItems(first + [p["name"] for p in programs])
            if current:
                box.setCurrentText(current)
            box.blockSignals(False)
        self.no_programs_bar.setVisible(not programs)
        self.term_box.blockSignals(True)
        chosen = self.term_box.currentData()
        self.term_box.clear()
        for term in self.store.query("SELECT uuid, name FROM terms ORDER BY start_date DESC"):
            self.term_box.addItem(term["name"], term["uuid"])
        try:
            _, current = current_term(self.store, self.today())
            chosen = chosen or current["uuid"]
        except JiaoyuError:
            pass
        if chosen:
            self.term_box.setCurrentIndex(max(0, self.term_box.findData(chosen)))
        self.term_box.blockSignals(False)
        self.unaided.clear()
        try:
            t = totals(self.store, today=self.today())
            missing = unaided(self.store, today=self.today())
        except JiaoyuError as exc:
            self.summary.setText(window_text(exc) if has_terms(self.store) else NO_TERMS)
            return
        given = "；".join(f"{p['name']}{p['students']}人{p['amount']:g}元" for p in t["programs"] if p["records"])
        self.summary.setText(f"{t['term']}：共发放{t['amount']:g}元" + (f"（{given}）" if given else "")
                             + f"。应助未助{len(missing['students'])}人。")
        for s in missing["students"]:
            item = QListWidgetItem(f"{s['class']} {s['name']}（{'、'.join(s['reasons'])}）")
            item.setData(Qt.ItemDataRole.UserRole, s["uuid"])
            self.unaided.addItem(item)
        self._fill_records()

    def _fill_records(self) -> None:
        term = {"uuid": self.term_box.currentData()}
        if not term["uuid"]:
            return
        program = self.program_box.currentText()
        rows = self.store.query(
            "SELECT s.name, s.grade, s.class_no, p.name AS program, a.amount, a.paid_on FROM aid_records a "
            "JOIN students s ON s.uuid = a.student_uuid JOIN aid_programs p ON p.uuid = a.program_uuid "
            "WHERE a.term_uuid = ? AND (? = '' OR p.name = ?) ORDER BY s.grade, s.class_no, s.name",
            (term["uuid"], "" if program == ALL else program, program))
        self.records.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, v in enumerate([row["name"], class_label(row["grade"], row["class_no"]), row["program"],
                                   f"{row['amount']:g}", row["paid_on"]]):
                self.records.setItem(i, j, QTableWidgetItem(v))

    def choose(self, uuid: str) -> None:
        s = self.store.get("students", uuid)
        if s is None:   # a search result of a student gone since (an import undone)
            self.find.clear()
            return
        self.student_uuid = uuid
        self.chosen.setText(f"为 {s['name']}（{class_label(s['grade'], s['class_no'])}）登记资助：")

    def give(self) -> bool:
        if not self.student_uuid:
            show_error(self, "请先选择学生：在右边“查找学生”中输入姓名或拼音首字母，或在应助未助名单中点选。")
            return False
        if self.give_program.count() == 0:
            show_error(self, NO_PROGRAMS)
            return False
        try:
            amount = float(self.amount.text()) if self.amount.text().strip() else None
        except ValueError:
            show_error(self, "金额应为数字（元），如 625。")
            return False
        try:
            give_aid(self.store, self.student_uuid, self.give_program.currentText(),
                     paid_on=self.paid_on.date().toString("yyyy-MM-dd"), amount=amount, actor="窗口")
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        self.student_uuid = None
        self.amount.clear()
        self.chosen.setText("已登记。查找或点选下一名学生。")
        self.find.clear()
        self.window_.data_changed()
        return True
