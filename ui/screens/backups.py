"""备份与恢复: back the school up to a USB stick or a chosen folder, list the automatic and chosen
backups, and restore one only after a preview of what it holds (its school, when it was taken, its
students, visits and cases against the data as it stands). Backing up, previewing (a full check of
the file) and restoring all run in a worker process, so the window never freezes; the current
data is backed up automatically before a restore."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QSplitter, QTableWidgetItem, QVBoxLayout)

from jiaoyuapp.school_backups import chosen_folders, list_backups
from ui import file_dialogs
from ui.dialogs import show_error, show_info
from ui.record_table import fill_rows, record_table
from ui.screens.base import Screen, button, heading, left_row
from ui.tasks import CoreCall, run_with_progress

INTRO = ("备份是整个学校数据库的副本，写完后会校验。建议每周备份一次到U盘，U盘另外存放。"
         "导入花名册、升级、恢复之前和每天第一次打开时，软件会自动备份（保留最近10份）。")
STICK_FOLDER = "学校数据备份"   # on a USB stick, backups go into a folder of their own
BACKUP_FILTER = "学校数据库备份 (*.db);;所有文件 (*)"


class BackupsScreen(Screen):
    title = "备份与恢复"

    def __init__(self, window):
        super().__init__(window)
        self.backups: list[dict] = []
        self.preview: dict | None = None
        self.refusal = ""
        layout = QVBoxLayout(self)
        layout.addWidget(heading("备份与恢复"))
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        target = QGroupBox("备份到U盘或文件夹")
        row = QHBoxLayout(target)
        row.addWidget(QLabel("备份到"))
        self.target = QComboBox()
        self.target.setObjectName("backupTarget")
        self.target.setMinimumContentsLength(30)
        self.target.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        row.addWidget(self.target, 1)
        self.choose_button = button("选择文件夹…", self._choose_folder)
        self.backup_button = button("立即备份", self.back_up, "backupNow")
        row.addWidget(self.choose_button)
        row.addWidget(self.backup_button)
        layout.addWidget(target)

        split = QSplitter(Qt.Orientation.Horizontal)
        listing = QGroupBox("已有的备份（最新的在上面）")
        col = QVBoxLayout(listing)
        self.list = record_table("backupList", ["时间", "类型", "位置"], row_numbers=False)
        self.list.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.list.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.list.doubleClicked.connect(lambda _: self.preview_selected())
        col.addWidget(self.list, 1)
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        col.addWidget(self.missing)
        self.preview_button = button("恢复所选备份…", self.preview_selected, "previewSelected")
        self.other_button = button("从其他备份文件恢复…", self._choose_file)
        col.addLayout(left_row(self.preview_button, self.other_button, button("刷新", self.reload)))
        split.addWidget(listing)

        self.preview_box = QGroupBox("恢复前请核对")
        pcol = QVBoxLayout(self.preview_box)
        self.preview_text = QLabel("在左边选一份备份，点“恢复所选备份…”，这里会列出备份里有什么。")
        self.preview_text.setObjectName("previewText")
        self.preview_text.setWordWrap(True)
        pcol.addWidget(self.preview_text)
        self.counts = record_table("previewCounts", ["", "备份中", "当前"], row_numbers=False)
        self.counts.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        pcol.addWidget(self.counts, 1)
        warn = QLabel("恢复会用这份备份替换当前的全部数据，备份之后录入的内容会没有。恢复前会先自动备份当前数据。")
        warn.setWordWrap(True)
        warn.setStyleSheet("color: #c0392b")
        pcol.addWidget(warn)
        prow = QHBoxLayout()
        self.confirm_button = button("确认恢复", self.restore, "confirmRestore")
        self.drop_button = button("不恢复", self._clear_preview)
        prow.addStretch(1)
        prow.addWidget(self.confirm_button)
        prow.addWidget(self.drop_button)
        pcol.addLayout(prow)
        split.addWidget(self.preview_box)
        split.setSizes([640, 480])
        layout.addWidget(split, 1)
        self._clear_preview()

    # -- where to back up to ----------------------------------------------------------------------
    def _fill_targets(self) -> None:
        from ui.drives import destinations
        current = self.target.currentData()
        self.target.clear()
        seen = set()
        for label, root in destinations():
            folder = root / STICK_FOLDER if label.startswith("U盘") else root
            self.target.addItem(label, str(folder))
            seen.add(str(folder))
        for folder in chosen_folders(self.session.path):
            if str(folder) not in seen and folder.is_dir():
                self.target.addItem(f"上次用过：{folder}", str(folder))
                seen.add(str(folder))
        if current:
            self.set_target(current)

    def set_target(self, folder: str) -> None:
        """Choose a folder to back up to (added to the list when it is not there)."""
        index = self.target.findData(str(folder))
        if index < 0:
            self.target.insertItem(0, f"选定的文件夹：{folder}", str(folder))
            index = 0
        self.target.setCurrentIndex(index)

    def _choose_folder(self) -> None:
        folder = file_dialogs.choose_folder(self, "选择备份到哪个文件夹（可以是U盘）", "backup")
        if folder:
            self.set_target(folder)

    def back_up(self):
        folder = self.target.currentData()
        if not folder:
            show_error(self, "请先选择备份到哪里：插上U盘后选它，或点“选择文件夹…”。")
            return None
        work = CoreCall("jiaoyuapp.school_backups:backup_school", db=str(self.session.path), args=(folder,),
                        progress=False)
        return run_with_progress(self, "正在备份", work, self._backed_up)

    def _backed_up(self, path: str) -> None:
        self.reload()
        show_info(self, f"备份完成并已校验：{path}")

    # -- the list ---------------------------------------------------------------------------
    def reload(self) -> None:
        self._fill_targets()
        found = list_backups(self.store)
        self.backups = found["backups"]
        self.list.setRowCount(len(self.backups))
        for r, b in enumerate(self.backups):
            kind = "自动" + (f"（{b['reason']}）" if b["reason"] else "") if b["kind"] == "自动" else "手动"
            where = "软件的自动备份文件夹" if b["kind"] == "自动" else b["folder"]
            for c, text in enumerate([b["when"], kind, where]):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{b['path']}（{b['size'] / 1e6:.1f} MB）")
                self.list.setItem(r, c, item)
        self.missing.setText("找不到（U盘可能没有插上）：" + "；".join(found["missing"]) if found["missing"] else "")
        self.missing.setVisible(bool(found["missing"]))

    def _choose_file(self) -> None:
        path = file_dialogs.open_file(self, "选择要恢复的备份文件", BACKUP_FILTER, "backup")
        if path:
            self.preview_file(path)

    def preview_selected(self):
        row = self.list.currentRow()
        if row < 0 or row >= len(self.backups):
            show_error(self, "请先在列表中选一份备份。")
            return None
        return self.preview_file(self.backups[row]["path"])

    # -- preview, then restore --------------------------------------------------------------
    def preview_file(self, path: str):
        """Check the file and read what it holds, in the worker; refused files are explained."""
        self._clear_preview()
        self.refusal = ""
        work = CoreCall("jiaoyuapp.school_backups:backup_preview", db=str(self.session.path), args=(str(path),),
                        progress=False)
        return run_with_progress(self, "正在检查备份文件", work, self._show_preview, self._refused)

    def _refused(self, message: str) -> None:
        self.refusal = message
        show_error(self, message, title="不能用这个文件恢复")

    def _show_preview(self, preview: dict) -> None:
        self.preview = preview
        school = preview["school"]
        self.preview_text.setText(
            f"备份文件：{preview['name']}\n学校：{school['name']}（{school['code']}）\n备份时间：{preview['taken']}"
            + (f"\n备份中最后一次修改：{preview['last_change']}" if preview["last_change"] else ""))
        fill_rows(self.counts, [["—" if value is None else str(value) for value in (c["label"], c["backup"], c["current"])]
                                for c in preview["counts"]])
        self.counts.resizeColumnToContents(0)
        self.confirm_button.setEnabled(True)
        self.drop_button.setEnabled(True)

    def _clear_preview(self) -> None:
        self.preview = None
        self.counts.setRowCount(0)
        self.preview_text.setText("在左边选一份备份，点“恢复所选备份…”，这里会列出备份里有什么，核对后再确认恢复。")
        self.confirm_button.setEnabled(False)
        self.drop_button.setEnabled(False)

    def restore(self):
        if self.preview is None:
            return None
        work = CoreCall("jiaoyuapp.school_backups:restore_school_backup", db=str(self.session.path),
                        args=(self.preview["file"],), progress=False)
        return run_with_progress(self, "正在恢复", work, self._restored)

    def _restored(self, safety: str | None) -> None:
        """The database was replaced under the window: open it afresh, every screen with it."""
        from ui.session import Session
        name = self.preview["name"] if self.preview else ""
        window, path = self.window_, self.session.path
        self.session.close()
        window.switch_to(Session(path))
        screen = window.show_screen("backups")
        show_info(screen, f"已恢复到备份“{name}”时的数据。" + (f"恢复前的数据已自动备份：{safety}" if safety else ""),
                  title="恢复完成")
