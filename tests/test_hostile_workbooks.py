"""Hostile and damaged .xls and .ods rosters: a message in Chinese saying what is wrong and what to do,
the process alive, the school's data as it was; and a sheet starting at C3 reported as Excel shows it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jiaoyuapp.errors import UnreadableFileError
from jiaoyuapp.roster.roster_import import import_roster
from tests import hostile_xls_ods as h
from tests.broken_workbooks import ENTITY_ATTACKS, patched_entry
from tests.workbooks import make_id, save

REPO = Path(__file__).resolve().parent.parent
RUNNER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from jiaoyuapp.cli import main
sys.exit(main(sys.argv[1:]))
"""
KEEP = [["姓名", "身份证件号"], ["周一", make_id("20170203", 81)], ["吴二", make_id("20170405", 92)]]


@pytest.fixture(scope="session")
def real(tmp_path_factory) -> dict[str, bytes]:
    """The C3 roster (three students, one more with a wrong check digit) as .xlsx, and saved by LibreOffice as .xls and .ods."""
    d = tmp_path_factory.mktemp("real")
    xlsx = h.write_roster_xlsx(d / "花名册.xlsx", "C3", bad_row=True)
    return {"xlsx": xlsx.read_bytes(), "xls": h.convert(xlsx, "xls", d).read_bytes(),
            "ods": h.convert(xlsx, "ods", d).read_bytes()}


def _state(store) -> tuple:
    return (list(store.rows("SELECT * FROM students ORDER BY uuid")),
            store.scalar("SELECT count(*) FROM change_log"), store.scalar("SELECT count(*) FROM batches"))


@pytest.fixture
def kept(store, tmp_path):
    """A school with two students already imported; returns the state to compare with."""
    import_roster(store, save(KEEP, tmp_path / "已有.xlsx"))
    state = _state(store)
    assert len(state[0]) == 2
    return state


def refused(store, kept, tmp_path, name: str, data: bytes, *says: str) -> str:
    """Importing the file raises the file error saying each of `says`, and the school's data stays as it was."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableFileError) as caught:
        import_roster(store, path)
    message = caught.value.message
    assert message.startswith(f"无法读取“{name}”：") and "Traceback" not in message, message
    assert all(s in message for s in says), message
    assert "请" in message.split("。", 1)[1], message       # and says what to do
    assert _state(store) == kept
    return message


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- .xls ------------------------------------------------------------------------------------------

def test_a_cut_xls_is_refused_as_incomplete(store, kept, tmp_path, real):
    """A .xls copied halfway off a USB stick is called incomplete, with what to do, and the school keeps its students."""
    for cut in (len(real["xls"]) // 2, 3000, 600):
        refused(store, kept, tmp_path, "学籍.xls", real["xls"][:cut], "不完整", "重新复制")


def test_a_web_page_or_xml_2003_named_xls_says_what_it_is(store, kept, tmp_path):
    """The “Excel” a web system exports (HTML, single-file web page, XML Spreadsheet 2003) is named so, with 另存为.xlsx to do."""
    refused(store, kept, tmp_path, "导出.xls", h.HTML_XLS, "网页", "另存为", ".xlsx")
    refused(store, kept, tmp_path, "导出.xls", b"\xef\xbb\xbf\r\n" + h.HTML_XLS, "网页")
    refused(store, kept, tmp_path, "导出.xls", h.SPREADSHEET_2003, "XML电子表格2003", "另存为")
    refused(store, kept, tmp_path, "导出.xls", h.MHTML_XLS, "网页", "另存为")


def test_password_protected_workbooks_say_remove_the_password(store, kept, tmp_path, real):
    """An encrypted .xlsx (as .xlsx or named .xls) and an .xls with a password say so and how to remove it."""
    refused(store, kept, tmp_path, "加密.xlsx", h.encrypted_xlsx(), "打开密码", "取消密码")
    refused(store, kept, tmp_path, "加密.xls", h.encrypted_xlsx(), "打开密码")
    refused(store, kept, tmp_path, "加密2.xls", h.rebuilt_xls(real["xls"], h.with_filepass), "打开密码", "取消密码")


def test_xls_cells_or_dimensions_beyond_reach_are_refused_before_calamine(store, kept, tmp_path, real):
    """A .xls whose cell or DIMENSIONS record reaches far (calamine would abort the program at open) is refused in words."""
    xls = real["xls"]
    assert import_roster(store, _write(tmp_path / "重建.xls", h.rebuilt_xls(xls)), dry_run=True).rows == 4
    refused(store, kept, tmp_path, "远.xls", h.rebuilt_xls(xls, h.far_cell(65535, 255)), "大得异常", "800万")
    refused(store, kept, tmp_path, "宽.xls", h.rebuilt_xls(xls, h.far_cell(9, 65535)), "上限（256列）", "已损坏")
    refused(store, kept, tmp_path, "范围.xls", h.rebuilt_xls(xls, h.dimensions_claiming(0xFFFFFFFF, 0xFFFF)),
            "上限（65536行）")
    refused(store, kept, tmp_path, "范围2.xls", h.rebuilt_xls(xls, h.dimensions_claiming(65536, 256)), "大得异常")


def test_an_xls_whose_sheet_list_points_astray_is_refused(store, kept, tmp_path, real):
    """A sheet list pointing past the end or into the middle of a record (calamine panics there) is called damaged."""
    for offset in (0xFFFFFF00, 100):
        refused(store, kept, tmp_path, "目录.xls", h.with_sheet_offset(real["xls"], offset), "内部结构已损坏")


def test_an_xls_claiming_billions_of_shared_strings_still_reads(store, tmp_path, real):
    """A shared-string table whose count says four billion is not trusted: the roster reads as it is."""
    path = _write(tmp_path / "文字表.xls", h.rebuilt_xls(real["xls"], h.sst_claiming(0xFFFFFFFF)))
    report = import_roster(store, path, dry_run=True)
    assert (report.rows, report.valid) == (4, 3)


def test_an_xls_writing_one_cell_over_and_over_is_refused(store, kept, tmp_path, real, monkeypatch):
    """A .xls that writes the same cell millions of times (calamine keeps each before building) is refused in words."""
    from jiaoyuapp.roster import xls_package
    monkeypatch.setattr(xls_package, "MAX_CELL_RECORDS", 100)
    xls = real["xls"]
    assert import_roster(store, _write(tmp_path / "少.xls", h.rebuilt_xls(xls, h.far_cell(0, 0, 20))), dry_run=True).rows == 4
    refused(store, kept, tmp_path, "重复.xls", h.rebuilt_xls(xls, h.far_cell(0, 0, 200)), "单元格记录多得异常")


# --- .ods ------------------------------------------------------------------------------------------

def test_an_ods_zip_bomb_is_refused(store, kept, tmp_path, real):
    """content.xml that inflates to a gigabyte, really or by what its header claims, is refused as a zip bomb."""
    refused(store, kept, tmp_path, "炸弹.ods", h.ods_bomb(real["ods"]), "压缩炸弹")
    refused(store, kept, tmp_path, "炸弹2.ods", patched_entry(real["ods"], "content.xml", usize=0xF0000000), "压缩炸弹")


def test_an_ods_with_entities_is_refused(store, kept, tmp_path, real):
    """A content.xml with a DTD (billion laughs, an external entity) is refused before any parser expands it."""
    content = h.ods_parts(real["ods"])["content.xml"]
    cut = content.index(b"?>") + 2
    for attack, ref in (("billion_laughs", b"&lol5;"), ("external", b"&xxe;")):
        evil = content[:cut] + ENTITY_ATTACKS[attack] + content[cut:].replace(b"<text:p>", b"<text:p>" + ref, 1)
        refused(store, kept, tmp_path, "实体.ods", h.ods_with(real["ods"], {"content.xml": evil}), "DTD", "重新索取")


def test_huge_ods_repeats_are_refused_before_calamine(store, kept, tmp_path, real):
    """A value repeated a billion times, 16 million by 16 million, or 16 million cells in all is refused in words, not built."""
    ods, content = real["ods"], h.ods_parts(real["ods"])["content.xml"]
    assert b'number-rows-repeated="1048' in content     # LibreOffice's trailing empty rows, which still read
    for columns, rows, says in ((10 ** 9, 1, "重复次数"), (1, 10 ** 9, "重复次数"), (1 << 24, 1 << 24, "上限"),
                                (4000, 4000, "大得异常")):
        refused(store, kept, tmp_path, "重复.ods", h.ods_with(ods, {"content.xml": h.repeated_cell(content, columns, rows)}),
                says)


def test_a_cut_ods_is_refused_as_incomplete(store, kept, tmp_path, real):
    """An .ods copied halfway is called incomplete, and the school keeps its students."""
    for cut in (len(real["ods"]) // 2, len(real["ods"]) - 30):
        refused(store, kept, tmp_path, "半个.ods", real["ods"][:cut], "不完整")


def test_a_workbook_with_the_wrong_extension_is_read_as_what_it_is(store, tmp_path, real):
    """An .xlsx named .ods, an .ods named .xlsx, an .xls named .xlsx import as they are instead of being called damaged."""
    for name, kind in (("是xlsx.ods", "xlsx"), ("是ods.xlsx", "ods"), ("是xls.xlsx", "xls"), ("是xls.ods", "xls")):
        report = import_roster(store, _write(tmp_path / name, real[kind]), dry_run=True)
        assert (report.rows, report.valid, report.header_row) == (4, 3, 3), name


# --- as the teacher sees it -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_a_sheet_starting_at_c3_reports_rows_and_columns_as_excel_shows_them(store, tmp_path, real, kind):
    """With two empty rows and columns before the header, the header is row 3 and the bad ID is in D7, as in Excel."""
    report = import_roster(store, _write(tmp_path / f"花名册.{kind}", real[kind]), dry_run=True)
    assert (report.header_row, report.rows, report.valid) == (3, 4, 3)
    assert [(p["row"], p["letter"], p["column"], p["value"]) for p in report.problems] == [
        (7, "D", "身份证件号", h.BAD_ID)]
    report = import_roster(store, _write(tmp_path / f"花名册.{kind}", real[kind]), only_valid=True)
    assert report.created == 3 and store.scalar("SELECT count(*) FROM students") == 3


def test_the_import_of_hostile_files_under_1_gib_ends_in_a_refusal_not_a_crash(tmp_path, real):
    """With 1 GiB of memory, importing a .xls reaching column 65,535 or a 16-million-cell .ods ends in the refusal, not a crash."""
    # calamine alone asks for 137 GB on that .xls and aborts the process; the import must refuse before it
    db = tmp_path / "学校.db"
    env = {"JIAOYU_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "JIAOYU_KDF_COST": "test"}

    def jiaoyu(*args):
        return subprocess.run([sys.executable, "-c", RUNNER, "--db", str(db), "--json", *map(str, args)],
                              capture_output=True, text=True, cwd=REPO, env=env, timeout=120)

    assert jiaoyu("init", "--school-code", "5101230001", "--school-name", "红岩村小学").returncode == 0
    assert jiaoyu("import-roster", save(KEEP, tmp_path / "已有.xlsx")).returncode == 0
    wide = _write(tmp_path / "宽.xls", h.rebuilt_xls(real["xls"], h.far_cell(9, 65535)))
    big = _write(tmp_path / "大.ods", h.ods_with(real["ods"], {"content.xml": h.repeated_cell(
        h.ods_parts(real["ods"])["content.xml"], 4000, 4000)}))
    for path, says in ((wide, "上限"), (big, "大得异常")):
        done = jiaoyu("import-roster", path)
        assert done.returncode == 1, done.stderr[-800:]
        error = json.loads(done.stdout)["error"]
        assert error.startswith(f"无法读取“{path.name}”") and says in error, error
    students = jiaoyu("students")
    assert students.returncode == 0 and "周一" in students.stdout and "吴二" in students.stdout


def _xlsx_reaching_far(real: dict[str, bytes], tmp_path: Path) -> Path:
    """The roster .xlsx with one cell at ZZ40000000 (calamine would reserve ~900 GB for it)."""
    import zipfile
    src = _write(tmp_path / "原.xlsx", real["xlsx"])
    out = tmp_path / "far.zip"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"</sheetData>", b'<row r="40000000"><c r="ZZ40000000" t="inlineStr">'
                                                      b'<is><t>x</t></is></c></row></sheetData>')
            zout.writestr(info, data)
    return out


def test_a_zip_with_the_parts_of_two_formats_is_refused_before_calamine(store, kept, tmp_path, real):
    """An .xlsx that also carries an ODS mimetype and a one-cell content.xml (checked as the small ODS, read by
    calamine as the huge xlsx) is refused in words; a real .xlsb (workbook.bin, never checked) is too."""
    import zipfile
    far = _xlsx_reaching_far(real, tmp_path)
    both = tmp_path / "both.zip"
    with zipfile.ZipFile(far) as zin, zipfile.ZipFile(both, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        for name, part in h.ods_parts(real["ods"]).items():
            if name in ("mimetype", "content.xml", "META-INF/manifest.xml"):
                zout.writestr(name, part)
    for name in ("学籍.xlsx", "学籍.ods", "学籍.xls"):
        refused(store, kept, tmp_path, name, both.read_bytes(), "既有Excel工作簿的部分")
    upper = tmp_path / "upper.zip"   # calamine finds parts whatever their case: so do the checks
    with zipfile.ZipFile(both) as zin, zipfile.ZipFile(upper, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            name = info.filename.replace("[Content_Types].xml", "[content_types].xml")
            zout.writestr("XL/" + name[3:] if name.startswith("xl/") else name, zin.read(info.filename))
    for name in ("学籍.xlsx", "学籍.xls"):
        refused(store, kept, tmp_path, name, upper.read_bytes(), "既有Excel工作簿的部分")
    xlsb = tmp_path / "b.zip"
    with zipfile.ZipFile(far) as zin, zipfile.ZipFile(xlsb, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename.replace("workbook.xml", "workbook.bin"), zin.read(info.filename))
    refused(store, kept, tmp_path, "学籍.xlsb", xlsb.read_bytes(), ".xlsb")
