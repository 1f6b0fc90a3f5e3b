"""Importing the roster from the workbooks real schools have."""

import datetime as dt

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.roster.roster_export import export_roster
from jiaoyuapp.roster.roster_import import import_roster
from tests.workbooks import TODAY, make_id, save, xueji_workbook

ZHANG = make_id("20180305", 11)   # male, grade 3
LI = make_id("20180712", 22)      # female
WANG = make_id("20190101", 33)    # male, grade 2
ZHAO = make_id("20190408", 44)    # female


def students(store):
    return store.query("SELECT s.name, s.sex, s.birth_date, s.id_number, s.grade, s.class_no, s.ethnicity "
                       "FROM students s ORDER BY s.id_number")


def log_count(store):
    return store.scalar("SELECT count(*) FROM change_log")


def test_title_rows_any_order_and_synonyms(store, tmp_path):
    """A teacher's sheet with a merged title, its own column order and names imports exactly."""
    path = save([
        ["示范县青石镇红岩村小学2026年秋季学生花名册"],
        ["填表日期：2026年9月"],
        ["班级", "身份证号码", "学生姓名", "性别", "民族", "年级", "出生年月"],
        ["1班", ZHANG, "张三", "男", "汉族", "三年级", "2018-03-05"],
        ["1班", LI, "李丽", "女", "回", "三年级", "2018.7.12"],
    ], tmp_path / "a.xlsx", merges=["A1:G1"])
    report = import_roster(store, path, today=TODAY)
    assert report.header_row == 3
    assert (report.rows, report.valid, report.created, report.problems) == (2, 2, 2, [])
    assert students(store) == [
        {"name": "张三", "sex": "1", "birth_date": "2018-03-05", "id_number": ZHANG, "grade": 3, "class_no": "1",
         "ethnicity": "01"},
        {"name": "李丽", "sex": "2", "birth_date": "2018-07-12", "id_number": LI, "grade": 3, "class_no": "1",
         "ethnicity": "03"},
    ]


def test_merged_data_cells_full_width_and_spaces(store, tmp_path):
    """A class merged over several rows reaches each row; full-width digits and spaces are cleaned."""
    full_width = ZHANG.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    path = save([
        ["姓名", "身份证件号", "年级", "班级", "联系电话"],
        ["张　三", f" {full_width} ", "三年级", "（2）班", "１３８ 0013 8000"],
        [" 李丽 ", f"{LI}\u00a0", None, None, None],
    ], tmp_path / "m.xlsx", merges=["C2:C3", "D2:D3"])
    report = import_roster(store, path, today=TODAY)
    assert report.problems == []
    rows = store.query("SELECT name, id_number, grade, class_no, phone FROM students ORDER BY id_number")
    assert rows == [{"name": "张三", "id_number": ZHANG, "grade": 3, "class_no": "2", "phone": "13800138000"},
                    {"name": "李丽", "id_number": LI, "grade": 3, "class_no": "2", "phone": None}]


def test_every_date_form_and_codes_or_labels(store, tmp_path):
    """Dates as 20140901, 2014-09-01, 2014.9.1, 2014年9月1日, a date cell or an Excel serial; codes or labels."""
    a, b, c, d = (make_id(x, n) for x, n in (("20180305", 11), ("20180712", 22), ("20190101", 33), ("20190408", 44)))
    e = make_id("20180901", 55)
    serial = (dt.date(2018, 9, 1) - dt.date(1899, 12, 30)).days
    path = save([
        ["姓名", "性别", "出生日期", "身份证件号", "民族", "年级", "班级", "就读方式", "是否留守儿童"],
        ["甲一", 1, 20180305, a, 1, 3, 1, 1, 0],
        ["乙二", "2", "2018-07-12", b, "01", "三年级", "1", "走读", "否"],
        ["丙三", "男", "2019.1.1", c, "汉族", "二年级", "1班", "住校", "单亲外出"],
        ["丁四", "女", "2019年4月8日", d, "汉", "2", "一班", 2, 2],
        ["戊五", "男", dt.datetime(2018, 9, 1), e, "汉", "三年级", "1", "1", "1"],
    ], tmp_path / "d.xlsx")
    report = import_roster(store, path, today=TODAY)
    assert report.problems == []
    got = store.query("SELECT name, sex, birth_date, ethnicity, grade, class_no, boarding, left_behind FROM students "
                      "ORDER BY name")
    assert {r["name"]: (r["sex"], r["birth_date"], r["ethnicity"], r["grade"], r["class_no"], r["boarding"],
                        r["left_behind"]) for r in got} == {
        "甲一": ("1", "2018-03-05", "01", 3, "1", "1", "0"),
        "乙二": ("2", "2018-07-12", "01", 3, "1", "1", "0"),
        "丙三": ("1", "2019-01-01", "01", 2, "1", "2", "1"),
        "丁四": ("2", "2019-04-08", "01", 2, "1", "2", "2"),
        "戊五": ("1", "2018-09-01", "01", 3, "1", "1", "1"),
    }
    # an Excel date serial in a plain number cell
    f = make_id("20180901", 77)
    path = save([["姓名", "出生日期", "身份证件号"], ["己六", serial, f]], tmp_path / "s.xlsx")
    assert import_roster(store, path, today=TODAY).problems == []
    assert store.scalar("SELECT birth_date FROM students WHERE name = '己六'") == "2018-09-01"


def test_rounded_id_refused_with_what_to_do(store, tmp_path):
    """An ID number Excel already rounded to 15 digits is refused, telling the user to set the column to text."""
    path = save([
        ["姓名", "身份证件号"],
        ["张三", ZHANG],
        ["王五", 5.10123201001011e17],
    ], tmp_path / "r.xlsx")
    report = import_roster(store, path, today=TODAY)
    assert report.written is False and log_count(store) == 1  # only the school's registration
    assert len(report.problems) == 1
    p = report.problems[0]
    assert (p["row"], p["column"], p["letter"]) == (3, "身份证件号", "B")
    assert "文本" in p["message"] and "15位" in p["message"]
    assert store.scalar("SELECT count(*) FROM students") == 0


def test_a_name_no_person_has_is_refused(store, tmp_path):
    """A 姓名 cell holding far more than a name (cells pasted together) is refused, saying so."""
    path = save([["姓名", "身份证件号"], ["张三", ZHANG], ["李" * 101, make_id("20150101", 31)]], tmp_path / "n.xlsx")
    report = import_roster(store, path, today=TODAY)
    assert [(p["row"], p["column"]) for p in report.problems] == [(3, "姓名")]
    assert "超过100个字" in report.problems[0]["message"]


def test_duplicate_id_first_kept_later_refused(store, tmp_path):
    """When two rows carry the same ID, the first imports and the second is refused, naming the first."""
    path = save([
        ["姓名", "身份证件号", "年级", "班级"],
        ["张三", ZHANG, "三年级", "1班"],
        ["李丽", LI, "三年级", "1班"],
        ["张三三", ZHANG, "三年级", "2班"],
    ], tmp_path / "dup.xlsx")
    report = import_roster(store, path, only_valid=True, today=TODAY)
    assert [(p["row"], p["column"]) for p in report.problems] == [(4, "身份证件号")]
    assert "第2行" in report.problems[0]["message"]
    assert report.written and report.created == 2
    assert store.query("SELECT name FROM students WHERE id_number = ?", (ZHANG,)) == [{"name": "张三"}]


def test_dry_run_reports_everything_and_writes_nothing(store, tmp_path):
    """A dry run lists every refusal and warning by row and column, and changes nothing."""
    bad_check = ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1")
    path = save([
        ["姓名", "性别", "出生日期", "身份证件号", "全国学籍号", "年级", "班级", "联系电话"],
        ["张三", "男", "20180305", ZHANG, "G" + ZHANG, "三年级", "1班", "13800138000"],
        ["李丽", "男", "20180712", LI, None, "三年级", "1班", None],
        ["王五", "男", "20190102", WANG, None, "二年级", "1班", None],
        ["错号", "男", None, bad_check, None, "三年级", "1班", None],
        ["赵六", "女", None, ZHAO, "J" + ZHAO[:-1] + "0", "二年级", "1班", "1380013800"],
        ["张三", "男", None, make_id("20180101", 1), None, "三年级", "1班", None],
        ["小龄", "男", None, make_id("20220101", 1), None, "三年级", "1班", None],
        ["临时", "男", None, None, "L1234567890ABCDEFGH", "三年级", "2班", None],
    ], tmp_path / "p.xlsx")
    before = log_count(store)
    report = import_roster(store, path, dry_run=True, today=TODAY)
    assert log_count(store) == before and store.scalar("SELECT count(*) FROM students") == 0
    # Only what identifies a child refuses it; the rest is imported with a warning and kept to check.
    assert [(p["row"], p["column"], p["value"]) for p in report.problems] == [
        (4, "出生日期", "20190102"), (5, "身份证件号", bad_check)]
    assert [(w["row"], w["column"]) for w in report.warnings] == [
        (3, "性别"), (6, "全国学籍号"), (6, "联系电话"), (7, "姓名"), (8, "出生日期")]
    assert "已按身份证件号导入为女" in report.warnings[0]["message"]
    assert report.warnings[2]["value"] == "1380013800" and "待核对" in report.warnings[2]["message"]
    assert "同班有同名" in report.warnings[3]["message"] and "偏小" in report.warnings[4]["message"]
    assert (report.rows, report.valid, report.created) == (8, 6, 6)


def test_all_or_only_valid_never_half(store, tmp_path):
    """With a refused row nothing is written, unless the user chooses to import only the valid rows."""
    path = save([["姓名", "身份证件号"], ["张三", ZHANG], ["坏号", "123"]], tmp_path / "h.xlsx")
    report = import_roster(store, path, today=TODAY)
    assert not report.written and store.scalar("SELECT count(*) FROM students") == 0
    report = import_roster(store, path, only_valid=True, today=TODAY)
    assert report.written and report.created == 1 and len(report.problems) == 1
    assert store.scalar("SELECT count(*) FROM students") == 1


def test_reimport_is_idempotent_and_logs_only_real_changes(store, tmp_path):
    """Importing the same file again changes nothing; a corrected cell changes only that field."""
    rows = [["姓名", "身份证件号", "年级", "班级", "家庭地址"],
            ["张三", ZHANG, "三年级", "1班", "红岩村3组"], ["李丽", LI, "三年级", "1班", "红岩村5组"]]
    path = save(rows, tmp_path / "i.xlsx")
    import_roster(store, path, today=TODAY)
    before = log_count(store)
    again = import_roster(store, path, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert log_count(store) == before
    rows[2][4] = "红岩村6组"
    changed = import_roster(store, save(rows, tmp_path / "i2.xlsx"), today=TODAY)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    new = store.query("SELECT op, changes FROM change_log WHERE seq > ?", (before,))
    assert len(new) == 1 and new[0]["op"] == "update"
    assert '"home_address":["红岩村5组","红岩村6组"]' in new[0]["changes"]
    assert store.scalar("SELECT count(*) FROM students") == 2


def test_export_then_import_round_trips_with_zero_changes(store, tmp_path):
    """The exported roster re-imports with zero changes, ID numbers intact as text."""
    from jiaoyuapp.roster.demo import load_demo
    load_demo(store, 120, seed=5)
    out = tmp_path / "花名册.xlsx"
    assert export_roster(store, out) == 120
    import openpyxl
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[2]]
    id_col = header.index("身份证件号") + 1
    assert all(isinstance(ws.cell(r, id_col).value, str) and len(ws.cell(r, id_col).value) == 18
               for r in range(3, 123))
    before = log_count(store)
    report = import_roster(store, out, today=TODAY)
    assert (report.rows, report.created, report.updated, report.unchanged, report.problems) == (120, 0, 0, 120, [])
    assert log_count(store) == before


def test_xueji_export_with_two_members_and_households(store, tmp_path):
    """The 学籍 template's columns import, with both family members; siblings become one household."""
    father = make_id("19850101", 11)
    kids = [
        {"name": "张三", "id_number": ZHANG, "grade": 3, "class_no": "1", "home_address": "红岩村3组",
         "g1.name": "张大山", "g1.relation": "父亲", "g1.id_number": father, "g1.phone": "13800138000",
         "g2.name": "刘小芳", "g2.relation": "母亲", "g2.phone": "13900139000", "left_behind": "2"},
        {"name": "张四", "id_number": WANG, "grade": 2, "class_no": "1", "home_address": "红岩村3组",
         "g1.name": "张大山", "g1.relation": "父亲", "g1.id_number": father, "g1.phone": "13800138000"},
        {"name": "李丽", "id_number": LI, "grade": 3, "class_no": "1", "home_address": "红岩村3组",
         "g1.name": "李大河", "g1.relation": "父亲", "g1.phone": "13700137000"},
    ]
    report = import_roster(store, xueji_workbook(tmp_path / "x.xlsx", kids), today=TODAY)
    assert report.problems == [] and report.created == 3
    homes = dict(store.conn.execute("SELECT name, household_uuid FROM students"))
    assert homes["张三"] == homes["张四"] != homes["李丽"]
    g = store.query("SELECT g.position, g.name, g.relation, g.phone FROM guardians g JOIN students s ON s.uuid = g.student_uuid "
                    "WHERE s.name = '张三' ORDER BY position")
    assert g == [{"position": 1, "name": "张大山", "relation": "父亲", "phone": "13800138000"},
                 {"position": 2, "name": "刘小芳", "relation": "母亲", "phone": "13900139000"}]


def test_two_row_header_with_member_groups(store, tmp_path):
    """A header split over two rows (家庭成员1 / 家庭成员2 above 姓名, 电话) maps each member."""
    path = save([
        ["学生信息", None, None, "家庭成员1", None, "家庭成员2", None],
        ["姓名", "身份证件号", "班级", "姓名", "联系电话", "姓名", "联系电话"],
        ["张三", ZHANG, "三年级1班", "张大山", "13800138000", "刘小芳", "13900139000"],
    ], tmp_path / "two.xlsx", merges=["A1:C1", "D1:E1", "F1:G1"])
    report = import_roster(store, path, today=TODAY)
    assert report.problems == []
    assert store.query("SELECT position, name, phone FROM guardians ORDER BY position") == [
        {"position": 1, "name": "张大山", "phone": "13800138000"},
        {"position": 2, "name": "刘小芳", "phone": "13900139000"}]
    assert store.query("SELECT grade, class_no FROM students") == [{"grade": 3, "class_no": "1"}]


def test_files_that_cannot_be_read_say_what_to_do(store, tmp_path):
    """An old .xls, a file that is not a workbook, or a sheet without a header gets a clear message."""
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataError, match="另存为"):
        import_roster(store, xls)
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    with pytest.raises(DataError, match="不是Excel工作簿"):
        import_roster(store, junk)
    with pytest.raises(DataError, match="表头"):
        import_roster(store, save([["随便", "写写"], [1, 2]], tmp_path / "nohead.xlsx"))


def test_student_number_of_another_student_refused(store, tmp_path):
    """A row whose 学籍号 already belongs to a different student is refused, not merged into them."""
    import_roster(store, save([["姓名", "身份证件号", "全国学籍号"], ["张三", ZHANG, "G" + ZHANG]], tmp_path / "1.xlsx"),
                  today=TODAY)
    report = import_roster(store, save([["姓名", "身份证件号", "全国学籍号"], ["李丽", LI, "G" + ZHANG]],
                                       tmp_path / "2.xlsx"), today=TODAY)
    assert [(p["row"], p["column"]) for p in report.problems] == [(2, "全国学籍号")]
    assert "另一名学生" in report.problems[0]["message"]
    assert store.scalar("SELECT count(*) FROM students") == 1


def test_progress_and_cancel(store, tmp_path):
    """Long imports report progress, and cancelling writes nothing."""
    from jiaoyuapp.errors import CancelledError
    from jiaoyuapp.roster.demo import generate
    from tests.workbooks import xueji_workbook
    path = xueji_workbook(tmp_path / "big.xlsx", generate(1200, seed=3))
    seen = []
    import_roster(store, path, dry_run=True, progress=lambda done, total, stage: seen.append((done, stage)))
    assert seen and seen[0][1] == "读取"
    with pytest.raises(CancelledError):
        import_roster(store, path, cancel=lambda: True)
    assert store.scalar("SELECT count(*) FROM students") == 0


def test_one_sheet_per_class(store, tmp_path):
    """A workbook with a sheet per class imports every class; a code-list sheet is skipped; problems name the sheet."""
    import openpyxl
    wb = openpyxl.Workbook()
    one = wb.active
    one.title = "三年级1班"
    for row in (["姓名", "身份证件号", "班级"], ["张三", ZHANG, "三年级1班"], ["李丽", LI, "三年级1班"]):
        one.append(row)
    two = wb.create_sheet("二年级1班")
    for row in (["序号", "学生姓名", "身份证号", "年级", "班级", "家庭住址"], [1, "王五", WANG, "二年级", "1班", "红岩村"],
                [2, "重号", ZHANG, "二年级", "1班", None]):
        two.append(row)
    codes = wb.create_sheet("民族代码")
    codes.append(["代码", "民族"])
    codes.append(["01", "汉族"])
    wb.save(tmp_path / "classes.xlsx")
    report = import_roster(store, tmp_path / "classes.xlsx", only_valid=True, today=TODAY)
    assert [s["name"] for s in report.sheets] == ["三年级1班", "二年级1班"]
    assert report.skipped_sheets == ["民族代码"]
    assert report.problems == [{"row": 3, "column": "身份证号", "letter": "C", "sheet": "二年级1班",
                                "message": report.problems[0]["message"], "value": report.problems[0]["value"]}]
    assert "工作表“三年级1班”第2行" in report.problems[0]["message"]
    rows = store.query("SELECT name, grade, class_no, home_address FROM students ORDER BY name")
    assert rows == [{"name": "张三", "grade": 3, "class_no": "1", "home_address": None},
                    {"name": "李丽", "grade": 3, "class_no": "1", "home_address": None},
                    {"name": "王五", "grade": 2, "class_no": "1", "home_address": "红岩村"}]
    # re-importing only the first sheet's columns never blanks the address the other sheet gave
    again = import_roster(store, tmp_path / "classes.xlsx", only_valid=True, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)



def _relation_headed_sheet(tmp_path, member_columns: list[tuple[str, str]]):
    """A school-made sheet that names the family members by relation, as schools' own forms do:
    the 学籍基础信息确认表 lays out “1. 父亲/监护人 姓名 联系电话 职业 工作单位 / 2. 母亲/监护人 …”
    (https://www.doczj.com/doc/243500624.html), and school systems' import templates use columns
    such as 户籍所在地, 居住所在地, 监护人(父亲), 监护人(母亲), 监护人(父亲)电话, 入学年份.
    `member_columns` is (header, what it holds: father / mother / father_tel / mother_tel)."""
    header = ["姓名", "身份证号", "班级", "户籍所在地", "居住所在地", "入学年份"] + [h for h, _ in member_columns]
    rows = [header]
    for name, idn, father, mother in (("张小三", ZHANG, "张大明", "李小红"), ("李小四", LI, "李建国", "王美丽")):
        held = {"father": father, "mother": mother, "father_tel": "13800138001", "mother_tel": "13900139001"}
        rows.append([name, idn, "三年级1班", "四川省示范县青石镇", "青石镇红岩村3组", "2023"]
                    + [held[what] for _, what in member_columns])
    return save(rows, tmp_path / "关系列名.xlsx")


@pytest.mark.parametrize("member_columns, relations", [
    ([("监护人(父亲)", "father"), ("监护人（母亲）", "mother"), ("监护人(父亲)电话", "father_tel"),
      ("监护人(母亲)电话", "mother_tel")], True),
    ([("母亲姓名", "mother"), ("父亲姓名", "father"), ("父亲联系电话", "father_tel"), ("母亲电话", "mother_tel")], True),
    ([("家长姓名", "father"), ("家长电话", "father_tel"), ("家长姓名", "mother"), ("家长电话", "mother_tel")], False),
    ([("家长姓名", "father"), ("家长电话", "father_tel"), ("母亲姓名", "mother"), ("母亲电话", "mother_tel")], "mother"),
])
def test_members_named_by_relation_keep_their_pair(store, tmp_path, member_columns, relations):
    """父亲姓名/母亲电话 or a second 家长姓名 column fill the second family member (with 关系 from the header)
    instead of being ignored, and each phone stays with its own member's name."""
    report = import_roster(store, _relation_headed_sheet(tmp_path, member_columns), today=TODAY)
    assert report.created == 2 and not report.problems and report.ignored_columns == []
    got = store.query("SELECT s.name AS child, g.position, g.name, g.relation, g.phone FROM guardians g "
                      "JOIN students s ON s.uuid = g.student_uuid ORDER BY s.id_number, g.position")
    assert len(got) == 4
    by_name = {(g["child"], g["name"]): g for g in got}
    for child, dad, mum in (("张小三", "张大明", "李小红"), ("李小四", "李建国", "王美丽")):
        assert by_name[(child, dad)]["phone"] == "13800138001"
        assert by_name[(child, mum)]["phone"] == "13900139001"
        if relations == "mother":   # 家长 names no relation: only the mother's is known
            assert by_name[(child, dad)]["relation"] is None and by_name[(child, mum)]["relation"] == "母亲"
        elif relations:
            assert by_name[(child, dad)]["relation"] == "父亲" and by_name[(child, mum)]["relation"] == "母亲"
        else:
            assert by_name[(child, dad)]["relation"] is None   # nothing said it: nothing made up
    kid = store.query("SELECT hukou_place, current_address, enrolled_ym FROM students ORDER BY id_number")[0]
    assert kid == {"hukou_place": "四川省示范县青石镇", "current_address": "青石镇红岩村3组", "enrolled_ym": "2023-09"}


def test_a_yes_no_column_is_read_as_an_answer_not_as_a_code(store, tmp_path):
    """是否寄宿生 = 1 is a boarder (not 就读方式 code 1, 走读): a school-made sheet asks a question where the
    学籍 system writes a code; 是否防返贫监测对象 = 是 does not say which kind, so it waits in 待核对."""
    ids = [make_id("20180305", n) for n in (11, 13, 15, 17, 19, 21, 23)]
    answers = [1, 0, "是", "否", "√", "住校", "×"]
    path = save([["姓名", "身份证号", "班级", "是否寄宿生", "是否随班就读", "是否防返贫监测对象"]]
                + [[f"学生{i}", idn, "三年级1班", a, 0, "是" if i == 0 else "否"] for i, (idn, a) in enumerate(zip(ids, answers))],
                tmp_path / "是否.xlsx")
    report = import_roster(store, path, today=TODAY)
    assert report.created == 7 and not report.problems
    got = store.query("SELECT boarding, inclusive_edu, monitoring_kind, unchecked FROM students ORDER BY id_number")
    assert [g["boarding"] for g in got] == ["2", "1", "2", "1", "2", "2", "1"]
    assert {g["inclusive_edu"] for g in got} == {"0"}
    assert [g["monitoring_kind"] for g in got] == [None] + ["0"] * 6
    assert "monitoring_kind" in got[0]["unchecked"]
    assert any("没写是哪一种" in w["message"] for w in report.warnings)
    path = save([["姓名", "身份证号", "班级", "就读方式"], ["学生0", ids[0], "三年级1班", 1]], tmp_path / "学籍.xlsx")
    import_roster(store, path, today=TODAY)   # the 学籍 system's own column: 1 is its code 走读
    assert store.scalar("SELECT boarding FROM students WHERE id_number = ?", (ids[0],)) == "1"


def test_a_birth_date_the_id_number_decides_is_not_sent_to_review(store, tmp_path):
    """出生日期 “2018.3” cannot be read, but the ID number says the date: it is imported from the ID, the
    warning says so, and nothing waits in 待核对 that the principal would look for in vain."""
    from jiaoyuapp.roster import review
    report = import_roster(store, save([["姓名", "身份证号", "班级", "出生日期", "性别"],
                                        ["张小三", ZHANG, "三年级1班", "2018.3", "不详"]], tmp_path / "r.xlsx"),
                           today=TODAY)
    assert report.created == 1 and review.pending(store) == []
    messages = [w["message"] for w in report.warnings]
    assert len(messages) == 2 and all("已按身份证件号导入" in m and "待核对" not in m for m in messages), messages
    assert store.query("SELECT birth_date, sex FROM students") == [{"birth_date": "2018-03-05", "sex": "1"}]


def test_a_left_behind_child_without_its_kind_waits_in_review_to_be_completed(store, tmp_path):
    """是否留守儿童 “是” is imported as 留守（未注明） (the child counts as left-behind at once) and is listed in
    待核对, where the principal picks 单亲 or 双亲."""
    from jiaoyuapp.codes import table
    from jiaoyuapp.roster import review
    report = import_roster(store, save([["姓名", "身份证号", "班级", "是否留守儿童"],
                                        ["张小三", ZHANG, "三年级1班", "是"]], tmp_path / "r.xlsx"), today=TODAY)
    assert report.created == 1 and any("待核对" in w["message"] for w in report.warnings)
    assert store.scalar("SELECT left_behind FROM students") == "9"
    (item,) = review.pending(store)
    assert item["field"] == "left_behind" and "单亲留守儿童" in item["choices"]
    review.resolve(store, item["student_uuid"], "left_behind", "单亲留守儿童")
    assert store.scalar("SELECT left_behind FROM students") == table("left_behind").code("单亲留守儿童")
    assert review.pending(store) == []


def test_completing_a_left_behind_kind_survives_the_next_import_of_the_same_file(store, tmp_path):
    """单亲 picked in 待核对 for a sheet's bare “是” stays 单亲 when the same sheet is imported again next term."""
    from jiaoyuapp.codes import table
    from jiaoyuapp.roster import review
    path = save([["姓名", "身份证号", "班级", "是否留守儿童"], ["张小三", ZHANG, "三年级1班", "是"]], tmp_path / "r.xlsx")
    import_roster(store, path, today=TODAY)
    (item,) = review.pending(store)
    review.resolve(store, item["student_uuid"], "left_behind", "单亲留守儿童")
    again = import_roster(store, path, today=TODAY)
    assert store.scalar("SELECT left_behind FROM students") == table("left_behind").code("单亲留守儿童")
    assert review.pending(store) == [] and again.updated == 0


def test_enrolment_months_as_teachers_type_them_in_a_general_cell(store, tmp_path):
    """入学年月 typed 2023.9 (Excel keeps the number), 2023 alone, 202309, or 2023年9月 reads as 2023-09, never as a
    day in 1905; 2023.1 (January, or October typed 2023.10) is imported and waits in 待核对."""
    from jiaoyuapp.roster import review
    ids = [make_id("20170305", n) for n in (11, 13, 15, 17, 19)]
    path = save([["姓名", "身份证号", "班级", "入学年月"]]
                + [[f"学生{i}", idn, "三年级1班", v] for i, (idn, v) in enumerate(zip(ids, [2023.9, 2023, 202309, "2023年9月", 2023.1]))],
                tmp_path / "入学.xlsx")
    report = import_roster(store, path, today=TODAY)
    assert report.created == 5 and not report.problems
    got = [r["enrolled_ym"] for r in store.query("SELECT enrolled_ym FROM students ORDER BY id_number")]
    assert got == ["2023-09"] * 4 + [None]
    assert [(i["field"], i["original"]) for i in review.pending(store)] == [("enrolled_ym", "2023.1")]
