"""The `jiaoyu` command line: the contract later checks and scripts rely on."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workbooks import make_id, save

ZHANG = make_id("20180305", 11)
LI = make_id("20180712", 22)


def jiaoyu(*args, db=None, env=None, check_code=None):
    cmd = [sys.executable, "-m", "jiaoyuapp.cli"] + (["--db", str(db)] if db else []) + [str(a) for a in args]
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **(env or {})))
    if check_code is not None:
        assert out.returncode == check_code, (out.stdout, out.stderr)
    return out


def as_json(out):
    return json.loads(out.stdout)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "学校.db"
    jiaoyu("init", "--school-code", "5101230001", "--school-name", "青石镇红岩村小学", "--township", "青石镇",
           "--county", "示范县", db=path, check_code=0)
    return path


@pytest.fixture
def messy(tmp_path):
    return save([
        ["红岩村小学花名册"],
        ["姓名", "身份证件号", "年级", "班级", "家长电话"],
        ["张三", ZHANG, "三年级", "1班", "13800138000"],
        ["李丽", LI, "三年级", "1班", "13800138001"],
        ["王五", 5.10123201001011e17, "三年级", "1班", "13800138002"],
    ], tmp_path / "messy.xlsx")


def test_import_dry_run_json_contract(db, messy):
    """--dry-run --json reports rows, counts and located problems, exits 1, and writes nothing."""
    out = jiaoyu("import-roster", messy, "--dry-run", "--json", db=db, check_code=1)
    report = as_json(out)
    for key in ("rows", "valid", "created", "updated", "unchanged", "problems", "warnings"):
        assert key in report
    assert (report["rows"], report["valid"], report["created"]) == (3, 2, 2)
    assert report["problems"] == [{"row": 5, "column": "身份证件号", "letter": "B", "sheet": "学生名单",
                                   "message": report["problems"][0]["message"], "value": "5.10123201001011e+17"}]
    assert isinstance(report["problems"][0]["row"], int)
    assert as_json(jiaoyu("students", "--json", db=db, check_code=0)) == []


def test_import_refuses_then_only_valid(db, messy):
    """A file with a refused row writes nothing (exit 1); --only-valid writes the rest (exit 0)."""
    jiaoyu("import-roster", messy, "--json", db=db, check_code=1)
    assert as_json(jiaoyu("students", "--json", db=db)) == []
    report = as_json(jiaoyu("import-roster", messy, "--only-valid", "--json", db=db, check_code=0))
    assert report["created"] == 2 and len(report["problems"]) == 1
    people = as_json(jiaoyu("students", "--json", db=db, check_code=0))
    assert sorted((p["name"], p["id_number"], p["class"]) for p in people) == [
        ("张三", ZHANG, "三年级1班"), ("李丽", LI, "三年级1班")]
    assert all(p["uuid"] for p in people)
    human = jiaoyu("import-roster", messy, db=db).stdout
    assert "第5行" in human and "身份证件号" in human


def test_students_queries(db, messy):
    """students finds by pinyin initials, name fragment, ID digits, class and flag."""
    jiaoyu("import-roster", messy, "--only-valid", db=db, check_code=0)
    names = lambda *a: sorted(p["name"] for p in as_json(jiaoyu("students", *a, "--json", db=db, check_code=0)))  # noqa
    assert names("zs") == ["张三"]
    assert names("丽") == ["李丽"]
    assert names(LI[6:12]) == ["李丽"]
    assert names("--class", "三年级1班") == ["张三", "李丽"]
    assert names("--flag", "留守") == []
    assert jiaoyu("students", "--flag", "不存在的标记", db=db).returncode == 2


def test_export_reimports_with_zero_changes(db, tmp_path):
    """export-roster writes a workbook that import-roster takes back with nothing changed."""
    jiaoyu("demo", "--students", "80", "--seed", "4", db=db, check_code=0)
    out = tmp_path / "导出.xlsx"
    jiaoyu("export-roster", out, db=db, check_code=0)
    report = as_json(jiaoyu("import-roster", out, "--json", db=db, check_code=0))
    assert (report["rows"], report["created"], report["updated"], report["unchanged"]) == (80, 0, 0, 80)


def test_demo_is_repeatable(tmp_path):
    """The same seed gives the same synthetic school."""
    def people(name):
        path = tmp_path / name
        jiaoyu("demo", "--students", "60", "--seed", "9", db=path, check_code=0)
        return sorted((p["name"], p["id_number"]) for p in as_json(jiaoyu("students", "--json", db=path)))
    assert people("a.db") == people("b.db")
    assert len(people("c.db")) == 60


def test_backup_restore_check_log(db, messy, tmp_path):
    """backup creates its folder; restore brings the data back; check and log report the change log."""
    jiaoyu("import-roster", messy, "--only-valid", db=db, check_code=0)
    backup = as_json(jiaoyu("backup", tmp_path / "新U盘" / "备份", "--json", db=db, check_code=0))["backup"]
    uid = as_json(jiaoyu("students", "zs", "--json", db=db))[0]["uuid"]
    jiaoyu("transfer-out", uid, "--to", "县一小", db=db, check_code=0)
    assert as_json(jiaoyu("students", "zs", "--json", db=db))[0]["status"] == "转出"
    jiaoyu("restore", backup, db=db, check_code=0)
    assert as_json(jiaoyu("students", "zs", "--json", db=db))[0]["status"] == "在读"
    check = as_json(jiaoyu("check", "--json", db=db, check_code=0))
    assert check["ok"] is True and check["integrity"] == [] and check["change_log"] == []
    log = as_json(jiaoyu("log", "--json", db=db, check_code=0))
    assert [e["seq"] for e in log] == sorted(e["seq"] for e in log)
    since = as_json(jiaoyu("log", "--since", log[-2]["seq"], "--json", db=db, check_code=0))
    assert [e["seq"] for e in since] == [log[-1]["seq"]]


def test_check_finds_a_write_that_skipped_the_log(db, messy):
    """check exits 1 when a row was changed outside the write path."""
    import sqlite3
    jiaoyu("import-roster", messy, "--only-valid", db=db, check_code=0)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE students SET grade = 9")
    conn.commit()
    conn.close()
    out = jiaoyu("check", "--json", db=db, check_code=1)
    assert as_json(out)["ok"] is False


def test_usage_errors_exit_2_and_db_from_environment(tmp_path):
    """Wrong usage exits 2; JIAOYU_DB chooses the database; a missing database is explained."""
    assert jiaoyu("import-roster").returncode == 2
    assert jiaoyu("no-such-command").returncode == 2
    path = tmp_path / "env.db"
    out = jiaoyu("init", "--school-code", "12", "--school-name", "x", env={"JIAOYU_DB": str(path)})
    assert out.returncode == 2 and "10位" in out.stderr
    jiaoyu("init", "--school-code", "5101230001", "--school-name", "环境小学", env={"JIAOYU_DB": str(path)},
           check_code=0)
    assert path.exists()
    missing = jiaoyu("students", db=tmp_path / "nope.db")
    assert missing.returncode == 1 and "找不到数据库文件" in missing.stderr


def test_console_script_installed():
    """The `jiaoyu` console script is on the virtual environment's path."""
    script = Path(sys.executable).parent / "jiaoyu"
    assert script.exists() or shutil.which("jiaoyu")


def test_unexpected_error_is_logged_without_personal_data(db, messy, tmp_path):
    """An unexpected failure gives a short Chinese message and a log entry with no names or ID numbers."""
    import sqlite3
    jiaoyu("import-roster", messy, "--only-valid", db=db, check_code=0)
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE student_search")
    conn.commit()
    conn.close()
    out = jiaoyu("students", "张三", db=db)
    assert out.returncode == 1 and "意外错误" in out.stderr and "Traceback" not in out.stderr
    log = (Path(os.environ["JIAOYU_DATA_DIR"]) / "日志" / "jiaoyu.log").read_text(encoding="utf-8")
    assert "OperationalError" in log
    assert "张三" not in log and ZHANG not in log and "student_search" not in log
