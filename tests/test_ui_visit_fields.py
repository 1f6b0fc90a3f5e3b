"""The 家访 form records 受访人 (name and relation), 地点 and 参与人员, drops the signature pad for a
phone visit, and the screen's list names who still needs an 入户 visit this school year."""

from __future__ import annotations

from PySide6.QtCore import Qt

from jiaoyuapp.documents.ledger_rows import LEDGERS
from jiaoyuapp.ledgers.coverage import coverage
from tests.ledger_helpers import photo
from tests.ui_helpers import close_message_boxes, demo_db, open_window


def test_visit_form_records_who_where_and_with_whom_and_a_call_has_no_signature(qtbot, tmp_path):
    """A teacher fills 受访人, 地点, 参与人员 and they reach the ledger; choosing 电话 hides the signature pad."""
    window = open_window(qtbot, demo_db(tmp_path))
    store = window.session.store
    screen = window.show_screen("visits")
    qtbot.waitUntil(lambda: screen.tasks_ready, timeout=30000)
    report = coverage(store)
    assert f"尚未入户{len(report['no_home_visit'])}人" in screen.home_summary.text()
    texts = [screen.task_list.item(i).text() for i in range(screen.task_list.count())]
    assert any("尚未入户家访" in t for t in texts)
    screen.home_only.setChecked(True)
    shown = {screen.task_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(screen.task_list.count())}
    assert shown == {s["uuid"] for s in report["no_home_visit"]}
    screen.home_only.setChecked(False)
    assert screen.task_list.count() == len(texts)
    kid = store.scalar("SELECT uuid FROM students WHERE status = '在读' ORDER BY name LIMIT 1")
    picture = tmp_path / "家访.jpg"
    picture.write_bytes(photo(4))

    # 入户: the pad is there, the place is the home address, 受访人 from the roster
    screen.mode.setCurrentText("入户走访")
    screen.choose_student(kid)
    assert screen.signature_row.isVisibleTo(screen) and not screen.signature_note.isVisibleTo(screen)
    assert screen.fields["met_name"].objectName() == "visit_met_name"
    screen.fields["met_name"].setText("测试家长")
    screen.fields["met_relation"].setText("祖母")
    screen.fields["location"].setText("青石村3组12号")
    screen.fields["participants"].setText("村委会干部、科任教师")
    screen.teachers.item(0).setCheckState(Qt.CheckState.Checked)
    assert screen.add_photo(str(picture))
    screen.signature.stroke([(20, 100), (80, 40), (140, 110)])
    home_visit = screen.save()
    assert home_visit
    close_message_boxes()
    row = store.get("visits", home_visit)
    assert (row["met_name"], row["met_relation"], row["location"], row["participants"]) == (
        "测试家长", "祖母", "青石村3组12号", "村委会干部、科任教师")

    # 电话: no pad, the place says so, and a stroke left on the pad is not saved as a signature
    screen.choose_student(kid)
    screen.mode.setCurrentText("电话")
    assert not screen.signature_row.isVisibleTo(screen) and screen.signature_note.isVisibleTo(screen)
    assert "没有家长签字" in screen.signature_note.text()
    assert screen.fields["location"].text() == "电话联系"
    screen.fields["met_name"].setText("测试家长")
    screen.fields["met_relation"].setText("祖母")
    screen.teachers.item(0).setCheckState(Qt.CheckState.Checked)
    screen.signature.stroke([(20, 100), (80, 40)])
    call = screen.save()
    assert call
    close_message_boxes()
    assert store.scalar("SELECT count(*) FROM visit_attachments WHERE visit_uuid = ? AND role = 'signature'",
                        (call,)) == 0
    ledger = next(x for x in LEDGERS if x.sheet == "家访记录")
    headers = [c.header for c in ledger.columns]
    rows = {r[0]: dict(zip(headers, r)) for r in ledger.rows(store, False)}
    mine = [r for r in rows.values() if r["受访人"] == "测试家长"]
    assert {(r["家访地点"], r["家长签字"], r["照片（张）"]) for r in mine} == {
        ("青石村3组12号", "电子签名（见档案）", 1), ("电话联系", "不需签字（电话家访）", 0)}
    assert all(r["教师签名"] == "" for r in mine)
    screen.mode.setCurrentText("入户走访")
    assert screen.signature_row.isVisibleTo(screen)
