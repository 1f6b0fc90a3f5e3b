"""Schema upgrades: a school's file from an older version opens and keeps everything;
a file from a newer version is refused untouched."""

import shutil
import sqlite3
from pathlib import Path

import pytest

from jiaoyuapp.errors import DatabaseError, SchemaTooNewError
from jiaoyuapp.roster.search import find_students
from jiaoyuapp.school import open_school
from jiaoyuapp.store import changelog

FIXTURE = Path(__file__).parent / "fixtures" / "schema_v1.db"


def test_first_schema_file_upgrades_and_keeps_its_data(tmp_path):
    """A database written by the first schema opens, gains search, and its log still accounts for every row."""
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE, path)
    store = open_school(path)
    try:
        applied = [r[0] for r in store.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
        assert applied == ["0001_roster_and_change_log", "0002_student_search", "0003_ledgers", "0004_identities",
                           "0005_exchange"]
        assert store.scalar("PRAGMA user_version") == 5
        assert sorted(r["name"] for r in store.query("SELECT name FROM students")) == ["张三", "曾小红"]
        assert [r["name"] for r in find_students(store, "zxh")] == ["曾小红"]  # 曾 read as zeng
        assert [r["name"] for r in find_students(store, "zs")] == ["张三"]
        assert changelog.verify(store) == []
        assert store.scalar("PRAGMA journal_mode") == "wal"
    finally:
        store.close()


def test_newer_database_is_refused_untouched(tmp_path):
    """A file from a newer app version is refused with a message saying to upgrade, and not modified."""
    path = tmp_path / "new.db"
    open_school(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('jiaoyu', '0099_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="升级"):
        open_school(path)
    assert path.read_bytes() == before


def test_not_a_database(tmp_path):
    """Opening a file that is not a database says so in Chinese."""
    path = tmp_path / "notes.db"
    path.write_text("这不是数据库" * 200)
    with pytest.raises(DatabaseError, match="不是本软件的数据库"):
        open_school(path)


def test_pragmas(store):
    """The file runs in WAL mode with synchronous=FULL and foreign keys on."""
    assert store.scalar("PRAGMA journal_mode") == "wal"
    assert store.scalar("PRAGMA synchronous") == 2
    assert store.scalar("PRAGMA foreign_keys") == 1
