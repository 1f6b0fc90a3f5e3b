"""家访: a form that keeps a draft as you type (a crash loses at most a few seconds, and the draft
is offered back), the household's siblings covered by one visit, photos, the parent's signature,
the teacher's own list of students still to visit, and a pre-filled paper form to print."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from PySide6.QtCore import QDate, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QIcon, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QScrollArea,
                               QSplitter, QVBoxLayout, QWidget)

from jiaoyuapp import drafts
from jiaoyuapp.codes import table
from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers.attachments import read_file
from jiaoyuapp.ledgers.teachers import list_teachers
from jiaoyuapp.ledgers.visits import FIELD_LABELS, TEXT_FIELDS, record_visit, takes_signature, visit_details
from jiaoyuapp.roster.classes import class_label
from ui import file_dialogs
from ui.student_search import StudentSearch
from ui.dialogs import show_error, show_info
from ui.optional_date import OptionalDate
from ui.screens.base import Screen, date_edit, heading, wrapped
from ui.screens.setup import NO_TEACHERS, NO_TERMS, has_terms, setup_hint
from ui.signature_pad import SignaturePad
from ui.tasks import CoreCall, Task

DRAFT = "家访"
LONG_FIELDS = ("home_situation", "school_behaviour", "home_behaviour", "policies", "parent_opinion", "problems",
               "measures", "followup_plan")
DRAFT_DELAY_MS = 1500
PLACEHOLDERS = {"location": "入户时为学生家中的地址；电话、视频时可写“电话联系”",
                "participants": "一同前往的村干部、科任教师等，没有可不填",
                "met_name": "见到或通话的家长/监护人姓名", "met_relation": "如：母亲、祖父"}
MODE_HINT = "只有“入户走访”计入每学年入户家访的要求；电话、视频、到校约谈作为补充，另行统计。"
NO_SIGNATURE_HINT = "电话、视频家访没有家长签字。"
REMOTE_PLACES = {"电话": "电话联系", "视频": "视频联系"}


WHOLE_SCHOOL = "全校"


class VisitsScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        self.student_uuid: str | None = None
        self._home_address = ""
        self.photos: list[bytes] = []
        self.due: list[dict] | None = None
        self.tasks_ready = False
        self._loading = False
        outer = QVBoxLayout(self)
        outer.addWidget(heading("家访"))
        self.draft_bar = QWidget()
        bar = QHBoxLayout(self.draft_bar)
        self.draft_label = QLabel("上次有一份没有保存的家访记录草稿。")
        self.restore_button, self.drop_button = QPushButton("恢复草稿"), QPushButton("丢弃草稿")
        self.restore_button.setObjectName("restoreDraft")
        self.restore_button.clicked.connect(self.restore_draft)
        self.drop_button.clicked.connect(self.drop_draft)
        for w in (self.draft_label, self.restore_button, self.drop_button):
            bar.addWidget(w)
        bar.addStretch(1)
        self.draft_bar.setStyleSheet("background: #fff3cd")
        self.draft_bar.hide()
        outer.addWidget(self.draft_bar)
        self.no_teachers_bar = setup_hint(window, NO_TEACHERS, "去登记教师", "teachers")
        outer.addWidget(self.no_teachers_bar)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._form())
        split.addWidget(self._tasks())
        split.setSizes([760, 360])
        outer.addWidget(split, 1)
        self.draft_timer = QTimer(self)
        self.draft_timer.setSingleShot(True)
        self.draft_timer.setInterval(DRAFT_DELAY_MS)
        self.draft_timer.timeout.connect(self.save_draft_now)

    # -- building the form --------------------------------------------------------
    def _form(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        picker = StudentSearch(lambda: self.store, "visitStudent")
        self.find, self.found = picker.find, picker.found
        picker.chosen.connect(self.choose_student)
        form.addRow("学生：", picker)
        self.covered = QLabel("请先选择学生。一次家访覆盖同一户在校的兄弟姐妹。")
        self.covered.setObjectName("visitCovered")
        self.covered.setWordWrap(True)
        form.addRow("本次覆盖：", self.covered)
        self.day = date_edit()
        self.mode = QComboBox()
        self.mode.setObjectName("visitMode")
        self.mode.addItems(table("visit_mode").codes())
        self.teachers = QListWidget()
        self.teachers.setObjectName("visitTeachers")
        self.teachers.setMaximumHeight(90)
        form.addRow("家访日期：", self.day)
        form.addRow("家访形式：", self.mode)
        self.mode_hint = wrapped(MODE_HINT)
        form.addRow("", self.mode_hint)
        form.addRow("家访教师：", self.teachers)
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        for key in TEXT_FIELDS + ("followup_date",):
            if key == "followup_date":  # may be left empty: a tick box beside the date picker
                edit = OptionalDate("需要回访", f"visit_{key}")
            else:
                edit = QPlainTextEdit() if key in LONG_FIELDS else QLineEdit()
                edit.setObjectName(f"visit_{key}")
                if key in PLACEHOLDERS:
                    edit.setPlaceholderText(PLACEHOLDERS[key])
            if key in LONG_FIELDS:
                edit.setMaximumHeight(60)
                edit.setTabChangesFocus(True)
            self.fields[key] = edit
            if key == "met_name":      # 受访人: the name and, beside it, the relation
                who = QHBoxLayout()
                who.addWidget(edit, 2)
                who.addWidget(QLabel("与学生关系："))
            elif key == "met_relation":
                who.addWidget(edit, 1)
                form.addRow("受访人：", who)
            else:
                form.addRow(FIELD_LABELS[key] + "：", edit)
        photo_row = QHBoxLayout()
        self.photo_list = QListWidget()
        self.photo_list.setObjectName("visitPhotos")
        self.photo_list.setViewMode(QListWidget.ViewMode.IconMode)
        self.photo_list.setIconSize(QSize(72, 72))
        self.photo_list.setMaximumHeight(100)
        add, remove = QPushButton("添加照片…"), QPushButton("移除所选")
        add.clicked.connect(self._choose_photos)
        remove.clicked.connect(self._remove_photo)
        photo_row.addWidget(self.photo_list, 1)
        side = QVBoxLayout()
        side.addWidget(add)
        side.addWidget(remove)
        photo_row.addLayout(side)
        form.addRow("照片：", photo_row)
        sign_row = QHBoxLayout()
        self.signature = SignaturePad()
        clear = QPushButton("重签")
        clear.clicked.connect(self.signature.clear)
        sign_row.addWidget(self.signature)
        sign_row.addWidget(clear)
        self.signature_row = QWidget()
        self.signature_row.setLayout(sign_row)
        self.signature_note = QLabel(NO_SIGNATURE_HINT)
        self.signature_note.setObjectName("visitNoSignature")
        self.signature_note.hide()
        sign_box = QVBoxLayout()
        sign_box.addWidget(self.signature_row)
        sign_box.addWidget(self.signature_note)
        form.addRow("家长签名：", sign_box)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("保存家访记录")
        self.save_button.setObjectName("saveVisit")
        self.save_button.clicked.connect(self.save)
        self.print_button = QPushButton("打印纸质家访表（预填学生信息）…")
        self.print_button.clicked.connect(self.print_form)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        # every edit restarts the draft timer
        self.day.dateChanged.connect(self._edited)
        self.mode.currentIndexChanged.connect(self._edited)
        self.mode.currentIndexChanged.connect(lambda _: self._mode_changed())
        self.teachers.itemChanged.connect(self._edited)
        self.signature.changed.connect(self._edited)
        for edit in self.fields.values():
            edit.textChanged.connect(self._edited)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(box)
        return scroll

    def _mode_changed(self) -> None:
        """A phone or video visit has no 家长签字: the pad gives way to a note; the place follows the form."""
        mode = self.mode.currentText()
        signed = takes_signature(mode)
        self.signature_row.setVisible(signed)
        self.signature_note.setVisible(not signed)
        place = self.fields["location"]
        if not self._loading and (not place.text() or place.text() in REMOTE_PLACES.values()
                                  or place.text() == self._home_address):
            place.setText(REMOTE_PLACES.get(mode, self._home_address))

    def _tasks(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.addWidget(wrapped("我的家访任务（本学期还需家访、本学年还需入户的学生）："))
        self.home_summary = wrapped("")
        self.home_summary.setObjectName("homeVisitSummary")
        layout.addWidget(self.home_summary)
        self.home_only = QCheckBox("只看未入户家访的")
        self.home_only.setObjectName("homeVisitOnly")
        self.home_only.setToolTip("只列出本学年还没有入户家访的学生（电话、视频、到校约谈不计入）")
        self.home_only.toggled.connect(lambda _: self._filter_tasks())
        layout.addWidget(self.home_only)
        self.task_teacher = QComboBox()
        self.task_teacher.setObjectName("taskTeacher")
        self.task_teacher.currentIndexChanged.connect(lambda _: self._filter_tasks())
        layout.addWidget(self.task_teacher)
        self.task_list = QListWidget()
        self.task_list.setObjectName("taskList")
        self.task_list.itemActivated.connect(lambda item: self.choose_student(item.data(Qt.ItemDataRole.UserRole)))
        self.task_list.itemDoubleClicked.connect(lambda item: self.choose_student(item.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self.task_list, 1)
        return box

    # -- data -----------------------------------------------------------------------
    def reload(self) -> None:
        self._loading = True
        checked = set(self.checked_teachers())
        self.teachers.clear()
        self.task_teacher.blockSignals(True)
        before = self.task_teacher.currentData() if self.task_teacher.count() else ""
        self.task_teacher.clear()
        self.task_teacher.addItem(WHOLE_SCHOOL, None)
        for t in list_teachers(self.store):
            if not t["active"]:
                continue
            item = QListWidgetItem(t["name"] + (f"（{'、'.join(t['classes'])}）" if t["classes"] else ""))
            item.setData(Qt.ItemDataRole.UserRole, t["uuid"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if t["uuid"] in checked else Qt.CheckState.Unchecked)
            self.teachers.addItem(item)
            self.task_teacher.addItem(item.text(), t["uuid"])
        # the window does not know who sits at the PC: it opens on the whole school's list, and a
        # teacher picks their own name (kept while the window is open)
        self.task_teacher.setCurrentIndex(max(0, self.task_teacher.findData(before)) if before else 0)
        self.task_teacher.blockSignals(False)
        self.no_teachers_bar.setVisible(self.teachers.count() == 0)
        self._loading = False
        self._fill_tasks()
        self.draft_bar.setVisible(drafts.load(self.session.path, DRAFT) is not None and not self.student_uuid)

    def _fill_tasks(self) -> None:
        """The teacher's students still to visit: coverage is a report over the whole school, so it is
        computed in a worker process (once per refresh) and filtered here per teacher."""
        self.tasks_ready = False
        self.task_list.clear()
        self.task_list.addItem("正在统计……")
        self.no_terms = not has_terms(self.store)  # known now: the answer may come after the file is closed
        self.coverage_task = Task(CoreCall("jiaoyuapp.ledgers.coverage:coverage", db=str(self.session.path),
                                           kwargs={"today": self.today()}, progress=False))
        self.coverage_task.signals.done.connect(self._show_tasks)
        self.coverage_task.signals.failed.connect(lambda message, _: self._show_tasks({"due": [], "problem": message}))
        self.coverage_task.start()

    def _show_tasks(self, report: dict) -> None:
        self.due = report["due"]
        if report.get("problem"):
            self.home_summary.setText("")
        else:
            self.home_summary.setText(
                f"{report['school_year']}全校已入户家访{report['home_visited']}/{report['students']}人，"
                f"尚未入户{len(report['no_home_visit'])}人（电话、视频、到校约谈不计入）。")
        self.task_list.clear()
        if report.get("problem"):
            self.task_list.addItem(NO_TERMS if self.no_terms else report["problem"])
        self._filter_tasks()
        self.tasks_ready = True

    def _filter_tasks(self) -> None:
        if self.due is None:
            return
        for i in reversed(range(self.task_list.count())):
            if self.task_list.item(i).data(Qt.ItemDataRole.UserRole):
                self.task_list.takeItem(i)
        if self.task_teacher.currentData() is None:
            mine = self.due
        else:
            teacher = self.task_teacher.currentText().split("（")[0]
            mine = [d for d in self.due if teacher in d["head_teachers"]]
            if not mine and "（" not in self.task_teacher.currentText():
                hint = QListWidgetItem(f"{teacher}没有担任班主任的班级；选“{WHOLE_SCHOOL}”查看全校还需家访的学生。")
                hint.setData(Qt.ItemDataRole.UserRole, "-")   # cleared with the list; picks no student
                self.task_list.addItem(hint)
        if self.home_only.isChecked():
            mine = [d for d in mine if d["home_visits_year"] < d["home_required_year"]]
        for d in mine:
            note = f"（重点：{'、'.join(d['priority'])}）" if d["priority"] else ""
            item = QListWidgetItem(f"{d['class']} {d['name']}{note}：{'；'.join(d['missing'])}")
            item.setData(Qt.ItemDataRole.UserRole, d["uuid"])
            self.task_list.addItem(item)

    def choose_student(self, uuid: str) -> None:
        s = self.store.get("students", uuid)
        if s is None:
            return
        self.student_uuid = uuid
        kids = [s]
        if s["household_uuid"]:
            kids = self.store.query("SELECT name, grade, class_no FROM students WHERE household_uuid = ? AND "
                                    "(status = '在读' OR uuid = ?) ORDER BY grade", (s["household_uuid"], uuid))
        self.covered.setText("、".join(f"{k['name']}（{class_label(k['grade'], k['class_no'])}）" for k in kids))
        self._home_address = s["current_address"] or s["home_address"] or ""
        if not self.fields["location"].text():
            self.fields["location"].setText(REMOTE_PLACES.get(self.mode.currentText(), self._home_address))
        g = self.store.query("SELECT name, relation FROM guardians WHERE student_uuid = ? ORDER BY position LIMIT 1", (uuid,))
        if g and not self.fields["met_name"].text():
            self.fields["met_name"].setText(g[0]["name"] or "")
            self.fields["met_relation"].setText(g[0]["relation"] or "")
        self._edited()

    def checked_teachers(self) -> list[str]:
        return [self.teachers.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.teachers.count())
                if self.teachers.item(i).checkState() == Qt.CheckState.Checked]

    def values(self) -> dict:
        out = {}
        for key, edit in self.fields.items():
            text = (edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()).strip()
            out[key] = text or None
        return out

    # -- photos -----------------------------------------------------------------------
    def _choose_photos(self) -> None:
        paths = file_dialogs.open_files(self, "选择照片（可从手机的U盘模式中选）",
                                        "图片 (*.jpg *.jpeg *.png *.heic *.bmp)", "photo")
        for path in paths:
            self.add_photo(path)

    def add_photo(self, path: str) -> bool:
        try:
            data = read_file(path)
        except JiaoyuError as exc:
            show_error(self, exc)
            return False
        self.photos.append(data)
        self._show_photo(data)
        self._edited()
        return True

    def _show_photo(self, data: bytes) -> None:
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        item = QListWidgetItem(QIcon(pixmap), f"照片{self.photo_list.count() + 1}")
        self.photo_list.addItem(item)

    def _remove_photo(self) -> None:
        row = self.photo_list.currentRow()
        if row >= 0:
            self.photos.pop(row)
            self.photo_list.takeItem(row)
            self._edited()

    # -- drafts -------------------------------------------------------------------------
    def _edited(self, *_args) -> None:
        if not self._loading:
            self.draft_timer.start()

    def has_content(self) -> bool:
        return bool(self.student_uuid or any(self.values().values()) or self.photos or not self.signature.blank)

    def save_draft_now(self) -> None:
        self.draft_timer.stop()
        if not self.has_content():
            return
        fields = dict(self.values(), student_uuid=self.student_uuid, day=self.day.date().toString("yyyy-MM-dd"),
                      mode=self.mode.currentText(), teachers=self.checked_teachers())
        files = {f"photo{i:02d}": data for i, data in enumerate(self.photos)}
        signature = self.signature.png()
        if signature:
            files["signature"] = signature
        try:
            drafts.save(self.session.path, DRAFT, fields, files)
        except JiaoyuError:
            pass  # a draft that cannot be written must not interrupt the typing

    def restore_draft(self) -> bool:
        found = drafts.load(self.session.path, DRAFT)
        self.draft_bar.hide()
        if not found:
            return False
        fields, files = found
        self.clear_form(keep_draft=True)
        self._loading = True
        if fields.get("student_uuid"):
            self.choose_student(fields["student_uuid"])
        self.day.setDate(QDate.fromString(fields.get("day") or "", "yyyy-MM-dd"))
        self.mode.setCurrentText(fields.get("mode") or self.mode.currentText())
        wanted = set(fields.get("teachers") or [])
        for i in range(self.teachers.count()):
            item = self.teachers.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted else Qt.CheckState.Unchecked)
        for key, edit in self.fields.items():
            value = fields.get(key) or ""
            edit.setPlainText(value) if isinstance(edit, QPlainTextEdit) else edit.setText(value)
        for name in sorted(n for n in files if n.startswith("photo")):
            self.photos.append(files[name])
            self._show_photo(files[name])
        self.signature.load_png(files.get("signature"))
        self._loading = False
        return True

    def drop_draft(self) -> None:
        drafts.discard(self.session.path, DRAFT)
        self.draft_bar.hide()

    def clear_form(self, keep_draft: bool = False) -> None:
        self._loading = True
        self.student_uuid = None
        self.find.clear()
        self.covered.setText("请先选择学生。一次家访覆盖同一户在校的兄弟姐妹。")
        for edit in self.fields.values():
            edit.clear()
        self.photos.clear()
        self.photo_list.clear()
        self.signature.clear()
        self._home_address = ""
        self.day.setDate(QDate.currentDate())
        self._loading = False
        if not keep_draft:
            drafts.discard(self.session.path, DRAFT)

    # -- saving and printing --------------------------------------------------------------
    def save(self) -> str | None:
        if not self.student_uuid:
            show_error(self, "请先选择要家访的学生。")
            return None
        if self.teachers.count() == 0:
            show_error(self, NO_TEACHERS)
            return None
        values = {k: v for k, v in self.values().items() if v is not None}
        mode = self.mode.currentText()
        try:
            uid = record_visit(self.store, student_uuid=self.student_uuid, day=self.day.date().toString("yyyy-MM-dd"),
                               teachers=self.checked_teachers(), mode=mode, photos=list(self.photos),
                               signature=self.signature.png() if takes_signature(mode) else None, actor="窗口",
                               today=dt.date.today(), **values)
        except JiaoyuError as exc:
            self.save_draft_now()  # nothing typed is lost while the teacher fixes it
            show_error(self, exc)
            return None
        covered = self.covered.text()
        self.clear_form()
        self.window_.data_changed()
        show_info(self, f"家访记录已保存（覆盖：{covered}）。")
        return uid

    def print_form(self) -> Path | None:
        if not self.student_uuid:
            show_error(self, "请先选择学生，表上会预先填好这一户的学生和家长。")
            return None
        from jiaoyuapp.documents.visit_form import write_visit_form
        out = Path(tempfile.gettempdir()) / f"家访记录表_{dt.date.today():%Y%m%d}.pdf"
        try:
            write_visit_form(self.store, self.student_uuid, out)
        except JiaoyuError as exc:
            show_error(self, exc)
            return None
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))
        return out

    def show_visit(self, visit_uuid: str) -> None:
        v = visit_details(self.store, visit_uuid)
        lines = [f"{FIELD_LABELS[k]}：{v[k]}" for k in ("day", "mode") + TEXT_FIELDS + ("followup_date",) if v.get(k)]
        lines.append("家访教师：" + "、".join(t["name"] for t in v["teachers"]))
        signed = any(a["role"] == "signature" for a in v["attachments"])
        lines.append(f"照片：{sum(a['role'] == 'photo' for a in v['attachments'])}张")
        lines.append("家长签字：" + ("有电子签名" if signed else "未留电子签名") if takes_signature(v["mode"])
                     else NO_SIGNATURE_HINT)
        show_info(self, "\n".join(lines), title="家访记录")
