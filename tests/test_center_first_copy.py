"""A school's first copy at the center is built aside and renamed into place when complete: an
import cut off half-way leaves no copy (nothing that looks merged), and the same packet imports
cleanly afterwards."""

from __future__ import annotations

import pytest

from jiaoyuapp.exchange import merge, township
from tests.packet_helpers import CENTER_SECRET, export, make_center, make_school, register


def test_first_import_cut_off_leaves_no_copy_and_retries_cleanly(tmp_path, monkeypatch):
    school = make_school(tmp_path, "5101230001", "红岩村小学", 40, seed=3)
    center = make_center(tmp_path)
    register(center, school)
    packet = export(school, tmp_path / "usb", center)
    real_merge = merge.merge

    def cut_off(replica, *args, **kwargs):
        real_merge(replica, *args, **kwargs)      # everything written …
        raise OSError("power cut")                # … and then the machine stops before the end

    monkeypatch.setattr(merge, "merge", cut_off)
    with pytest.raises(OSError):
        township.import_packet(center, packet, passphrase=CENTER_SECRET)
    final = township.replica_path(center, "5101230001")
    assert not final.exists()
    assert center.scalar("SELECT count(*) FROM packets_received") == 0
    monkeypatch.setattr(merge, "merge", real_merge)
    result = township.import_packet(center, packet, passphrase=CENTER_SECRET)
    assert result.status == "已接收" and final.exists()
    assert not list(final.parent.glob("*.building*"))
    replica = township.open_replica(center, "5101230001")
    try:
        assert replica.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert replica.scalar("SELECT count(*) FROM students") == school.scalar("SELECT count(*) FROM students")
        from jiaoyuapp.store import changelog
        assert changelog.verify(replica) == []
    finally:
        replica.close()
