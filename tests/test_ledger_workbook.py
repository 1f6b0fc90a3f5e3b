"""The ledgers workbook as inspectors and office programs see it."""

import csv
import datetime as dt

import openpyxl

from jiaoyuapp.documents.ledger_workbook import write_ledgers
from jiaoyuapp.ledgers.demo_ledgers import fill_term
from jiaoyuapp.roster.demo import load_demo
from tests.test_cli import jiaoyu
from tests.test_roster_in_office import convert

DAY = dt.date(2026, 11, 20)
SHEETS = ["学生花名册", "家访记录", "控辍保学台账", "劝返记录", "送教上门记录", "资助台账", "考勤缺课台账",
          "辍学学生情况报告表", "一月一报告", "统计汇总"]


def demo_school(store, n=150):
    load_demo(store, n, seed=6)
    fill_term(store, seed=6, today=DAY)


def test_sheets_titles_headers_and_print_setup(store, tmp_path):
    """The sheets in order (printable parts beside their ledger), each with a title, headers, frozen panes, A4, repeated header and page footer."""
    demo_school(store)
    out = write_ledgers(store, tmp_path / "台账.xlsx", today=DAY)
    wb = openpyxl.load_workbook(out)
    assert [n for n in wb.sheetnames if "（打印" not in n] == SHEETS
    for name in wb.sheetnames:
        ws = wb[name]
        assert "青石镇红岩村小学" in ws["A1"].value and ws.merged_cells.ranges
        assert ws.print_title_rows == ("$2:$2" if name != "辍学学生情况报告表" else None)
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert ws.page_setup.paperSize == 9
    roster = wb["学生花名册"]
    assert roster.page_setup.orientation == "landscape" and roster.freeze_panes == "C3"
    assert [c.value for c in roster[2]][:7] == ["序号", "姓名", "性别", "出生日期", "民族", "身份证件号", "全国学籍号"]
    ids = [roster.cell(r, 6) for r in range(3, 153)]
    assert all(isinstance(c.value, str) and len(c.value) == 18 and c.number_format == "@" for c in ids)
    assert {c.value for c in ids} == {r[0] for r in store.conn.execute("SELECT id_number FROM students")}
    signed = wb["学生花名册（打印1）"] if "学生花名册（打印1）" in wb.sheetnames else roster   # a page wide: signed there
    last = [c.value for c in signed[signed.max_row] if c.value]
    assert last[0].startswith("制表人") and last[1].startswith("审核人")
    cases = wb["控辍保学台账"]
    assert [c.value for c in cases[2]][:5] == ["序号", "姓名", "性别", "身份证号", "学籍号"]
    assert cases.max_row - 2 == store.scalar("SELECT count(*) FROM cases")   # title, header, a row per case
    part = wb["控辍保学台账（打印1）"]                                          # printed a page wide, and signed
    n = store.scalar("SELECT count(*) FROM cases")
    foot = [c.value for r in range(n + 4, part.max_row + 1) for c in part[r] if c.value]   # after a blank row
    assert foot[0].startswith("村支书") and [c.value for c in part[n + 3] if c.value] == []
    visits = wb["家访记录"]
    assert visits.max_row - 2 == store.scalar("SELECT count(*) FROM current_visits")   # a wide sheet: signed in its parts
    labels = [r[0].value for r in wb["统计汇总"].iter_rows(min_row=3)]
    assert "学生总数" in "".join(str(x) for x in labels)


def test_public_notice_masks_ids_and_phones(store, tmp_path):
    """The 公示 variant shows 510123********0118 and 138****8000, never a whole number."""
    demo_school(store, 60)
    out = write_ledgers(store, tmp_path / "公示.xlsx", masked=True, today=DAY)
    wb = openpyxl.load_workbook(out)
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    for (idn,) in store.conn.execute("SELECT id_number FROM students"):
        assert idn not in text
        assert idn[:6] + "********" + idn[-4:] in text
    for (phone,) in store.conn.execute("SELECT phone FROM guardians WHERE position = 1 AND phone IS NOT NULL LIMIT 20"):
        assert phone not in text


def test_libreoffice_reads_every_id_number(store, tmp_path):
    """LibreOffice, converting the first sheet to CSV, shows every ID number whole."""
    demo_school(store, 80)
    out = write_ledgers(store, tmp_path / "台账.xlsx", today=DAY)
    convert(out, tmp_path / "csv", "csv:Text - txt - csv (StarCalc):44,34,76,1")
    with open(tmp_path / "csv" / "台账.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][:2] == ["序号", "姓名"]
    got = {r[5] for r in rows[2:] if len(r) > 5 and r[5]}
    assert got == {r[0] for r in store.conn.execute("SELECT id_number FROM students")}


def test_export_ledgers_command(tmp_path):
    """`jiaoyu export ledgers` writes the workbook whose first sheet is 学生花名册."""
    db = tmp_path / "s.db"
    jiaoyu("demo", "--students", "50", db=db, check_code=0)
    jiaoyu("export", "ledgers", tmp_path / "out" / "台账.xlsx", db=db, check_code=0)
    jiaoyu("export", "ledgers", tmp_path / "out" / "公示.xlsx", "--public", db=db, check_code=0)
    assert openpyxl.load_workbook(tmp_path / "out" / "台账.xlsx").sheetnames[0] == "学生花名册"


def test_a_student_known_only_by_the_address_where_they_live_has_it_in_the_ledger(store, tmp_path):
    """A school-made sheet with only 居住地址 (现住址) does not leave 家庭住址 blank in the roster ledger
    a teacher plans home visits from."""
    from jiaoyuapp.documents.ledger_rows import roster_rows
    from jiaoyuapp.roster.roster_import import import_roster
    from jiaoyuapp.school import init_school
    from tests.workbooks import make_id, save
    init_school(store, code="5101230001", name="青石镇红岩村小学", township="青石镇", county="示范县")
    import_roster(store, save([["姓名", "身份证号", "班级", "居住地址"],
                               ["张小三", make_id("20180305", 11), "三年级1班", "青石镇红岩村3组"]],
                              tmp_path / "r.xlsx"))
    (row,) = list(roster_rows(store, masked=False))
    assert "青石镇红岩村3组" in row
