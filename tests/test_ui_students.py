"""Managing students, the school year and backups in the window, with no command line: a student
added through the form (a bad ID refused there in the core's words), edited, transferred out and
back in, 休学 and 复学; the September 升级 previewed, applied and undone; a backup to a chosen folder
restored after a preview. Each of these screens fits 1366×740."""

from __future__ import annotations

import pytest
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


def _status(qtbot, page, kind: str, day: str, school: str = "", reason: str = "", grade: str = "", cls: str = ""):
    button = page.status_buttons[kind]
    assert button.isEnabled(), kind
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.status_dialog
    dialog.day.setDate(QDate.fromString(day, "yyyy-MM-dd"))
    dialog.other_school.setText(school)
    dialog.reason.setText(reason)
    if grade:
        dialog.grade.setCurrentText(grade)
        dialog.class_no.setText(cls)
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
    dialog = _status(qtbot, page, "复学", "2027-03-01", grade="二年级", cls="（2）班")   # rejoins the grade below
    assert not dialog.isVisible(), dialog.message.text()
    s = _student(store, uuid)
    assert (s["status"], s["status_date"], s["grade"], s["class_no"]) == ("在读", "2027-03-01", 2, "2")
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


def _scaled(qtbot, tmp_path, scale: float):
    """A window at 1366×740 with its text enlarged as at 125% (11 pt → 14 pt)."""
    from ui import fonts
    window = open_window(qtbot, demo_db(tmp_path))
    fonts.apply_font(QApplication.instance(), round(11 * scale))
    fonts.zoom(QApplication.instance(), 0)
    window.resize(*FIT)
    return window


@pytest.mark.parametrize("scale", [1.0, 1.25])
def test_student_screens_fit_an_office_screen(qtbot, tmp_path, scale):
    """If this fails, on a 1366×768 PC the student's page, the add form or its buttons run off the screen."""
    window = _scaled(qtbot, tmp_path, scale)
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


def _finish(qtbot, screen, task, timeout=60000):
    """Wait for a worker started by the screen (its progress dialog closes when it ends)."""
    from shiboken6 import isValid
    assert task is not None
    qtbot.waitUntil(lambda: not isValid(task.dialog) or not task.dialog.isVisible(), timeout=timeout)


def test_rollover_previewed_applied_and_undone(qtbot, tmp_path, monkeypatch):
    """If this fails, the September 升级 cannot be checked before it is applied, moves the wrong
    children, or cannot be taken back."""
    from ui.screens import school_year as screen_module
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    before = {r["uuid"]: (r["grade"], r["status"]) for r in store.query("SELECT uuid, grade, status FROM students")}
    active = [g for g, s in before.values() if s == "在读"]
    screen = window.show_screen("school_year")
    tree = screen.classes
    assert tree.topLevelItemCount() == len({(r["grade"], r["class_no"]) for r in store.query(
        "SELECT grade, class_no FROM students WHERE status = '在读'")})
    first = tree.topLevelItem(0)
    assert (first.text(0), first.text(2)) == ("一年级1班", "二年级1班")
    assert int(first.text(1)) == first.childCount() == active.count(1)
    last = tree.topLevelItem(tree.topLevelItemCount() - 1)
    assert last.text(0).startswith("六年级") and last.text(2) == "毕业"
    assert f"毕业 {active.count(6)} 人" in screen.summary.text()
    assert not screen.undo_button.isEnabled() and not screen.warning.isVisibleTo(screen)
    asked = []
    monkeypatch.setattr(screen_module, "confirm", lambda parent, text, title: asked.append(text) or False)
    assert screen.apply() is None and len(asked) == 1          # 取消: nothing changes
    assert {r["uuid"]: (r["grade"], r["status"]) for r in store.query("SELECT uuid, grade, status FROM students")} == before
    monkeypatch.setattr(screen_module, "confirm", lambda parent, text, title: asked.append(text) or True)
    _finish(qtbot, screen, screen.apply())
    after = {r["uuid"]: (r["grade"], r["status"]) for r in store.query("SELECT uuid, grade, status FROM students")}
    for uid, (grade, status) in before.items():
        if status != "在读":
            assert after[uid] == (grade, status)
        elif grade == 6:
            assert after[uid] == (6, "毕业")
        else:
            assert after[uid] == (grade + 1, "在读")
    assert screen.undo_button.isEnabled() and screen.warning.isVisibleTo(screen)   # a second one is warned of
    assert "本学年已经升级过" in screen.warning.text()
    assert any("升级前" in p.name for p in (tmp_path / "data" / "自动备份").rglob("*.db"))
    close_message_boxes()
    _finish(qtbot, screen, screen.undo())
    assert {r["uuid"]: (r["grade"], r["status"]) for r in store.query("SELECT uuid, grade, status FROM students")} == before
    assert not screen.undo_button.isEnabled()
    assert tree.topLevelItem(0).text(0) == "一年级1班"
    close_message_boxes()


def _add_late_student(store) -> str:
    from jiaoyuapp.roster.students import add_student
    uid, _ = add_student(store, {"姓名": "晚来生", "身份证件号": make_id("20180909", 91), "班级": "三年级1班"})
    return uid


def test_backup_to_a_chosen_folder_and_restore_after_a_preview(qtbot, tmp_path):
    """If this fails, a school cannot back up to its stick and get its data back, or restores blind."""
    window = open_window(qtbot, demo_db(tmp_path))
    screen = window.show_screen("backups")
    stick = tmp_path / "U盘"
    stick.mkdir()
    screen.set_target(str(stick))
    _finish(qtbot, screen, screen.back_up())
    made = list(stick.glob("*.db"))
    assert len(made) == 1
    assert any(b["path"] == str(made[0]) and b["kind"] == "手动" for b in screen.backups)
    close_message_boxes()
    store = window.session.store
    students = store.scalar("SELECT count(*) FROM students")
    late = _add_late_student(store)
    window.data_changed()
    row = next(i for i, b in enumerate(screen.backups) if b["path"] == str(made[0]))
    screen.list.selectRow(row)
    _finish(qtbot, screen, screen.preview_selected())
    assert screen.preview and screen.confirm_button.isEnabled()
    counts = {screen.counts.item(r, 0).text(): (screen.counts.item(r, 1).text(), screen.counts.item(r, 2).text())
              for r in range(screen.counts.rowCount())}
    assert counts["全部学生（含转出、毕业）"] == (str(students), str(students + 1))
    assert "演示村小学" in screen.preview_text.text()
    _finish(qtbot, screen, screen.restore())
    qtbot.waitUntil(lambda: window.session.store is not store, timeout=5000)
    assert window.session.store.get("students", late) is None           # the late student is gone
    assert window.session.store.scalar("SELECT count(*) FROM students") == students
    assert window.stack.currentWidget() is window.screen("backups")
    assert any("已恢复到备份" in t for t in message_boxes())
    safety = [p for p in (tmp_path / "data" / "自动备份").rglob("*恢复前*.db")]
    assert len(safety) == 1                                             # the data before the restore is kept
    close_message_boxes()


def test_restore_refuses_another_school_and_a_damaged_file(qtbot, tmp_path):
    """If this fails, a principal could pour the neighbouring school's (or a broken) file over their own."""
    from jiaoyuapp.school import open_school
    from jiaoyuapp.store.backups import backup_to
    from tests.ui_helpers import empty_school
    other = empty_school(tmp_path / "邻校" / "邻校.db", "大坪小学")
    store = open_school(other)
    _add_late_student(store)
    foreign = backup_to(store, tmp_path / "邻校备份")
    store.close()
    broken = tmp_path / "坏了.db"
    broken.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    window = open_window(qtbot, demo_db(tmp_path / "本校"))
    from tests.damaged_db import damage
    ours = backup_to(window.session.store, tmp_path / "本校备份")
    damage(ours, "students")                                            # a bad sector on the stick
    screen = window.show_screen("backups")
    before = window.session.store.scalar("SELECT count(*) FROM students")
    for path, words in ((foreign, "大坪小学"), (broken, "损坏"), (ours, "损坏")):
        _finish(qtbot, screen, screen.preview_file(str(path)))
        assert words in screen.refusal and "不能" in screen.refusal, screen.refusal
        assert screen.preview is None and not screen.confirm_button.isEnabled()
        close_message_boxes()
    assert window.session.store.scalar("SELECT count(*) FROM students") == before


@pytest.mark.parametrize("scale", [1.0, 1.25])
def test_school_year_and_backup_screens_fit_an_office_screen(qtbot, tmp_path, scale):
    """If this fails, on a 1366×768 PC the 升级 or backup buttons run off the screen."""
    window = _scaled(qtbot, tmp_path, scale)
    for key in ("school_year", "backups"):
        screen = window.show_screen(key)
        QApplication.processEvents()
        _fits(screen)
        _fits(window)
        for button in screen.findChildren(type(window.screen("roster").add_button)):
            if button.isVisibleTo(screen):
                corner = button.mapTo(window, button.rect().bottomRight())
                assert corner.y() <= window.height() and corner.x() <= window.width(), (key, button.text())
    shown = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert {"学年升级", "备份与恢复"} <= set(shown)
