"""Parts of the 控辍保学 case page for issue 12: the escalation steps with their deadlines (overdue in
red), and the case's reason (待核实 until recorded), trigger and unexcused days. The rules are in
jiaoyuapp.ledgers.case_escalation; these widgets only show them and pass what a teacher enters."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

from jiaoyuapp.codes import table
from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers import case_escalation as esc
from ui.dialogs import show_error

RED = QColor("#c0392b")


def narrow(box: QComboBox, chars: int = 8) -> QComboBox:
    """A choice box that does not widen the page to its longest label (the page must fit at 125 %)."""
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(chars)
    return box


class EscalationPanel(QGroupBox):
    """劝返步骤: each step, when it is due, and who did it when — or 已逾期."""

    def __init__(self):
        super().__init__("劝返步骤与时限")
        layout = QVBoxLayout(self)
        hint = QLabel("时限在“学校设置 → 参数设置 → 劝返时限”中修改。")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.summary = QLabel("")
        self.summary.setObjectName("escalationSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("escalationSteps")
        self.table.setHorizontalHeaderLabels(["步骤", "应完成日期", "办理情况"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(150)
        layout.addWidget(self.table)
        self.rows: list[dict] = []

    def show_case(self, store, case: dict, today) -> None:
        self.rows = esc.escalation(store, case, today=today)
        self.table.setRowCount(len(self.rows))
        for i, s in enumerate(self.rows):
            state = esc.step_state(s, case["status"] in esc.ACTIVE)
            for j, value in enumerate((s["label"], s["due"], state)):
                item = QTableWidgetItem(value)
                if s["overdue"] or s["late_days"]:
                    item.setForeground(RED)
                self.table.setItem(i, j, item)
        late = [s for s in self.rows if s["overdue"]]
        self.summary.setText(f"有{len(late)}个步骤已逾期：" + "、".join(s["label"] for s in late) if late
                             else "没有逾期的步骤。")
        self.summary.setStyleSheet("color: #c0392b;" if late else "")

    def overdue_labels(self) -> list[str]:
        return [s["label"] for s in self.rows if s["overdue"]]


class ReasonBox(QGroupBox):
    """辍学原因 (from the reason codes), with what opened the case and the unexcused days of this case."""

    def __init__(self, on_saved):
        super().__init__("辍学原因")
        self.on_saved = on_saved
        self.case_uuid: str | None = None
        self.store = None
        form = QFormLayout(self)
        self.current = QLabel("")
        self.current.setObjectName("caseReason")
        self.current.setWordWrap(True)
        form.addRow("现在：", self.current)
        self.facts = QLabel("")
        self.facts.setObjectName("caseFacts")
        self.facts.setWordWrap(True)
        form.addRow("依据：", self.facts)
        row = QHBoxLayout()
        self.reason = QComboBox()
        self.reason.setObjectName("caseReasonChoice")
        self.reason.addItems(table("dropout_reason").labels())
        narrow(self.reason)
        self.note = QLineEdit()
        self.note.setObjectName("caseReasonNote")
        self.note.setPlaceholderText("补充说明，如：随父母去外省")
        save = QPushButton("保存原因")
        save.setObjectName("saveReason")
        save.clicked.connect(self.save)
        row.addWidget(self.reason)
        row.addWidget(self.note, 1)
        row.addWidget(save)
        form.addRow("核实后填写：", row)

    def show_case(self, store, case: dict, today) -> None:
        self.store, self.case_uuid = store, case["uuid"]
        self.current.setText(esc.reason_label(case))
        self.current.setStyleSheet("color: #c0392b;" if esc.reason_label(case) == esc.PENDING_REASON else "")
        self.facts.setText(f"{esc.trigger(case)}；本案无故缺课{esc.unexcused_days(store, case, today=today)}天"
                           f"（自{esc.absence_start(store, case)}起）")
        if case["reason"]:
            self.reason.setCurrentText(table("dropout_reason").label(case["reason"]))

    def save(self) -> bool:
        try:
            esc.set_reason(self.store, self.case_uuid, self.reason.currentText(), note=self.note.text(), actor="窗口")
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        self.note.clear()
        self.on_saved()
        return True
