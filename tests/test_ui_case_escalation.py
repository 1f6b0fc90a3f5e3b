"""The 控辍保学 window for issue 12: the government line, attempts with people and evidence, the
escalation steps with overdue ones in red, the reason (待核实 until recorded) and 去向 — all done there."""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.ledgers import case_escalation as esc
from jiaoyuapp.ledgers.attention import overview
from tests.ledger_helpers import photo
from tests.ui_helpers import close_message_boxes, demo_db, message_boxes, open_window


def test_a_case_goes_from_suspected_to_persuading_in_the_window(qtbot, tmp_path):
    """A teacher names the 村 cadre, records the first contact with a photo and a signed 承诺书, sets the
    reason and 去向, then confirms — each refused step says what is missing."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    kid = store.scalar("SELECT uuid FROM students WHERE status = '在读' AND uuid NOT IN "
                       "(SELECT student_uuid FROM cases WHERE status != '已销号') LIMIT 1")
    window.open_student(kid)._case()   # 登记疑似辍学 from the student page
    screen = window.screen("cases")
    case = store.scalar("SELECT uuid FROM cases WHERE student_uuid = ? AND status = '疑似辍学'", (kid,))
    assert screen.case_uuid == case
    assert screen.reason.current.text() == "待核实"

    assert not screen.step("确认辍学", {"on": dt.date.today().isoformat()})
    assert any("政府线" in t for t in message_boxes())
    close_message_boxes()
    screen.person_role.setCurrentText("村委会（村长/主任）")
    screen.person_name.setText("赵主任")
    screen.person_phone.setText("13700000001")
    screen._add_person()
    assert any(screen.people.item(i, 0).text() == "政府线" for i in range(screen.people.rowCount()))
    assert not screen.step("确认辍学", {"on": dt.date.today().isoformat()})
    assert any("劝返" in t for t in message_boxes())
    close_message_boxes()

    form = screen.attempt_form
    assert form.step.currentText() == "联系家长（电话或入户）"   # the first step not yet done
    form.tick("赵主任")
    form.people.setText("班主任:王老师")
    pictures = []
    for n, kind in ((1, "现场照片"), (2, "返校承诺书（签字）")):
        path = tmp_path / f"佐证{n}.jpg"
        path.write_bytes(photo(n))
        pictures.append(path)
        assert form.add_evidence_file(str(path), kind)
    form.result.setText("家长答应明天送孩子到校")
    assert screen.add_attempt()
    attempt = store.query("SELECT * FROM attempts WHERE case_uuid = ?", (case,))[0]
    assert esc.attempt_people_text(store, attempt) == "村委会（村长/主任） 赵主任、班主任 王老师"
    assert {e["kind"] for e in esc.attempt_evidence(store, attempt["uuid"])} == {"照片", "承诺书"}
    history = [screen.history.topLevelItem(i).text(2) for i in range(screen.history.topLevelItemCount())]
    assert any("佐证2份" in h and "赵主任" in h for h in history)
    assert form.step.currentText() == "会同村（居）委会联合走访"   # next step offered

    screen.reason.reason.setCurrentText("外出打工")
    assert screen.reason.save()
    assert screen.reason.current.text() == "外出打工"
    screen.whereabouts.setText("随父母在外省")
    screen._save_plan()
    assert store.get("cases", case)["whereabouts"] == "随父母在外省"

    assert screen.step("确认辍学", {"on": dt.date.today().isoformat()})
    assert store.get("cases", case)["status"] == "确认辍学"


def test_overdue_steps_show_in_the_case_and_on_home(qtbot, tmp_path):
    """A demo case whose joint visit is late shows the step in red in the case and under 劝返步骤逾期 on 首页."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    late = esc.overdue_steps(store)
    assert late, "the demo school has overdue escalations"
    screen = window.show_screen("cases")
    screen.open_case(late[0]["case_uuid"])
    assert screen.escalation.overdue_labels()
    assert "已逾期" in screen.escalation.summary.text()
    home = window.show_screen("home")
    home.show_overview(overview(store))
    groups = [home.tree.topLevelItem(i).text(0) for i in range(home.tree.topLevelItemCount())]
    assert any(g.startswith("劝返步骤逾期（") and not g.endswith("（0）") for g in groups)
    group = next(home.tree.topLevelItem(i) for i in range(home.tree.topLevelItemCount())
                 if home.tree.topLevelItem(i).text(0).startswith("劝返步骤逾期（"))
    home._open(group.child(0))   # double-clicked: the case, where the step is recorded
    assert window.stack.currentWidget() is screen and screen.case_uuid in {x["case_uuid"] for x in late}


def test_a_responsible_person_typed_by_mistake_is_removed_in_the_window(qtbot, tmp_path, monkeypatch):
    """The principal picks the wrong cadre in 包保责任人 and removes it after confirming."""
    import ui.screens.cases as case_screen
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    kid = store.scalar("SELECT uuid FROM students WHERE status = '在读' AND uuid NOT IN "
                       "(SELECT student_uuid FROM cases WHERE status != '已销号') LIMIT 1")
    window.open_student(kid)._case()
    screen = window.screen("cases")
    screen.person_role.setCurrentText("村委会（村长/主任）")
    screen.person_name.setText("错名字")
    screen._add_person()
    row = next(r for r in range(screen.people.rowCount()) if screen.people.item(r, 2).text() == "错名字")
    screen.people.setCurrentCell(row, 2)
    monkeypatch.setattr(case_screen, "confirm", lambda *a, **k: True)
    assert screen.remove_person()
    names = [screen.people.item(r, 2).text() for r in range(screen.people.rowCount())]
    assert "错名字" not in names
    assert not store.scalar("SELECT 1 FROM case_people WHERE name = '错名字'")


def test_the_student_page_says_a_case_is_open(qtbot, tmp_path):
    """A child with an open case showed 关注标记：无 and a 登记疑似辍学 button on their page."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    kid = store.scalar("SELECT student_uuid FROM cases WHERE status = '疑似辍学' LIMIT 1")
    page = window.open_student(kid)
    assert "控辍案件（疑似辍学）" in page.flags.text() and page.case_button.text() == "查看控辍案件"
    page._case()
    assert window.stack.currentWidget() is window.screen("cases")
