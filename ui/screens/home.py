"""首页: what an inspector would find first — the core's attention list, each item one click from
its student — and visit coverage by class and cases by status."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ui.bar_chart import BarChart
from ui.screens.base import Screen, heading
from ui.screens.setup import NO_TERMS, has_terms
from ui.scrolling import scrolled
from ui.tasks import CoreCall, Task


# where a 首页 line keeps the case it is about (the student's uuid is in UserRole)
CASE_ROLE = Qt.ItemDataRole.UserRole + 1

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
        chart_box = QWidget()  # a chart grows with the classes: the two scroll rather than make the window taller
        charts = QVBoxLayout(chart_box)
        charts.setContentsMargins(0, 0, 0, 0)
        self.coverage_chart = BarChart("各班本学年入户家访覆盖率（电话、视频不计）", "%")
        self.cases_chart = BarChart("控辍案件（按状态）", "件")
        charts.addWidget(self.coverage_chart, 3)
        charts.addWidget(self.cases_chart, 2)
        body.addWidget(scrolled(chart_box, "homeCharts"), 2)
        layout.addLayout(body, 1)
        self.loaded = False

    def reload(self) -> None:
        """Counted in a worker process: on a big school the window is up and answering meanwhile."""
        school = self.session.school
        self.header.setText(f"首页 · {school['name'] if school else ''}")
        self.summary.setText("正在统计……")
        self.no_terms = not has_terms(self.store)  # known now: the answer may come after the file is closed
        self.task = Task(CoreCall("jiaoyuapp.ledgers.attention:overview", db=str(self.session.path),
                                  kwargs={"today": self.today()}, progress=False))
        self.task.signals.done.connect(self.show_overview)
        self.task.signals.failed.connect(lambda message, _: self.summary.setText(message))
        self.task.start()

    def show_overview(self, data: dict) -> None:
        self.tree.clear()
        attention = data["attention"]
        if attention is None:
            self.summary.setText(NO_TERMS if self.no_terms else data["problem"])
        else:
            self.summary.setText(f"{attention['term']}，截至{attention['date']}：" + "，".join(
                f"{k}{v}人" if "案" not in k else f"{k}{v}件" for k, v in attention["counts"].items())
                + "。双击一项打开该学生（控辍案件的提醒打开该案件）。")
            for kind, count in attention["counts"].items():
                group = QTreeWidgetItem([f"{kind}（{count}）", "", ""])
                group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                self.tree.addTopLevelItem(group)
                for item in [i for i in attention["items"] if i["kind"] == kind]:
                    child = QTreeWidgetItem([item.get("name", ""), item.get("class", ""), item.get("detail", "")])
                    child.setData(0, Qt.ItemDataRole.UserRole, item.get("uuid"))
                    child.setData(0, CASE_ROLE, item.get("case_uuid"))   # a case's line opens the case
                    group.addChild(child)
                group.setExpanded(count <= 30)
        self.coverage_chart.set_items(data["coverage"], 1.0)
        self.cases_chart.set_items(data["cases"])
        self.loaded = True

    def _open(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        uuid = item.data(0, Qt.ItemDataRole.UserRole)
        case = item.data(0, CASE_ROLE)
        if case and self.store.get("cases", case):   # 劝返步骤逾期, 送教上门不足 …: where it is put right
            self.window_.show_screen("cases").open_case(case)
        elif uuid and self.store.get("students", uuid):
            self.window_.open_student(uuid)
        elif uuid and self.store.get("visits", uuid):  # a follow-up that is due: the visit it came from
            self.window_.show_screen("visits").show_visit(uuid)
