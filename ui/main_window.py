"""The main window: a list of screens on the left, the open school always named in the title bar,
and any number of school databases a click apart (a center school keeps its 教学点's ledgers too)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QComboBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QMainWindow, QStackedWidget, QToolBar, QWidget)

from jiaoyuapp.errors import JiaoyuError
from ui import fonts
from ui.dialogs import show_error
from ui.session import Session, recent

SCHOOL_SCREENS = [("home", "首页"), ("roster", "学生花名册"), ("review", "待核对"), ("visits", "家访"),
                  ("absences", "考勤"), ("cases", "控辍保学"), ("aid", "资助"), ("export", "导出与回执"),
                  ("school_year", "学年升级"), ("backups", "备份与恢复"), ("setup", "学校设置")]
TOWNSHIP_SCREENS = [("township", "中心校")]
# The current screen stays marked in the list while the focus is in the screen itself (styles draw
# an unfocused selection pale grey, or not at all): a style sheet does not depend on the focus.
NAV_COLOR = "#1f6fb2"
NAV_STYLE = (f"QListWidget#nav::item {{ padding: 5px 6px; }}"
             f"QListWidget#nav::item:selected, QListWidget#nav::item:selected:!active, "
             f"QListWidget#nav::item:selected:!focus {{ background: {NAV_COLOR}; color: white; }}"
             f"QListWidget#nav::item:hover:!selected {{ background: #e3eefa; }}")


def _screen_class(key: str):
    from ui.screens import (absences, aid, backups, cases, export, home, review, roster, school_year, setup,
                            student, township, visits)
    return {"home": home.HomeScreen, "roster": roster.RosterScreen, "review": review.ReviewScreen,
            "visits": visits.VisitsScreen,
            "absences": absences.AbsencesScreen, "cases": cases.CasesScreen, "aid": aid.AidScreen,
            "export": export.ExportScreen, "student": student.StudentScreen,
            "township": township.TownshipScreen,
            "school_year": school_year.SchoolYearScreen,
            "backups": backups.BackupsScreen, "setup": setup.SetupScreen}[key]


def warm_up() -> None:
    """Load the pinyin dictionaries once, off the UI thread, right after the window is up. Loading
    them is one long step (~0.3 s) that would otherwise pause the window in the middle of the first
    import or search. Then everything loaded so far (Qt's modules, those dictionaries: millions of
    objects that live as long as the app) is moved out of the garbage collector's way: otherwise
    each full collection during a big import walks them all and pauses the window for 100+ ms."""
    import gc

    from ui.tasks import Task

    def work(progress, cancel):
        from jiaoyuapp.roster.pinyin_names import name_keys
        name_keys("张三")
        gc.collect()
        gc.freeze()
    Task(work).start()


class MainWindow(QMainWindow):
    def __init__(self, session: Session):
        super().__init__()
        self.sessions: dict[Path, Session] = {}
        self.session: Session = session
        self.screens: dict[str, QWidget] = {}
        self.resize(1200, 780)
        self._build_menus()
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(150)
        self.nav.setStyleSheet(NAV_STYLE)
        self.stack = QStackedWidget()
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)
        self.nav.currentRowChanged.connect(self._nav_changed)
        self.nav.itemClicked.connect(self._nav_clicked)
        self.switch_to(session)
        QTimer.singleShot(0, warm_up)

    # -- menus and the school switcher ------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        for text, key, slot in [("打开学校数据库…", QKeySequence.StandardKey.Open, self.choose_database),
                                ("新建学校或中心校…", QKeySequence.StandardKey.New, self.new_database)]:
            action = QAction(text, self)
            action.setShortcut(key)
            action.triggered.connect(slot)
            file_menu.addAction(action)
        file_menu.addSeparator()
        quit_action = QAction("退出", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view = self.menuBar().addMenu("查看(&V)")
        for text, keys, step in [("放大字号", ["Ctrl++", "Ctrl+="], 1), ("缩小字号", ["Ctrl+-"], -1)]:
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.triggered.connect(lambda _=False, s=step: fonts.zoom(QApplication.instance(), s))
            view.addAction(action)
        go = self.menuBar().addMenu("转到(&G)")
        for number in range(1, 10):  # Ctrl+1 … Ctrl+9: the screens in the list's order
            action = QAction(f"第{number}个界面", self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, row=number - 1: row < self.nav.count() and self.nav.setCurrentRow(row))
            go.addAction(action)
        bar = QToolBar("学校")
        bar.setMovable(False)
        bar.addWidget(QLabel(" 当前学校："))
        self.switcher = QComboBox()
        self.switcher.setObjectName("schoolSwitcher")
        self.switcher.setMinimumWidth(360)
        self.switcher.activated.connect(self._switcher_chosen)
        bar.addWidget(self.switcher)
        self.addToolBar(bar)

    def _fill_switcher(self) -> None:
        self.switcher.blockSignals(True)
        self.switcher.clear()
        paths = list(self.sessions) + [p.resolve() for p in recent() if p.resolve() not in self.sessions]
        for path in paths:
            label = self.sessions[path].title() if path in self.sessions else f"{path.stem}（{path}）"
            self.switcher.addItem(label, str(path))
        self.switcher.setCurrentIndex(paths.index(self.session.path))
        self.switcher.blockSignals(False)

    def _switcher_chosen(self, index: int) -> None:
        self.open_path(Path(self.switcher.itemData(index)))

    def choose_database(self) -> None:
        from ui import file_dialogs
        path = file_dialogs.open_file(self, "打开学校数据库", "学校数据库 (*.db)", "database")
        if path:
            self.open_path(Path(path))

    def new_database(self) -> None:
        from ui.first_run import FirstRunWizard
        wizard = FirstRunWizard(self)
        if wizard.exec() and wizard.session:
            self.switch_to(wizard.session)

    def open_path(self, path: Path) -> None:
        path = path.resolve()
        if path in self.sessions:
            self.switch_to(self.sessions[path])
            return
        try:
            self.switch_to(Session(path))
        except JiaoyuError as exc:
            show_error(self, exc)
            self._fill_switcher()

    # -- screens -------------------------------------------------------------
    def switch_to(self, session: Session) -> None:
        self.sessions[session.path] = session
        self.session = session
        if session.mode != "township" and session.school:  # at most one a day, in the background
            from ui.tasks import CoreCall, Task
            self._backup = Task(CoreCall("jiaoyuapp.store.backups:daily_backup", db=str(session.path), progress=False))
            # A backup that could not be taken (a full disk, a damaged file) is said once; the
            # window works on.
            self._backup.signals.failed.connect(
                lambda message, _unexpected: show_error(self, f"今天的自动备份没有完成。{message}", title="自动备份"))
            self._backup.start()
        for screen in self.screens.values():
            self.stack.removeWidget(screen)
            screen.deleteLater()
        self.screens.clear()
        self.nav.blockSignals(True)
        self.nav.clear()
        keys = TOWNSHIP_SCREENS if session.mode == "township" else SCHOOL_SCREENS
        for key, label in keys:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        self.nav.blockSignals(False)
        self.setWindowTitle(f"{session.title()} — 乡村学校控辍保学与家访台账")
        self._fill_switcher()
        self.nav.setCurrentRow(0)
        self._nav_changed(0)
        from jiaoyuapp import drafts
        if session.mode != "township" and drafts.load(session.path, "家访") is not None:
            self.statusBar().showMessage("上次有一份没有保存的家访记录草稿，请到“家访”中恢复或丢弃。")
        else:
            self.statusBar().clearMessage()

    def screen(self, key: str):
        if key not in self.screens:
            widget = _screen_class(key)(self)
            widget.setObjectName(f"screen_{key}")
            self.screens[key] = widget
            self.stack.addWidget(widget)
        return self.screens[key]

    def show_screen(self, key: str):
        widget = self.screen(key)
        self._highlight(key)
        self.stack.setCurrentWidget(widget)
        widget.refresh()
        return widget

    def _highlight(self, key: str) -> None:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.blockSignals(True)
                self.nav.setCurrentRow(row)
                self.nav.blockSignals(False)

    def _nav_clicked(self, item) -> None:
        """A click on the highlighted entry (学生花名册 while a student's page is open) goes back to it."""
        key = item.data(Qt.ItemDataRole.UserRole)
        if self.stack.currentWidget() is not self.screens.get(key):
            self.show_screen(key)

    def _nav_changed(self, row: int) -> None:
        if row >= 0:
            self.show_screen(self.nav.item(row).data(Qt.ItemDataRole.UserRole))

    def open_student(self, uuid: str):
        page = self.screen("student")
        page.load(uuid)
        self._highlight("roster")   # a student's page is part of 学生花名册, wherever it was opened from
        self.stack.setCurrentWidget(page)
        return page

    def data_changed(self) -> None:
        """After a write: screens refresh when next shown; the visible one now."""
        for widget in self.screens.values():
            widget.stale = True
        current = self.stack.currentWidget()
        if current is not None:
            current.refresh()

    def closeEvent(self, event) -> None:
        from ui.tasks import cancel_all
        cancel_all()  # closing never waits for a long export to finish; nothing half-written is kept
        for widget in self.screens.values():
            if hasattr(widget, "save_draft_now"):
                widget.save_draft_now()
        for session in self.sessions.values():
            session.close()
        super().closeEvent(event)
