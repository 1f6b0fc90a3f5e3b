"""Backups to a folder or USB stick, verified; restore; automatic backups (a full stick: test_disk_full)."""

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.paths import auto_backup_dir
from jiaoyuapp.roster.demo import load_demo
from jiaoyuapp.school import open_school
from jiaoyuapp.store.backup_folders import sweep_ended
from jiaoyuapp.store.backups import (AUTO_KEEP, auto_backup, backup_to, check_backup_file, daily_backup, integrity,
                                     restore)


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


def test_restore_refuses_an_unfinished_backup(store, tmp_path):
    """If this fails, a backup cut short (killed, power cut, stick pulled) can be restored over good data."""
    load_demo(store, 30, seed=1)
    done = backup_to(store, tmp_path / "bak")
    part = done.with_name(done.name + ".part")
    shutil.copy(done, part)  # complete inside, but never renamed: the run was killed before the end
    with pytest.raises(DataError, match="没有完成的备份"):
        restore(store, part)
    cut = tmp_path / "bak" / "剪短的.db"
    cut.write_bytes(done.read_bytes()[: done.stat().st_size // 2])  # a copy cut short, renamed by hand
    with pytest.raises(DataError, match="损坏"):
        restore(store, cut)
    assert store.scalar("SELECT count(*) FROM students") == 30


def _holder(folder: Path, ready: Path) -> subprocess.Popen:
    """Another process, writing a backup into `folder` right now (it holds the folder and a .part)."""
    script = textwrap.dedent(f"""
        import sqlite3, time
        from pathlib import Path
        from jiaoyuapp.store.backup_folders import BackupFolder
        Path({str(folder)!r}).mkdir(parents=True, exist_ok=True)
        guard = BackupFolder({str(folder)!r})
        assert guard.acquire(wait=0)
        sqlite3.connect({str(folder / "正在写.db.part")!r}).execute("CREATE TABLE t (x)")
        Path({str(ready)!r}).write_text("ready")
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], env=dict(os.environ))
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    return proc


def test_unfinished_backups_are_cleared_at_the_next_run_but_not_while_written(store, tmp_path):
    """If this fails, copies of the children's data pile up on sticks, or a backup in progress is pulled away."""
    load_demo(store, 10, seed=1)
    stick = tmp_path / "U盘"
    stick.mkdir()
    (stick / "别人的.part").write_bytes(b"not ours")
    holder = _holder(stick, tmp_path / "ready")
    (stick / "旧的.db.part").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)  # whose? the folder is in use
    try:
        sweep_ended()
        assert (stick / "正在写.db.part").exists() and (stick / "旧的.db.part").exists()
    finally:
        holder.kill()
        holder.wait()
    sweep_ended()  # the next start: the writer has ended, its folder is named in its note
    assert sorted(p.name for p in stick.iterdir()) == ["别人的.part"]
    (stick / "又一个.db.part").write_bytes(b"")
    backup_to(store, stick)  # a backup into the folder clears it first, too
    assert [p.name for p in stick.glob("*.db.part")] == []


def test_the_daily_backup_is_skipped_while_another_process_takes_it(store, tmp_path):
    """If this fails, two windows opened at once write the same backup file over each other."""
    load_demo(store, 10, seed=1)
    shutil.rmtree(auto_backup_dir(store.path))  # the import's own backup: today's is still due
    holder = _holder(auto_backup_dir(store.path), tmp_path / "ready")
    try:
        assert daily_backup(store) is None
    finally:
        holder.kill()
        holder.wait()
    assert daily_backup(store) is not None
    assert daily_backup(store) is None  # one a day
    assert not list(auto_backup_dir(store.path).glob("*.part"))


def _together(script: str, n: int, tmp_path: Path) -> list[subprocess.CompletedProcess]:
    """Run `script` in n processes that start their work at the same moment."""
    go = tmp_path / "go"
    body = f"import time\nfrom pathlib import Path\nwhile not Path({str(go)!r}).exists(): time.sleep(0.001)\n" + script
    procs = [subprocess.Popen([sys.executable, "-c", body], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=dict(os.environ)) for _ in range(n)]
    time.sleep(1.5)  # all of them loaded and waiting
    go.write_text("go")
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=120), *p.communicate()) for p in procs]


def test_two_processes_starting_together_both_work(store, tmp_path):
    """If this fails, two jiaoyu commands started in the same second break each other's backups."""
    load_demo(store, 200, seed=1)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.rmtree(auto_backup_dir(store.path))  # today's backup is due
    cmd = f"""
import sys
from jiaoyuapp.cli import main
sys.exit(main(["--db", {str(store.path)!r}, "summary"]))
"""
    for out in _together(cmd, 2, tmp_path):
        assert out.returncode == 0 and "自动备份没有完成" not in out.stderr, out.stderr
    daily = list(auto_backup_dir(store.path).glob("*.db"))
    assert len(daily) == 1 and not list(auto_backup_dir(store.path).glob("*.part"))
    check_backup_file(daily[0], store.schema)

    cmd = f"""
from jiaoyuapp.school import open_school
from jiaoyuapp.store.backups import auto_backup
print(auto_backup(open_school({str(store.path)!r}), "导入花名册前"))
"""
    results = _together(cmd, 2, tmp_path)
    made = [out.stdout.strip() for out in results]
    assert all(out.returncode == 0 for out in results), [out.stderr for out in results]
    assert len(set(made)) == 2  # two backups, under two names
    for path in made:
        check_backup_file(Path(path), store.schema)
