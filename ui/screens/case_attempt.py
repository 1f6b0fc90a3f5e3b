"""The 劝返 form of the case page: which escalation step, the date, the people who went (ticked from
the case's 包保 people, or typed as 身份:姓名), what was done, the result, and evidence images
(photos, scans of a signed 承诺书 or a 限期返校通知书). Recording is the core's job
(cases.add_attempt); the form only gathers what a teacher enters."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout)

from jiaoyuapp.codes import table
from jiaoyuapp.errors import DataError, JiaoyuError
from jiaoyuapp.ledgers import case_escalation as esc
from jiaoyuapp.ledgers import cases
from jiaoyuapp.ledgers.attachments import read_file
from ui.dialogs import show_error
from ui.file_dialogs import open_files
from ui.optional_date import OptionalDate
from ui.screens.base import date_edit
from ui.screens.case_escalation import narrow

IMAGE_FILTER = "图片 (*.jpg *.jpeg *.png *.bmp *.gif *.webp);;所有文件 (*)"
DEFAULT_METHOD = {s["code"]: s["methods"].split("|")[0] for s in esc.steps()}


class AttemptForm(QGroupBox):
    def __init__(self, on_saved):
        super().__init__("登记劝返")
        self.on_saved = on_saved
        self.store = None
        self.case_uuid: str | None = None
        self.evidence: list[tuple[str, bytes, str]] = []   # (kind, bytes, file name)
        form = QFormLayout(self)
        hint = QLabel("每一步都登记：日期、人员（身份和姓名）、措施、结果，可附照片和承诺书、通知书的扫描件。")
        hint.setWordWrap(True)
        form.addRow(hint)
        self.on = date_edit("attemptDate")
        form.addRow("日期：", self.on)
        self.step = QComboBox()
        narrow(self.step)
        self.step.setObjectName("attemptStep")
        self.step.addItems(table("escalation_step").labels())
        self.method = QComboBox()
        narrow(self.method)
        self.method.setObjectName("attemptMethod")
        self.method.addItems(table("attempt_method").labels())
        self.step.currentIndexChanged.connect(self._step_changed)
        row = QHBoxLayout()
        row.addWidget(self.step, 1)
        row.addWidget(QLabel("方式"))
        row.addWidget(self.method, 1)
        form.addRow("步骤：", row)
        self.people_list = QListWidget()
        self.people_list.setObjectName("attemptPeopleList")
        self.people_list.setMaximumHeight(90)
        form.addRow("参与人员：", self.people_list)
        self.people = QLineEdit()
        self.people.setObjectName("attemptPeople")
        self.people.setPlaceholderText("名单里没有的人：身份:姓名，多人用顿号隔开，如 驻村干部:刘某")
        form.addRow("其他人员：", self.people)
        self.action, self.result = QLineEdit(), QLineEdit()
        self.action.setObjectName("attemptAction")
        self.result.setObjectName("attemptResult")
        self.action.setPlaceholderText("如：讲解义务教育法，签订返校承诺书")
        self.result.setPlaceholderText("如：家长承诺下周一送孩子返校")
        form.addRow("采取的措施：", self.action)
        form.addRow("结果：", self.result)
        self.next_date = OptionalDate("约定下次劝返", "attemptNext")
        form.addRow("下次劝返：", self.next_date)
        evidence = QHBoxLayout()
        self.evidence_kind = QComboBox()
        narrow(self.evidence_kind)
        self.evidence_kind.setObjectName("evidenceKind")
        self.evidence_kind.addItems(table("attempt_evidence").labels())
        add = QPushButton("添加佐证图片…")
        add.setObjectName("addEvidence")
        add.clicked.connect(self.choose_evidence)
        self.evidence_label = QLabel("（未添加）")
        self.evidence_label.setObjectName("evidenceList")
        self.evidence_label.setWordWrap(True)
        evidence.addWidget(self.evidence_kind)
        evidence.addWidget(add)
        evidence.addWidget(self.evidence_label, 1)
        form.addRow("佐证：", evidence)
        self.button = QPushButton("登记这次劝返")
        self.button.setObjectName("addAttempt")
        self.button.clicked.connect(self.save)
        form.addRow(self.button)

    def _step_changed(self) -> None:
        code = table("escalation_step").code(self.step.currentText())
        method = DEFAULT_METHOD.get(code)
        if method:
            self.method.setCurrentText(table("attempt_method").label(method))

    def show_case(self, store, case: dict, people: list[dict], steps: list[dict]) -> None:
        """The case's people to tick, and the first step not yet done chosen."""
        self.store, self.case_uuid = store, case["uuid"]
        self.people_list.clear()
        for person in people:
            item = QListWidgetItem(f"{person['line']}　{esc.role_label(person['role'])} {person['name']}")
            item.setData(Qt.ItemDataRole.UserRole, (person["role"], person["name"]))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.people_list.addItem(item)
        todo = next((s for s in steps if not s["done_on"]), None)
        if todo:
            self.step.setCurrentText(todo["label"])
        self.button.setEnabled(case["status"] != cases.CLOSED)

    def tick(self, *names: str) -> None:
        """Tick the case's people with these names (for tests and for the usual pair)."""
        for i in range(self.people_list.count()):
            item = self.people_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole)[1] in names:
                item.setCheckState(Qt.CheckState.Checked)

    def chosen_people(self) -> list[tuple[str, str]]:
        out = [self.people_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.people_list.count())
               if self.people_list.item(i).checkState() == Qt.CheckState.Checked]
        if self.people.text().strip():
            out += [(p["role"], p["name"]) for p in esc.parse_people(self.people.text())]
        return out

    def choose_evidence(self) -> None:
        for path in open_files(self, "选择佐证图片（照片、承诺书或通知书的扫描件）", IMAGE_FILTER, "evidence"):
            self.add_evidence_file(path)

    def add_evidence_file(self, path: str, kind: str | None = None) -> bool:
        try:
            data = read_file(path)
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        self.evidence.append((kind or self.evidence_kind.currentText(), data, Path(path).name))
        self.evidence_label.setText("、".join(f"{k}：{name}" for k, _, name in self.evidence))
        return True

    def save(self) -> bool:
        try:
            people = self.chosen_people()
            if not people:
                raise DataError("请勾选或填写参与这次劝返的人员（身份和姓名）。")
            cases.add_attempt(self.store, self.case_uuid, on=self.on.date().toString("yyyy-MM-dd"), people=people,
                              method=self.method.currentText(), step=self.step.currentText(),
                              action=self.action.text().strip() or None, result=self.result.text().strip() or None,
                              next_date=self.next_date.text().strip() or None,
                              evidence=[(k, data) for k, data, _ in self.evidence], actor="窗口")
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        for w in (self.people, self.action, self.result, self.next_date):
            w.clear()
        self.evidence = []
        self.evidence_label.setText("（未添加）")
        self.on_saved()
        return True
