"""A full disk, on a real small file system (a 2 MB tmpfs, mounted for the test): every kind of write
says 磁盘空间不足 with where and how much, leaves no partial file, prints no traceback, never
suggests restoring a backup, and the data that was there is intact."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jiaoyuapp.atomic_write import write_atomically
from jiaoyuapp.disk_space import DiskFullError
from jiaoyuapp.roster.demo import generate, load_demo
from jiaoyuapp.school import init_school, open_school
from jiaoyuapp.store import backups
from jiaoyuapp.store.backups import backup_to, integrity
from tests.workbooks import xueji_workbook


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB file system of its own (as root can mount here); unmounted afterwards."""
    mnt = tmp_path / "U盘"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(mnt)], check=True)
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=True)


def fill(disk: Path, leave: int = 0) -> Path:
    """Take all the room on `disk` but `leave` bytes."""
    filler = disk / "别的文件.bin"
    st = os.statvfs(disk)
    size = max(st.f_bavail * st.f_frsize - leave, 0)
    try:
        with open(filler, "ab") as fh:
            fh.write(b"\0" * size)
            if not leave:
                while True:
                    fh.write(b"\0" * 4096)
                    fh.flush()
    except OSError:
        pass
    return filler


def files(disk: Path) -> list[str]:
    return sorted(p.name for p in disk.iterdir() if p.name != "别的文件.bin")


def jiaoyu(*args, db):
    return subprocess.run([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(db), *map(str, args)],
                          capture_output=True, text=True, env=dict(os.environ))


def says_disk_full(message: str, where: Path) -> None:
    """磁盘空间不足, the folder, an amount in MB; no traceback; no word of restoring a backup."""
    assert "磁盘空间不足" in message, message
    assert str(where) in message, message
    assert re.search(r"\d+\.\d MB", message), message
    assert "Traceback" not in message and "意外错误" not in message, message
    assert "恢复" not in message, message


def small_school(path: Path, students: int = 20) -> Path:
    store = open_school(path)
    init_school(store, code="5101230001", name="青石镇红岩村小学")
    load_demo(store, students, seed=2)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


def count(path: Path, table: str = "students") -> int:
    store = open_school(path)
    try:
        assert integrity(store.conn) == []
        return store.scalar(f"SELECT count(*) FROM {table}")
    finally:
        store.close()


def test_backup_to_a_full_stick(store, small_disk):
    """If this fails, a full stick gives a vague error, or leaves a half backup that looks like one."""
    load_demo(store, 400, seed=1)  # a database larger than the whole stick
    out = jiaoyu("backup", small_disk, db=store.path)
    assert out.returncode == 1
    says_disk_full(out.stderr, small_disk)
    assert files(small_disk) == []
    assert store.scalar("SELECT count(*) FROM students") == 400


def test_backup_that_runs_out_of_room_half_way(store, small_disk, monkeypatch):
    """If this fails, a stick that fills up during the copy (the room was not checked first) leaves a .part."""
    load_demo(store, 400, seed=1)
    monkeypatch.setattr(backups, "require_free", lambda *a, **k: None)  # as if the free space had lied
    with pytest.raises(DiskFullError) as caught:
        backup_to(store, small_disk)
    says_disk_full(caught.value.message, small_disk)
    assert files(small_disk) == []
    assert store.scalar("SELECT count(*) FROM students") == 400 and integrity(store.conn) == []


def test_exports_to_a_full_folder(store, small_disk):
    """If this fails, an export to a full stick leaves a broken workbook or an unclear error."""
    load_demo(store, 60, seed=1)
    fill(small_disk, leave=8 << 10)
    for args in (["export-roster", small_disk / "花名册.xlsx"], ["export", "ledgers", small_disk / "台账.xlsx"]):
        out = jiaoyu(*args, db=store.path)
        assert out.returncode == 1, out.stderr
        says_disk_full(out.stderr, small_disk)
        assert files(small_disk) == []


def test_a_file_of_unknown_size_that_runs_out_of_room(small_disk):
    """If this fails, a document written piece by piece leaves half of itself on a full stick."""
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            for _ in range(100):
                fh.write(b"%PDF" * 8192)

    with pytest.raises(DiskFullError) as caught:
        write_atomically(small_disk / "家访记录表.pdf", write)
    says_disk_full(caught.value.message, small_disk)
    assert "没有写成" in caught.value.message
    assert files(small_disk) == []


def test_opening_the_school_database_on_a_full_disk(small_disk):
    """If this fails, a full disk is called a damaged database and the teacher is sent to an old backup."""
    db = small_school(small_disk / "学校.db")
    filler = fill(small_disk)
    out = jiaoyu("summary", db=db)
    assert out.returncode == 1
    says_disk_full(out.stderr, small_disk)
    assert "不是本软件的数据库" not in out.stderr
    assert files(small_disk) == ["学校.db"]
    filler.unlink()
    assert count(db) == 20


def test_a_write_on_a_full_disk(small_disk):
    """If this fails, a write that runs out of room leaves part of itself, or the message hides where."""
    db = small_school(small_disk / "学校.db")
    filler = fill(small_disk, leave=160 << 10)
    store = open_school(db)
    try:
        with pytest.raises(DiskFullError) as caught:
            with store.write("测试") as w:
                w.insert_many("households", [{"address": f"青石镇{i}号" * 40} for i in range(3000)])
        says_disk_full(caught.value.message, small_disk)
        assert store.scalar("SELECT count(*) FROM households WHERE address LIKE '青石镇%号青石镇%'") == 0
        assert integrity(store.conn) == []
    finally:
        store.close()
    assert files(small_disk) == ["学校.db"]
    filler.unlink()
    assert count(db) == 20


def test_import_roster_on_a_full_disk(small_disk, tmp_path):
    """If this fails, an import that fills the disk half-writes the roster or gives a traceback."""
    db = small_school(small_disk / "学校.db")
    workbook = xueji_workbook(tmp_path / "学籍.xlsx", generate(2000, seed=5))
    filler = fill(small_disk, leave=160 << 10)
    out = jiaoyu("import-roster", workbook, db=db)
    assert out.returncode == 1, out.stdout + out.stderr
    says_disk_full(out.stderr, small_disk)
    assert files(small_disk) == ["学校.db"]
    filler.unlink()
    assert count(db) == 20
