"""Backups and restores killed (SIGKILL, as a power cut) at named points and at random moments:
the school's data is whole (as before, or — for a restore — as the backup), no unfinished file is
accepted by restore, and after the next start no unfinished backup is left anywhere."""

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers.demo_ledgers import fill_term
from jiaoyuapp.paths import auto_backup_dir, data_dir
from jiaoyuapp.roster.demo import load_demo
from jiaoyuapp.school import init_school, open_school
from jiaoyuapp.schema import school_schema
from jiaoyuapp.store import changelog
from jiaoyuapp.store.backups import check_backup_file, integrity

RANDOM_RUNS = 8  # of each command, besides one run per named point


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A school big enough that copying it takes several steps, and a backup of it with fewer students."""
    folder = tmp_path_factory.mktemp("kill-backup")
    store = open_school(folder / "学校.db")
    init_school(store, code="5101230001", name="青石镇红岩村小学")
    load_demo(store, 300, seed=3)
    fill_term(store, seed=3, photo_share=0.3)
    older = folder / "较早的备份.db"
    from jiaoyuapp.store.backups import backup_to
    shutil.move(backup_to(store, folder / "tmp"), older)
    load_demo(store, 200, seed=4)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return folder / "学校.db", older


def digest(db: Path) -> tuple:
    store = open_school(db)
    try:
        assert integrity(store.conn) == []
        return changelog.digest(store), store.scalar("SELECT count(*) FROM students")
    finally:
        store.close()


def start(args, db: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(db), *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)


def kill_at(args, db: Path, point: str, marker: Path) -> None:
    """Run the command until it reaches the named point, then SIGKILL it there."""
    proc = start(args, db, dict(os.environ, JIAOYU_PAUSE_AT=point, JIAOYU_PAUSE_FILE=str(marker)))
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, (point, proc.stderr.read())
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    marker.unlink()


def kill_after(args, db: Path, seconds: float) -> None:
    """Run the command and SIGKILL it after `seconds` (it may have finished by then)."""
    proc = start(args, db, dict(os.environ))
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)


def duration(args, db: Path) -> float:
    """How long the command takes here and now, when nothing stops it (the random kills fall within)."""
    began = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(db), *map(str, args)],
                         capture_output=True, text=True, env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    return time.monotonic() - began


def unfinished(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".part", "-journal")))


def no_part_is_accepted(folder: Path) -> None:
    """Every file a killed backup left: restore refuses the unfinished ones; the finished ones are whole."""
    for path in folder.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.name.endswith(".db"):
            check_backup_file(path, school_schema())
        else:
            with pytest.raises(DataError):
                check_backup_file(path, school_schema())


def next_start(db: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(db), "teachers"],
                         capture_output=True, text=True, env=dict(os.environ))
    assert out.returncode == 0, out.stderr


def sqlite_files_outside(root: Path, allowed: list[Path]) -> list[str]:
    """SQLite files (children's data) under `root` that are in none of the allowed folders."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not any(a == path or a in path.parents for a in allowed):
            with open(path, "rb") as fh:
                if fh.read(16) == b"SQLite format 3\x00":
                    found.append(str(path.relative_to(root)))
    return found


def test_backups_killed_anywhere(template, tmp_path):
    """If this fails, a backup killed midway leaves a file restore would take, or copies that pile up."""
    source, _ = template
    db = tmp_path / "学校.db"
    shutil.copy(source, db)
    before = digest(db)
    stick = tmp_path / "U盘"
    marker = tmp_path / "paused"
    runs = 0
    # The day's automatic backup is due: the first kill lands in it (the app's own folder).
    kill_at(["backup", stick], db, "backup-copying", marker)
    runs += 1
    assert unfinished(auto_backup_dir(db))
    no_part_is_accepted(auto_backup_dir(db))
    next_start(db)  # takes the day's backup now
    assert unfinished(auto_backup_dir(db)) == [] and list(auto_backup_dir(db).glob("*.db"))
    # Then the backup onto the stick, at each named point and at random moments.
    rng = random.Random(7)
    took = duration(["backup", tmp_path / "试一次"], db)
    shutil.rmtree(tmp_path / "试一次")
    plan = [("point", p) for p in ("backup-copying", "backup-copied", "backup-verified")]
    plan += [("time", rng.uniform(0.2, 1.0) * took) for _ in range(RANDOM_RUNS)]
    for kind, when in plan:
        if kind == "point":
            kill_at(["backup", stick], db, when, marker)
            assert unfinished(stick), when  # killed with its .part half done
        else:
            kill_after(["backup", stick], db, when)
        runs += 1
        no_part_is_accepted(stick)
        assert digest(db) == before
        next_start(db)
        assert unfinished(stick) == [] and unfinished(data_dir()) == [], when
        assert sqlite_files_outside(tmp_path, [db.parent / "学校.db", stick, data_dir()]) == []
    assert runs >= 12


def test_restores_killed_anywhere(template, tmp_path):
    """If this fails, a restore killed midway leaves the school's data half old and half new, or leftovers."""
    source, older = template
    db = tmp_path / "学校.db"
    shutil.copy(source, db)
    now = digest(db)
    backup = tmp_path / "U盘" / older.name
    backup.parent.mkdir()
    shutil.copy(older, backup)
    restored = digest(backup)
    assert restored != now
    marker = tmp_path / "paused"
    next_start(db)  # the day's backup is taken: the kills below land in the restore itself
    rng = random.Random(11)
    trial = tmp_path / "试一次.db"
    shutil.copy(source, trial)
    took = duration(["restore", backup], trial)
    plan = [("point", p) for p in ("restore-checked", "backup-copying", "restore-safety-saved", "restore-copying")]
    plan += [("time", rng.uniform(0.2, 1.0) * took) for _ in range(RANDOM_RUNS)]
    runs = 0
    for kind, when in plan:
        if kind == "point":
            kill_at(["restore", backup], db, when, marker)
        else:
            kill_after(["restore", backup], db, when)
        runs += 1
        state = digest(db)
        assert state in (now, restored), when  # all of one or all of the other
        if state == restored:  # it got through: put the newer data back for the next run
            shutil.copy(source, db)
            for suffix in ("-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
        no_part_is_accepted(auto_backup_dir(db))
        no_part_is_accepted(backup.parent)
        next_start(db)
        assert unfinished(data_dir()) == [] and unfinished(backup.parent) == [], when
        assert sqlite_files_outside(tmp_path, [db, trial, backup.parent, data_dir()]) == []
    assert runs >= 12
