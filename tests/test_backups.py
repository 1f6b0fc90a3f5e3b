"""Backups to a folder or USB stick, verified; restore; and a full stick loses nothing."""

import os
import subprocess
import sys
import textwrap

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.roster.demo import load_demo
from jiaoyuapp.school import open_school
from jiaoyuapp.store.backups import AUTO_KEEP, auto_backup, backup_to, integrity, restore


def test_backup_creates_folder_and_verifies(store, tmp_path):
    """A backup lands in a new folder as one self-contained file that passes integrity_check."""
    load_demo(store, 50, seed=1)
    path = backup_to(store, tmp_path / "U盘" / "备份")
    assert path.exists() and not list(path.parent.glob("*.part"))
    copy = open_school(path)
    try:
        assert integrity(copy.conn) == []
        assert copy.scalar("SELECT count(*) FROM students") == 50
    finally:
        copy.close()


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(store, tmp_path):
    """Restoring replaces the data with the backup's, after saving the current state."""
    load_demo(store, 30, seed=1)
    path = backup_to(store, tmp_path / "bak")
    load_demo(store, 20, seed=99)
    assert store.scalar("SELECT count(*) FROM students") == 50
    safety = restore(store, path)
    assert store.scalar("SELECT count(*) FROM students") == 30
    saved = open_school(safety)
    try:
        assert saved.scalar("SELECT count(*) FROM students") == 50
    finally:
        saved.close()


def test_restore_refuses_a_damaged_or_foreign_file(store, tmp_path):
    """A file that is not a healthy backup of this app is refused and nothing changes."""
    load_demo(store, 10, seed=1)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(DataError):
        restore(store, junk)
    with pytest.raises(DataError, match="找不到"):
        restore(store, tmp_path / "missing.db")
    assert store.scalar("SELECT count(*) FROM students") == 10


def test_automatic_backups_rotate(store):
    """The app keeps only the latest automatic backups."""
    load_demo(store, 5, seed=1)
    paths = {auto_backup(store, f"第{i}次") for i in range(AUTO_KEEP + 3)}
    folder = next(iter(paths)).rsplit("/", 1)[0]
    assert len(os.listdir(folder)) == AUTO_KEEP


def test_full_stick_gives_a_clear_message_and_leaves_nothing(store, tmp_path):
    """When the target runs out of space mid-backup, the message says so and no partial file remains."""
    load_demo(store, 400, seed=1)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target = tmp_path / "small-stick"
    # A child process whose file-size limit plays the part of a nearly full stick.
    script = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from jiaoyuapp.school import open_school
        from jiaoyuapp.store.backups import backup_to
        from jiaoyuapp.errors import DataError
        store = open_school({str(store.path)!r})
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        try:
            backup_to(store, {str(target)!r})
        except DataError as exc:
            print(exc.message)
            sys.exit(1)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 1, out.stderr
    assert "原数据没有任何改动" in out.stdout
    assert list(target.iterdir()) == []
    assert store.scalar("SELECT count(*) FROM students") == 400
