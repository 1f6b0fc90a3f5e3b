"""中心校 in the window: register a school (the fingerprint confirmed), import its packet, a refused
packet explained with nothing merged, and the status board."""

from __future__ import annotations

from jiaoyuapp.exchange import center_copies, identity, packet_import, township
from jiaoyuapp.exchange.packet_export import export_packet
from jiaoyuapp.school import open_school
from tests.ui_helpers import SECRET, close_message_boxes, demo_db, message_boxes, open_window, with_key


def _center(tmp_path):
    center = open_school(tmp_path / "中心校.db")
    township.init(center, name="青石镇中心校", code="5101239999", passphrase=SECRET)
    cert = identity.active(center)["certificate"]
    center.close()
    return tmp_path / "中心校.db", cert


def _school_with_first_packet(tmp_path):
    """(school store, its identity, center database, the USB folder, the first packet)."""
    school_db = demo_db(tmp_path / "school")
    with_key(school_db)
    center_db, center_cert = _center(tmp_path)
    school = open_school(school_db)
    usb = tmp_path / "U盘"
    packet = export_packet(school, usb, passphrase=SECRET, center_certificate=center_cert)
    return school, identity.active(school), center_db, usb, packet


def test_register_import_refuse_and_board(qtbot, tmp_path):
    school, me, center_db, usb, good = _school_with_first_packet(tmp_path)
    students = school.scalar("SELECT count(*) FROM students WHERE status = '在读'")
    school.close()
    window = open_window(qtbot, center_db)
    assert window.session.mode == "township" and "中心校" in window.windowTitle()
    screen = window.show_screen("township")
    screen.passphrase_source = lambda parent, purpose: SECRET
    # a wrong fingerprint is refused; the one read out on the phone registers the school
    assert not screen.register(me["certificate"], "1234 5678 9012 3456 7890 1234")
    assert message_boxes()
    close_message_boxes()
    assert screen.register(me["certificate"], me["fingerprint"])
    close_message_boxes()
    # a tampered copy is refused and explained; nothing is merged
    bad = usb / "坏的.jyp"
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(data))
    screen.import_files([str(bad)])
    qtbot.waitUntil(lambda: bool(screen.results), timeout=30000)
    assert screen.results[0]["status"] == "拒收"
    assert "数据包" in screen.results[0]["message"] and "请" in screen.results[0]["message"], screen.results[0]  # what to do
    assert screen.result_table.item(0, 1).text() == "拒收"
    assert screen.result_table.item(0, 2).text() == screen.results[0]["message"]
    center = open_school(center_db)
    assert center.scalar("SELECT count(*) FROM packets_received") == 0
    center.close()
    # the real one, dragged from the USB stick onto the window, is accepted; its receipt is written
    # beside it; the board shows the school
    screen.results = []
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(good))])
    screen.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: bool(screen.results), timeout=60000)
    assert screen.results[0]["status"] == "已接收", screen.results[0]["message"]
    assert list(usb.glob("*.jyr"))
    qtbot.waitUntil(lambda: screen.board_ready and screen.board.rowCount() == 1, timeout=30000)
    board = {screen.board.horizontalHeaderItem(c).text(): screen.board.item(0, c).text()
             for c in range(screen.board.columnCount())}
    assert board["已收数据包"] == "1" and board["在读"] == str(students)


def test_conflict_shown_and_decided_then_receipt_taken_home(qtbot, tmp_path):
    from jiaoyuapp.roster.students import update_student
    school, me, center_db, usb, first = _school_with_first_packet(tmp_path)
    school_db = school.path
    center = open_school(center_db)
    from jiaoyuapp.exchange import peers
    peers.register_school(center, me["certificate"], me["fingerprint"])
    packet_import.import_packet(center, first, passphrase=SECRET, receipts_dir=usb)
    kid = school.scalar("SELECT uuid FROM students WHERE status = '在读' LIMIT 1")
    replica = center_copies.open_replica(center, me["code"])
    update_student(replica, kid, {"联系电话": "13700000001"}, actor="中心校")   # the center corrects it …
    replica.close()
    center.close()
    update_student(school, kid, {"联系电话": "13900000002"}, actor="班主任")    # … and so does the school
    second = export_packet(school, usb, passphrase=SECRET)
    school.close()
    window = open_window(qtbot, center_db)
    screen = window.show_screen("township")
    screen.passphrase_source = lambda parent, purpose: SECRET
    screen.import_files([str(second)])
    qtbot.waitUntil(lambda: bool(screen.results), timeout=60000)
    assert screen.results[0]["status"] == "已接收" and screen.results[0]["conflicts"] == 1
    qtbot.waitUntil(lambda: screen.board_ready and screen.board.rowCount() == 1, timeout=30000)
    screen.board.setCurrentCell(0, 0)
    screen.show_conflicts(0)
    assert screen.conflicts.rowCount() == 1
    cells = [screen.conflicts.item(0, c).text() for c in range(5)]
    assert cells[2] == "phone" and "13900000002" in cells[3] and "13700000001" in cells[4]
    screen.conflicts.setCurrentCell(0, 0)
    assert screen.decide("school")
    qtbot.waitUntil(lambda: screen.board_ready, timeout=30000)
    assert screen.conflicts.rowCount() == 0
    center = open_school(center_db)
    replica = center_copies.open_replica(center, me["code"])
    assert replica.scalar("SELECT phone FROM students WHERE uuid = ?", (kid,)) == "13900000002"
    replica.close()
    center.close()
    # the school takes the receipt home: its next packet starts after what the center confirmed
    receipt = sorted(usb.glob("*.jyr"))[-1]
    school_window = open_window(qtbot, school_db)
    export_screen = school_window.show_screen("export")
    result = export_screen.import_receipt(str(receipt))
    assert result and result["packet_no"] >= 1
    assert "已由中心校确认" in export_screen.result.text()
    close_message_boxes()


def test_township_summary_workbook_from_the_window(qtbot, tmp_path, monkeypatch):
    center_db, _ = _center(tmp_path)
    window = open_window(qtbot, center_db)
    screen = window.show_screen("township")
    out = tmp_path / "乡镇汇总.xlsx"
    from PySide6.QtWidgets import QFileDialog
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    screen._export_workbook()
    qtbot.waitUntil(lambda: out.exists(), timeout=60000)
    qtbot.waitUntil(lambda: any(str(out) in t for t in message_boxes()), timeout=10000)
    close_message_boxes()


def test_a_second_key_for_a_registered_school_is_asked_about_with_both_fingerprints(qtbot, tmp_path, monkeypatch):
    """If this fails, a certificate claiming a registered school's code silently replaces it in the window."""
    from jiaoyuapp.exchange import peers
    from PySide6.QtWidgets import QFileDialog

    from ui.screens import township as screen_module
    school, me, center_db, usb, _ = _school_with_first_packet(tmp_path)
    identity.create(school, kind="school", code=me["code"], name=me["name"], passphrase=SECRET, replace=True)
    new = identity.active(school)
    school.close()
    (tmp_path / "新证书.pem").write_text(new["certificate"])
    window = open_window(qtbot, center_db)
    screen = window.show_screen("township")
    assert screen.register(me["certificate"], me["fingerprint"])
    close_message_boxes()
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "新证书.pem"), ""))
    monkeypatch.setattr(screen_module.QInputDialog, "getText", lambda *a, **k: (new["fingerprint"], True))
    monkeypatch.setattr(screen_module, "confirm", lambda parent, text, title, **_: asked.append(text) or False)
    screen._register()                                  # the operator says no: nothing changes
    assert me["fingerprint"] in asked[0] and new["fingerprint"] in asked[0]
    center = open_school(center_db)
    assert peers.school_peer(center, me["code"])["fingerprint"] == me["fingerprint"]
    monkeypatch.setattr(screen_module, "confirm", lambda parent, text, title, **_: True)
    screen._register()                                  # the operator confirmed the new fingerprint by phone
    close_message_boxes()
    assert peers.school_peer(center, me["code"])["fingerprint"] == new["fingerprint"]
    assert [r["event"] for r in peers.registrations(center, me["code"])] == ["登记", "更换登记"]
    center.close()
