"""学校设置: what a school sets up once and adjusts now and then — teachers, the school calendar, the
aid programs and the settings — each a tab, so a principal never needs the command line. The other
screens point here (by these texts) when something they need is not set up yet."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ui.screens.base import Screen, heading

NO_TERMS = "还没有设置本学年的学期。请先到“学校设置 → 校历”中设置（可一键按默认设置）。"
NO_TEACHERS = "还没有登记在岗的教师，家访记录要写明家访教师。请先到“学校设置 → 教师”中登记。"
NO_PROGRAMS = "还没有资助项目。请先到“学校设置 → 资助项目”中添加（可一键添加国家默认项目）。"

TABS = (("teachers", "教师"), ("calendar", "校历"), ("aid", "资助项目"), ("settings", "参数设置"))


def has_terms(store) -> bool:
    return bool(store.scalar("SELECT 1 FROM terms LIMIT 1"))


def open_tab(window, key: str):
    """Show 学校设置 at one tab (from another screen's 'go and set it up' button)."""
    screen = window.show_screen("setup")
    screen.show_tab(key)
    return screen


def setup_hint(window, text: str, button: str, tab: str) -> QWidget:
    """A yellow bar saying what is missing, with a button to the 学校设置 tab that sets it up
    (hidden until the screen finds it missing)."""
    bar = QWidget()
    bar.setObjectName(f"setupHint_{tab}")
    row = QHBoxLayout(bar)
    label = QLabel(text)
    label.setWordWrap(True)
    go = QPushButton(button)
    go.setObjectName(f"goSetup_{tab}")
    go.clicked.connect(lambda: open_tab(window, tab))
    row.addWidget(label, 1)
    row.addWidget(go)
    bar.setStyleSheet("background: #fff3cd")
    bar.hide()
    return bar


class SetupScreen(Screen):
    def __init__(self, window):
        super().__init__(window)
        from ui.screens.setup_aid import AidProgramsTab
        from ui.screens.setup_calendar import CalendarTab
        from ui.screens.setup_settings import SettingsTab
        from ui.screens.setup_teachers import TeachersTab
        layout = QVBoxLayout(self)
        layout.addWidget(heading("学校设置"))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("setupTabs")
        self.teachers, self.calendar = TeachersTab(self), CalendarTab(self)
        self.aid, self.settings = AidProgramsTab(self), SettingsTab(self)
        self.pages = {"teachers": self.teachers, "calendar": self.calendar, "aid": self.aid, "settings": self.settings}
        for key, label in TABS:
            self.tabs.addTab(self.pages[key], label)
        layout.addWidget(self.tabs, 1)

    def show_tab(self, key: str):
        page = self.pages[key]
        self.tabs.setCurrentWidget(page)
        return page

    def reload(self) -> None:
        for page in self.pages.values():
            page.reload()

    def changed(self) -> None:
        """After a write from any tab: every screen refreshes (a new teacher shows in 家访 at once)."""
        self.window_.data_changed()
