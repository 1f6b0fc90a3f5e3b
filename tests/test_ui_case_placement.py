"""The case screen's placement panel, driven as a teacher would: 送教上门 refused until the disability
is recorded, a session with two teachers and a photo, the 复核, a 就读证明 before a transfer's 销号."""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.ledgers import cases
from tests.ledger_helpers import escalation_ready, photo
from tests.ui_helpers import close_message_boxes, demo_db, message_boxes, open_window


def _new_case(window):
    store = window.session.store
    kid = store.scalar("SELECT uuid FROM students WHERE status = '在读' AND disability_type IS NULL AND uuid NOT IN "
                       "(SELECT student_uuid FROM cases) LIMIT 1")
    window.open_student(kid)._case()  # 登记疑似辍学
    screen = window.screen("cases")
    case = cases.open_case_of(store, kid)["uuid"]
    escalation_ready(store, case, on=dt.date.today().isoformat())   # 政府线 named, family contacted (test_ui_case_escalation)
    screen.open_case(case)
    return kid, screen


def test_home_teaching_from_the_case_screen(qtbot, tmp_path):
    """A teacher records the disability, sends the child 送教上门, logs a session with two teachers and a photo, and the 复核."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    today = dt.date.today().isoformat()
    kid, screen = _new_case(window)
    panel = screen.placement_panel
    assert "没有残疾记录" in panel.disability.text() and "随班就读、送教上门只适用于" in panel.disability.text()
    assert screen.step("确认辍学", {"on": today, "by": "周校长"})
    assert not screen.step("送教上门", {"on": today})
    assert any("只适用于有残疾记录" in t for t in message_boxes())
    close_message_boxes()
    assert panel.record_disability({"disability_type": "肢体残疾", "cert_no": "C20260001", "assessed_on": None,
                                    "assessed_by": None, "assessment": None})
    assert "肢体残疾" in panel.disability.text() and "可以随班就读或送教上门" in panel.disability.text()
    assert screen.step("送教上门", {"on": today})
    assert panel.teaching.isVisibleTo(screen) and panel.teach_button.isEnabled()
    assert panel.add_session({"on": today, "teachers": [{"name": "王老师"}, {"name": "特教学校刘老师"}], "hours": 2,
                              "content": "生活自理训练", "photos": [photo(9)]})
    assert panel.sessions.rowCount() == 1
    assert panel.sessions.item(0, 1).text() == "王老师、特教学校刘老师" and panel.sessions.item(0, 4).text() == "1张"
    assert "每月至少送教2次" in panel.frequency.text()
    assert "尚未复核" in panel.review.text()
    assert panel.add_review({"on": today, "reviewer": "县教体局 张股长", "result": "情况属实，措施到位", "note": None})
    assert panel.reviews.rowCount() == 1 and "已复核" in panel.review.text()
    case = cases.open_case_of(store, kid)
    assert store.scalar("SELECT count(*) FROM home_teaching_attachments h JOIN home_teaching t ON t.uuid = h.session_uuid "
                        "WHERE t.case_uuid = ?", (case["uuid"],)) == 1


def test_placement_choices_and_transfer_proof_in_the_window(qtbot, tmp_path):
    """The 复学 form offers 插班就读 first and no 随班就读 for a child without disability; a transfer closes only with its 就读证明."""
    from ui.screens.case_dialogs import HomeTeachingDialog
    from ui.screens.cases import StepDialog
    from jiaoyuapp.ledgers import case_placement
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    today = dt.date.today().isoformat()
    kid, screen = _new_case(window)
    dialog = StepDialog(screen, "劝返中", "已复学", "placement", labels=case_placement.choices(store, kid))
    offered = [dialog.choice.itemText(i) for i in range(dialog.choice.count())]
    assert offered[0] == "插班就读" and not any("随班就读" in o for o in offered)
    teachers = store.query("SELECT uuid, name, role FROM teachers ORDER BY name")
    form = HomeTeachingDialog(screen, teachers)
    form.check(teachers[0]["name"])
    form.check(teachers[1]["name"])
    form.others.setText("康复师张医生")
    assert [t["name"] for t in form.values()["teachers"]] == [teachers[0]["name"], teachers[1]["name"], "康复师张医生"]
    assert screen.step("已核实", {"on": today, "finding": "转学"})
    assert not screen.step("已销号", {"on": today, "outcome": "已转学（去向已核实）", "confirmed_by": "周校长"})
    assert any("就读证明" in t for t in message_boxes())
    close_message_boxes()
    scan = tmp_path / "就读证明.jpg"
    scan.write_bytes(photo(4))
    assert screen.placement_panel.add_proof(str(scan), note="县实验小学出具")
    assert "已上传1份" in screen.placement_panel.closing.text()
    assert screen.step("已销号", {"on": today, "outcome": "已转学（去向已核实）", "confirmed_by": "周校长"})
    assert "就读证明1份" in screen.placement_panel.closing.text()


def test_demo_home_teaching_case_shows_its_short_month(qtbot, tmp_path):
    """The demo's 送教 child taught once in a month shows 送教不足 in red on its case page."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    screen = window.show_screen("cases")
    shown = []
    for (uuid,) in store.conn.execute("SELECT uuid FROM cases WHERE status = '送教上门'").fetchall():
        screen.open_case(uuid)
        shown.append((screen.placement_panel.frequency.text(), screen.placement_panel.frequency.styleSheet()))
    assert len(shown) == 2 and any("送教不足" in t and "#c0392b" in style for t, style in shown), shown
    assert any("送教不足" not in t and "#c0392b" not in style for t, style in shown), shown
