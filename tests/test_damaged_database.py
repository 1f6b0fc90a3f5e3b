"""A damaged school database (one page of junk, as a bad sector leaves): the other commands still
work where they can, `check` names what is damaged, and the salvage copies what can be read into a
new file, rebuilds lost rows from the change log, and lists what was lost."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jiaoyuapp.paths import auto_backup_dir
from jiaoyuapp.school import open_school
from jiaoyuapp.store import changelog
from jiaoyuapp.store.backups import integrity
from tests.damaged_db import damage, pages_of


def jiaoyu(*args, db):
    out = subprocess.run([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(db), *map(str, args)],
                         capture_output=True, text=True, env=dict(os.environ))
    assert "Traceback" not in out.stderr and "意外错误" not in out.stderr, out.stderr
    return out


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "红岩村小学.db"
    out = subprocess.run([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(path), "demo", "--students", "300"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def school(demo_template, tmp_path):
    """A copy of the demo school, and (for comparing) a second, undamaged copy."""
    path = tmp_path / "红岩村小学.db"
    shutil.copy(demo_template, path)
    shutil.copy(demo_template, tmp_path / "原样.db")
    return path


def rows(path: Path, table: str) -> dict:
    store = open_school(path)
    try:
        return {r["uuid"]: r for r in store.query(f"SELECT * FROM {table}")}
    finally:
        store.close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_check_names_the_damage_and_the_other_commands_go_on(school, tmp_path):
    """If this fails, one bad page locks the school out of every command, or check cannot say what broke."""
    damage(school, "students")
    names = [r["name"] for r in rows(tmp_path / "原样.db", "students").values()]
    shutil.rmtree(auto_backup_dir(school), ignore_errors=True)  # today's backup is still to be taken

    out = jiaoyu("log", "--limit", "3", db=school)
    assert out.returncode == 0, out.stderr
    assert "今天的自动备份没有完成" in out.stderr and "损坏" in out.stderr
    assert len(out.stdout.splitlines()) == 3
    assert jiaoyu("teachers", db=school).returncode == 0

    out = jiaoyu("summary", db=school)
    assert out.returncode == 1
    assert "有损坏的部分" in out.stderr and "jiaoyu check" in out.stderr

    out = jiaoyu("check", db=school)
    assert out.returncode == 1
    assert "损坏的表：学生（students）" in out.stdout and "--salvage" in out.stdout
    assert not any(name in out.stdout + out.stderr for name in names)
    report = json.loads(jiaoyu("check", "--json", db=school).stdout)
    assert report["ok"] is False
    assert [(d["kind"], d["name"]) for d in report["damage"]] == [("table", "students")]
    assert not list(auto_backup_dir(school).glob("*.db")) and not list(auto_backup_dir(school).glob("*.part"))


def test_salvage_reads_what_it_can_and_rebuilds_the_rest_from_the_change_log(school, tmp_path):
    """If this fails, the rows around a damaged page are lost although the file and the log still hold them."""
    before = sha(school)
    damage(school, "students")
    damaged = sha(school)
    out = jiaoyu("check", "--salvage", tmp_path / "抢救.db", "--json", db=school)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    students = next(t for t in report["tables"] if t["table"] == "students")
    assert students["damaged"] and students["expected"] == 300 and students["lost"] == 0
    assert students["copied"] < 300 and students["copied"] + students["rebuilt_from_log"] == 300
    assert report["lost"] == {}
    assert sha(school) == damaged != before  # the damaged file is kept as it was
    assert not list(tmp_path.glob("*.part"))

    assert rows(tmp_path / "抢救.db", "students") == rows(tmp_path / "原样.db", "students")
    assert rows(tmp_path / "抢救.db", "visits") == rows(tmp_path / "原样.db", "visits")
    saved = open_school(tmp_path / "抢救.db")
    try:
        assert integrity(saved.conn) == [] and changelog.verify(saved) == []
        assert saved.scalar("SELECT count(*) FROM student_search") == 300
    finally:
        saved.close()
    assert jiaoyu("check", db=tmp_path / "抢救.db").returncode == 0
    out = jiaoyu("check", "--salvage", tmp_path / "抢救.db", db=school)
    assert out.returncode == 2 and "已经存在" in out.stderr  # never overwrites


def test_salvage_lists_the_tables_that_lost_rows(school, tmp_path):
    """If this fails, a teacher is not told which records are gone and have to be entered again."""
    damage(school, "students")
    log_pages = pages_of(school, "change_log")
    for n in range(len(log_pages)):
        damage(school, "change_log", where=n / len(log_pages))  # the log cannot help either
    out = jiaoyu("check", "--salvage", tmp_path / "抢救.db", db=school)
    assert out.returncode == 1, out.stderr
    assert "丢失了数据的表：" in out.stdout and "学生（" in out.stdout and "变更日志（" in out.stdout
    report = json.loads(jiaoyu("check", "--salvage", tmp_path / "抢救2.db", "--json", db=school).stdout)
    copied = len(rows(tmp_path / "抢救2.db", "students"))
    assert report["lost"]["students"] == 300 - copied > 0
    assert 0 < copied < 300
    assert report["lost"]["change_log"] > 0
    original = rows(tmp_path / "原样.db", "students")
    assert all(original[uid] == row for uid, row in rows(tmp_path / "抢救2.db", "students").items())


def test_a_damaged_index_loses_nothing(school, tmp_path):
    """If this fails, a damaged index (which holds no data of its own) is reported as lost data."""
    damage(school, "students_class")
    out = jiaoyu("check", db=school)
    assert out.returncode == 1
    assert "损坏的索引：students_class" in out.stdout and "数据本身不受影响" in out.stdout
    out = jiaoyu("check", "--salvage", tmp_path / "抢救.db", "--json", db=school)
    assert out.returncode == 0 and json.loads(out.stdout)["lost"] == {}
    assert rows(tmp_path / "抢救.db", "students") == rows(tmp_path / "原样.db", "students")
    assert jiaoyu("check", db=tmp_path / "抢救.db").returncode == 0


def test_a_damaged_database_keeps_its_older_automatic_backups(school):
    """If this fails, daily backups of a damaged file push the good older backups out of rotation."""
    folder = auto_backup_dir(school)
    before = sorted(p.name for p in folder.glob("*.db"))
    damage(school, "students")
    for p in folder.glob("*.db"):
        os.utime(p, (0, 0))  # a day and more ago: today's is due
    out = jiaoyu("teachers", db=school)
    assert out.returncode == 0 and "今天的自动备份没有完成" in out.stderr
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == before


@pytest.mark.qt_no_exception_capture
def test_the_window_opens_on_a_damaged_database_and_says_so(qtbot, school, monkeypatch):
    """If this fails, the window crashes or shows an apology instead of saying the file is damaged."""
    from tests.ui_helpers import close_message_boxes, message_boxes, open_window
    from ui.dialogs import install_excepthook
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # given back after the test
    install_excepthook()  # as jiaoyu-app does
    damage(school, "students")
    shutil.rmtree(auto_backup_dir(school), ignore_errors=True)
    window = open_window(qtbot, school)
    qtbot.waitUntil(lambda: any("自动备份没有完成" in m and "损坏" in m for m in message_boxes()), timeout=30000)
    close_message_boxes()
    window.nav.setCurrentRow(1)  # the roster: it reads the damaged pages
    qtbot.waitUntil(lambda: any("损坏" in m for m in message_boxes()), timeout=10000)
    assert not any("意外错误" in m for m in message_boxes()), message_boxes()
    assert window.isVisible()
    close_message_boxes()


def test_a_school_whose_own_record_is_damaged_is_refused_with_a_message(school):
    """If this fails, the window crashes on start when the page holding the school's name is damaged."""
    from jiaoyuapp.errors import DatabaseError
    from ui.session import Session
    damage(school, "school")
    with pytest.raises(DatabaseError, match="有损坏的部分"):
        Session(school)
