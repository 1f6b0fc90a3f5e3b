"""资助 rules in the window: 学校设置 → 资助项目 shows and edits who a program is for (走读 groups and
their share, means-tested, in kind, 试点 only), and 资助 offers only the programs of the school's 学段."""

from __future__ import annotations

from jiaoyuapp.ledgers import aid
from tests.ui_helpers import close_message_boxes, demo_db, empty_school, message_boxes, open_window

SCREEN_W, SCREEN_H = 1366, 740


def test_program_rules_shown_and_edited_in_setup(qtbot, tmp_path):
    """The 生活补助's 走读 groups and 50% show in the list; adding 监测户 at 60% is saved; a bad share is refused."""
    window = open_window(qtbot, empty_school(tmp_path / "school.db"))
    store = window.session.store
    tab = window.show_screen("setup").show_tab("aid")
    assert tab.add_defaults()
    rule = {tab.table.item(i, 0).text(): tab.table.item(i, 2).text() for i in range(tab.table.rowCount())}
    assert "走读" in rule["两免一补生活补助（小学）"] and "50%" in rule["两免一补生活补助（小学）"]
    assert rule["营养改善计划"].startswith("全体学生（试点学校）") and "实物" in rule["营养改善计划"]
    tab.choose(store.scalar("SELECT uuid FROM aid_programs WHERE code = 'LJBZ-XX'"))
    assert tab.means_tested.isChecked() and tab.boarding.isChecked() and tab.day_rate.text() == "50%"
    assert tab.day_groups["低保"].isChecked() and not tab.day_groups["监测"].isChecked()
    tab.day_rate.setText("一半")
    assert not tab.save()
    assert any("走读生比例应为百分数" in t for t in message_boxes())
    close_message_boxes()
    tab.day_groups["监测"].setChecked(True)
    tab.day_rate.setText("60%")
    assert tab.save()
    saved = aid.find_program(store, "LJBZ-XX")
    assert saved["day_groups"] == "脱贫|低保|特困|残疾|监测" and saved["day_rate"] == 0.6
    window.resize(SCREEN_W, SCREEN_H)
    assert window.minimumSizeHint().height() <= SCREEN_H


def test_aid_screen_offers_only_the_school_level_and_says_who_fits(qtbot, tmp_path):
    """A 小学 demo school is not offered a 高中 program in 资助; choosing a non-poor pupil says why the subsidy does not fit."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    aid.add_program(store, code="GZ", name="县高中助学金", level="高中", amount_per_term=1000, means_tested=True)
    screen = window.show_screen("aid")
    screen.reload()
    offered = [screen.give_program.itemText(i) for i in range(screen.give_program.count())]
    assert "县高中助学金" not in offered and "普通高中国家助学金" not in offered and "营养改善计划" in offered
    assert "两免一补生活补助（小学）应享受" in screen.summary.text() and "不计入应助未助" in screen.summary.text()
    plain = store.scalar("SELECT uuid FROM students WHERE status = '在读' AND coalesce(poverty_alleviated, 0) = 0 "
                         "AND coalesce(dibao, 0) = 0 AND coalesce(tekun, 0) = 0 AND coalesce(needs_aid, 0) = 0 "
                         "AND coalesce(orphan, 0) = 0 AND coalesce(monitoring_kind, '0') = '0' LIMIT 1")
    screen.choose(plain)
    screen.give_program.setCurrentText("两免一补生活补助（小学）")
    assert screen.verdict.text().startswith("不符合") and "家庭经济困难" in screen.verdict.text()
