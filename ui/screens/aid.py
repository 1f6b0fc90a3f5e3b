"""资助: this term's records by program, the totals, and the 应助未助 list (students of 脱贫户,
监测户, 低保, 特困 or 孤儿 households with no means-tested aid yet — the meal subsidy does not count),
each a click from recording their aid with what the 资助台账 needs (资助对象类型, 困难等级, 认定 and
公示 dates, 发放方式, 领取人). Only the programs this school gives are offered."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from jiaoyuapp.codes import table
from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers.aid import check_for, give_aid, offered_programs, totals, unaided
from jiaoyuapp.ledgers.coverage import current_term
from jiaoyuapp.roster.classes import class_label
from ui.dialogs import show_error
from ui.scrolling import scrolled
from ui.student_search import StudentSearch
from ui.screens.base import Screen, date_edit, heading, wrapped
from ui.screens.setup import NO_PROGRAMS, NO_TERMS, has_terms, setup_hint
from ui.todo_hints import window_text

ALL = "（全部项目）"
BY_ROSTER = "按花名册（自动）"
NOT_SET = "（不填）"
UNSET_DATE = QDate(2000, 1, 1)


def optional_date(name: str):
    """A date field that may stay empty (shows 未填) — a 认定 or 公示 not recorded is left blank."""
    edit = date_edit(name)
    edit.setMinimumDate(UNSET_DATE)
    edit.setSpecialValueText("未填")
    edit.setDate(UNSET_DATE)
    return edit


def date_text(edit) -> str | None:
    return None if edit.date() == UNSET_DATE else edit.date().toString("yyyy-MM-dd")


RECORD_COLUMNS = ["学生", "班级", "项目", "资助对象类型", "金额（元）", "发放日期", "发放方式", "领取人"]


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
        self.records = QTableWidget(0, len(RECORD_COLUMNS))
        self.records.setObjectName("aidRecords")
        self.records.setHorizontalHeaderLabels(RECORD_COLUMNS)
        self.records.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        split.addWidget(self.records)
        right = QWidget()
        r = QVBoxLayout(right)
        r.addWidget(wrapped("查找学生登记资助（营养改善计划等面向全体学生的项目也从这里登记）："))
        picker = StudentSearch(lambda: self.store, "aidStudent", height=90)
        picker.chosen.connect(self.choose)
        self.find, self.found = picker.find, picker.found
        r.addWidget(picker)
        r.addWidget(wrapped("或从应助未助名单中点选（本学期没有生活补助等按困难认定的资助；只有营养餐的也在其中）："))
        self.unaided = QListWidget()
        self.unaided.setObjectName("unaidedList")
        self.unaided.setWordWrap(True)  # the programs due and what was received are read in full
        self.unaided.itemClicked.connect(lambda item: self.choose(item.data(Qt.ItemDataRole.UserRole)))
        r.addWidget(self.unaided, 1)
        self.chosen = wrapped("查找或点选一名学生登记资助")
        r.addWidget(self.chosen)
        self.give_program = QComboBox()
        self.give_program.currentIndexChanged.connect(lambda _: self._show_verdict())
        self.verdict = wrapped("")
        self.verdict.setObjectName("aidVerdict")
        self.paid_on = date_edit()
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("金额（元），不填按项目标准")
        self.target = QComboBox()
        self.target.setObjectName("aidTarget")
        self.target.addItems([BY_ROSTER, *table("aid_target").labels()])
        self.target.currentIndexChanged.connect(lambda _: self._show_verdict())
        self.hardship = QComboBox()
        self.hardship.setObjectName("aidHardship")
        self.hardship.addItems([NOT_SET, *table("hardship_level").labels()])
        self.recognized_on, self.published_on = optional_date("aidRecognizedOn"), optional_date("aidPublishedOn")
        self.method = QComboBox()
        self.method.setObjectName("aidMethod")
        self.method.addItems([NOT_SET, *table("payment_method").labels()])
        self.receiver = QLineEdit()
        self.receiver.setObjectName("aidReceiver")
        self.receiver.setPlaceholderText("领取人姓名（签字人），不填则台账留空待签")
        for box in (self.give_program, self.target, self.hardship, self.method):  # long names: never widen the pane
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(6)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for label, w in (("资助项目", self.give_program), ("", self.verdict), ("资助对象类型", self.target),
                         ("困难等级", self.hardship), ("认定日期", self.recognized_on), ("公示日期", self.published_on),
                         ("发放日期", self.paid_on), ("金额", self.amount), ("发放方式", self.method),
                         ("领取人", self.receiver)):
            form.addRow(label + "：" if label else "", w)
        r.addLayout(form)
        self.give_button = QPushButton("登记资助")
        self.give_button.setObjectName("giveAid")
        self.give_button.clicked.connect(self.give)
        r.addWidget(self.give_button)
        split.addWidget(scrolled(right, "aidGiveForm"))  # short screens and big text scroll, never push the window
        split.setSizes([700, 400])
        layout.addWidget(split, 1)

    def reload(self) -> None:
        programs = offered_programs(self.store)
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
        by_program = "；".join(f"{p['name']}应享受{p['eligible']}人、未发放{p['missing']}人" for p in missing["programs"]
                               if p["eligible"])
        self.summary.setText(f"{t['term']}：共发放{t['amount']:g}元" + (f"（{given}）" if given else "")
                             + f"。应助未助{len(missing['students'])}人" + (f"（{by_program}）" if by_program else "")
                             + "。营养改善计划面向全体学生，不计入应助未助。")
        for s in missing["students"]:
            due = "应享受" + "、".join(s["programs"]) if s["programs"] else "本校项目中无适用项目，请核实"
            only = f"；本学期只有{'、'.join(s['received'])}" if s["received"] else ""
            item = QListWidgetItem(f"{s['class']} {s['name']}（{'、'.join(s['reasons'])}；{due}{only}）")
            item.setData(Qt.ItemDataRole.UserRole, s["uuid"])
            self.unaided.addItem(item)
        self._fill_records()

    def _fill_records(self) -> None:
        term = {"uuid": self.term_box.currentData()}
        if not term["uuid"]:
            return
        program = self.program_box.currentText()
        rows = self.store.query(
            "SELECT s.name, s.grade, s.class_no, p.name AS program, a.amount, a.paid_on, a.target, a.method, "
            "a.receiver FROM aid_records a "
            "JOIN students s ON s.uuid = a.student_uuid JOIN aid_programs p ON p.uuid = a.program_uuid "
            "WHERE a.term_uuid = ? AND (? = '' OR p.name = ?) ORDER BY s.grade, s.class_no, s.name",
            (term["uuid"], "" if program == ALL else program, program))
        self.records.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, v in enumerate([row["name"], class_label(row["grade"], row["class_no"]), row["program"],
                                   table("aid_target").label(row["target"]), f"{row['amount']:g}", row["paid_on"],
                                   table("payment_method").label(row["method"]), row["receiver"] or ""]):
                self.records.setItem(i, j, QTableWidgetItem(v))

    def choose(self, uuid: str) -> None:
        s = self.store.get("students", uuid)
        if s is None:   # a search result of a student gone since (an import undone)
            self.find.clear()
            return
        self.student_uuid = uuid
        self.chosen.setText(f"为 {s['name']}（{class_label(s['grade'], s['class_no'])}）登记资助：")
        self._show_verdict()

    def _target(self) -> str | None:
        return None if self.target.currentText() == BY_ROSTER else self.target.currentText()

    def _show_verdict(self) -> None:
        """Whether the chosen student qualifies for the chosen program, said before saving."""
        if not self.student_uuid or not self.give_program.currentText():
            self.verdict.setText("")
            return
        try:
            prog, v = check_for(self.store, self.student_uuid, self.give_program.currentText(),
                                table("aid_target").code(self._target()) if self._target() else None)
        except JiaoyuError as exc:
            self.verdict.setText(window_text(exc))
            return
        if not v.ok:
            self.verdict.setText("不符合：" + v.why)
        else:
            share = f"，按寄宿生标准的{v.share * 100:g}%" if v.share != 1 else ""
            kind = "，以膳食方式提供" if prog["in_kind"] else ""
            self.verdict.setText(f"符合：{table('aid_target').label(v.target)}{share}{kind}。")

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
                     paid_on=self.paid_on.date().toString("yyyy-MM-dd"), amount=amount, actor="窗口",
                     target=self._target(), hardship=None if self.hardship.currentText() == NOT_SET
                     else self.hardship.currentText(), recognized_on=date_text(self.recognized_on),
                     published_on=date_text(self.published_on), receiver=self.receiver.text(),
                     method=None if self.method.currentText() == NOT_SET else self.method.currentText())
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        self.student_uuid = None
        self.amount.clear()
        self.receiver.clear()
        self.verdict.setText("")
        self.chosen.setText("已登记。查找或点选下一名学生。")
        self.find.clear()
        self.window_.data_changed()
        return True
