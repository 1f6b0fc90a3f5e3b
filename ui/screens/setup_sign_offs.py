"""学校设置 → 参数设置 → 签字栏: which titles sign at the foot of the 劝返 list (控辍保学台账 and
劝返记录, in the workbook and the 迎检档案). One title a line; the core checks and saves them."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QPlainTextEdit, QVBoxLayout

from jiaoyuapp.errors import JiaoyuError
from jiaoyuapp.ledgers import sign_offs
from ui.dialogs import show_error, show_info
from ui.screens.base import button, left_row


class SignOffBox(QGroupBox):
    def __init__(self, store_of, changed):
        super().__init__("签字栏")
        self.store_of, self.changed = store_of, changed
        self.edits: dict[str, QPlainTextEdit] = {}
        column = QVBoxLayout(self)
        for block, (label, _) in sign_offs.BLOCKS.items():
            explain = QLabel(f"{label}：每行写一个职务，按打印顺序排列；末尾自动加“日期”。")
            explain.setWordWrap(True)
            column.addWidget(explain)
            edit = QPlainTextEdit()
            edit.setObjectName(f"signOff_{block}")
            edit.setMaximumHeight(140)
            self.edits[block] = edit
            column.addWidget(edit)
        column.addLayout(left_row(button("保存签字栏", self.save, "saveSignOffs"),
                                  button("恢复默认签字栏", self.fill_defaults)))

    def reload(self) -> None:
        for block, edit in self.edits.items():
            edit.setPlainText("\n".join(sign_offs.titles(self.store_of(), block)))

    def fill_defaults(self) -> None:
        """Put the default titles in the boxes; nothing changes until 保存签字栏."""
        for block, edit in self.edits.items():
            edit.setPlainText("\n".join(sign_offs.BLOCKS[block][1]))

    def save(self) -> bool:
        try:
            for block, edit in self.edits.items():
                sign_offs.check_titles(edit.toPlainText())  # all checked before any is saved
            for block, edit in self.edits.items():
                sign_offs.set_titles(self.store_of(), block, edit.toPlainText(), actor="窗口")
        except JiaoyuError as exc:
            show_error(self, f"{exc}（签字栏没有保存，请改正后再保存。）")
            return False
        self.reload()
        self.changed()
        show_info(self, "签字栏已保存，导出台账和迎检档案时按此打印。")
        return True
