"""首页: what an inspector would find first — the core's attention list, each item one click from
its student — and visit coverage by class and cases by status."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers.attention import attention
from jiaoyuapp.ledgers.cases import list_cases
from jiaoyuapp.ledgers.coverage import coverage
from ui.bar_chart import BarChart
from ui.screens.base import Screen, heading


class HomeScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        layout = QVBoxLayout(self)
        self.header = heading("首页")
        layout.addWidget(self.header)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        body = QHBoxLayout()
        self.tree = QTreeWidget()
        self.tree.setObjectName("attentionList")
        self.tree.setHeaderLabels(["需要关注", "班级", "说明"])
        self.tree.setColumnWidth(0, 220)
        self.tree.setColumnWidth(1, 110)
        self.tree.itemActivated.connect(self._open)
        self.tree.itemDoubleClicked.connect(self._open)
        body.addWidget(self.tree, 3)
        charts = QVBoxLayout()
        self.coverage_chart = BarChart("各班本学期家访覆盖率", "%")
        self.cases_chart = BarChart("控辍案件（按状态）", "件")
        charts.addWidget(self.coverage_chart, 3)
        charts.addWidget(self.cases_chart, 2)
        body.addLayout(charts, 2)
        layout.addLayout(body, 1)

    def reload(self) -> None:
        self.tree.clear()
        school = self.session.school
        self.header.setText(f"首页 · {school['name'] if school else ''}")
        try:
            data = attention(self.store, today=self.today())
        except JiaoyuError as exc:
            self.summary.setText(exc.message + "（可在“考勤”中设置本学年的学期和节假日）")
            data = None
        if data:
            self.summary.setText(f"{data['term']}，截至{data['date']}：" + "，".join(
                f"{k}{v}人" if "案" not in k else f"{k}{v}件" for k, v in data["counts"].items()) + "。双击一项打开该学生。")
            for kind, count in data["counts"].items():
                group = QTreeWidgetItem([f"{kind}（{count}）", "", ""])
                group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                self.tree.addTopLevelItem(group)
                for item in [i for i in data["items"] if i["kind"] == kind]:
                    child = QTreeWidgetItem([item.get("name", ""), item.get("class", ""), item.get("detail", "")])
                    child.setData(0, Qt.ItemDataRole.UserRole, item.get("uuid") or item.get("student_uuid"))
                    group.addChild(child)
                group.setExpanded(count <= 30)
            try:
                cov = coverage(self.store, today=self.today())
                self.coverage_chart.set_items([(c["class"], c["coverage"]) for c in cov["by_class"]], 1.0)
            except JiaoyuError:
                self.coverage_chart.set_items([])
        counts = Counter(c["status"] for c in list_cases(self.store, today=self.today()))
        self.cases_chart.set_items(sorted(counts.items(), key=lambda kv: -kv[1]))

    def _open(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        uuid = item.data(0, Qt.ItemDataRole.UserRole)
        if uuid:
            self.window_.open_student(uuid)
