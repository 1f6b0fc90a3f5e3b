"""A full USB stick or a full disk at the center: the message says 磁盘空间不足, where and how much
is needed, never suggests restoring a backup, prints no traceback, and leaves no partial file; what
was there (the school's data, the center's copies) is intact."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jiaoyuapp.disk_space import DiskFullError
from jiaoyuapp.exchange import identity, packet_export, packet_import
from jiaoyuapp.school import open_school
from tests.packet_helpers import (CENTER_SECRET, SCHOOL_SECRET, clone_center, export, make_center, make_school,
                                  merged_state, register)
from tests.small_disk import mounted

REPO = Path(__file__).resolve().parent.parent


def said_disk_full(text: str, where: Path) -> None:
    assert "磁盘空间不足" in text and str(where) in text and "MB" in text, text
    assert "恢复" not in text and "备份" not in text and "Traceback" not in text, text


@pytest.fixture
def school_and_center(tmp_path):
    center = make_center(tmp_path / "center")
    school = make_school(tmp_path, "5101230001", "红岩村小学", 20, 41)
    register(center, school)
    cert = tmp_path / "center.pem"
    cert.write_text(identity.active(center)["certificate"])
    yield school, center, cert
    school.close()
    center.close()


def test_a_packet_to_a_full_stick(tmp_path, school_and_center):
    """Too little room on the stick: refused before writing, or — if the room went while writing —
    the unfinished file removed; the school's data untouched either way."""
    school, center, cert = school_and_center
    size = export(school, tmp_path / "big", center).stat().st_size
    with school.local():
        school.conn.execute("DELETE FROM packets_sent")
    school.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with mounted(tmp_path / "stick", size / 2 / 1024 / 1024) as stick:
        env = dict(os.environ, JIAOYU_PASSPHRASE=SCHOOL_SECRET, JIAOYU_DATA_DIR=str(tmp_path / "data"))
        done = subprocess.run([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(school.path), "export", "packet",
                               str(stick), "--to", str(cert)], capture_output=True, text=True, env=env, cwd=REPO)
        assert done.returncode == 1
        said_disk_full(done.stderr, stick)
        assert list(stick.iterdir()) == []
        real = packet_export.require_free
        packet_export.require_free = lambda *a, **k: None   # the room is taken by someone else meanwhile
        try:
            with pytest.raises(DiskFullError) as err:
                export(school, stick)
        finally:
            packet_export.require_free = real
        said_disk_full(err.value.message, stick)
        assert "没有写完" in err.value.message
        assert list(stick.iterdir()) == []
    assert school.scalar("SELECT count(*) FROM packets_sent") == 0


def test_a_center_whose_disk_is_full(tmp_path, school_and_center):
    """The disk of the center's copies, or of its private work folder, is full: the packet is
    refused whole with the message, and the center's records and copies are as they were."""
    school, center, cert = school_and_center
    packet = export(school, tmp_path / "usb", center)
    center.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    room = os.path.getsize(center.path) / 1024 / 1024 + 1.5
    env = dict(os.environ, JIAOYU_PASSPHRASE=CENTER_SECRET)
    with mounted(tmp_path / "full", room) as disk:
        db = clone_center(center.path, disk)
        before = merged_state(open_school(db))
        done = subprocess.run([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(db), "township", "import", str(packet)],
                              capture_output=True, text=True, env=dict(env, JIAOYU_DATA_DIR=str(tmp_path / "data")),
                              cwd=REPO)
        assert done.returncode == 1 and "拒收" in done.stdout
        said_disk_full(done.stdout, db.parent / "center_学校数据")
        assert merged_state(open_school(db)) == before
        assert not list(disk.rglob("*.building*"))
    with mounted(tmp_path / "tiny", 1) as tiny:                     # the private work folder's disk
        db = clone_center(center.path, tmp_path / "c2")
        done = subprocess.run([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(db), "township", "import", str(packet)],
                              capture_output=True, text=True, env=dict(env, JIAOYU_DATA_DIR=str(tiny)), cwd=REPO)
        assert done.returncode == 1
        said_disk_full(done.stdout, tiny)
        assert [p for p in tiny.rglob("*") if p.is_file() and not p.name.endswith(".lock")] == []
    assert packet_import.import_packet(open_school(db), packet, passphrase=CENTER_SECRET).status == "已接收"
    shutil.rmtree(tmp_path / "c2")
