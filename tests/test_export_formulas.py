"""Text that looks like a formula stays text in every exported workbook (synthetic people only)."""

import csv
import re
import zipfile

import openpyxl

from jiaoyuapp.documents.ledger_workbook import write_ledgers
from jiaoyuapp.exchange import packet_import
from jiaoyuapp.exchange.township_export import write_township_workbook
from jiaoyuapp.ledgers import cases, teachers, visits
from jiaoyuapp.roster.roster_export import export_roster
from jiaoyuapp.roster.roster_import import import_roster
from jiaoyuapp.roster.students import add_student
from tests.packet_helpers import CENTER_SECRET, DAY, export, make_center, make_school, register
from tests.test_roster_in_office import SOFFICE, convert
from tests.workbooks import make_id

SCHOOL = '=HYPERLINK("http://x","村小")'
STUDENTS = [
    {"姓名": "=1+1", "身份证件号": make_id("20180305", 901), "班级": "三年级1班", "家庭地址": '=HYPERLINK("http://x")',
     "成员1姓名": "@王大山", "成员1关系": "=父亲"},
    {"姓名": "-5", "身份证件号": make_id("20180305", 903), "班级": "三年级1班", "家庭地址": "+86红岩村3组",
     "成员1姓名": "+李小河", "成员1关系": "-母亲"},
    {"姓名": "@张三", "身份证件号": make_id("20180305", 905), "班级": "三年级1班", "家庭地址": "#N/A"},
]
TEACHER = "=王老师"
VISIT = {"note": "@SUM(A1)", "problems": "+86 138 0013 8000 家长换了号码", "measures": "-5",
         "location": "=A1&A2", "met_name": "=IMPORTXML(1)"}
CASE = {"reason_text": "=cmd|' /C calc'!A0", "plan": "+一人一案", "whereabouts": "-去向不明"}
ATTEMPT = {"people": [("@班主任", "王老师")], "action": "=2*3", "result": "-1"}
ATTEMPT_TEXTS = {"@班主任 王老师", "=2*3", "-1"}   # people print as "role name"

ROSTER_TEXTS = ({s[k] for s in STUDENTS for k in ("姓名", "家庭地址")} | {"@王大山", "=父亲", "+李小河", "-母亲"})
LEDGER_TEXTS = ({s[k] for s in STUDENTS for k in ("姓名", "家庭地址")} | {"@王大山", "=父亲", "+李小河", "-母亲", TEACHER}
                | set(VISIT.values()) | {CASE["reason_text"], CASE["whereabouts"]} | ATTEMPT_TEXTS)
FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")


def hostile_school(folder):
    """A school whose name, students, families, visit, case and 劝返 all begin like formulas."""
    school = make_school(folder, "5101230001", SCHOOL, 12, seed=3)
    uids = [add_student(school, s)[0] for s in STUDENTS]
    teacher = teachers.add_teacher(school, TEACHER, "班主任", "13800000003")
    visits.record_visit(school, student_uuid=uids[0], day=DAY, teachers=[teacher], mode="入户走访", today=DAY, **VISIT)
    case = cases.open_case(school, uids[1], on=DAY, reason_text=CASE["reason_text"])
    cases.set_plan(school, case, CASE["plan"], whereabouts=CASE["whereabouts"])
    cases.add_person(school, case, role="村委会", name="赵主任")
    cases.add_attempt(school, case, on=DAY, method="电话", **ATTEMPT)
    cases.move(school, case, "确认辍学", on=DAY)
    return school


def cell_texts(path, ours=True) -> set[str]:
    """Every string cell of every sheet; fails on any formula cell, or in our own files a formula-like cell
    without the quote prefix that keeps it text when edited in Excel or WPS."""
    wb = openpyxl.load_workbook(path)
    found = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (path.name, ws.title, c.coordinate)
                if isinstance(c.value, str):
                    found.add(c.value)
                    if ours and c.value[:1] in "=+-@":
                        assert c.quotePrefix, (path.name, ws.title, c.coordinate)
    return found


def formula_parts(path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [n for n in zf.namelist() if n.startswith("xl/worksheets/") and FORMULA_ELEMENT.search(zf.read(n))]


def office_texts(path, outdir) -> set[str]:
    """Every cell of every sheet as LibreOffice shows it (its CSV export, all sheets)."""
    convert(path, outdir, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
    found = set()
    for sheet in outdir.glob(f"{path.stem}-*.csv"):
        with open(sheet, encoding="utf-8") as fh:
            found |= {value for row in csv.reader(fh) for value in row}
    assert found, "LibreOffice wrote no CSV"
    return found


def test_text_like_formulas_stay_text_in_every_exported_workbook(tmp_path):
    """A name, address or note beginning with =, +, - or @ is shown as typed in the ledgers (also 公示版), the
    roster and the township workbook, never run as a formula; the roster still re-imports with zero changes."""
    assert SOFFICE, "LibreOffice is installed by `make test` (installer/system-deps.sh)"
    school = hostile_school(tmp_path)
    center = make_center(tmp_path)
    register(center, school)
    usb = tmp_path / "U盘"
    assert packet_import.import_packet(center, export(school, usb, center), passphrase=CENTER_SECRET).status == "已接收"
    assert export_roster(school, tmp_path / "花名册.xlsx") == 12 + len(STUDENTS)
    books = {
        "台账": (write_ledgers(school, tmp_path / "台账.xlsx", today=DAY), LEDGER_TEXTS | {SCHOOL + "学生花名册（截至2026年11月20日）"}),
        "公示": (write_ledgers(school, tmp_path / "公示.xlsx", masked=True, today=DAY), LEDGER_TEXTS),
        "花名册": (tmp_path / "花名册.xlsx", ROSTER_TEXTS),
        "乡镇汇总": (write_township_workbook(center, tmp_path / "乡镇汇总.xlsx", today=DAY), LEDGER_TEXTS | {SCHOOL}),
    }
    for name, (path, expected) in books.items():
        assert expected <= cell_texts(path), (name, expected - cell_texts(path))
        assert formula_parts(path) == [], name
        shown = office_texts(path, tmp_path / f"csv_{name}")
        assert expected <= shown, (name, expected - shown)
    report = import_roster(school, tmp_path / "花名册.xlsx")
    assert (report.created, report.updated, report.unchanged, report.problems) == (0, 0, 12 + len(STUDENTS), [])
    convert(tmp_path / "花名册.xlsx", tmp_path / "resaved", "xlsx:Calc MS Excel 2007 XML")
    resaved = tmp_path / "resaved" / "花名册.xlsx"
    assert ROSTER_TEXTS <= cell_texts(resaved, ours=False) and formula_parts(resaved) == []
    report = import_roster(school, resaved)
    assert (report.created, report.updated, report.unchanged, report.problems) == (0, 0, 12 + len(STUDENTS), [])


def test_control_characters_neither_come_in_nor_stop_an_export(tmp_path):
    """Invisible control characters pasted into a roster are left out on import; one that reached
    the data anyway (say, in a hostile school's packet) is left out of the workbook instead of the
    export failing."""
    from jiaoyuapp.roster import cell_values
    assert cell_values.text("张\x01三\x1b") == "张三" and cell_values.prose("第一行\n第二\x07行") == "第一行\n第二行"
    school = make_school(tmp_path, "5101230001", "红岩村小学", 5, seed=4)
    kid = school.scalar("SELECT uuid FROM students LIMIT 1")
    with school.write("test", "测试") as w:             # past every form: straight through the write path
        w.update("students", kid, {"home_address": "红岩村\x01\x1f3组"})
    wb = openpyxl.load_workbook(write_ledgers(school, tmp_path / "台账.xlsx", today=DAY))
    found = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "红岩村3组" in found
    export_roster(school, tmp_path / "花名册.xlsx")
    roster = openpyxl.load_workbook(tmp_path / "花名册.xlsx")
    assert "红岩村3组" in {c.value for row in roster.active.iter_rows() for c in row}
    school.close()
