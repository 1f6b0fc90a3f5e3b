"""Setting a school up with nothing but the window (offscreen, synthetic people, no command line):
a new school from the wizard with its calendar, aid programs and teachers; the 学校设置 tabs for
teachers, the calendar, aid programs and settings; then a visit, an absence run that opens a case
and aid recorded with what was set up there."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWizard

from jiaoyuapp.ledgers import settings
from jiaoyuapp.ledgers.school_calendar import Calendar
from tests.ui_helpers import close_message_boxes, demo_db, empty_school, message_boxes, open_window
from tests.workbooks import make_id, save

SCREEN_W, SCREEN_H = 1366, 740


def _new_school_wizard(qtbot, folder, teachers_rows=()):
    """The wizard driven page by page as a principal would, up to its last page (教师)."""
    from ui.first_run import FirstRunWizard
    wizard = FirstRunWizard(folder=folder)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.school_page.name.setText("红岩村小学")
    wizard.school_page.code.setText("5101230001")
    assert wizard.school_page.kind.currentText() == "小学"  # guessed from the name
    wizard.next()
    assert wizard.currentPage() is wizard.key_page
    wizard.next()  # no passphrase yet: it can be set later in 导出与回执
    assert wizard.currentPage() is wizard.start_page
    wizard.start_page.empty.setChecked(True)
    wizard.next()
    assert wizard.currentPage() is wizard.teachers_page
    for i, row in enumerate(teachers_rows):
        wizard.teachers_page.fill(i, *row)
    return wizard


def _import_roster(qtbot, window, tmp_path, rows):
    roster = window.show_screen("roster")
    path = save([["姓名", "身份证号码", "年级", "班级"], *rows], tmp_path / "花名册.xlsx")
    dialog = roster.start_import(str(path))
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30000)
    qtbot.mouseClick(dialog.all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=30000)
    dialog.close()
    return dialog.result


def _fits(window) -> None:
    window.resize(SCREEN_W, SCREEN_H)
    hint = window.minimumSizeHint()
    assert hint.width() <= SCREEN_W and hint.height() <= SCREEN_H, hint
    assert window.height() <= SCREEN_H


def test_wizard_sets_up_calendar_programs_and_teachers(qtbot, tmp_path):
    """A school made by the wizard can record visits, absences and aid the same day: its year's terms
    and holidays, the aid programs of its 学段 and the teachers typed on the last page are there."""
    wizard = _new_school_wizard(qtbot, tmp_path, [("周校长", "校长", "", "13800000001"),
                                                  ("罗老师", "班主任", "三年级1班", "")])
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.session is not None
    store = wizard.session.store
    today = dt.date.today()
    year = today.year if today.month >= 9 else today.year - 1
    names = [r[0] for r in store.conn.execute("SELECT name FROM terms ORDER BY start_date")]
    assert names == [f"{year}年秋季学期", f"{year + 1}年春季学期"]
    levels = {r[0] for r in store.conn.execute("SELECT coalesce(level, '') FROM aid_programs")}
    assert levels == {"小学", "义务教育"}  # a 小学 gets the 小学 and 义务教育 (meals) programs, not 初中 or 高中 ones
    teachers = store.query("SELECT t.name, t.role, t.phone, h.grade, h.class_no FROM teachers t "
                           "LEFT JOIN class_heads h ON h.teacher_uuid = t.uuid ORDER BY t.name")
    assert [(t["name"], t["role"], t["phone"], t["grade"], t["class_no"]) for t in teachers] == [
        ("周校长", "校长", "13800000001", None, None), ("罗老师", "班主任", None, 3, "1")]
    logged = {r[0] for r in store.conn.execute("SELECT DISTINCT tbl FROM change_log")}
    assert {"teachers", "class_heads", "terms", "calendar_days", "aid_programs"} <= logged  # the one write path
    wizard.session.close()


def test_wizard_teacher_rows_checked_before_anything_is_made(qtbot, tmp_path):
    """A teacher row the core refuses stops the wizard on that page, saying which row; no file is made."""
    wizard = _new_school_wizard(qtbot, tmp_path, [("罗老师", "班主任", "三年级", "")])
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.session is None and wizard.currentPage() is wizard.teachers_page
    assert any(t.startswith("第1行：") and "写到班" in t for t in message_boxes())
    assert not (tmp_path / "红岩村小学.db").exists()
    close_message_boxes()


def test_new_school_from_the_wizard_to_a_visit_a_case_and_aid(qtbot, tmp_path):
    """The first day in the window: wizard, roster import, a teacher added in 学校设置, a visit saved with
    that teacher, three unexcused days in 考勤 opening a 疑似辍学 case, and aid under a program added in
    学校设置."""
    from ui.main_window import MainWindow
    wizard = _new_school_wizard(qtbot, tmp_path)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    window = MainWindow(wizard.session)
    qtbot.addWidget(window)
    window.show()
    _fits(window)
    store = window.session.store
    visits = window.show_screen("visits")
    assert visits.no_teachers_bar.isVisibleTo(visits)  # no teacher yet: the visit form says so, with a way there
    qtbot.mouseClick(visits.no_teachers_bar.findChild(QPushButton, "goSetup_teachers"),
                     Qt.MouseButton.LeftButton)
    setup = window.screen("setup")
    assert window.stack.currentWidget() is setup and setup.tabs.currentWidget() is setup.teachers
    _fits(window)

    result = _import_roster(qtbot, window, tmp_path, [["张小红", make_id("20180305", 11), "三年级", "1班"],
                                                      ["王小明", make_id("20180406", 23), "三年级", "1班"]])
    assert result.created == 2
    tab = window.show_screen("setup").show_tab("teachers")
    tab.name.setText("罗桂成")
    tab.role.setCurrentText("班主任")
    tab.phone.setText("13916480894")
    tab.classes.setText("三年级1班")
    assert tab.add()
    teacher = store.query("SELECT uuid FROM teachers WHERE name = '罗桂成'")[0]["uuid"]
    assert tab.table.rowCount() == 1 and tab.table.item(0, 3).text() == "三年级1班"

    visits = window.show_screen("visits")
    assert not visits.no_teachers_bar.isVisibleTo(visits)
    kid = store.scalar("SELECT uuid FROM students WHERE name = '张小红'")
    visits.choose_student(kid)
    assert [visits.teachers.item(i).data(Qt.ItemDataRole.UserRole) for i in range(visits.teachers.count())] == [teacher]
    visits.teachers.item(0).setCheckState(Qt.CheckState.Checked)
    visits.fields["problems"].setPlainText("父母外出务工，由祖母照看")
    uid = visits.save()
    assert uid
    assert store.scalar("SELECT teacher_uuid FROM visit_teachers WHERE visit_uuid = ?", (uid,)) == teacher
    close_message_boxes()

    cal = Calendar.load(store)
    days = cal.last_school_days(dt.date.today(), 3)
    if len(days) < 3:  # the first days of a school year: the last one's calendar, set up in the window too
        calendar = window.show_screen("setup").show_tab("calendar")
        calendar.year.setValue(calendar.year.value() - 1)
        assert calendar.fill_defaults()
        days = Calendar.load(store).last_school_days(dt.date.today(), 3)
    absences = window.show_screen("absences")
    absences.class_box.setCurrentText("三年级1班")
    other = store.scalar("SELECT uuid FROM students WHERE name = '王小明'")
    for day in days:
        absences.day.setDate(day)
        absences.mark("王小明", "无故缺课")
        assert absences.save() == 1
    assert any("疑似辍学" in t for t in message_boxes())
    close_message_boxes()
    assert store.scalar("SELECT status FROM cases WHERE student_uuid = ?", (other,)) == "疑似辍学"

    programs = window.show_screen("setup").show_tab("aid")
    programs.name.setText("县级助学金")
    programs.per_term.setText("３００")  # typed with full-width digits
    assert programs.add()
    aid = window.show_screen("aid")
    assert "县级助学金" in [aid.give_program.itemText(i) for i in range(aid.give_program.count())]
    assert kid not in [aid.unaided.item(i).data(Qt.ItemDataRole.UserRole) for i in range(aid.unaided.count())]
    aid.find.setText("zxh")   # not on the 应助未助 list: found by the search, as for 营养改善计划
    assert aid.found.count() == 1
    qtbot.mouseClick(aid.found.viewport(), Qt.MouseButton.LeftButton,
                     pos=aid.found.visualItemRect(aid.found.item(0)).center())
    assert aid.student_uuid == kid and "张小红" in aid.chosen.text()
    aid.give_program.setCurrentText("县级助学金")
    assert aid.give()
    assert store.scalar("SELECT a.amount FROM aid_records a JOIN aid_programs p ON p.uuid = a.program_uuid "
                        "WHERE p.name = '县级助学金' AND a.student_uuid = ?", (kid,)) == 300
    close_message_boxes()


def test_a_teacher_who_left_is_not_offered_for_new_visits(qtbot, tmp_path):
    """A teacher marked 调走 stays in the list (and in old visits) but is gone from the visit form."""
    window = open_window(qtbot, demo_db(tmp_path, 60))
    store = window.session.store
    tab = window.show_screen("setup").show_tab("teachers")
    leaving = next(t for t in tab.rows if t["active"] and t["classes"])
    tab.choose(leaving["uuid"])
    assert tab.leave_button.isEnabled() and not tab.back_button.isEnabled()
    tab.leave_kind.setCurrentText("调走")
    assert tab.leave()
    close_message_boxes()
    row = store.query("SELECT active, note FROM teachers WHERE uuid = ?", (leaving["uuid"],))[0]
    assert row["active"] == 0 and row["note"].endswith("调走")
    shown = [tab.table.item(i, 0).text() for i in range(tab.table.rowCount())]
    assert leaving["name"] in shown  # kept, shown as left
    assert tab.table.item(shown.index(leaving["name"]), 4).text().endswith("调走")
    visits = window.show_screen("visits")
    offered = [visits.teachers.item(i).data(Qt.ItemDataRole.UserRole) for i in range(visits.teachers.count())]
    assert offered and leaving["uuid"] not in offered
    assert leaving["uuid"] not in [visits.task_teacher.itemData(i) for i in range(visits.task_teacher.count())]
    tab = window.show_screen("setup").show_tab("teachers")
    tab.choose(leaving["uuid"])
    assert tab.back()  # marked by mistake: back at the school, offered again
    visits = window.show_screen("visits")
    assert leaving["uuid"] in [visits.teachers.item(i).data(Qt.ItemDataRole.UserRole) for i in range(visits.teachers.count())]


def test_edit_a_teacher_and_refuse_a_bad_phone(qtbot, tmp_path):
    """A teacher's classes and phone are changed in the form; a wrong phone is refused in Chinese and changes nothing."""
    window = open_window(qtbot, empty_school(tmp_path / "school.db"))
    store = window.session.store
    tab = window.show_screen("setup").show_tab("teachers")
    assert "还没有登记教师" in tab.count.text()
    tab.name.setText("陈华红")
    tab.classes.setText("四年级1班")
    assert tab.add()
    uid = tab.rows[0]["uuid"]
    tab.choose(uid)
    tab.phone.setText("1391234")
    assert not tab.save()
    assert any("手机号应为11位" in t for t in message_boxes())
    close_message_boxes()
    assert store.scalar("SELECT phone FROM teachers WHERE uuid = ?", (uid,)) is None
    tab.phone.setText("13966126116")
    tab.classes.setText("四年级1班、五年级2班")
    tab.role.setCurrentText("班主任")
    assert tab.save()
    heads = sorted(tuple(r) for r in store.conn.execute("SELECT grade, class_no FROM class_heads WHERE teacher_uuid = ?", (uid,)))
    assert heads == [(4, "1"), (5, "2")]
    assert store.query("SELECT phone, role FROM teachers WHERE uuid = ?", (uid,))[0] == {"phone": "13966126116", "role": "班主任"}
    _fits(window)


def test_calendar_holiday_and_workday_added_and_removed(qtbot, tmp_path):
    """A holiday makes a weekday no school day, a 调休 Saturday makes one; a 调休 on a weekday is refused."""
    window = open_window(qtbot, empty_school(tmp_path / "school.db"))
    store = window.session.store
    tab = window.show_screen("setup").show_tab("calendar")
    assert "还没有设置学期" in tab.summary.text()
    tab.year.setValue(2026)
    assert tab.fill_defaults()
    assert tab.terms.rowCount() == 2 and "2026学年共2个学期" in tab.summary.text()
    weekday, saturday = dt.date(2026, 11, 18), dt.date(2026, 11, 21)   # a Wednesday and a Saturday in term
    cal = Calendar.load(store)
    assert cal.is_school_day(weekday) and not cal.is_school_day(saturday)
    tab.day.setDate(weekday)
    tab.kind.setCurrentText("放假")
    tab.day_name.setText("运动会")
    assert tab.add_day()
    tab.day.setDate(saturday)
    tab.kind.setCurrentText("调休上课")
    tab.day_name.setText("运动会调休")
    assert tab.add_day()
    cal = Calendar.load(store)
    assert not cal.is_school_day(weekday) and cal.is_school_day(saturday)
    shown = {tab.days.item(i, 0).text(): tab.days.item(i, 2).text() for i in range(tab.days.rowCount())}
    assert shown["2026-11-18"] == "放假" and shown["2026-11-21"] == "调休上课"
    tab.day.setDate(dt.date(2026, 11, 19))
    assert not tab.add_day()  # a Thursday is a school day already
    assert any("周六或周日" in t for t in message_boxes())
    close_message_boxes()
    tab.days.selectRow(list(shown).index("2026-11-18"))
    assert tab.remove_day()
    assert Calendar.load(store).is_school_day(weekday)
    tab.term_name.setText("2027年暑期补课")
    tab.term_start.setDate(dt.date(2027, 7, 1))
    tab.term_end.setDate(dt.date(2027, 7, 20))
    assert not tab.add_term()  # overlaps the spring term: refused, said why
    assert any("重叠" in t for t in message_boxes())
    close_message_boxes()
    tab.terms.selectRow(1)
    assert tab.remove_term()
    assert [r[0] for r in store.conn.execute("SELECT name FROM terms")] == ["2026年秋季学期"]
    _fits(window)


def test_aid_programs_defaults_amounts_and_retiring(qtbot, tmp_path):
    """The 小学's national programs come with one click; an amount is changed, a bad one refused, a program
    retired leaves the 资助 screen."""
    window = open_window(qtbot, empty_school(tmp_path / "school.db"))
    store = window.session.store
    assert window.show_screen("aid").no_programs_bar.isVisibleTo(window.screen("aid"))
    tab = window.show_screen("setup").show_tab("aid")
    assert tab.defaults_button.isEnabled() and "营养改善计划" in tab.offer.text()
    assert tab.add_defaults()
    assert not tab.defaults_button.isEnabled()
    codes = sorted(r[0] for r in store.conn.execute("SELECT code FROM aid_programs"))
    assert codes == ["LJBZ-XX", "YYGS"]
    uid = store.scalar("SELECT uuid FROM aid_programs WHERE code = 'LJBZ-XX'")
    tab.choose(uid)
    tab.per_term.setText("五百")
    assert not tab.save()
    assert any("每学期金额应为数字" in t for t in message_boxes())
    close_message_boxes()
    tab.per_term.setText("600")
    assert tab.save()
    assert store.scalar("SELECT amount_per_term FROM aid_programs WHERE uuid = ?", (uid,)) == 600
    tab.choose(uid)
    assert tab.toggle_active()
    assert store.scalar("SELECT active FROM aid_programs WHERE uuid = ?", (uid,)) == 0
    aid = window.show_screen("aid")
    assert [aid.give_program.itemText(i) for i in range(aid.give_program.count())] == ["营养改善计划"]
    assert not aid.no_programs_bar.isVisibleTo(aid)
    _fits(window)


def test_settings_changed_and_a_bad_value_refused(qtbot, tmp_path):
    """Each setting shows its Chinese label and unit; a bad value is refused in Chinese and nothing of that
    save is written; a good one is what the 疑似辍学 rule then uses."""
    window = open_window(qtbot, empty_school(tmp_path / "school.db"))
    store = window.session.store
    tab = window.show_screen("setup").show_tab("settings")
    assert tab.edits["absence_threshold_days"].text() == "3"
    labels = [w.text() for w in tab.findChildren(QLabel)]
    assert "连续无故缺课多少个教学日登记为疑似辍学：" in labels and "个教学日" in labels
    for bad, said in (("三天", "应填数字"), ("0", "不能是0"), ("2.5", "应填整数"), ("", "没有填写")):
        tab.set("teacher_visit_quota", "12")
        tab.set("absence_threshold_days", bad)
        assert not tab.save()
        assert any(said in t and "连续无故缺课" in t for t in message_boxes()), (bad, message_boxes())
        close_message_boxes()
        assert settings.get(store, "absence_threshold_days") == 3
        assert settings.get(store, "teacher_visit_quota") == 10  # the good value of a refused save waits too
    tab.set("absence_threshold_days", "５")
    assert tab.save()
    close_message_boxes()
    assert settings.get(store, "absence_threshold_days") == 5 and settings.get(store, "teacher_visit_quota") == 12
    assert store.scalar("SELECT count(*) FROM change_log WHERE tbl = 'settings'") >= 2
    tab.fill_defaults()
    assert tab.save()
    close_message_boxes()
    assert settings.get(store, "absence_threshold_days") == 3
    _fits(window)


def test_screens_point_to_school_setup_never_to_a_command(qtbot, tmp_path):
    """A school with no terms, teachers or aid programs: 首页, 家访, 考勤 and 资助 say where in the window to set
    them up, and no text names a command."""
    from jiaoyuapp.roster.students import add_student
    from jiaoyuapp.school import open_school
    db = empty_school(tmp_path / "school.db")
    store = open_school(db)
    add_student(store, {"姓名": "张小红", "身份证件号": make_id("20180305", 11), "年级": "三年级", "班级": "1班"})
    store.close()
    window = open_window(qtbot, db)
    home = window.show_screen("home")
    qtbot.waitUntil(lambda: home.loaded, timeout=30000)
    visits = window.show_screen("visits")
    qtbot.waitUntil(lambda: visits.tasks_ready, timeout=30000)
    absences = window.show_screen("absences")
    aid = window.show_screen("aid")
    texts = {"首页": home.summary.text(), "家访": visits.task_list.item(0).text(), "考勤": absences.day_note.text(),
             "资助": aid.summary.text()}
    for screen, text in texts.items():
        assert "学校设置 → 校历" in text and "jiaoyu" not in text, (screen, text)
    assert visits.no_teachers_bar.isVisibleTo(visits) and aid.no_programs_bar.isVisibleTo(aid)
    visits.choose_student(window.session.store.scalar("SELECT uuid FROM students"))
    assert visits.save() is None
    assert any("学校设置 → 教师" in t for t in message_boxes())
    close_message_boxes()
    aid.choose(window.session.store.scalar("SELECT uuid FROM students"))
    assert not aid.give()
    assert any("学校设置 → 资助项目" in t and "jiaoyu" not in t for t in message_boxes())
    close_message_boxes()
    qtbot.mouseClick(aid.no_programs_bar.findChild(QPushButton, "goSetup_aid"), Qt.MouseButton.LeftButton)
    setup = window.screen("setup")
    assert window.stack.currentWidget() is setup and setup.tabs.currentWidget() is setup.aid


def test_visit_tasks_open_on_a_class_teachers_list_and_the_principal_sees_the_school(qtbot, tmp_path):
    """家访's task list opens on 全校 (every child still to visit); a class teacher picks their name and sees
    their class; a principal (no class) is told to pick 全校 instead of looking at an empty list."""
    from ui.main_window import MainWindow
    from ui.screens.visits import WHOLE_SCHOOL
    wizard = _new_school_wizard(qtbot, tmp_path, [("周校长", "校长", "", ""), ("罗老师", "班主任", "三年级1班", "")])
    wizard.button(QWizard.WizardButton.FinishButton).click()
    window = MainWindow(wizard.session)
    qtbot.addWidget(window)
    _import_roster(qtbot, window, tmp_path, [["张小红", make_id("20180305", 11), "三年级", "1班"],
                                             ["王小明", make_id("20180406", 23), "三年级", "1班"],
                                             ["李小华", make_id("20190406", 25), "二年级", "1班"]])
    visits = window.show_screen("visits")
    qtbot.waitUntil(lambda: visits.tasks_ready, timeout=30000)
    students = lambda: [visits.task_list.item(i).text() for i in range(visits.task_list.count())  # noqa: E731
                        if visits.task_list.item(i).data(Qt.ItemDataRole.UserRole) not in (None, "-")]
    assert visits.task_teacher.currentText() == WHOLE_SCHOOL and len(students()) == 3
    visits.task_teacher.setCurrentIndex(visits.task_teacher.findText("罗老师（三年级1班）"))
    assert len(students()) == 2 and all("三年级1班" in t for t in students())
    visits.task_teacher.setCurrentIndex(visits.task_teacher.findText("周校长"))
    assert students() == [] and WHOLE_SCHOOL in visits.task_list.item(visits.task_list.count() - 1).text()
    visits.task_teacher.setCurrentIndex(visits.task_teacher.findText(WHOLE_SCHOOL))
    assert len(students()) == 3 and visits.task_list.count() == 3
