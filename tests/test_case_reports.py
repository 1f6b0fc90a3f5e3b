"""辍学学生情况报告表 and 一月一报告, the sign-off setting, and one masking rule across the folder PDF.

Rules and sources: jiaoyuapp/ledgers/case_reports.py (county forms, 教基厅函〔2024〕15号)."""

import datetime as dt
import re
import subprocess

import openpyxl
import pytest

from jiaoyuapp.documents.inspection_folder import write_folder
from jiaoyuapp.documents.ledger_workbook import write_ledgers
from jiaoyuapp.documents.report_forms import write_reports_pdf
from jiaoyuapp.errors import DataError
from jiaoyuapp.exchange import identity
from jiaoyuapp.ledgers import case_reports, cases, settings, sign_offs
from jiaoyuapp.ledgers.demo_ledgers import fill_term
from jiaoyuapp.roster.demo import load_demo
from tests.ledger_helpers import escalation_ready, school_with_calendar, student

DAY = dt.date(2026, 11, 20)
SECRET = "红岩村小学2026"


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_sent_dates_are_recorded_through_the_write_path_and_checked(store):
    """The dates a report went to the 乡镇 and 县 are kept (in the change log); one before the case or in the future is refused."""
    school_with_calendar(store)
    kid = student(store, "测试甲", 1)
    case = cases.open_case(store, kid, on="2026-10-12", reason="学习困难")
    with pytest.raises(DataError, match="早于案件登记日期"):
        case_reports.record_sent(store, case, township_on="2026-10-01", today=DAY)
    with pytest.raises(DataError, match="还没到"):
        case_reports.record_sent(store, case, county_on="2026-12-30", today=DAY)
    before = store.scalar("SELECT count(*) FROM change_log")
    case_reports.record_sent(store, case, township_on="2026-10-13", today=DAY)
    case_reports.record_sent(store, case, county_on="2026-10-15", signed_by="周校长", today=DAY)
    got = case_reports.sent(store, case)
    assert (got["township_on"], got["county_on"], got["signed_by"]) == ("2026-10-13", "2026-10-15", "周校长")
    assert store.scalar("SELECT count(*) FROM change_log WHERE tbl = 'case_reports'") >= 2
    assert store.scalar("SELECT count(*) FROM change_log") > before


def test_monthly_report_new_returned_still_out_and_nil(store):
    """一月一报告: a month's new cases, those back in school, those still out; a month with no new case is a 零报告."""
    school_with_calendar(store)
    a, b = student(store, "测试乙", 2), student(store, "测试丙", 3)
    ca = escalation_ready(store, cases.open_case(store, a, on="2026-09-14", reason="外出打工"), on="2026-09-14")
    cases.move(store, ca, "确认辍学", on="2026-09-16")
    cases.add_attempt(store, ca, on="2026-09-17", people="班主任王老师、村委会李主任", method="家访", action="讲政策",
                      result="答应返校")
    cases.move(store, ca, "已复学", on="2026-10-09", placement="单独编班")
    cases.open_case(store, b, on="2026-09-21", reason="学习困难")
    sep, octo, nov = (case_reports.monthly(store, 2026, m) for m in (9, 10, 11))
    assert [x["name"] for x in sep["new"]] == ["测试乙", "测试丙"] and not sep["nil"]
    assert {x["name"] for x in sep["still_out"]} == {"测试乙", "测试丙"}
    assert octo["nil"] and [x["name"] for x in octo["returned"]] == ["测试乙"]
    assert [x["name"] for x in octo["still_out"]] == ["测试丙"]
    assert nov["nil"] and nov["returned"] == [] and [x["name"] for x in nov["still_out"]] == ["测试丙"]
    assert case_reports.months(store, DAY) == [(2026, 9), (2026, 10), (2026, 11)]


def test_sign_off_block_is_a_setting_printed_at_the_foot_of_the_cases_ledger(store, tmp_path):
    """The 劝返 list signs with the six default titles; a school's own list is checked, saved and printed instead."""
    load_demo(store, 40, seed=5)
    fill_term(store, seed=5, today=DAY)
    assert sign_offs.titles(store, "quanfan") == ["村支书（主任）", "中心校校长", "中学校长", "乡镇分管领导", "乡镇长",
                                                  "教体局包片领导"]
    with pytest.raises(DataError, match="写了两次"):
        sign_offs.set_titles(store, "quanfan", "中心校校长\n中心校校长")
    with pytest.raises(DataError, match="至少要有一个"):
        sign_offs.set_titles(store, "quanfan", "\n  \n")
    sign_offs.set_titles(store, "quanfan", "村支书（主任）：\n中心校校长\n县教体局督学\n", actor="测试")
    assert sign_offs.titles(store, "quanfan") == ["村支书（主任）", "中心校校长", "县教体局督学"]
    assert store.scalar("SELECT count(*) FROM change_log WHERE tbl = 'settings'") >= 1
    wb = openpyxl.load_workbook(write_ledgers(store, tmp_path / "台账.xlsx", today=DAY))
    ws = wb["控辍保学台账（打印1）"]   # the printable part (the full copy for machines is not signed)
    foot = [c.value for row in ws.iter_rows(min_row=ws.max_row - 2) for c in row
            if isinstance(c.value, str) and c.value.endswith("：")]
    assert foot == ["村支书（主任）：", "中心校校长：", "县教体局督学：", "日期："]


@pytest.fixture
def folder(store, tmp_path):
    load_demo(store, 80, seed=9)
    fill_term(store, seed=9, today=DAY, photo_share=0.5)
    settings.set_value(store, "mask_phone_tail", 2)   # the school's own rule, so a hard-coded mask would show
    identity.create(store, kind="school", code="5101230001", name="青石镇红岩村小学", passphrase=SECRET)
    return write_folder(store, tmp_path / "迎检档案.pdf", passphrase=SECRET, today=DAY)


def test_one_masking_rule_across_the_folder(folder, store):
    """No phone or ID number prints in full anywhere in the folder (一生一档 pages included); all use the school's mask."""
    text = pdf_text(folder).replace(" ", "")
    phones = {r[0] for r in store.conn.execute("SELECT phone FROM guardians WHERE phone IS NOT NULL UNION "
                                               "SELECT phone FROM case_people WHERE phone IS NOT NULL")}
    ids = {r[0] for r in store.conn.execute("SELECT id_number FROM students WHERE id_number IS NOT NULL")}
    assert phones and ids
    assert [x for x in phones | ids if x in text] == []
    masked = set(re.findall(r"1\d{2}\*{4}\d{2}(?!\d)", text))
    assert len(masked) > 10
    assert not re.search(r"1\d{2}\*{4}\d{4}", text)   # the default 138****8000 form nowhere: one rule, the school's
    start = text.rindex("二、重点关注学生一生一档")    # the section, not its line in the contents
    assert re.search(r"1\d{2}\*{4}\d{2}", text[start:text.rindex("三、控辍保学台账")])


def test_folder_has_the_reports_and_the_sign_off_block(folder, store):
    """The folder prints every case's 辍学学生情况报告表 with its sent dates, the 一月一报告 with a 零报告, and the 劝返 sign-offs."""
    text = pdf_text(folder)
    assert text.count("辍学学生情况报告表") >= store.scalar("SELECT count(*) FROM cases")
    sent = store.query("SELECT township_on, county_on FROM case_reports WHERE county_on IS NOT NULL")
    assert sent and sent[0]["township_on"] in text and sent[0]["county_on"] in text
    assert "零报告" in text and "2026年9月" in text and "村支书（主任）：" in text and "教体局包片领导：" in text


def test_reports_pdf_renders_chinese(store, tmp_path):
    """The reports exported alone (to send up, so with full IDs) embed the CJK font and render Chinese text that pdftoppm draws."""
    load_demo(store, 40, seed=5)
    fill_term(store, seed=5, today=DAY)
    out = write_reports_pdf(store, tmp_path / "上报.pdf", today=DAY)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts and "yes" in fonts.splitlines()[2]
    assert "辍学学生情况报告表" in pdf_text(out) and "学校控辍保学一月一报告" in pdf_text(out)
    some_id = store.scalar("SELECT s.id_number FROM cases c JOIN students s ON s.uuid = c.student_uuid LIMIT 1")
    assert some_id in pdf_text(out)   # sent to the 乡镇 and 县, who find the child by ID: not masked
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")], check=True)
    from PIL import Image
    assert sum(Image.open(next(tmp_path.glob("p*.png"))).convert("L").histogram()[:128]) > 300


def test_demo_school_has_a_report_sent_to_township_and_county(store):
    """The demo school shows a case whose report went to the 乡镇 and the 县, and a month with a 零报告."""
    load_demo(store, 150, seed=6)
    fill_term(store, seed=6, today=DAY)
    assert store.scalar("SELECT count(*) FROM case_reports WHERE township_on IS NOT NULL AND county_on IS NOT NULL") >= 1
    assert any(case_reports.monthly(store, y, m)["nil"] for y, m in case_reports.months(store, DAY))


def test_cli_records_sent_dates_sets_sign_offs_and_exports_reports(store, db_path, tmp_path):
    """The command line does what the window does: report-sent dates, the sign-off list, both reports exported."""
    from tests.test_cli import jiaoyu
    school_with_calendar(store)
    case = cases.open_case(store, student(store, "测试丁", 4), on="2026-10-12", reason="学习困难")
    store.close()
    jiaoyu("case", "report-sent", case, "--township", "2026-10-13", "--county", "2026-10-14", db=db_path, check_code=0)
    out = jiaoyu("settings", "--sign-offs", "村支书（主任）、中心校校长", db=db_path, check_code=0)
    assert "村支书（主任）、中心校校长" in out.stdout
    jiaoyu("export", "reports", tmp_path / "上报.xlsx", "--as-of", "2026-11-20", db=db_path, check_code=0)
    from jiaoyuapp.school import open_school
    again = open_school(db_path)
    try:
        assert (case_reports.sent(again, case)["county_on"], sign_offs.titles(again, "quanfan")) == \
            ("2026-10-14", ["村支书（主任）", "中心校校长"])
    finally:
        again.close()
    wb = openpyxl.load_workbook(tmp_path / "上报.xlsx")
    assert "2026-10-14" in " ".join(str(c.value) for row in wb["辍学学生情况报告表"].iter_rows() for c in row if c.value)
