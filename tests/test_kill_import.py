"""A power cut mid-import: the database opens, passes integrity_check, and holds all rows or none."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiaoyuapp.roster.demo import generate
from jiaoyuapp.school import init_school, open_school
from jiaoyuapp.store.backups import integrity
from tests.workbooks import xueji_workbook

ROWS = 10_000


@pytest.fixture(scope="module")
def big_workbook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kill")
    path = folder / "roster.xlsx"
    xueji_workbook(path, generate(ROWS, seed=11))
    base = folder / "base.db"
    s = open_school(base)
    init_school(s, code="5101230001", name="青石镇红岩村小学")
    s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    return path, base


def run_and_kill(workbook: Path, db: Path, kill_when) -> str:
    """Start `jiaoyu import-roster --progress` and SIGKILL it when kill_when(line) says so."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "jiaoyuapp.cli", "--db", str(db), "import-roster", str(workbook), "--progress"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"))
    last = ""
    try:
        for line in proc.stderr:
            last = line.strip()
            if kill_when(last):
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return last


def state_after(db: Path) -> int:
    store = open_school(db)
    try:
        assert integrity(store.conn) == []
        # a 10,000-row import is written through a rollback journal (Store.write(bulk=True)): the
        # next open rolls a killed one back from it and is in WAL mode again
        assert store.scalar("PRAGMA journal_mode") == "wal"
        assert not Path(str(db) + "-journal").exists()
        n = store.scalar("SELECT count(*) FROM students")
        logged = store.scalar("SELECT count(*) FROM change_log WHERE tbl = 'students'")
        assert logged == n  # the log and the rows went together
        return n
    finally:
        store.close()


@pytest.mark.parametrize("point", ["reading", "writing", "late-writing", "finished"])
def test_sigkill_leaves_all_or_nothing(big_workbook, tmp_path, point):
    """Killed while reading, while writing, or after committing: never half a roster."""
    workbook, base = big_workbook
    db = tmp_path / "school.db"
    shutil.copy(base, db)
    conditions = {
        "reading": lambda line: line.startswith("progress") and "读取" in line and int(line.split()[1]) > 2000,
        "writing": lambda line: "写入" in line,
        "late-writing": lambda line: "写入" in line and int(line.split()[1]) >= ROWS,
        "finished": lambda line: "完成" in line,
    }
    last = run_and_kill(workbook, db, conditions[point])
    assert last.startswith("progress"), last
    n = state_after(db)
    expected = {"reading": 0, "writing": 0, "late-writing": 0, "finished": ROWS}[point]
    assert n == expected


def test_sigkill_at_random_moments(big_workbook, tmp_path):
    """Kills at timed moments across the import also leave 0 or all rows."""
    workbook, base = big_workbook
    for delay in (0.5, 1.5, 2.5, 3.5):
        db = tmp_path / f"school_{delay}.db"
        shutil.copy(base, db)
        proc = subprocess.Popen([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(db), "import-roster",
                                 str(workbook)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert state_after(db) in (0, ROWS)
