"""Broken and hostile roster files: a message saying what is wrong with the file, JSON always, hidden sheets named."""

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from jiaoyuapp import cli
from jiaoyuapp.errors import DataError, UnreadableFileError
from jiaoyuapp.roster.roster_import import import_roster
from tests.broken_workbooks import base_workbook, changed, read_parts, variants, write
from tests.test_cli import jiaoyu
from tests.workbooks import make_id, save

ZHANG, LI = make_id("20180305", 11), make_id("20180712", 22)

GENERIC = ("意外错误", "Traceback")
# What the message must say for the classes whose damage is always of one kind.
SAYS = {"not_zip": ("不是Excel", "旧版Excel", "PDF", "网页", "空的"), "truncated": ("不完整", "压缩数据已损坏"),
        "entities": ("DTD",), "bomb": ("压缩炸弹",), "zip_features": ("加密", "压缩方式", "同名"),
        "removed": ("缺少", "缺失"), "bad_xml": ("损坏",)}


def run_in_process(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(args)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def school_db(tmp_path):
    db = tmp_path / "学校.db"
    code, _, err = run_in_process(["--db", str(db), "init", "--school-code", "5101230001", "--school-name", "红岩村小学"])
    assert code == 0, err
    return db


def check(variant, code: int, stdout: str, stderr: str) -> dict:
    """Exit 0 or 1, one JSON document on stdout, never the generic apology; returns the JSON."""
    where = f"{variant.kind}:{variant.name}"
    assert code in (0, 1), (where, code, stderr[-500:])
    data = json.loads(stdout)
    text = stdout + stderr
    assert not any(g in text for g in GENERIC), (where, text[-500:])
    if "error" in data:
        assert data["error"] and any("\u4e00" <= ch <= "\u9fff" for ch in data["error"]), where
        assert any(s in data["error"] for s in SAYS.get(variant.kind, ("",))), (where, data["error"])
    return data


def test_a_hundred_and_more_damaged_workbooks_each_get_a_message_and_json(school_db, tmp_path):
    """No damaged or hostile workbook ends in the generic error or in output a program cannot read: each
    says what is wrong with the file (checked in-process for all, through the real command for each kind)."""
    base = tmp_path / "好的.xlsx"
    base.write_bytes(base_workbook())
    code, out, _ = run_in_process(["--db", str(school_db), "import-roster", str(base), "--json", "--dry-run"])
    assert code == 0 and json.loads(out)["rows"] == 6     # the base is a valid roster
    found = variants()
    assert len(found) >= 100
    folder = tmp_path / "变体"
    folder.mkdir()
    results, first_of_kind = {}, {}
    for v in found:
        path = write(v, folder)
        results[(v.kind, v.name)] = check(v, *run_in_process(
            ["--db", str(school_db), "import-roster", str(path), "--json", "--dry-run"]))
        first_of_kind.setdefault(v.kind, (v, path))
    for v, path in first_of_kind.values():
        out = jiaoyu("import-roster", path, "--json", "--dry-run", db=school_db)
        assert check(v, out.returncode, out.stdout, out.stderr) == results[(v.kind, v.name)]
    errors = [r for r in results.values() if "error" in r]
    assert len(errors) >= 100
    assert results[("hidden", "roster_hidden")]["hidden_sheets"] == ["一年级"]
    assert results[("hidden", "roster_hidden")]["rows"] == 0
    assert results[("sheet_kinds", "chartsheet_first")]["chart_sheets"] == ["图表1"]
    assert results[("sheet_kinds", "chartsheet_first")]["rows"] == 6
    assert "文字编码" in results[("encoding", "utf16_valid")]["error"]   # Excel, WPS and LibreOffice write UTF-8
    assert "共享文字表" in results[("shared_strings", "index_-1")]["error"]
    assert "上限" in results[("huge", "row_beyond_excel")]["error"]


def test_refused_files_raise_the_file_error_in_the_core(store, tmp_path):
    """The window gets the same refusal as the command line, and a damaged sheet stops the import
    instead of being skipped as if it had no header."""
    parts = read_parts(base_workbook())
    damaged = changed(base_workbook(), **{"xl/worksheets/sheet2.xml": parts["xl/worksheets/sheet2.xml"][:200]})
    path = tmp_path / "坏.xlsx"
    path.write_bytes(damaged)
    with pytest.raises(UnreadableFileError, match="工作表“说明”的内容已损坏"):
        import_roster(store, path, dry_run=True)
    assert store.scalar("SELECT count(*) FROM students") == 0


def _hidden_roster(tmp_path) -> Path:
    parts = read_parts(base_workbook())
    wbxml = parts["xl/workbook.xml"].replace('name="一年级" sheetId="1" state="visible"'.encode(),
                                             'name="一年级" sheetId="1" state="hidden"'.encode())
    assert wbxml != parts["xl/workbook.xml"]
    path = tmp_path / "隐藏.xlsx"
    path.write_bytes(changed(base_workbook(), **{"xl/workbook.xml": wbxml}))
    return path


def test_hidden_sheets_are_named_and_read_only_when_chosen(school_db, tmp_path):
    """A hidden sheet is listed as hidden and not imported; --include-hidden or --sheet reads it."""
    path = _hidden_roster(tmp_path)
    out = jiaoyu("import-roster", path, db=school_db)
    assert out.returncode == 1 and "隐藏的工作表（未读取）：一年级" in out.stdout and "--include-hidden" in out.stdout
    assert "没有写入任何数据" in out.stdout
    code, stdout, _ = run_in_process(["--db", str(school_db), "import-roster", str(path), "--json"])
    report = json.loads(stdout)
    assert (code, report["rows"], report["hidden_sheets"], report["written"]) == (1, 0, ["一年级"], False)
    code, stdout, _ = run_in_process(["--db", str(school_db), "import-roster", str(path), "--json", "--dry-run",
                                      "--sheet", "一年级"])
    report = json.loads(stdout)
    assert (code, report["rows"], report["sheet"], report["hidden_sheets"]) == (0, 6, "一年级", [])
    code, stdout, _ = run_in_process(["--db", str(school_db), "import-roster", str(path), "--json", "--sheet", "二年级"])
    assert code == 1 and "没有名为“二年级”的工作表" in json.loads(stdout)["error"]
    assert "一年级（隐藏）" in json.loads(stdout)["error"]
    code, stdout, _ = run_in_process(["--db", str(school_db), "import-roster", str(path), "--json", "--include-hidden"])
    report = json.loads(stdout)
    assert (code, report["created"], report["written"], report["skipped_sheets"]) == (0, 6, True, ["说明"])


def test_a_visible_roster_beside_a_hidden_sheet_is_imported_alone(store, tmp_path):
    """With a visible roster and a hidden old copy, only the visible one is read and the hidden one is named."""
    import openpyxl
    path = save([["姓名", "身份证件号"], ["张三", ZHANG]], tmp_path / "两表.xlsx")
    wb = openpyxl.load_workbook(path)
    old = wb.create_sheet("旧名单")
    old.append(["姓名", "身份证件号"])
    old.append(["李丽", LI])
    old.sheet_state = "hidden"
    wb.save(path)
    report = import_roster(store, path, dry_run=True)
    assert (report.sheet, report.rows, report.hidden_sheets) == ("学生名单", 1, ["旧名单"])
    both = import_roster(store, path, dry_run=True, include_hidden=True)
    assert (both.rows, both.hidden_sheets) == (2, [])


def test_unexpected_error_with_json_still_prints_json(school_db, tmp_path):
    """A program reading --json output gets {"error": …} even for an unexpected failure, and the log has no names."""
    import sqlite3
    path = save([["姓名", "身份证件号"], ["张三", ZHANG]], tmp_path / "一人.xlsx")
    assert run_in_process(["--db", str(school_db), "import-roster", str(path)])[0] == 0
    conn = sqlite3.connect(school_db)
    conn.execute("DROP TABLE student_search")
    conn.commit()
    conn.close()
    out = jiaoyu("students", "张三", "--json", db=school_db)
    assert out.returncode == 1 and "意外错误" in json.loads(out.stdout)["error"]
    log = (Path(os.environ["JIAOYU_DATA_DIR"]) / "日志" / "jiaoyu.log").read_text(encoding="utf-8")
    assert "张三" not in log and ZHANG not in log
    usage = jiaoyu("import-roster", "--json", "--no-such-option", db=school_db)
    assert usage.returncode == 2 and "用法错误" in json.loads(usage.stdout)["error"]


def test_limits_hold_for_a_sheet_within_the_zip_limits(store, tmp_path, monkeypatch):
    """A sheet that claims more cells than the budget is refused with a message, not read to exhaustion."""
    from jiaoyuapp.roster import workbook_reader
    monkeypatch.setattr(workbook_reader, "MAX_CELLS", 20)
    path = tmp_path / "大.xlsx"
    path.write_bytes(base_workbook())
    with pytest.raises(DataError, match="大得异常"):
        import_roster(store, path, dry_run=True)
