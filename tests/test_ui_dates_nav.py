"""Dates read 2019-04-03 on every screen, every date field is a date picker (an optional one has a
tick box), and the left list marks the current screen even while the focus is elsewhere."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QLabel, QLineEdit, QTableView, QTreeWidget,
                               QTreeWidgetItemIterator)

from ui.main_window import NAV_COLOR, SCHOOL_SCREENS
from tests.ui_helpers import close_message_boxes, demo_db, open_window

# 20190403 on its own (not inside an ID number or a 学籍号), or 2019/4/3, 2019.04.03, 2019年4月3日
PACKED = re.compile(r"(?<![0-9A-Za-z])(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![0-9])")
OTHER = re.compile(r"(19|20)\d\d[./年]\d{1,2}[./月]\d{1,2}")
# followup_date, absenceDay, transfer_day, paid_on, teachOn; not a count of days or an amount per day
DATE_NAME = re.compile(r"(?i:date|日期)|(?<![Pp]er)(?<!per_)(Day|_day)$|^day$|_on$|[a-z]On$")
DATE_HINT = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|日期|年月日")


def _texts(root) -> list[str]:
    """What a screen shows as text: labels, fields, and every cell of its tables and trees."""
    out = [w.text() for w in root.findChildren(QLabel) + root.findChildren(QLineEdit) if w.isVisibleTo(root)]
    for view in root.findChildren(QTableView):
        model = view.model()
        if model is None:
            continue
        for r in range(min(model.rowCount(), 300)):
            for c in range(model.columnCount()):
                out.append(str(model.index(r, c).data() or ""))
    for tree in root.findChildren(QTreeWidget):
        it = QTreeWidgetItemIterator(tree)
        while it.value():
            out += [it.value().text(c) for c in range(tree.columnCount())]
            it += 1
    return out


def _busiest(window):
    """Show every screen with data: a case with attempts open, a student with a case."""
    from ui.screenshots import settle
    store = window.session.store
    shown = {}
    for key, _ in SCHOOL_SCREENS:
        screen = window.show_screen(key)
        if key == "cases" and screen.rows:
            screen.open_case(store.scalar("SELECT case_uuid FROM attempts GROUP BY case_uuid "
                                          "ORDER BY count(*) DESC LIMIT 1") or screen.rows[0]["uuid"])
        settle()
        shown[key] = screen
    kid = store.scalar("SELECT student_uuid FROM cases LIMIT 1")
    shown["student"] = window.open_student(kid)
    return shown


def test_dates_read_year_month_day_with_dashes_everywhere(qtbot, tmp_path):
    """No screen shows a date as 20190403 or 2019.4.3: the roster, the student, cases, aid and the rest."""
    window = open_window(qtbot, demo_db(tmp_path))
    roster = window.show_screen("roster")
    births = [roster.model.index(r, 3).data() for r in range(roster.model.rowCount())]
    assert births and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", b) for b in births if b), births[:5]
    seen = {}
    for key, screen in _busiest(window).items():
        texts = _texts(screen)
        seen[key] = [t for t in texts if re.search(r"\d{4}-\d{2}-\d{2}", t)]
        wrong = [t for t in texts if PACKED.search(t) or OTHER.search(t)]
        assert not wrong, (key, wrong[:5])
    assert seen["cases"] and seen["student"] and seen["aid"]  # the check saw dates there
    close_message_boxes()


def _line_edits(window):
    from ui.first_run import FirstRunWizard
    from ui.screens.cases import StepDialog
    roots = list(_busiest(window).items())
    roots.append(("wizard", FirstRunWizard(window, folder=window.session.path.parent)))
    roots.append(("case step", StepDialog(window, "劝返中", "已复学", "placement")))
    for name, root in roots:
        for edit in root.findChildren(QLineEdit):
            inside = edit.parent()
            while inside is not None and inside is not root and not isinstance(inside, QAbstractItemView) \
                    and not hasattr(inside, "lineEdit"):
                inside = inside.parent()
            if inside is root or inside is None:  # not the text part of a date picker or a list box
                yield name, edit


def test_every_date_field_is_a_date_picker(qtbot, tmp_path):
    """No field asks for a date to be typed (如 2026-12-01): each is a calendar picker."""
    window = open_window(qtbot, demo_db(tmp_path))
    typed = [(where, e.objectName(), e.placeholderText()) for where, e in _line_edits(window)
             if DATE_NAME.search(e.objectName()) or DATE_HINT.search(e.placeholderText())]
    assert not typed, typed
    # the optional ones are pickers with a tick box: unticked means no date
    screen = window.show_screen("visits")
    follow = screen.fields["followup_date"]
    assert follow.text() == "" and not follow.picker.isEnabled()
    follow.setText("2026-12-20")
    assert follow.given.isChecked() and follow.text() == "2026-12-20"
    assert screen.values()["followup_date"] == "2026-12-20"
    follow.clear()
    assert screen.values()["followup_date"] is None
    cases = window.show_screen("cases")
    cases.attempt_next.given.setChecked(True)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cases.attempt_next.text())


def _marked(window) -> QColor:
    """The colour drawn in the middle-left of the nav list's selected row."""
    nav = window.nav
    rect = nav.visualItemRect(nav.currentItem())
    image = nav.viewport().grab().toImage()
    return image.pixelColor(rect.left() + 3, rect.center().y())


def test_current_screen_stays_marked_in_the_left_list(qtbot, tmp_path):
    """After a click, show_screen or Ctrl+N, the list marks that screen, also with the focus in the screen."""
    window = open_window(qtbot, demo_db(tmp_path))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    keys = [k for k, _ in SCHOOL_SCREENS]
    current = lambda: window.nav.currentItem().data(Qt.ItemDataRole.UserRole)  # noqa: E731
    window.nav.setCurrentRow(keys.index("visits"))
    assert current() == "visits" and window.stack.currentWidget() is window.screen("visits")
    window.show_screen("aid")
    assert current() == "aid"
    for number in (3, 2, 4):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        assert current() == keys[number - 1]
        assert window.stack.currentWidget() is window.screen(keys[number - 1])
    roster = window.screen("roster")
    roster.search.setFocus()
    qtbot.waitUntil(roster.search.hasFocus)
    assert not window.nav.hasFocus()
    window.nav.setCurrentRow(keys.index("roster"))
    roster.search.setFocus()
    colour = _marked(window)
    want = QColor(NAV_COLOR)
    assert max(abs(colour.red() - want.red()), abs(colour.green() - want.green()), abs(colour.blue() - want.blue())) < 20, colour.name()
    assert QApplication.focusWidget() is roster.search


def test_a_students_page_marks_the_roster_and_a_click_there_goes_back(qtbot, tmp_path):
    """A student's page opened from 控辍保学 marks 学生花名册 (where the page belongs), not the screen it came from;
    clicking 学生花名册 then goes back to the roster."""
    window = open_window(qtbot, demo_db(tmp_path))
    window.show_screen("cases")
    kid = window.session.store.scalar("SELECT uuid FROM students LIMIT 1")
    window.open_student(kid)
    assert window.nav.currentItem().data(Qt.ItemDataRole.UserRole) == "roster"
    item = window.nav.currentItem()
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=window.nav.visualItemRect(item).center())
    assert window.stack.currentWidget() is window.screen("roster")
    from ui import tasks
    qtbot.waitUntil(lambda: not tasks._RUNNING, timeout=30000)   # the screens' reports done before the window closes
