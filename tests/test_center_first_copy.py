"""A school's first copy at the center (the packet's snapshot) is put aside and renamed into place
when complete: an import cut off half-way leaves no copy (nothing that looks merged), and the same
packet imports cleanly afterwards."""

from __future__ import annotations

import pytest

from jiaoyuapp.exchange import center_copies, packet_import
from tests.packet_helpers import CENTER_SECRET, export, make_center, make_school, register


def test_first_import_cut_off_leaves_no_copy_and_retries_cleanly(tmp_path, monkeypatch):
    school = make_school(tmp_path, "5101230001", "红岩村小学", 40, seed=3)
    center = make_center(tmp_path)
    register(center, school)
    packet = export(school, tmp_path / "usb", center)
    final = center_copies.replica_path(center, "5101230001")
    real_finish = center_copies.finish

    def cut_off(final):                           # the copy is written in full …
        assert center_copies.building(final).stat().st_size > 0
        raise OSError("power cut")                # … and the machine stops before it is put in place

    monkeypatch.setattr(center_copies, "finish", cut_off)
    with pytest.raises(OSError):
        packet_import.import_packet(center, packet, passphrase=CENTER_SECRET)
    assert not final.exists()
    assert center.scalar("SELECT count(*) FROM packets_received") == 0
    monkeypatch.setattr(center_copies, "finish", real_finish)
    result = packet_import.import_packet(center, packet, passphrase=CENTER_SECRET)
    assert result.status == "已接收" and final.exists()
    assert not list(final.parent.glob("*.building*"))
    replica = center_copies.open_replica(center, "5101230001")
    try:
        assert replica.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert replica.conn.execute("PRAGMA page_size").fetchone()[0] == 8192
        assert replica.scalar("SELECT count(*) FROM students") == school.scalar("SELECT count(*) FROM students")
        from jiaoyuapp.store import changelog
        assert changelog.verify(replica) == []
    finally:
        replica.close()


def test_center_search_keys_taken_from_the_packet_only_where_the_name_matches(tmp_path):
    from jiaoyuapp.roster.pinyin_names import name_keys
    from jiaoyuapp.roster.search import find_uuids
    school = make_school(tmp_path, "5101230001", "红岩村小学", 30, seed=4)
    kids = school.query("SELECT uuid, name FROM students ORDER BY name LIMIT 2")
    # one derived row gone stale at the school (say, an old copy): its name no longer matches
    school.conn.execute("UPDATE student_search SET name = '别人', pinyin = 'bieren', initials = 'br' WHERE uuid = ?",
                        (kids[0]["uuid"],))
    center = make_center(tmp_path)
    register(center, school)
    packet_import.import_packet(center, export(school, tmp_path / "usb", center), passphrase=CENTER_SECRET)
    replica = center_copies.open_replica(center, "5101230001")
    try:
        for kid in kids:
            row = replica.query("SELECT name, pinyin, initials FROM student_search WHERE uuid = ?", (kid["uuid"],))[0]
            full, initials, _ = name_keys(kid["name"])
            assert row == {"name": kid["name"], "pinyin": full, "initials": initials}
            assert kid["uuid"] in find_uuids(replica, initials)
        assert replica.scalar("SELECT count(*) FROM student_search") == replica.scalar("SELECT count(*) FROM students")
        assert replica.scalar("SELECT count(*) FROM student_search WHERE ids = ''") == 0
    finally:
        replica.close()


def test_a_full_packet_of_changes_from_an_older_version_still_makes_a_copy(tmp_path):
    """Before snapshots, a first packet carried every change from the start; a center still builds
    the copy from it, record by record, the same as from a snapshot."""
    school = make_school(tmp_path, "5101230001", "红岩村小学", 30, seed=5)
    center = make_center(tmp_path)
    register(center, school)
    result = packet_import.import_packet(center, export(school, tmp_path / "usb", center, snapshot=False),
                                    passphrase=CENTER_SECRET)
    assert result.status == "已接收" and result.changes == school.scalar("SELECT count(*) FROM change_log")
    replica = center_copies.open_replica(center, "5101230001")
    try:
        for table in school.schema.school_tables:
            assert replica.query(f"SELECT * FROM [{table}] ORDER BY uuid") == \
                school.query(f"SELECT * FROM [{table}] ORDER BY uuid"), table
        assert replica.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        from jiaoyuapp.store import changelog
        assert changelog.verify(replica) == []
    finally:
        replica.close()
