"""The ledgers workbook as LibreOffice prints it: no text below 8 pt, wide ledgers in printable parts,
sign-offs whole, the new sheets rendered with Chinese text (issue 12, "What it must show" 2 and 4)."""

import datetime as dt
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from jiaoyuapp.documents import print_parts
from jiaoyuapp.documents.ledger_rows import LEDGERS, Column
from jiaoyuapp.documents.ledger_workbook import cell, put, setup_sheet, write_ledger_sheets, write_ledgers
from jiaoyuapp.ledgers.demo_ledgers import fill_term
from jiaoyuapp.resources import cjk_font
from jiaoyuapp.roster.demo import load_demo
from jiaoyuapp.school import init_school, open_school

DAY = dt.date(2026, 11, 20)
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def office_pdf(tmp_path: Path, *files: Path) -> None:
    """LibreOffice converts to PDF with the CJK font the app ships (this machine may have none):
    fontconfig is pointed at resources/fonts as well as the system's fonts."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                    f'<dir>{cjk_font().parent}</dir><cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>')
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "pdf"), *map(str, files)], check=True, capture_output=True, timeout=300,
                   env={"FONTCONFIG_FILE": str(conf), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})


def words(pdf: Path) -> list[tuple[int, str, float]]:
    """(page, word, glyph box height) for every word pdftotext -bbox finds."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for n, page in enumerate(out.split("<page ")[1:], 1):
        for y0, y1, w in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', page):
            found.append((n, w, float(y1) - float(y0)))
    return found


def reference(tmp_path: Path) -> Path:
    """A sheet printed at 100% with Chinese and Latin text at exactly 8 pt: the glyph heights to beat."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("参照")
    setup_sheet(ws, [Column("a", 30), Column("b", 30)], "参照")
    for text in (["控辍保学台账", "2026-11-20"], ["姓名班级", "510123"]):
        put(ws, [cell(ws, t, font=Font(size=8)) for t in text])
    path = tmp_path / "参照.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("print")
    store = open_school(tmp / "school.db")
    init_school(store, code="5101230001", name="青石镇红岩村小学", township="青石镇", county="示范县")
    load_demo(store, 80, seed=6)
    fill_term(store, seed=6, today=DAY)
    book = write_ledgers(store, tmp / "台账.xlsx", today=DAY)
    office_pdf(tmp, book, reference(tmp))
    yield {"store": store, "book": book, "pdf": tmp / "pdf" / "台账.pdf", "ref": tmp / "pdf" / "参照.pdf", "tmp": tmp}
    store.close()


def test_no_printed_text_below_8pt(printed):
    """Printed from LibreOffice, every word of every sheet is at least as tall as 8-pt text (was 4–5 pt)."""
    ref = words(printed["ref"])
    floor_cjk = min(h for _, w, h in ref if CJK.search(w))
    floor_latin = min(h for _, w, h in ref if not CJK.search(w))
    found = words(printed["pdf"])
    assert len(found) > 2000
    small = [(n, w, round(h, 1)) for n, w, h in found if h < (floor_cjk if CJK.search(w) else floor_latin) - 0.05]
    assert small == []


def test_new_sheets_render_with_chinese(printed):
    """The parts, the 考勤 ledger and the two reports come out as Chinese text in an embedded CJK font, not boxes."""
    fonts = subprocess.run(["pdffonts", str(printed["pdf"])], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts
    text = subprocess.run(["pdftotext", "-layout", str(printed["pdf"]), "-"], capture_output=True, text=True).stdout
    pages = text.split("\f")
    for title in ("控辍保学工作台账（打印1/", "考勤（缺课）台账", "辍学学生情况报告表", "学校控辍保学一月一报告", "零报告"):
        assert any(title in pg for pg in pages), title
    page = next(i for i, pg in enumerate(pages, 1) if "考勤（缺课）台账" in pg)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", str(page), "-l", str(page), str(printed["pdf"]),
                    str(printed["tmp"] / "kaoqin")], check=True)
    from PIL import Image
    png = next(printed["tmp"].glob("kaoqin*.png"))
    dark = sum(Image.open(png).convert("L").histogram()[:128])
    assert dark > 500


def test_wide_ledgers_have_printable_parts_with_key_columns(printed):
    """控辍保学台账 keeps its full sheet and gets parts a page wide, each starting 序号/姓名 and carrying 班级, together every column."""
    wb = openpyxl.load_workbook(printed["book"])
    full = [c.value for c in wb["控辍保学台账"][2]]
    parts = [n for n in wb.sheetnames if n.startswith("控辍保学台账（打印")]
    assert len(parts) >= 2
    seen = set()
    for name in parts:
        ws = wb[name]
        headers = [c.value for c in ws[2] if c.value]
        assert headers[:2] == ["序号", "姓名"] and "班级" in headers
        widths = [ws.column_dimensions[chr(65 + i)].width for i in range(len(headers))]
        assert sum(widths) <= print_parts.PART_BUDGET
        assert ws.print_title_rows == "$2:$2" and ws.page_setup.fitToWidth == 1
        seen |= set(headers)
    assert seen == set(full)
    assert wb["控辍保学台账"].page_setup.scale == 100 and wb["控辍保学台账"].print_title_cols == "$A:$B"


def test_a_column_added_to_a_definition_lands_in_a_part():
    """A column another ledger adds (资助, 家访 …) is printed in some part, and the key columns in every part."""
    columns = list(LEDGERS[2].columns) + [Column("新增列", 30)]
    layout = print_parts.parts([c.width for c in columns], [c.key for c in columns])
    assert len(columns) - 1 in layout[-1]
    keys = [i for i, c in enumerate(columns) if c.key]
    assert all(set(keys) <= set(part) for part in layout)
    assert sorted({i for part in layout for i in part}) == list(range(len(columns)))


def test_sign_off_titles_sit_whole_in_cells_wide_enough(printed):
    """Each 签字 title is in merged cells wide enough for it and a signature, unwrapped, and prints on one line."""
    wb = openpyxl.load_workbook(printed["book"])
    for base in ("控辍保学台账", "劝返记录", "学生花名册"):
        name = f"{base}（打印1）" if f"{base}（打印1）" in wb.sheetnames else base   # signed where printed a page wide
        ws = wb[name]
        widths = [ws.column_dimensions[chr(65 + i)].width for i in range(ws.max_column)]
        signs = [c for row in ws.iter_rows(min_row=ws.max_row - 3) for c in row
                 if isinstance(c.value, str) and c.value.endswith("：")]
        assert signs, name
        for c in signs:
            span = next((r for r in ws.merged_cells.ranges if c.coordinate in r), None)
            cols = range(span.min_col, span.max_col + 1) if span else [c.column]
            assert sum(widths[i - 1] for i in cols) >= print_parts.text_units(c.value) + print_parts.SIGN_ROOM - 0.01
            assert not c.alignment.wrap_text
    text = subprocess.run(["pdftotext", str(printed["pdf"]), "-"], capture_output=True, text=True).stdout
    for title in ("村支书（主任）：", "教体局包片领导：", "乡镇分管领导："):
        assert title in text


def test_absence_ledger_lists_every_absence(printed):
    """考勤缺课台账 has one row per recorded absence, with its kind in words."""
    wb = openpyxl.load_workbook(printed["book"])
    ws = wb["考勤缺课台账"]
    assert [c.value for c in ws[2]][:6] == ["序号", "日期", "姓名", "性别", "班级", "缺课类型"]
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == printed["store"].scalar("SELECT count(*) FROM absences")
    assert {r[5] for r in rows} <= {"病假", "事假", "无故缺课", "其他"} and "无故缺课" in {r[5] for r in rows}


def test_township_cases_sheet_has_one_school_column(tmp_path, store):
    """In the township workbook the 控辍 sheet names the school once (in every printed part too); other ledgers get one 学校 column first."""
    load_demo(store, 30, seed=3)
    fill_term(store, seed=3, today=DAY)
    other = open_school(tmp_path / "other.db")
    init_school(other, code="5101230002", name="青石镇中心小学", township="青石镇", county="示范县")
    load_demo(other, 30, seed=4)
    fill_term(other, seed=4, today=DAY)
    wb = openpyxl.Workbook(write_only=True)
    write_ledger_sheets(wb, "青石镇中心校", [("青石镇红岩村小学", store), ("青石镇中心小学", other)], masked=False, today=DAY)
    wb.save(tmp_path / "乡镇.xlsx")
    other.close()
    book = openpyxl.load_workbook(tmp_path / "乡镇.xlsx")
    cases = [c.value for c in book["控辍保学台账"][2]]
    assert cases.count("学校") == 1
    schools = {r[cases.index("学校")] for r in book["控辍保学台账"].iter_rows(min_row=3, values_only=True)
               if isinstance(r[0], int)}
    assert schools == {"青石镇红岩村小学", "青石镇中心小学"}
    parts = [n for n in book.sheetnames if n.startswith("控辍保学台账（打印")]
    assert parts and all("学校" in [c.value for c in book[n][2]] for n in parts)
    visits = [c.value for c in book["家访记录"][2]]
    assert visits[0] == "学校" and visits.count("学校") == 1


def test_wrapped_cells_never_print_over_the_next_row(printed):
    """A long 人员 or 说明 cell printed over the row below it (LibreOffice keeps a row's height as
    written, and openpyxl writes none): no two words on a printed page may overlap."""
    out = subprocess.run(["pdftotext", "-bbox", str(printed["pdf"]), "-"], capture_output=True, text=True,
                         check=True).stdout
    clashes = []
    for n, page in enumerate(out.split("<page ")[1:], 1):
        boxes = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)]
        for i, (x0, y0, x1, y1, w) in enumerate(boxes):
            for u0, v0, u1, v1, other in boxes[i + 1:]:
                across, down = min(x1, u1) - max(x0, u0), min(y1, v1) - max(y0, v0)
                if across > 1 and down > 0.3 * min(y1 - y0, v1 - v0):
                    clashes.append((n, w, other))
    assert clashes == []
