"""待核对: what an import kept instead of refusing (a label the code tables do not know, a phone
that cannot be right). The principal picks the proper value from the code table, or types it for
free fields, or keeps it empty; double-clicking a line opens the student's page."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidgetItem,
                               QVBoxLayout)

from jiaoyuapp.roster import review
from ui.dialogs import guarded
from ui.record_table import record_table
from ui.screens.base import Screen, heading

COLUMNS = ["学生", "班级", "项目", "原值（导入时的内容）"]


class ReviewScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        self.items: list[dict] = []
        layout = QVBoxLayout(self)
        layout.addWidget(heading("待核对"))
        self.summary = QLabel()
        self.summary.setObjectName("reviewSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = record_table("reviewTable", COLUMNS, row_numbers=False)
        header = self.table.horizontalHeader()
        for i in range(3):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._chosen)
        self.table.cellDoubleClicked.connect(self._open_student)
        layout.addWidget(self.table, 1)
        self.prompt = QLabel("点选一行，再选出正确的值。")
        self.prompt.setWordWrap(True)
        layout.addWidget(self.prompt)
        bar = QHBoxLayout()
        self.choice = QComboBox()
        self.choice.setObjectName("reviewChoice")
        self.choice.setMinimumContentsLength(16)
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.typed = QLineEdit()
        self.typed.setObjectName("reviewTyped")
        self.typed.setPlaceholderText("填写正确的值")
        self.typed.returnPressed.connect(self.resolve)
        self.resolve_button = QPushButton("改为这个值")
        self.resolve_button.setObjectName("reviewResolve")
        self.resolve_button.clicked.connect(self.resolve)
        self.accept_button = QPushButton("保持为空")
        self.accept_button.setObjectName("reviewAccept")
        self.accept_button.setToolTip("不改这一项，从待核对中去掉（这一项在花名册中保持为空）")
        self.accept_button.clicked.connect(self.accept)
        self.student_button = QPushButton("打开学生档案")
        self.student_button.clicked.connect(lambda: self._open_student(self.table.currentRow(), 0))
        for w in (self.choice, self.typed):
            bar.addWidget(w, 1)
        for w in (self.resolve_button, self.accept_button, self.student_button):
            bar.addWidget(w)
        layout.addLayout(bar)
        self._chosen()

    def reload(self) -> None:
        self.items = review.pending(self.store)
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            for col, text in enumerate((item["name"], item["class"], item["label"], item["original"])):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, col, cell)
        if self.items:
            self.summary.setText(f"导入花名册时，有{len(self.items)}项内容没能对上代码表或格式不对。这些学生已照常导入，"
                                 "这几项先空着，原值记在下面。请逐项选出正确的值，或确认保持为空。")
        else:
            self.summary.setText("没有待核对的内容。导入花名册时对不上代码表的值会列在这里。")
        self.table.clearSelection()
        self._chosen()

    def current(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    def _chosen(self) -> None:
        item = self.current()
        self.choice.clear()
        self.typed.clear()
        for w in (self.resolve_button, self.accept_button, self.student_button):
            w.setEnabled(item is not None)
        if item is None:
            self.choice.setVisible(False)
            self.typed.setVisible(True)
            self.typed.setEnabled(False)
            self.prompt.setText("点选一行，再选出正确的值；双击一行打开学生档案。")
            return
        self.typed.setEnabled(True)
        self.choice.setVisible(bool(item["choices"]))
        self.typed.setVisible(not item["choices"])
        self.choice.addItems(item["choices"])
        self.prompt.setText(f"{item['name']}（{item['class'] or '未分班'}）的“{item['label']}”导入时是“{item['original']}”，"
                            + ("请从代码表中选出正确的一项：" if item["choices"] else "请填写正确的值："))

    def resolve(self) -> None:
        item = self.current()
        if item is None:
            return
        value = self.choice.currentText() if item["choices"] else self.typed.text().strip()
        if guarded(self, review.resolve, self.store, item["student_uuid"], item["field"], value, actor="窗口"):
            self.window_.data_changed()
            self.stale = False
            self.reload()

    def accept(self) -> None:
        item = self.current()
        if item is None:
            return
        def keep() -> bool:
            review.accept(self.store, item["student_uuid"], item["field"], actor="窗口")
            return True
        if not guarded(self, keep):
            return
        self.window_.data_changed()
        self.stale = False
        self.reload()

    def _open_student(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.items):
            self.window_.open_student(self.items[row]["student_uuid"])
