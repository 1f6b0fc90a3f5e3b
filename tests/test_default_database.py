"""The command line and the window find the same school by default: --db, JIAOYU_DB, the last one
opened, then school.db in the data folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

from jiaoyuapp.paths import data_dir, default_db_path
from jiaoyuapp.recent_databases import RECENT_FILE, recent, remember
from jiaoyuapp.school import open_school
from tests.test_cli import as_json, jiaoyu
from tests.ui_helpers import empty_school

SCHOOL = ("--school-code", "5101230001", "--school-name", "红岩村小学")


def _recent_file() -> Path:
    return data_dir() / RECENT_FILE


def test_order_of_the_default(tmp_path, monkeypatch):
    """--db beats JIAOYU_DB, which beats the last school opened, which beats school.db."""
    assert default_db_path() == data_dir() / "school.db"
    first, second = empty_school(tmp_path / "一小.db"), empty_school(tmp_path / "二小.db")
    remember(first)
    remember(second)
    assert default_db_path() == second.resolve()
    remember(first)
    assert default_db_path() == first.resolve() and recent() == [first.resolve(), second.resolve()]
    monkeypatch.setenv("JIAOYU_DB", str(tmp_path / "环境.db"))
    assert default_db_path() == tmp_path / "环境.db"
    assert default_db_path(tmp_path / "指定.db") == tmp_path / "指定.db"


def test_a_school_that_is_gone_is_skipped(tmp_path):
    """A school file moved away or deleted is not the default any more; the one before it is."""
    kept, gone = empty_school(tmp_path / "留下.db"), empty_school(tmp_path / "删掉.db")
    remember(kept)
    remember(gone)
    gone.unlink()
    assert default_db_path() == kept.resolve()
    _recent_file().write_text("不是JSON", encoding="utf-8")  # a damaged list is no list, never an error
    assert default_db_path() == data_dir() / "school.db"


def test_the_wizards_school_is_what_jiaoyu_uses(qtbot):
    """After the window's first-run wizard, `jiaoyu calendar defaults` (no --db) works on that school."""
    from tests.test_ui_first_run import _fill
    from ui.first_run import FirstRunWizard
    wizard = FirstRunWizard()  # into the data folder, named after the school, as on a new PC
    qtbot.addWidget(wizard)
    wizard.show()
    _fill(wizard, "红岩村小学", "5101230001")
    wizard.accept()
    made = wizard.session.path
    wizard.session.close()
    assert made.parent == data_dir().resolve() and made.name == "红岩村小学.db"
    jiaoyu("calendar", "defaults", "--year", "2026", check_code=0)
    jiaoyu("calendar", "term-add", "补课学期", "2027-07-20", "2027-08-10", check_code=0)
    summary = as_json(jiaoyu("summary", "--json", check_code=0))
    assert summary["school"]["name"] == "红岩村小学"
    store = open_school(made, create=False)
    try:
        assert store.scalar("SELECT count(*) FROM terms WHERE name = '补课学期'") == 1
        assert store.scalar("SELECT count(*) FROM terms") >= 3
    finally:
        store.close()
    assert not (data_dir() / "school.db").exists()


def test_what_the_command_line_opens_the_window_opens(tmp_path):
    """A school made or used with --db on the command line is where jiaoyu and the window start next."""
    from ui.app import starting_database
    assert starting_database(None) is None  # nothing yet: the window starts the wizard
    path = tmp_path / "别处" / "红岩村小学.db"
    path.parent.mkdir()
    jiaoyu("init", *SCHOOL, db=path, check_code=0)
    assert starting_database(None) == path.resolve()
    assert as_json(jiaoyu("summary", "--json", check_code=0))["school"]["name"] == "红岩村小学"
    other = empty_school(tmp_path / "大坪小学.db", name="大坪小学")
    jiaoyu("teachers", db=other, check_code=0)
    assert starting_database(None) == other.resolve()
    assert json.loads(_recent_file().read_text(encoding="utf-8")) == [str(other.resolve()), str(path.resolve())]


def test_what_is_not_remembered(tmp_path):
    """A failed command, or a database chosen through JIAOYU_DB, does not change the default school."""
    path = tmp_path / "红岩村小学.db"
    jiaoyu("init", *SCHOOL, db=path, check_code=0)
    missing = jiaoyu("students", db=tmp_path / "打错了.db")
    assert missing.returncode == 1 and not (tmp_path / "打错了.db").exists()
    scripted = empty_school(tmp_path / "脚本用.db", name="脚本小学")
    jiaoyu("teachers", env={"JIAOYU_DB": str(scripted)}, check_code=0)
    jiaoyu("init", "--school-code", "5101230002", "--school-name", "另一所", env={"JIAOYU_DB": str(tmp_path / "新.db")},
           check_code=0)
    assert recent() == [path.resolve()]
    assert "JIAOYU_DB" not in os.environ  # conftest keeps the variable out of every test


def test_data_stays_in_the_test_folder(tmp_path):
    """The recent list is written in the (test's) data folder, nowhere else."""
    jiaoyu("init", *SCHOOL, db=tmp_path / "x.db", check_code=0)
    assert _recent_file().is_file() and tmp_path in _recent_file().parents
