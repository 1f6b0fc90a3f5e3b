"""Qt's own texts in Chinese: message-box buttons read 确定/取消, a question names what its buttons
do, and Qt's file dialog (used on Linux desktops without a native one) has no English left."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialogButtonBox, QFileDialog, QInputDialog, QLabel, QMessageBox, QPushButton,
                               QToolButton, QTreeView)

from ui.app import make_app
from ui.dialogs import confirm_box, show_error, show_info


def chinese(text: str) -> bool:
    """Chinese, with nothing English left beside it (an &-shortcut letter such as (&O) is allowed)."""
    bare = re.sub(r"\(&[A-Za-z]\)|&", "", text)
    return bool(re.search(r"[\u4e00-\u9fff]", bare)) and not re.search(r"[A-Za-z]", bare)


def test_message_box_buttons_read_queding(qtbot):
    """An error or a notice closes with 确定, never "OK"."""
    make_app()
    for box in (show_error(None, "学校标识码应为10位数字。"), show_info(None, "已导出。")):
        assert [b.text() for b in box.buttons()] == ["确定"]
        box.close()


def test_qt_standard_buttons_are_chinese_once_the_app_is_made(qtbot):
    """Any Qt box or input dialog (the passphrase, the reason to reopen a case) says 确定/取消."""
    make_app()
    box = QMessageBox(QMessageBox.Icon.Question, "请确认", "要继续吗？",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert sorted(b.text() for b in box.buttons()) == sorted(["确定", "取消"])
    ask = QInputDialog()
    qtbot.addWidget(ask)
    ask.setLabelText("原因：")
    ask.show()
    texts = {b.text() for b in ask.findChild(QDialogButtonBox).buttons()}
    assert texts == {"确定", "取消"}


def test_confirm_names_what_each_button_does(qtbot):
    """A question's buttons say what they do, and Enter alone does not take the risky one."""
    box = confirm_box(None, "要更换登记吗？", "更换已登记的证书", yes="更换登记", no="不更换")
    qtbot.addWidget(box)
    assert sorted(b.text() for b in box.buttons()) == sorted(["更换登记", "不更换"])
    assert box.defaultButton() is box.no_button and box.escapeButton() is box.no_button
    plain = confirm_box(None, "确定要继续吗？")
    qtbot.addWidget(plain)
    assert sorted(b.text() for b in plain.buttons()) == sorted(["确定", "取消"])


def test_file_dialog_is_chinese(qtbot, tmp_path):
    """Qt's own file dialog (open, save, folder) shows Chinese labels, buttons and tips."""
    make_app()
    for mode in ("open", "save", "folder"):
        dialog = QFileDialog(None, "选择学生花名册", str(tmp_path), "Excel 工作簿 (*.xlsx)")
        qtbot.addWidget(dialog)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        if mode == "save":
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        if mode == "folder":
            dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.show()
        labels = [w.text() for w in dialog.findChildren(QLabel) if w.text()]
        buttons = [w.text() for w in dialog.findChildren(QPushButton) if w.isVisibleTo(dialog)]
        tips = [w.toolTip() for w in dialog.findChildren(QToolButton) if w.toolTip()]
        model = dialog.findChild(QTreeView).model()
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
        assert len(labels) >= 3 and len(buttons) == 2 and tips, (labels, buttons, tips)
        english = [t for t in labels + buttons + tips + headers if not chinese(t)]
        assert not english, (mode, english)
        dialog.close()
