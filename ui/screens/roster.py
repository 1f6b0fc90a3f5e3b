"""学生花名册: search as you type (name, pinyin such as `zs`, any digits of an ID), filters by class
and flag, the Excel import wizard, and export. Double-click (or Enter) opens the student."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QTableView, QVBoxLayout)

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.roster.flags import FLAGS
from ui import file_dialogs
from ui.dialogs import show_info
from ui.roster_model import RosterModel
from ui.screens.base import Screen, heading
from ui.tasks import CoreCall, run_with_progress
from ui.todo_hints import window_text

ALL = "（全部）"


class RosterScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("学生花名册"))
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("rosterSearch")
        self.search.setPlaceholderText("查找：姓名、拼音首字母（如 zs）、身份证件号或学籍号中的几位数字")
        self.search.setClearButtonEnabled(True)
        self.class_box, self.flag_box, self.status_box = QComboBox(), QComboBox(), QComboBox()
        self.class_box.setObjectName("classFilter")
        self.flag_box.setObjectName("flagFilter")
        self.flag_box.addItems([ALL] + [f.name for f in FLAGS])
        self.status_box.addItems(["在读", ALL, "转出", "休学", "辍学", "毕业"])
        bar.addWidget(self.search, 3)
        for label, box in (("班级", self.class_box), ("标记", self.flag_box), ("状态", self.status_box)):
            bar.addWidget(QLabel(label))
            bar.addWidget(box)
        layout.addLayout(bar)
        self.count = QLabel()
        self.count.setObjectName("rosterCount")
        layout.addWidget(self.count)
        self.model = None
        self.table = QTableView()
        self.table.setObjectName("rosterTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated.connect(lambda index: self._open(index.row()))
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("新增学生…")
        self.add_button.setObjectName("addStudent")
        self.add_button.clicked.connect(self.open_add_dialog)
        buttons.addWidget(self.add_button)
        self.import_button = QPushButton("从Excel导入…")
        self.import_button.setObjectName("importRoster")
        self.export_button = QPushButton("导出花名册…")
        self.import_button.clicked.connect(self._choose_import)
        self.export_button.clicked.connect(self._export)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(180)  # search as you type, once the typing pauses
        self.timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _: self.timer.start())
        for box in (self.class_box, self.flag_box, self.status_box):
            box.currentIndexChanged.connect(lambda _: self.apply_filter())

    def reload(self) -> None:
        if self.model is None or self.model.store is not self.store:
            self.model = RosterModel(self.store)
            self.table.setModel(self.model)
        current = self.class_box.currentText()
        self.class_box.blockSignals(True)
        self.class_box.clear()
        self.class_box.addItem(ALL)
        for c in self.store.query("SELECT DISTINCT grade, class_no FROM students WHERE grade IS NOT NULL "
                                  "ORDER BY grade, CAST(class_no AS INTEGER), class_no"):
            self.class_box.addItem(class_label(c["grade"], c["class_no"]))
        self.class_box.setCurrentText(current if current else ALL)
        self.class_box.blockSignals(False)
        self.apply_filter()

    def apply_filter(self) -> int:
        pick = lambda box: None if box.currentText() == ALL else box.currentText()  # noqa: E731
        flag = pick(self.flag_box)
        try:
            n = self.model.set_filter(self.search.text(), pick(self.class_box), [flag] if flag else None,
                                      pick(self.status_box))
        except JiaoyuError as exc:
            self.count.setText(window_text(exc))
            return 0
        self.count.setText(f"共 {n} 名学生" + ("（双击打开学生档案）" if n else "；没有找到，请换个写法再试"))
        if n < 2000:  # fitting columns reads every row: only for a class-sized list
            self.table.resizeColumnsToContents()
        return n

    def _open(self, row: int) -> None:
        uuid = self.model.uuid_at(row)
        if uuid:
            self.window_.open_student(uuid)

    def open_add_dialog(self):
        """新增学生 (or a child transferring in): the form opens beside the roster, which refreshes
        once the student is saved."""
        from ui.student_dialogs import AddStudentDialog
        dialog = AddStudentDialog(self, self.store)
        dialog.accepted.connect(lambda: self._added(dialog))
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def _added(self, dialog) -> None:
        self.window_.data_changed()
        s = self.store.get("students", dialog.uuid)
        if s is not None:
            self.window_.statusBar().showMessage(f"已添加：{s['name']}（{class_label(s['grade'], s['class_no'])}）", 8000)
        if dialog.warnings:
            show_info(self, "学生已添加。请留意：\n" + "\n".join(f"{w['column']}：{w['message']}" for w in dialog.warnings),
                      title="已添加")

    # -- import and export --------------------------------------------------------
    def _choose_import(self) -> None:
        path = file_dialogs.open_file(self, "选择学生花名册", file_dialogs.ROSTER_FILTER, "roster")
        if path:
            self.start_import(path)

    def start_import(self, path: str):
        from ui.import_wizard import ImportDialog
        dialog = ImportDialog(self, self.session, path, on_written=lambda _: self.window_.data_changed())
        self.import_dialog = dialog
        dialog.start()
        return dialog

    def _export(self) -> None:
        path = file_dialogs.save_file(self, "导出学生花名册", "学生花名册.xlsx", "Excel 工作簿 (*.xlsx)", "export")
        if not path:
            return
        work = CoreCall("jiaoyuapp.roster.roster_export:export_roster", db=str(self.session.path), args=(path,))
        run_with_progress(self, "导出花名册", work, lambda n: show_info(self, f"已导出{n}名学生：{path}"))

    def data_changed(self) -> None:
        self.stale = True
