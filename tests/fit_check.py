"""Does the window fit a 1366×768 office screen? Shared by tests/test_ui_fit.py, in its own process
and, for 125 % display scaling, in a child process started with QT_SCALE_FACTOR=1.25
(`python -m tests.fit_check OUT.json`, which writes the problems found as JSON).

The usable area is 1366×740 physical pixels (768 less the taskbar), less a title bar; at a scale
factor s Qt lays out in pixels 1/s as large, so the window has 1366/s × 740/s of them. Every
screen is shown with its largest content, and the window is checked two ways: its minimum size
fits, and, at exactly the usable size, every button and field of the screen can be reached — shown
whole inside the window, or inside a scroll area that scrolls to it."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractScrollArea, QAbstractSpinBox,
                               QApplication, QComboBox, QLineEdit, QPlainTextEdit, QScrollArea, QTextEdit,
                               QWidget)

USABLE = (1366, 740)   # physical pixels: a 1366×768 screen less the taskbar
TITLE_BAR = 30         # the window's frame, not part of its client area
CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QTextEdit, QAbstractItemView)
SCROLLING = 40         # a list or table needs this much of itself on screen to be used


def usable(scale: float) -> tuple[int, int]:
    """The client area a window may have at display scale `scale`, in Qt's (logical) pixels."""
    return int(USABLE[0] / scale), int(USABLE[1] / scale) - TITLE_BAR


def settle(ms: int = 100) -> None:
    from ui.screenshots import settle as wait
    wait(ms)


def wait_until(condition, timeout: float = 30) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        settle(50)
    return condition()


def _rect_in(widget: QWidget, top: QWidget) -> QRect:
    return QRect(widget.mapTo(top, QPoint(0, 0)), widget.size())


def _shown_part(widget: QWidget, top: QWidget, room: QRect) -> QRect:
    """The part of `widget` not clipped away by its parents or the screen (in `top`'s coordinates)."""
    part = _rect_in(widget, top)
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        part = part.intersected(_rect_in(parent, top))
        parent = parent.parentWidget()
    return part.intersected(top.rect()).intersected(room)


def _owner(widget: QWidget, top: QWidget) -> QWidget:
    """The control a user reaches: a list's cell editor is reached through the list, a date picker's
    text through the picker."""
    found, parent = widget, widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, (QAbstractItemView, QComboBox, QAbstractSpinBox)):
            found = parent
        parent = parent.parentWidget()
    return found


def controls(root: QWidget, top: QWidget) -> list[QWidget]:
    """Every button and field of `root` that is meant to be seen now (hidden ones are not)."""
    out = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, CONTROLS) or w.isWindow() or not w.isVisibleTo(top):
            continue
        if type(w).__name__ in ("QTableCornerButton", "QToolBarExtension") or w.objectName().startswith("qt_"):
            continue
        w = _owner(w, root)
        if w not in out:
            out.append(w)
    return out


def unreachable(root: QWidget, top: QWidget, room: tuple[int, int]) -> list[str]:
    """Controls of `root` that cannot be brought whole into view inside `top` as it is sized now,
    on a screen with `room` for it."""
    problems = []
    for w in controls(root, top):
        areas, parent = [], w.parentWidget()
        while parent is not None and parent is not top:
            if isinstance(parent, QScrollArea) and parent.widget() is not None and parent.widget().isAncestorOf(w):
                areas.append(parent)
            parent = parent.parentWidget()
        for area in areas:  # the innermost first; the whole control, not only its text cursor
            at = w.mapTo(area.widget(), QPoint(0, 0))
            half_w, half_h = w.width() // 2, w.height() // 2
            area.ensureVisible(at.x() + half_w, at.y() + half_h, half_w + 1, half_h + 1)
        QApplication.processEvents()
        whole, shown = _rect_in(w, top), _shown_part(w, top, QRect(0, 0, *room))
        if isinstance(w, QAbstractScrollArea):
            ok = shown.height() >= min(whole.height(), SCROLLING) and shown.width() >= min(whole.width(), SCROLLING)
        else:
            ok = shown == whole and not whole.isEmpty()
        if not ok:
            label = getattr(w, "text", lambda: "")() if isinstance(w, (QAbstractButton, QLineEdit)) else ""
            problems.append(f"{type(w).__name__} {w.objectName() or label!r}: {shown.width()}×{shown.height()} "
                            f"of {whole.width()}×{whole.height()} in view")
    return problems


def size_problems(window: QWidget, room: tuple[int, int]) -> list[str]:
    out = []
    for what, size in (("minimumSizeHint", window.minimumSizeHint()), ("minimumSize", window.minimumSize())):
        if size.width() > room[0] or size.height() > room[1]:
            out.append(f"{what} {size.width()}×{size.height()} is larger than {room[0]}×{room[1]}")
    return out


def check(window: QWidget, root: QWidget, room: tuple[int, int]) -> list[str]:
    """Size the window to the usable area (or less, for a dialog that asks for less) and check."""
    problems = size_problems(window, room)
    if window.inherits("QDialog"):  # a dialog keeps the size it asks for, within the screen
        size = window.size().boundedTo(window.size().expandedTo(window.minimumSizeHint()))
        window.resize(min(size.width(), room[0]), min(size.height(), room[1]))
    else:
        window.resize(*room)
    settle(50)
    return problems + unreachable(root, window, room)


# -- the largest content of each screen -------------------------------------------------------------------

LONG = "孩子放学后由奶奶照看，奶奶年纪大、不识字，作业没人辅导；父母在外省打工，每月打电话一次。" * 3


def _cases(window, screen) -> None:
    """The 送教上门 case with the most sessions (every panel of the case page shows), else the one
    with the most attempts."""
    store = window.session.store
    uuid = (store.scalar("SELECT case_uuid FROM home_teaching GROUP BY case_uuid ORDER BY count(*) DESC LIMIT 1")
            or store.scalar("SELECT case_uuid FROM attempts GROUP BY case_uuid ORDER BY count(*) DESC LIMIT 1"))
    screen.reload()
    uuid = uuid or (screen.rows[0]["uuid"] if screen.rows else None)
    if uuid is None:
        return
    screen.open_case(uuid)
    screen.plan.setPlainText(LONG)


def _visits(window, screen) -> None:
    """A long visit form: a household with siblings chosen, every field filled, photos, the draft bar."""
    store = window.session.store
    kid = store.scalar("SELECT uuid FROM students WHERE household_uuid IN (SELECT household_uuid FROM students "
                       "WHERE status = '在读' GROUP BY household_uuid HAVING count(*) > 1) LIMIT 1") \
        or store.scalar("SELECT uuid FROM students LIMIT 1")
    screen.find.setText(store.scalar("SELECT name FROM students WHERE uuid = ?", (kid,))[:1])
    screen.choose_student(kid)
    for key, edit in screen.fields.items():
        if isinstance(edit, QPlainTextEdit):
            edit.setPlainText(LONG)
        elif key == "followup_date":
            edit.setText("2026-12-20")
        else:
            edit.setText(LONG[:30])
    screen.draft_bar.show()


def _absences(window, screen) -> None:
    screen.class_box.setCurrentIndex(0)
    screen.calendar_button.show()   # shown when a school has no calendar yet
    screen.day_note.setText("（国庆节，不是教学日）")


def _export(window, screen) -> None:
    screen.result.setText("已导出第12号数据包（已加密给中心校）：\n" + "E:/" + "很长的文件夹名/" * 8 + "数据包.jyp\n"
                          "数据包指纹：1234 5678 9012 3456 7890 1234（请校长记下，交接时与中心校核对）")


PREPARE = {"cases": _cases, "visits": _visits, "absences": _absences, "export": _export}


def _loaded(screen) -> bool:
    return all(getattr(screen, flag, True) for flag in ("loaded", "tasks_ready", "board_ready"))


def check_screens(window, keys: list[str], room) -> dict[str, list[str]]:
    """Every screen of `keys`, one after another in the same window (as a user visits them)."""
    found = {}
    for key in keys:
        screen = window.show_screen(key)
        wait_until(lambda: _loaded(screen))
        if key in PREPARE:
            PREPARE[key](window, screen)
        settle()
        found[key] = check(window, screen, room)
    return found


def check_student(window, room) -> list[str]:
    store = window.session.store
    kid = store.scalar("SELECT student_uuid FROM cases GROUP BY student_uuid ORDER BY count(*) DESC LIMIT 1")
    page = window.open_student(kid)
    settle()
    return check(window, page, room)


def check_wizard(folder: Path, room) -> dict[str, list[str]]:
    from ui.first_run import FirstRunWizard
    wizard = FirstRunWizard(folder=folder)
    wizard.show()
    found = {}
    for page_id in wizard.pageIds():
        wizard.setStartId(page_id)
        wizard.restart()
        settle(50)
        found[f"首次使用向导 page {page_id}"] = check(wizard, wizard.currentPage(), room)
    wizard.close()
    return found


def check_import(window, workbook: Path, room) -> list[str]:
    dialog = window.show_screen("roster").start_import(str(workbook))
    wait_until(lambda: dialog.report is not None)
    settle()
    found = check(dialog, dialog, room)
    dialog.close()
    return found


def messy_workbook(path: Path, hints: int = 40) -> Path:
    """A roster with three refused rows and `hints` rows with the same hint (synthetic people)."""
    from tests.workbooks import make_id, save
    rows = [["红岩村小学学生花名册"], ["姓名", "身份证号码", "年级", "班级", "出生日期", "是否留守儿童", "家庭住址"]]
    for i in range(hints):
        rows.append([f"学生{i}", make_id("20170712", 100 + i), "四年级", "2班", "2017.7.12", "是",
                     "青石镇红岩村" + "很长的地址" * 6])
    rows.insert(5, ["张三", "51012320180305001", "三年级", "1班", "2018-03-05", "否", "青石镇红岩村"])
    rows.insert(9, ["", make_id("20180305", 11), "三年级", "1班", "2018-03-05", "否", "青石镇红岩村"])
    rows.append(["李四", make_id("20180305", 13), "三年级", "1班", "2016-01-01", "否", "青石镇红岩村"])
    return save(rows, path, merges=["A1:G1"])


def check_all(scale: float, work: Path) -> dict[str, list[str]]:
    """The whole window at display scale `scale`: every school screen, the student page, the
    township screens, the import wizard on a messy workbook, every page of the first-run wizard."""
    from tests.ui_helpers import demo_db
    from ui.main_window import SCHOOL_SCREENS, TOWNSHIP_SCREENS, MainWindow
    from ui.screenshots import _center_with_demo
    from ui.session import Session
    room = usable(scale)
    db = demo_db(work / "school")
    window = MainWindow(Session(db))
    window.show()
    found = check_screens(window, [k for k, _ in SCHOOL_SCREENS], room)
    found["student"] = check_student(window, room)
    found["import"] = check_import(window, messy_workbook(work / "花名册.xlsx"), room)
    window.switch_to(Session(_center_with_demo(work / "center", demo_db(work / "for-center"))))
    found.update(check_screens(window, [k for k, _ in TOWNSHIP_SCREENS], room))
    found.update(check_wizard(work / "wizard", room))
    window.close()
    return {k: v for k, v in found.items() if v}


def main(out: str) -> int:
    """Run in a child process (QT_SCALE_FACTOR set by the parent): write the problems as JSON."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.app import make_app
    app = make_app()
    scale = app.primaryScreen().devicePixelRatio()
    with tempfile.TemporaryDirectory(prefix="jiaoyu-fit-") as tmp:
        found = check_all(scale, Path(tmp))
    Path(out).write_text(json.dumps({"scale": scale, "problems": found}, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
