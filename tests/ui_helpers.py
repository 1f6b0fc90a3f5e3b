"""Windows on demo schools for the pytest-qt tests (offscreen; synthetic people only)."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from jiaoyuapp.exchange import identity

SECRET = "校长口令ui2026"
_TEMPLATE: dict[int, Path] = {}


def demo_db(folder: Path, students: int = 120) -> Path:
    """A copy of a demo school (made once per test session and size)."""
    from jiaoyuapp.demo_school import make_demo_school as make_demo
    if students not in _TEMPLATE:
        import tempfile
        template_dir = Path(tempfile.mkdtemp(prefix="jiaoyu-ui-template-"))
        _TEMPLATE[students] = make_demo(template_dir, students)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "演示学校.db"
    shutil.copy(_TEMPLATE[students], target)
    return target


def open_window(qtbot, path: Path, track: bool = True):
    from ui import fonts
    from ui.main_window import MainWindow
    from ui.session import Session
    fonts.apply_font(QApplication.instance())  # as `jiaoyu-app` does
    window = MainWindow(Session(path))
    if track:  # closed by pytest-qt at the end (a window the test destroys itself is not tracked)
        qtbot.addWidget(window)
    window.show()
    return window


def with_key(path: Path) -> None:
    from jiaoyuapp.school import open_school, require_school
    store = open_school(path)
    try:
        school = require_school(store)
        identity.create(store, kind="school", code=school["code"], name=school["name"], passphrase=SECRET)
    finally:
        store.close()


def message_boxes() -> list[str]:
    """Texts of the message boxes now open (errors and notices), newest last."""
    return [w.text() for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def close_message_boxes() -> None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible():
            w.close()


def empty_school(path: Path, name: str = "大坪小学") -> Path:
    """A registered school with nobody on its roster yet."""
    from jiaoyuapp.school import init_school, open_school
    store = open_school(path)
    init_school(store, code="5101230001", name=name)
    store.close()
    return path


def roster_workbook(path: Path, rows: int, seed: int) -> Path:
    """A 学籍-system roster export of `rows` invented students."""
    from jiaoyuapp.roster.demo import generate
    from jiaoyuapp.roster.roster_export import write_roster
    write_roster(path, generate(rows, seed=seed), "学生基础信息")
    return path
