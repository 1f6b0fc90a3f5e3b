"""Short Chinese dialogs, and the last line of defence for errors nobody expected."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget

from jiaoyuapp.errors import JiaoyuError
from ui.todo_hints import window_text


def answer_buttons(accept, reject, yes: str = "确定", no: str = "取消") -> QDialogButtonBox:
    """A form dialog's two buttons, named in Chinese even where Qt's catalog is missing; `accept` and
    `reject` are what each does (a dialog's accept/reject, or a save that checks first)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(yes)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(no)
    buttons.accepted.connect(accept)
    buttons.rejected.connect(reject)
    return buttons


_OPEN: set = set()  # boxes without a parent are kept alive until closed


def _show(icon, parent: QWidget | None, message: str, title: str, name: str) -> QMessageBox:
    box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
    box.button(QMessageBox.StandardButton.Ok).setText("确定")  # Chinese even where Qt's catalog is missing
    box.setObjectName(name)
    if parent is None:
        _OPEN.add(box)
        box.finished.connect(lambda _: _OPEN.discard(box))
    box.open()
    return box


def show_error(parent: QWidget | None, message: str | JiaoyuError, title: str = "提示") -> QMessageBox:
    """`message` may be the core's error itself: then the dialog also says where in the window to
    put it right (its `todo`, ui/todo_hints.py)."""
    return _show(QMessageBox.Icon.Warning, parent, window_text(message), title, "errorDialog")


def show_info(parent: QWidget | None, message: str, title: str = "完成") -> QMessageBox:
    return _show(QMessageBox.Icon.Information, parent, message, title, "infoDialog")


def confirm(parent: QWidget | None, message: str, title: str = "请确认", yes: str = "确定", no: str = "取消") -> bool:
    """Ask before something that cannot simply be taken back. `yes` and `no` name what each button
    does (“更换登记” / “不更换”), so nobody has to read the question twice; 取消 (and Esc) is the
    default, so a hurried Enter changes nothing."""
    box = confirm_box(parent, message, title, yes, no)
    box.exec()
    return box.clickedButton() is box.yes_button


def confirm_box(parent: QWidget | None, message: str, title: str = "请确认", yes: str = "确定",
                no: str = "取消") -> QMessageBox:
    """The box `confirm` shows (not yet shown): tests read its buttons."""
    box = QMessageBox(QMessageBox.Icon.Question, title, message, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("confirmDialog")
    box.yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(box.no_button)
    box.setEscapeButton(box.no_button)
    return box


def guarded(parent: QWidget | None, action, *args, **kwargs):
    """Call the core; a refusal becomes a dialog saying what to do, and nothing crashes."""
    try:
        return action(*args, **kwargs)
    except JiaoyuError as exc:
        show_error(parent, exc)
    return None


def export_certificate(parent: QWidget, store, title: str) -> str | None:
    """Save this database's certificate (PEM) where the user chooses; returns the path."""
    from ui import file_dialogs

    from jiaoyuapp.atomic_write import write_bytes_atomically
    from jiaoyuapp.exchange import identity
    me = identity.active(store, required=False)
    if me is None:
        show_error(parent, "还没有密钥，请先设置密钥。")
        return None
    path = file_dialogs.save_file(parent, title, f"{me['name']}.pem", "证书 (*.pem)", "certificate")
    if path and guarded(parent, write_bytes_atomically, path, me["certificate"].encode("ascii")):
        show_info(parent, f"证书已导出：{path}\n指纹：{me['fingerprint']}")
        return path
    return None


def install_excepthook() -> None:
    """An unexpected error in a slot is logged (without children's data) and explained; the app keeps running."""
    def hook(exc_type, exc, tb):
        from jiaoyuapp.error_log import log_unexpected
        if issubclass(exc_type, JiaoyuError):
            show_error(None, exc)
            return
        from jiaoyuapp.store.damage import corruption_error, is_corruption
        if is_corruption(exc):  # a screen ran into damaged pages of the school's file
            show_error(None, corruption_error(None, "这一步"), title="数据库有损坏")
            return
        path = log_unexpected((exc_type, exc, tb), where="jiaoyu-app")
        show_error(None, f"出现意外错误，这一步没有完成，已保存的数据没有受影响。详情已记录在：{path}，"
                         "请把这个文件发给技术支持。", title="意外错误")
    sys.excepthook = hook
