"""学年升级: the September 升级 previewed class by class (who moves up, who graduates), applied after
a confirm, and undone as a whole. Applying and undoing run in a worker process (a big school's
升级 is thousands of changes and an automatic backup first) with a progress bar; the preview is
one query and is read here."""

from __future__ import annotations

from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout)

from jiaoyuapp.codes import table
from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.roster.school_year import rollover_preview
from ui.dialogs import confirm, show_info
from ui.screens.base import Screen, heading
from ui.tasks import CoreCall, run_with_progress
from ui.todo_hints import window_text

INTRO = ("每年9月新学年开始时办理：所有在读学生升入高一个年级（班号不变），最高年级的学生毕业。"
         "转出、休学、已毕业的学生不变。升级前会自动备份；如果发现有误，可以撤销整次升级。")


class SchoolYearScreen(Screen):
    title = "学年升级"

    def __init__(self, window):
        super().__init__(window)
        self.preview = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("学年升级"))
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.warning = QLabel()
        self.warning.setObjectName("rolloverWarning")
        self.warning.setStyleSheet("color: #c0392b")
        self.warning.setWordWrap(True)
        layout.addWidget(self.warning)
        self.summary = QLabel()
        self.summary.setObjectName("rolloverSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.classes = QTreeWidget()
        self.classes.setObjectName("rolloverClasses")
        self.classes.setHeaderLabels(["现在班级", "人数", "升级后"])
        self.classes.setColumnWidth(0, 220)
        self.classes.setColumnWidth(1, 80)
        layout.addWidget(self.classes, 1)
        self.last = QLabel()
        self.last.setObjectName("lastRollover")
        self.last.setWordWrap(True)
        layout.addWidget(self.last)
        buttons = QHBoxLayout()
        self.refresh_button = QPushButton("刷新预览")
        self.apply_button = QPushButton("执行升级…")
        self.apply_button.setObjectName("applyRollover")
        self.undo_button = QPushButton("撤销上次升级…")
        self.undo_button.setObjectName("undoRollover")
        self.refresh_button.clicked.connect(self.reload)
        self.apply_button.clicked.connect(self.apply)
        self.undo_button.clicked.connect(self.undo)
        for b in (self.refresh_button, self.apply_button, self.undo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def reload(self) -> None:
        try:
            p = self.preview = rollover_preview(self.store, self.today())
        except JiaoyuError as exc:
            self.preview = None
            self.summary.setText(window_text(exc))
            self.classes.clear()
            self.apply_button.setEnabled(False)
            self.undo_button.setEnabled(False)
            return
        self.warning.setText(p.warning())
        self.warning.setVisible(bool(p.warning()))
        top = table("grade").label(str(p.top_grade))
        self.summary.setText(f"在读学生 {p.moves + p.graduates} 人：升级 {p.moves} 人，毕业 {p.graduates} 人"
                             f"（本校最高年级：{top}）。点班级前的箭头可看名单。" if p.classes else
                             "没有在读学生，无需升级。")
        self.classes.clear()
        for c in p.classes:
            item = QTreeWidgetItem([c["from"], str(c["count"]), c["to"]])
            for name in c["names"]:
                item.addChild(QTreeWidgetItem([name, "", c["to"]]))
            self.classes.addTopLevelItem(item)
        self.apply_button.setEnabled(bool(p.classes))
        self.undo_button.setEnabled(p.last is not None)
        self.last.setText(f"上次升级：{p.last['at'][:16].replace('T', ' ')}，{p.last['summary']}。"
                          "如有误可以撤销（撤销后学生回到原来的年级）。" if p.last else "还没有办理过升级。")

    def apply(self):
        p = self.preview
        if p is None or not p.classes:
            return None
        question = (f"确定执行升级吗？升级 {p.moves} 人，毕业 {p.graduates} 人。升级前会自动备份，之后也可以撤销。")
        if p.warning():
            question = p.warning() + "\n\n" + question
        if not confirm(self, question, title="执行升级"):
            return None
        work = CoreCall("jiaoyuapp.roster.school_year:apply_rollover", db=str(self.session.path),
                        kwargs={"actor": "窗口"})
        return run_with_progress(self, "执行升级", work, self._applied)

    def _applied(self, _batch) -> None:
        self.window_.data_changed()
        self.stale = True
        self.refresh()
        show_info(self, "升级完成。各班学生已升入新年级，最高年级学生已毕业。")

    def undo(self):
        p = self.preview
        if p is None or p.last is None:
            return None
        if not confirm(self, f"确定撤销上次升级（{p.last['summary']}）吗？学生将回到升级前的年级和状态。",
                       title="撤销升级"):
            return None
        work = CoreCall("jiaoyuapp.roster.school_year:undo_rollover", db=str(self.session.path),
                        args=(p.last["uuid"],), kwargs={"actor": "窗口"}, progress=False)
        return run_with_progress(self, "撤销升级", work, self._undone)

    def _undone(self, _result) -> None:
        self.window_.data_changed()
        self.stale = True
        self.refresh()
        show_info(self, "已撤销上次升级，学生已回到原来的年级。")
