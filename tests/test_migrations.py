"""Schema upgrades: a school's file from an older version opens and keeps everything;
a file from a newer version is refused untouched."""

import json
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
                           "0005_exchange", "0006_lean_change_log", "0007_peer_log",
                           "0008_xueji_columns", "0009_aid_rules"]
        assert store.scalar("PRAGMA user_version") == 9
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


def test_lean_change_log_upgrade_keeps_every_entry(tmp_path):
    """Migration 0006 (batch ids instead of repeated uuid, actor and time): every entry reads back
    the same, the log's fingerprint is unchanged, numbers are never reused, and undo still works."""
    from jiaoyuapp.schema import school_schema
    from jiaoyuapp.store.connection import open_store
    path = tmp_path / "old.db"
    old = open_store(path, school_schema(), stop_before="0006_lean_change_log")
    batches = [("b-1", "add-teacher", "王老师", "2026-09-01T08:00:00+08:00"),
               ("b-2", "edit", "李校长", "2026-09-02T09:30:00+08:00")]
    entries = [  # the second batch's entry carries an actor of its own, as an older version might have
        (1, "b-1", "t-1", "insert", '{"name":[null,"赵老师"],"active":[null,1],"created_at":[null,"2026-09-01"],'
         '"updated_at":[null,"2026-09-01"]}', "王老师", "2026-09-01T08:00:00+08:00"),
        (2, "b-1", "t-2", "insert", '{"name":[null,"钱老师"],"active":[null,1],"created_at":[null,"2026-09-01"],'
         '"updated_at":[null,"2026-09-01"]}', "王老师", "2026-09-01T08:00:00+08:00"),
        (3, "b-2", "t-1", "update", '{"phone":[null,"13900000000"],"updated_at":["2026-09-01","2026-09-02"]}',
         "代录：张主任", "2026-09-02T09:31:00+08:00")]
    with old.local() as conn:
        for uuid, kind, actor, at in batches:
            conn.execute("INSERT INTO batches (uuid, kind, actor, at, first_seq, last_seq) VALUES (?, ?, ?, ?, ?, ?)",
                         (uuid, kind, actor, at, 1 if uuid == "b-1" else 3, 2 if uuid == "b-1" else 3))
        conn.executemany("INSERT INTO change_log (seq, batch_uuid, record_uuid, op, changes, actor, at, tbl) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, 'teachers')", entries)
        conn.execute("INSERT INTO teachers (uuid, name, active, phone, created_at, updated_at) VALUES "
                     "('t-1', '赵老师', 1, '13900000000', '2026-09-01', '2026-09-02'), "
                     "('t-2', '钱老师', 1, NULL, '2026-09-01', '2026-09-01')")
        conn.execute("UPDATE sqlite_sequence SET seq = 40 WHERE name = 'change_log'")  # later numbers rolled back
    before = [{"seq": seq, "batch": batch, "table": "teachers", "uuid": rec, "op": op, "changes": json.loads(changes),
               "actor": actor, "at": at} for seq, batch, rec, op, changes, actor, at in entries]
    fingerprint = changelog.digest(old)
    old.close()
    store = open_school(path)
    try:
        assert list(changelog.entries(store)) == before
        assert before[2]["actor"] == "代录：张主任" and before[0]["actor"] == "王老师"
        assert changelog.digest(store) == fingerprint
        assert changelog.verify(store) == []
        assert store.query("SELECT actor, at FROM change_log WHERE seq = 1") == [{"actor": None, "at": None}]
        assert [(r[2], r[3], r[4]) for r in store.conn.execute("PRAGMA foreign_key_list(change_log)")] == \
               [("batches", "batch", "id")]
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        changelog.undo_batch(store, "b-2")            # a batch written before the upgrade
        assert store.get("teachers", "t-1")["phone"] is None
        assert store.scalar("SELECT min(seq) FROM change_log WHERE seq > 3") == 41   # numbers never reused
        assert changelog.verify(store) == []
    finally:
        store.close()
