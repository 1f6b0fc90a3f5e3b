"""控辍保学: cases by status with the overdue ones marked; a case page with its plan (一人一案),
the responsible people on both lines, the attempt timeline, and only the allowed next steps."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QHeaderView, QComboBox, QDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QScrollArea, QSplitter,
                               QTableWidget, QTableWidgetItem, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from jiaoyuapp.codes import records, table
from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers import case_escalation as esc
from jiaoyuapp.ledgers import case_placement, cases
from jiaoyuapp.roster.classes import class_label
from ui.dialogs import answer_buttons, confirm, show_error
from ui.screens.base import Screen, date_edit, heading
from ui.screens.case_attempt import AttemptForm
from ui.screens.case_escalation import EscalationPanel, ReasonBox
from ui.screens.case_placement_panel import CasePlacementPanel

ALL, OVERDUE = "（全部）", "逾期未劝返"
NEEDS = {"finding": ("核实结论", "case_finding"), "placement": ("安置方式", "case_placement"),
         "outcome": ("销号结论", "case_outcome")}


class StepDialog(QDialog):
    """One next step, asking for exactly what that step requires."""

    def __init__(self, parent, status_from: str, status_to: str, need: str, labels: list[str] | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{status_from} → {status_to}")
        form = QFormLayout(self)
        self.on = date_edit()
        form.addRow("日期：", self.on)
        self.by = QLineEdit()
        self.by.setPlaceholderText("办理这一步的老师或干部姓名，如：班主任罗桂成")
        form.addRow("经办人：", self.by)
        self.choice = None
        key = "outcome" if status_to == cases.CLOSED else need
        if key in NEEDS:
            label, codes = NEEDS[key]
            self.choice = QComboBox()
            self.choice.addItems(labels or table(codes).labels())
            form.addRow(label + "：", self.choice)
        self.confirmed_by = QLineEdit() if status_to == cases.CLOSED else None
        if self.confirmed_by is not None:
            form.addRow("核实确认人：", self.confirmed_by)
            self.evidence = QLineEdit()
            self.evidence.setPlaceholderText("复学在校天数、就读证明由系统核对；其他结论请写明依据")
            form.addRow("销号依据：", self.evidence)
        self.note = QLineEdit()
        self.note.setPlaceholderText("经过和依据，如：电话联系家长，确认已外出打工")
        form.addRow("说明：", self.note)
        self.setMinimumWidth(520)   # room for a sentence: a form sized to its empty fields is too narrow
        self.key = key
        form.addRow(answer_buttons(self.accept, self.reject))

    def options(self) -> dict:
        out = {"on": self.on.date().toString("yyyy-MM-dd"), "by": self.by.text().strip() or None,
               "note": self.note.text().strip() or None}
        if self.choice is not None:
            out[self.key] = self.choice.currentText()
        if self.confirmed_by is not None:
            out["confirmed_by"] = self.confirmed_by.text()
            out["evidence"] = self.evidence.text().strip() or None
        return out


class CasesScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        self.case_uuid: str | None = None
        self.rows: list[dict] = []
        layout = QVBoxLayout(self)
        layout.addWidget(heading("控辍保学"))
        bar = QHBoxLayout()
        self.status_box = QComboBox()
        self.status_box.setObjectName("caseStatusFilter")
        self.status_box.addItems([ALL, OVERDUE] + table("case_status").codes())
        self.status_box.currentIndexChanged.connect(lambda _: self.reload())
        bar.addWidget(QLabel("状态"))
        bar.addWidget(self.status_box)
        bar.addStretch(1)
        layout.addLayout(bar)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.list = QTableWidget(0, 5)
        self.list.setObjectName("caseList")
        self.list.setHorizontalHeaderLabels(["学生", "班级", "状态", "登记日期", "下次劝返"])
        self.list.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.list.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.list.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.cellClicked.connect(lambda row, _c: self.open_case(self.rows[row]["uuid"]))
        self.list.cellActivated.connect(lambda row, _c: self.open_case(self.rows[row]["uuid"]))
        split.addWidget(self.list)
        page = QScrollArea()  # the case page is long (plan, people, attempts, home teaching): it scrolls
        page.setObjectName("casePage")
        page.setWidgetResizable(True)
        page.setFrameShape(QScrollArea.Shape.NoFrame)
        page.setWidget(self._case_page())
        split.addWidget(page)
        split.setSizes([430, 700])
        layout.addWidget(split, 1)

    def _case_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.title = QLabel("请选择左侧的案件")
        self.title.setObjectName("caseTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.report_button = QPushButton("辍学学生情况报告表（报送日期）…")  # ui/screens/case_report.py
        self.report_button.setObjectName("caseReport")
        self.report_button.clicked.connect(lambda: self.case_uuid and self.report_dialog().exec())
        layout.addWidget(self.report_button)
        steps = QGroupBox("下一步（只列出现在允许的步骤）")
        self.steps = QHBoxLayout(steps)
        layout.addWidget(steps)
        self.escalation = EscalationPanel()
        layout.addWidget(self.escalation)
        self.reason = ReasonBox(self._changed)
        layout.addWidget(self.reason)
        plan = QGroupBox("一人一案")
        form = QFormLayout(plan)
        self.plan, self.whereabouts = QPlainTextEdit(), QLineEdit()
        self.plan.setMaximumHeight(70)
        save_plan = QPushButton("保存方案")
        save_plan.clicked.connect(self._save_plan)
        form.addRow("帮扶方案：", self.plan)
        form.addRow("去向：", self.whereabouts)
        form.addRow(save_plan)
        layout.addWidget(plan)
        people = QGroupBox("包保责任人（教育线、政府线、家长）")
        p = QVBoxLayout(people)
        self.people = QTableWidget(0, 4)
        self.people.setObjectName("casePeople")
        self.people.setHorizontalHeaderLabels(["条线", "身份", "姓名", "电话"])
        self.people.setMaximumHeight(130)
        p.addWidget(self.people)
        add = QHBoxLayout()
        self.person_role = QComboBox()
        self.person_role.addItems([r["label"] for r in records("responsible_role")])
        self.person_name, self.person_phone = QLineEdit(), QLineEdit()
        self.person_name.setPlaceholderText("姓名")
        self.person_phone.setPlaceholderText("电话")
        add_button = QPushButton("添加责任人")
        add_button.clicked.connect(self._add_person)
        remove_button = QPushButton("删除所选")
        remove_button.setObjectName("removePerson")
        remove_button.setToolTip("删除表中选中的责任人（添加错了，或已有人接替）")
        remove_button.clicked.connect(self.remove_person)
        for w in (self.person_role, self.person_name, self.person_phone, add_button, remove_button):
            add.addWidget(w)
        p.addLayout(add)
        layout.addWidget(people)
        attempts = QGroupBox("劝返经过")
        a = QVBoxLayout(attempts)
        self.history = QTreeWidget()
        self.history.setObjectName("caseHistory")
        self.history.setHeaderLabels(["日期", "事项", "内容"])
        for column in (0,):   # the date shown whole, also when the text is zoomed
            self.history.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        a.addWidget(self.history)
        self.history.setMinimumHeight(140)
        layout.addWidget(attempts, 1)
        self.attempt_form = AttemptForm(self._changed)
        form = self.attempt_form   # the old names, as tests and drafts know them
        self.attempt_on, self.attempt_next, self.attempt_people = form.on, form.next_date, form.people
        self.attempt_method, self.attempt_button = form.method, form.button
        layout.addWidget(form)
        self.placement_panel = CasePlacementPanel(self)
        layout.addWidget(self.placement_panel)
        return page

    # -- the list -----------------------------------------------------------------
    def reload(self) -> None:
        choice = self.status_box.currentText()
        try:
            self.rows = cases.list_cases(self.store, status=None if choice in (ALL, OVERDUE) else choice,
                                         overdue=choice == OVERDUE, today=self.today())
        except JiaoyuError as exc:
            show_error(self, exc)
            return
        late_steps = {x["case_uuid"]: x["step"] for x in esc.overdue_steps(self.store, today=self.today())}
        self.list.setRowCount(len(self.rows))
        for i, c in enumerate(self.rows):
            values = [c["name"], class_label(c["grade"], c["class_no"]), c["status"], c["opened_on"],
                      (c["next_date"] or "") + ("（已逾期）" if c["overdue"] else "")
                      + ("；" if c["next_date"] and c["uuid"] in late_steps else "")
                      + (f"逾期：{late_steps[c['uuid']]}" if c["uuid"] in late_steps else "")]
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)   # a cut cell says the whole of it on hover
                if c["overdue"] or c["uuid"] in late_steps:
                    item.setForeground(QColor("#c0392b"))
                self.list.setItem(i, j, item)
        if self.case_uuid:
            self.open_case(self.case_uuid)

    # -- one case -----------------------------------------------------------------
    def open_case(self, case_uuid: str) -> None:
        self.stale = False
        if not self.rows:
            self.reload()
        self.case_uuid = case_uuid
        h = cases.case_history(self.store, case_uuid)
        c = h["case"]
        student = self.store.get("students", c["student_uuid"])
        self.title.setText(f"{student['name']}（{class_label(student['grade'], student['class_no'])}）："
                           f"{c['status']}，{c['opened_on']}登记（{c['source']}）"
                           + (f"，下次劝返：{c['next_date']}" if c["next_date"] else ""))
        while self.steps.count():
            self.steps.takeAt(0).widget().deleteLater()
        for to in h["allowed_next"]:
            button = QPushButton(f"→ {to}")
            button.setObjectName(f"step_{to}")
            button.clicked.connect(lambda _=False, t=to: self.step(t))
            self.steps.addWidget(button)
        if c["status"] == cases.CLOSED:
            button = QPushButton("重新打开")
            button.setObjectName("step_reopen")
            button.clicked.connect(self._reopen)
            self.steps.addWidget(button)
        self.plan.setPlainText(c["plan"] or "")
        self.whereabouts.setText(c["whereabouts"] or "")
        self.people.setRowCount(len(h["people"]))
        for i, person in enumerate(h["people"]):
            for j, v in enumerate([person["line"], esc.role_label(person["role"]), person["name"], person["phone"] or ""]):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, person["uuid"])
                self.people.setItem(i, j, item)
        self.history.clear()
        # in the order things happened: by day, then as recorded (never by their text)
        items = [((e["on_date"], e["logged"] or 0, 0), e["kind"], (f"{e['from_status']} → " if e["from_status"] else "")
                  + (e["to_status"] or "") + (f"（{e['by_name']}）" if e["by_name"] else "")
                  + (f"：{e['note']}" if e["note"] else "")) for e in h["events"]]
        items += [((t["on_date"], t["logged"] or 0, 1), "劝返", esc.attempt_summary(self.store, t)) for t in h["attempts"]]
        items += [((t["on_date"], t["logged"] or 0, 2), "送教上门", f"{t['teacher_name']}：{t['content']}（{t['hours']:g}课时）")
                  for t in h["home_teaching"]]
        for (on, _, _), kind, text in sorted(items, key=lambda x: x[0]):
            item = QTreeWidgetItem([on, kind, text])
            item.setToolTip(2, text)   # a long attempt line is cut in the column; the whole of it on hover
            self.history.addTopLevelItem(item)
        today = self.today()
        self.escalation.show_case(self.store, c, today)
        self.reason.show_case(self.store, c, today)
        self.attempt_form.show_case(self.store, c, h["people"], self.escalation.rows)
        self.placement_panel.show_case(case_uuid)

    def allowed_steps(self) -> list[str]:
        return [self.steps.itemAt(i).widget().text().removeprefix("→ ") for i in range(self.steps.count())]

    def step(self, to: str, options: dict | None = None) -> bool:
        """Take one allowed step; without `options`, ask for what the step requires."""
        c = cases.get_case(self.store, self.case_uuid)
        if options is None:
            need = cases.transitions()[c["status"]].get(to, "")
            dialog = StepDialog(self, c["status"], to, need, labels=case_placement.choices(self.store, c["student_uuid"])
                                if need == "placement" else None)
            if not dialog.exec():
                return False
            options = dialog.options()
        try:
            cases.move(self.store, self.case_uuid, to, actor="窗口", **options)
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        self._changed()
        return True

    def _reopen(self) -> None:
        from PySide6.QtWidgets import QInputDialog
        reason, ok = QInputDialog.getText(self, "重新打开案件", "原因：")
        if ok:
            try:
                cases.reopen(self.store, self.case_uuid, reason=reason, on=self.today(), actor="窗口")
            except JiaoyuError as exc:
                show_error(self, exc)
                return
            self._changed()

    def add_attempt(self) -> bool:
        return self.attempt_form.save()

    def _add_person(self) -> None:
        try:
            cases.add_person(self.store, self.case_uuid, role=self.person_role.currentText().split("（")[0],
                             name=self.person_name.text(), phone=self.person_phone.text() or None, actor="窗口")
        except JiaoyuError as exc:
            show_error(self, exc)
            return
        self.person_name.clear()
        self.person_phone.clear()
        self._changed()

    def remove_person(self) -> bool:
        row = self.people.currentRow()
        item = self.people.item(row, 0) if row >= 0 else None
        if item is None:
            show_error(self, "请先在表中点选要删除的责任人。")
            return False
        name = self.people.item(row, 2).text()
        if not confirm(self, f"删除包保责任人“{name}”？"):
            return False
        try:
            cases.remove_person(self.store, item.data(Qt.ItemDataRole.UserRole), actor="窗口")
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        self._changed()
        return True

    def _save_plan(self) -> None:
        try:
            cases.set_plan(self.store, self.case_uuid, self.plan.toPlainText().strip(),
                           whereabouts=self.whereabouts.text().strip() or None, actor="窗口")
        except JiaoyuError as exc:
            show_error(self, exc)
            return
        self._changed()

    def report_dialog(self):
        from ui.screens.case_report import CaseReportDialog
        return CaseReportDialog(self, self.store, self.case_uuid)

    def _changed(self) -> None:
        self.window_.data_changed()
        self.reload()
