"""What every tab of 学校设置 shares: it belongs to the screen, and writes through the core."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from jiaoyuapp.errors import JiaoyuError
from ui.dialogs import show_error


class SetupTab(QWidget):
    def __init__(self, screen):
        super().__init__()
        self.screen = screen

    def write(self, action, *args, **kwargs):
        """Call a core write for this school, as the window (“窗口” in the change log). A refusal
        becomes a dialog saying what to do and where (its todo hint), and gives None; otherwise
        every screen refreshes and the core's answer comes back (True where it returns nothing)."""
        try:
            result = action(self.screen.store, *args, actor="窗口", **kwargs)
        except JiaoyuError as exc:
            show_error(self, exc)
            return None
        self.screen.changed()
        return True if result is None else result
