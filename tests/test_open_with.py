"""`jiaoyu-app FILE.jyp` / `FILE.jyr` (what the installers' file associations run on a double-click):
the window opens on the last database, a packet is imported on the 中心校 screen, a receipt on
导出与回执; in the wrong kind of database, or with none yet, a Chinese message says what to do."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from jiaoyuapp.exchange import identity, packet_import, peers, township
from jiaoyuapp.exchange.packet_export import export_packet
from jiaoyuapp.recent_databases import remember
from jiaoyuapp.school import open_school
from tests.ui_helpers import SECRET, close_message_boxes, demo_db, message_boxes, with_key


@pytest.fixture
def exchange(tmp_path, monkeypatch):
    """A school with a key, a center that has registered it, and the school's first packet on the stick."""
    import ui.screens.export
    import ui.screens.township
    for module in (ui.screens.township, ui.screens.export):  # the 校长口令 typed into its dialog
        monkeypatch.setattr(module, "ask_passphrase", lambda parent, purpose: SECRET)
    school_db = demo_db(tmp_path / "school")
    with_key(school_db)
    center_db = tmp_path / "中心校.db"
    center = open_school(center_db)
    township.init(center, name="青石镇中心校", code="5101239999", passphrase=SECRET)
    school = open_school(school_db)
    me = identity.active(school)
    peers.register_school(center, me["certificate"], me["fingerprint"])
    packet = export_packet(school, tmp_path / "U盘", passphrase=SECRET,
                           center_certificate=identity.active(center)["certificate"])
    school.close()
    center.close()
    return school_db, center_db, packet


def _start(qtbot, file):
    from ui import fonts
    from ui.app import start_window
    fonts.apply_font(QApplication.instance())
    window = start_window(str(file), None)
    qtbot.addWidget(window)
    return window


def _packets_received(center_db) -> int:
    center = open_school(center_db)
    try:
        return center.scalar("SELECT count(*) FROM packets_received")
    finally:
        center.close()


def test_packet_opened_with_the_app_is_imported_at_the_center(qtbot, exchange):
    """If this fails, a double-click on a school's packet at the center does nothing (or crashes)."""
    school_db, center_db, packet = exchange
    remember(center_db)  # the center was the database opened last
    window = _start(qtbot, packet)
    screen = window.screen("township")
    qtbot.waitUntil(lambda: bool(screen.results), timeout=60000)
    assert window.stack.currentWidget() is screen
    assert screen.results[0]["status"] == "已接收", screen.results[0]["message"]
    assert screen.result_table.item(0, 0).text() == packet.name
    assert list(packet.parent.glob("*.jyr"))  # the receipt, beside the packet, for the school to take home
    assert _packets_received(center_db) == 1
    qtbot.waitUntil(lambda: screen.board_ready and screen.board.rowCount() == 1, timeout=30000)
    close_message_boxes()


def test_receipt_opened_with_the_app_is_imported_at_the_school(qtbot, exchange):
    """If this fails, a double-click on the center's receipt does not tell the school its packet arrived."""
    school_db, center_db, packet = exchange
    center = open_school(center_db)
    receipt = packet_import.import_packet(center, packet, passphrase=SECRET, receipts_dir=packet.parent).receipt
    center.close()
    remember(school_db)
    window = _start(qtbot, receipt)
    screen = window.screen("export")
    qtbot.waitUntil(lambda: bool(screen.last_result), timeout=10000)
    assert window.stack.currentWidget() is screen
    assert screen.last_result["packet_no"] == 1 and not screen.last_result["already"]
    assert any("第1号数据包已由中心校确认" in text for text in message_boxes())
    close_message_boxes()


def test_packet_opened_in_a_school_database_is_explained(qtbot, exchange):
    """If this fails, a packet double-clicked on a school's PC crashes the app or says nothing."""
    school_db, center_db, packet = exchange
    remember(school_db)
    window = _start(qtbot, packet)
    qtbot.waitUntil(lambda: bool(message_boxes()), timeout=10000)
    assert "中心校的数据库" in message_boxes()[-1] and packet.name in message_boxes()[-1]
    assert window.session.path == school_db.resolve() and window.stack.currentWidget() is window.screen("home")
    assert _packets_received(center_db) == 0
    close_message_boxes()


def test_receipt_opened_in_a_center_database_is_explained(qtbot, exchange, tmp_path):
    """If this fails, a receipt double-clicked at the center crashes the app or says nothing."""
    school_db, center_db, packet = exchange
    center = open_school(center_db)
    receipt = packet_import.import_packet(center, packet, passphrase=SECRET, receipts_dir=tmp_path).receipt
    center.close()
    remember(center_db)
    window = _start(qtbot, receipt)
    qtbot.waitUntil(lambda: bool(message_boxes()), timeout=10000)
    assert "学校的数据库" in message_boxes()[-1]
    assert window.session.mode == "township"
    screen = window.screen("township")
    qtbot.waitUntil(lambda: screen.board_ready, timeout=30000)  # its board loads in the background
    close_message_boxes()


def test_packet_opened_with_no_database_yet_is_explained_then_the_wizard(qtbot, exchange):
    """If this fails, a packet double-clicked on a fresh install crashes instead of saying what to do first."""
    from ui.app import start_window
    from ui.first_run import FirstRunWizard
    school_db, center_db, packet = exchange   # made, but never opened in this data directory
    seen = {}

    def look():
        seen["messages"] = message_boxes()
        wizard = next(w for w in QApplication.topLevelWidgets() if isinstance(w, FirstRunWizard) and w.isVisible())
        seen["wizard"] = True
        wizard.reject()
    QTimer.singleShot(300, look)
    assert start_window(str(packet), None) is None  # the wizard was left without a database
    assert seen.get("wizard") and any("还没有打开过" in text and packet.name in text for text in seen["messages"])
    close_message_boxes()


def test_qt_arguments_are_not_taken_for_a_file():
    """If this fails, `jiaoyu-app --self-check DIR -platform offscreen` (the installers' check under
    wine) stops with a usage error, or opens “offscreen” as a file."""
    from ui.app import parse_arguments
    args, qt = parse_arguments(["-platform", "offscreen", "数据包.jyp", "-reverse", "--style", "fusion"])
    assert args.file == "数据包.jyp" and qt == ["-platform", "offscreen", "--style", "fusion", "-reverse"]
    args, qt = parse_arguments(["--self-check", "out", "--center-cert", "c.pem", "-platform", "offscreen"])
    assert (args.self_check, args.center_cert, args.roster, args.file) == ("out", "c.pem", None, None)
    assert qt == ["-platform", "offscreen"]
