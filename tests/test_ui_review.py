"""The 待核对 screen, offscreen: what an import kept instead of refusing is listed with the original
text; the principal picks the right value from the code table, types a phone, or keeps it empty,
and the list empties; a double-click opens the student; the screen fits an office screen."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from jiaoyuapp.roster import review
from jiaoyuapp.roster.roster_import import import_roster
from jiaoyuapp.school import open_school
from tests.ui_helpers import empty_school, open_window
from tests.xueji_workbook import UNKNOWN_TRANSPORT, write_xueji_workbook

TODAY = dt.date(2026, 11, 22)


def school_with_values_to_check(tmp_path):
    db = empty_school(tmp_path / "学校.db")
    book = tmp_path / "学生信息.xlsx"
    write_xueji_workbook(book, 40, seed=11, unknown_labels=2, overrides={7: {"成员1联系电话": "1380013800"}})
    store = open_school(db)
    try:
        report = import_roster(store, book, today=TODAY)
        assert report.created == 40 and report.problems == []
    finally:
        store.close()
    return db


def row_texts(screen, row):
    return [screen.table.item(row, c).text() for c in range(screen.table.columnCount())]


def pending_in(db):
    store = open_school(db)
    try:
        return review.pending(store)
    finally:
        store.close()


def test_review_lists_and_settles_every_value(qtbot, tmp_path):
    """Each kept value shows student, class, column and original text; choosing 步行, typing a phone
    and keeping one empty clear the list, in the database too."""
    db = school_with_values_to_check(tmp_path)
    window = open_window(qtbot, db)
    screen = window.show_screen("review")
    assert [window.nav.item(i).text() for i in range(3)] == ["首页", "学生花名册", "待核对"]
    assert screen.table.rowCount() == 3 and "3项" in screen.summary.text()
    rows = [row_texts(screen, r) for r in range(3)]
    assert sorted(r[2:] for r in rows) == [["上下学交通方式", UNKNOWN_TRANSPORT], ["上下学交通方式", UNKNOWN_TRANSPORT],
                                           ["成员1联系电话", "1380013800"]]
    assert all(r[0] and "年级" in r[1] for r in rows)

    boat = next(r for r in range(3) if row_texts(screen, r)[2] == "上下学交通方式")
    screen.table.selectRow(boat)
    assert screen.choice.isVisibleTo(screen) and not screen.typed.isVisibleTo(screen)
    assert screen.choice.findText("步行") >= 0 and UNKNOWN_TRANSPORT in screen.prompt.text()
    screen.choice.setCurrentText("步行")
    qtbot.mouseClick(screen.resolve_button, Qt.MouseButton.LeftButton)
    assert screen.table.rowCount() == 2

    phone = next(r for r in range(2) if row_texts(screen, r)[2] == "成员1联系电话")
    screen.table.selectRow(phone)
    assert screen.typed.isVisibleTo(screen) and not screen.choice.isVisibleTo(screen)
    qtbot.keyClicks(screen.typed, "13800138000")
    qtbot.mouseClick(screen.resolve_button, Qt.MouseButton.LeftButton)
    assert screen.table.rowCount() == 1

    screen.table.selectRow(0)
    qtbot.mouseClick(screen.accept_button, Qt.MouseButton.LeftButton)
    assert screen.table.rowCount() == 0 and "没有待核对" in screen.summary.text()
    assert pending_in(db) == []
    store = open_school(db)
    try:
        counts = store.query("SELECT transport, count(*) n FROM students WHERE transport IS NULL OR transport = '1' "
                             "GROUP BY transport ORDER BY transport")
        assert store.scalar("SELECT count(*) FROM guardians WHERE phone = '13800138000'") == 1
    finally:
        store.close()
    assert counts[0]["transport"] is None and counts[0]["n"] == 1


def test_a_wrong_choice_is_explained_and_nothing_changes(qtbot, tmp_path):
    """A phone that still cannot be right is refused with a message, and the line stays to check."""
    db = school_with_values_to_check(tmp_path)
    window = open_window(qtbot, db)
    screen = window.show_screen("review")
    phone = next(r for r in range(3) if row_texts(screen, r)[2] == "成员1联系电话")
    screen.table.selectRow(phone)
    qtbot.keyClicks(screen.typed, "12345")
    qtbot.mouseClick(screen.resolve_button, Qt.MouseButton.LeftButton)
    from tests.ui_helpers import close_message_boxes, message_boxes
    qtbot.waitUntil(lambda: any("手机号" in t for t in message_boxes()), timeout=3000)
    close_message_boxes()
    assert screen.table.rowCount() == 3 and len(pending_in(db)) == 3


def test_double_click_opens_the_student(qtbot, tmp_path):
    """Double-clicking a line opens that student's page."""
    db = school_with_values_to_check(tmp_path)
    window = open_window(qtbot, db)
    screen = window.show_screen("review")
    name = screen.table.item(0, 0).text()
    rect = screen.table.visualItemRect(screen.table.item(0, 0))
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    page = window.screen("student")
    assert window.stack.currentWidget() is page
    assert page.edits["name"].text() == name


def test_review_screen_fits_an_office_screen(qtbot, tmp_path):
    """The screen needs no more than 1366×740, at 100% and at 125% text size."""
    db = school_with_values_to_check(tmp_path)
    window = open_window(qtbot, db)
    screen = window.show_screen("review")
    screen.table.selectRow(0)
    hint = screen.minimumSizeHint()
    assert hint.width() <= 1366 - 220 and hint.height() <= 740
    font = screen.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    screen.setFont(font)
    hint = screen.minimumSizeHint()
    assert hint.width() <= 1366 - 220 and hint.height() <= 740
    window.resize(1366, 740)
    assert window.height() <= 740
