"""A principal's real 学籍 export imports: the system's layout and labels, the family members,
the rule that only what identifies a child refuses a row, the 待核对 list, the round trip."""

import datetime as dt

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.roster import review
from jiaoyuapp.roster.flags import flags_of
from jiaoyuapp.roster.roster_export import export_roster
from jiaoyuapp.roster.roster_import import import_roster
from tests.workbooks import make_id, save
from tests.xueji_workbook import (LEFT_BOTH, LEFT_ONE, UNKNOWN_TRANSPORT, write_xueji_workbook)

TODAY = dt.date(2026, 11, 22)
PROBLEM_KEYS = {"sheet", "row", "column", "letter", "message", "value"}


def log_count(store):
    return store.scalar("SELECT count(*) FROM change_log")


def by_id(store, id_number):
    return store.query("SELECT * FROM students WHERE id_number = ?", (id_number,))[0]


def guardians_of(store, uuid):
    return {g["position"]: g for g in store.query("SELECT * FROM guardians WHERE student_uuid = ?", (uuid,))}


@pytest.fixture(scope="module")
def messy_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("xueji") / "学生信息.xlsx"
    return path, write_xueji_workbook(path, 300, seed=3, messy=True)


def test_the_generators_workbook_is_refused_nowhere(store, messy_book):
    """A 300-child 学籍 export with ★ headers, five date styles, full-width digits and the system's own
    labels and codes passes a dry run with no row refused and nothing to check."""
    path, records = messy_book
    report = import_roster(store, path, dry_run=True, today=TODAY)
    assert (report.rows, report.valid, report.problems, report.warnings) == (300, 300, [], [])
    # Only the items the roster does not keep are left aside; every other column is read.
    assert sorted(h.replace(" ", "").strip("★*") for h in report.ignored_columns) == sorted(
        ["政治面貌", "曾用名", "身份证件有效期", "特长", "邮政编码", "电子信箱", "是否由政府购买学位"])


def test_flags_read_right_on_sample_students(store, messy_book):
    """单亲/双亲留守, a disability with its 随班就读, and a boarder read as the system meant them."""
    path, records = messy_book
    assert import_roster(store, path, today=TODAY).created == 300
    one = next(r for r in records if r["是否留守儿童"] == LEFT_ONE)
    both = next(r for r in records if r["是否留守儿童"] == LEFT_BOTH)
    limb = next(r for r in records if r["残疾人类型"] == "肢体残疾")
    sight = next(r for r in records if r["残疾人类型"] == "视力残疾")
    boarder = next(r for r in records if r["就读方式"] == "住校")
    assert by_id(store, one["身份证件号"])["left_behind"] == "1"
    assert by_id(store, both["身份证件号"])["left_behind"] == "2"
    assert "留守（双亲外出）" in flags_of(by_id(store, both["身份证件号"]))
    s = by_id(store, limb["身份证件号"])
    assert (s["disability_type"], s["inclusive_edu"]) == ("4", "6")  # 肢体残疾, 肢体残疾随班就读
    assert "残疾" in flags_of(s)
    s = by_id(store, sight["身份证件号"])
    assert (s["disability_type"], s["inclusive_edu"]) == ("1", "1")
    s = by_id(store, boarder["身份证件号"])
    assert s["boarding"] == "2" and "寄宿" in flags_of(s)
    plain = next(r for r in records if r["残疾人类型"] == "无残疾" and r["是否留守儿童"] == "非留守儿童")
    s = by_id(store, plain["身份证件号"])
    assert (s["disability_type"], s["inclusive_edu"], s["left_behind"]) == ("0", "0", "0")
    assert store.scalar("SELECT count(*) FROM students WHERE entry_mode = '1'") == 300   # 就近入学 or its code 11
    assert store.scalar("SELECT count(*) FROM students WHERE grade IS NULL OR class_no IS NULL") == 0


def test_family_members_become_guardians(store, messy_book):
    """成员1/成员2 become the household's guardians with phone, 是否监护人 and the system's other items;
    brothers and sisters are one household."""
    path, records = messy_book
    import_roster(store, path, today=TODAY)
    both = next(r for r in records if r["是否留守儿童"] == LEFT_BOTH)
    g = guardians_of(store, by_id(store, both["身份证件号"])["uuid"])
    assert (g[1]["name"], g[1]["relation"], g[1]["phone"], g[1]["is_guardian"]) == (
        both["成员1姓名"], "父亲", both["成员1联系电话"], 0)
    assert (g[2]["name"], g[2]["relation"], g[2]["relation_note"], g[2]["phone"], g[2]["is_guardian"]) == (
        both["成员2姓名"], "祖母", both["成员2关系说明"], both["成员2联系电话"], 1)
    assert (g[2]["id_number"], g[2]["id_type"], g[2]["hukou_place"], g[2]["workplace"], g[2]["job_title"]) == (
        both["成员2身份证件号"], "1", both["成员2户口所在地"], "务农", "无")
    assert g[2]["ethnicity"] == {"汉族": "01", "土家族": "15", "苗族": "06", "彝族": "07"}[both["成员2民族"]]
    assert store.scalar("SELECT count(*) FROM guardians") == 600
    by_father: dict[str, set] = {}
    for r in records:
        by_father.setdefault(r["成员1身份证件号"], set()).add(r["身份证件号"])
    siblings = next(ids for ids in by_father.values() if len(ids) > 1)
    homes = {by_id(store, i)["household_uuid"] for i in siblings}
    assert len(homes) == 1


def test_export_then_import_changes_nothing(store, tmp_path):
    """The school's export of an imported 学籍 file, values still to check included, imports back
    into the same school with nothing changed."""
    path = tmp_path / "学生信息.xlsx"
    write_xueji_workbook(path, 300, seed=4, messy=True, unknown_labels=2)
    assert import_roster(store, path, today=TODAY).created == 300
    out = tmp_path / "导出.xlsx"
    assert export_roster(store, out) == 300
    before = log_count(store)
    again = import_roster(store, out, today=TODAY)
    assert (again.created, again.updated, again.unchanged, again.problems) == (0, 0, 300, [])
    assert log_count(store) == before and len(review.pending(store)) == 2


def test_round_trip_when_the_source_lacks_columns(store, tmp_path):
    """Without 身份证件类型, 出生日期 and 性别 columns the ID number decides them, once, at import: the
    export then says 居民身份证 and imports back unchanged."""
    path = tmp_path / "少列.xlsx"
    records = write_xueji_workbook(path, 50, seed=5, leave_out=("身份证件类型", "出生日期", "性别"))
    import_roster(store, path, today=TODAY)
    s = by_id(store, records[0]["身份证件号"])
    assert (s["id_type"], s["birth_date"], s["sex"]) == ("1", dt.datetime.strptime(
        records[0]["出生日期"], "%Y%m%d").date().isoformat(), "2" if records[0]["性别"] == "女" else "1")
    out = tmp_path / "导出.xlsx"
    export_roster(store, out)
    before = log_count(store)
    again = import_roster(store, out, today=TODAY)
    assert (again.updated, again.unchanged) == (0, 50) and log_count(store) == before
    assert import_roster(store, path, today=TODAY).updated == 0


def test_unknown_label_is_imported_with_a_warning_and_listed_to_check(store, tmp_path):
    """A label no code table knows imports the child with a warning carrying the original text; it
    is listed in 待核对 with the choices, and resolving or keeping it empty clears it."""
    path = tmp_path / "学生信息.xlsx"
    records = write_xueji_workbook(path, 60, seed=6, unknown_labels=2,
                                   overrides={5: {"成员1联系电话": "1380013800"}})
    report = import_roster(store, path, today=TODAY)
    assert report.written and report.created == 60 and report.problems == []
    assert [(w["column"], w["value"]) for w in report.warnings] == [
        ("上下学方式", UNKNOWN_TRANSPORT), ("成员1联系电话", "1380013800"), ("上下学方式", UNKNOWN_TRANSPORT)]
    assert all(set(w) == PROBLEM_KEYS for w in report.warnings)
    assert "待核对" in report.warnings[0]["message"]
    items = review.pending(store)
    assert sorted((i["label"], i["original"]) for i in items) == [
        ("上下学交通方式", UNKNOWN_TRANSPORT), ("上下学交通方式", UNKNOWN_TRANSPORT), ("成员1联系电话", "1380013800")]
    boat = next(i for i in items if i["field"] == "transport")
    assert "步行" in boat["choices"] and boat["class"]
    phone = next(i for i in items if i["field"] == "g1.phone")
    assert phone["choices"] == []
    s = store.get("students", boat["student_uuid"])
    assert s["transport"] is None
    with pytest.raises(DataError, match="代码表"):
        review.resolve(store, boat["student_uuid"], "transport", "坐飞机")
    review.resolve(store, boat["student_uuid"], "transport", "步行", actor="校长")
    assert store.get("students", boat["student_uuid"])["transport"] == "1"
    with pytest.raises(DataError, match="手机号"):
        review.resolve(store, phone["student_uuid"], "g1.phone", "1380013800")
    review.resolve(store, phone["student_uuid"], "g1.phone", "13800138000")
    assert guardians_of(store, phone["student_uuid"])[1]["phone"] == "13800138000"
    other = next(i for i in review.pending(store) if i["field"] == "transport")
    review.accept(store, other["student_uuid"], "transport")
    assert review.pending(store) == [] and store.get("students", other["student_uuid"])["transport"] is None
    kept = store.get("students", other["student_uuid"])["unchecked"]
    assert review.load_notes(kept) == {} and review.load_settled(kept) == {"transport": other["original"]}


def test_a_reimport_that_now_matches_clears_the_note(store, tmp_path):
    """When the school corrects the cell in its file and imports again, the value is set and the
    student leaves the 待核对 list."""
    path = tmp_path / "学生信息.xlsx"
    records = write_xueji_workbook(path, 30, seed=7, unknown_labels=1)
    import_roster(store, path, today=TODAY)
    assert len(review.pending(store)) == 1
    write_xueji_workbook(path, 30, seed=7, overrides={0: {"上下学方式": "校车"}})
    again = import_roster(store, path, today=TODAY)
    assert again.updated == 1 and review.pending(store) == []
    assert by_id(store, records[0]["身份证件号"])["transport"] == "5"


def test_refusals_carry_the_original_cell_text(store, tmp_path):
    """Every problem names sheet, row, column and letter, and the cell as it was typed."""
    path = tmp_path / "学生信息.xlsx"
    records = write_xueji_workbook(path, 5, seed=8)
    bad = records[1]["身份证件号"][:-1] + ("0" if records[1]["身份证件号"][-1] != "0" else "1")
    write_xueji_workbook(path, 5, seed=8, overrides={1: {"身份证件号": bad, "全国学籍号": "G" + bad}})
    report = import_roster(store, path, dry_run=True, today=TODAY)
    assert len(report.problems) == 1
    p = report.problems[0]
    assert set(p) == PROBLEM_KEYS
    assert (p["sheet"], p["row"], p["column"], p["letter"], p["value"]) == ("学生信息", 3, "身份证件号", "I", bad)


def test_id_rules_still_refuse(store, tmp_path):
    """What identifies a child still refuses the row: no name, a wrong check digit, an ID rounded by
    Excel, a birth date that is not the ID's, the same child twice in the file or already in the school."""
    ok = make_id("20180305", 11)
    in_school = make_id("20180402", 13)
    save([["姓名", "身份证件号", "全国学籍号"], ["在校生", in_school, "G" + in_school]], tmp_path / "first.xlsx")
    import_roster(store, tmp_path / "first.xlsx", today=TODAY)
    other = make_id("20180601", 15)
    path = save([
        ["姓名", "身份证件号", "出生日期", "全国学籍号", "上下学方式"],
        ["张三", ok, "20180305", None, "骑马"],
        [None, make_id("20180306", 17), None, None, None],
        ["错号", ok[:-1] + ("0" if ok[-1] != "0" else "1"), None, None, None],
        ["四舍五入", 5.10123201803051e17, None, None, None],
        ["生日不对", make_id("20180307", 19), "20180308", None, None],
        ["重复", ok, None, None, None],
        ["冒名", other, None, "G" + in_school, None],
    ], tmp_path / "rules.xlsx")
    report = import_roster(store, path, dry_run=True, today=TODAY)
    assert [(p["row"], p["column"]) for p in report.problems] == [
        (3, "姓名"), (4, "身份证件号"), (5, "身份证件号"), (6, "出生日期"), (7, "身份证件号"), (8, "全国学籍号")]
    assert "四舍五入" in report.problems[2]["message"] and "重复" in report.problems[4]["message"]
    assert [(w["row"], w["column"], w["value"]) for w in report.warnings] == [
        (2, "上下学方式", "骑马"), (8, "全国学籍号", "G" + in_school)]


def test_a_school_made_sheet_reads_boarding_disability_and_parents(store, tmp_path):
    """是否寄宿生, 是否残疾, 家长姓名 and 监护人电话 of a teacher's own sheet are read: a boarder can then
    get the boarders' 生活补助."""
    from jiaoyuapp.ledgers import aid
    from tests.ledger_helpers import school_with_calendar
    school_with_calendar(store)
    aid.ensure_default_programs(store)
    boy, girl = make_id("20180305", 11), make_id("20180712", 22)
    path = save([
        ["序号", "姓名", "身份证号", "年级", "班级", "是否寄宿生", "是否残疾", "家长姓名", "监护人电话", "是否低保"],
        [1, "张三", boy, "三年级", "1班", "是", "否", "张大山", "13800138000", "是"],
        [2, "李丽", girl, "三年级", "1班", "否", "是", "李大河", "13900139000", "否"],
    ], tmp_path / "自制.xlsx")
    report = import_roster(store, path, today=TODAY)
    assert report.problems == [] and report.warnings == [] and report.ignored_columns == ["序号"]
    zhang, li = by_id(store, boy), by_id(store, girl)
    assert (zhang["boarding"], zhang["disabled"], li["boarding"], li["disabled"]) == ("2", 0, "1", 1)
    assert "残疾" in flags_of(li) and "残疾" not in flags_of(zhang)
    g = guardians_of(store, zhang["uuid"])[1]
    assert (g["name"], g["phone"]) == ("张大山", "13800138000")
    aid.give_aid(store, zhang["uuid"], "LJBZ-XX", paid_on="2026-10-15", method="一卡通")
    with pytest.raises(DataError, match="家庭经济困难"):  # 走读 and disabled, but not in difficulty
        aid.give_aid(store, li["uuid"], "LJBZ-XX", paid_on="2026-10-15")


def test_separate_grade_and_class_columns_are_combined(store, tmp_path):
    """年级 and 班级 in two columns, 班级 written as 1班, (2)班 or 三年级2班, give grade and class."""
    path = tmp_path / "学生信息.xlsx"
    records = write_xueji_workbook(path, 4, seed=9, overrides={
        0: {"年级": "三年级", "班级": "1班"}, 1: {"年级": "三年级", "班级": "（2）班"},
        2: {"年级": "三年级", "班级": "三年级2班"}, 3: {"年级": "初一", "班级": "3"}})
    report = import_roster(store, path, today=TODAY)
    got = [(by_id(store, r["身份证件号"])["grade"], by_id(store, r["身份证件号"])["class_no"]) for r in records]
    assert got == [(3, "1"), (3, "2"), (3, "2"), (7, "3")]
    assert report.problems == [] and all(w["column"].startswith("出生日期") for w in report.warnings)  # age hints


def test_header_marks_spaces_and_units_are_ignored(store, tmp_path):
    """★ and * marks, spaces inside a header, full-width forms and a unit in brackets name the same column."""
    boy = make_id("20180305", 11)
    path = save([["★姓 名", "＊身份证件号", "上下学距离（公里）", "上下学方式★", "是否受过学前教育*"],
                 ["张三", boy, "2.5", "自行车", "是"]], tmp_path / "marks.xlsx")
    report = import_roster(store, path, today=TODAY)
    assert report.problems == [] and report.ignored_columns == []
    s = by_id(store, boy)
    assert (s["distance"], s["transport"], s["preschool"]) == ("2.5", "2", 1)


def test_editing_the_field_on_the_students_page_settles_it(store, tmp_path):
    """A value typed in on the student's page (or the command line) takes the field off 待核对."""
    from jiaoyuapp.roster.students import update_student
    path = tmp_path / "学生信息.xlsx"
    write_xueji_workbook(path, 20, seed=12, unknown_labels=1, overrides={3: {"成员2联系电话": "139001390"}})
    import_roster(store, path, today=TODAY)
    items = {i["field"]: i for i in review.pending(store)}
    assert set(items) == {"transport", "g2.phone"}
    update_student(store, items["transport"]["student_uuid"], {"上下学方式": "步行"})
    update_student(store, items["g2.phone"]["student_uuid"], {"成员2联系电话": "13900139000"})
    assert review.pending(store) == []



def _rows_without_ids(store):
    """Every student and guardian as imported, without the uuids and times that differ per import."""
    skip = {"uuid", "student_uuid", "household_uuid", "created_at", "updated_at"}
    students = store.query("SELECT * FROM students ORDER BY id_number")
    guardians = store.query("SELECT g.*, s.id_number AS child FROM guardians g JOIN students s "
                            "ON s.uuid = g.student_uuid ORDER BY s.id_number, g.position")
    return ([{k: v for k, v in r.items() if k not in skip} for r in students],
            [{k: v for k, v in r.items() if k not in skip} for r in guardians])


def test_the_same_file_as_xls_imports_identically(tmp_path):
    """The generator's workbook saved as .xls by LibreOffice (as an older Excel or WPS would) imports
    into a second school exactly as the .xlsx did, values to check included."""
    import subprocess
    from jiaoyuapp.school import init_school, open_school
    xlsx = tmp_path / "学生信息.xlsx"
    write_xueji_workbook(xlsx, 300, seed=13, messy=True, unknown_labels=2)
    out = tmp_path / "xls"
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xls",
                    "--outdir", str(out), str(xlsx)], check=True, capture_output=True, timeout=180)
    xls = out / "学生信息.xls"
    assert xls.exists()
    results = []
    for name, path in (("a", xlsx), ("b", xls)):
        store = open_school(tmp_path / f"{name}.db")
        try:
            init_school(store, code="5101230001", name="青石镇红岩村小学")
            report = import_roster(store, path, today=TODAY)
            results.append(((report.created, report.problems, [(w["row"], w["column"], w["value"])
                                                               for w in report.warnings]),
                            _rows_without_ids(store), sorted((i["field"], i["original"]) for i in review.pending(store))))
        finally:
            store.close()
    assert results[0][0][0] == 300
    assert results[1] == results[0]



def test_settled_values_stay_settled_when_the_same_export_comes_again(store, tmp_path):
    """The term's next import of the unchanged 学籍 export does not bring back what the principal already
    settled in 待核对 (resolved or accepted), says nothing about it, and keeps the chosen value; a new
    unreadable text in that cell is raised again."""
    path = tmp_path / "学籍.xlsx"
    odd = {0: {"上下学方式": "骑马"}, 1: {"上下学方式": "乘船（渡口摆渡）"}}
    write_xueji_workbook(path, 3, seed=5, overrides=odd)
    import_roster(store, path, today=TODAY)
    first, second = sorted(review.pending(store), key=lambda i: i["original"] != "骑马")
    review.resolve(store, first["student_uuid"], "transport", "步行")
    review.accept(store, second["student_uuid"], "transport")
    walking = store.get("students", first["student_uuid"])["transport"]
    again = import_roster(store, path, today=TODAY)
    assert review.pending(store) == [] and again.updated == 0
    assert not any("待核对" in w["message"] for w in again.warnings)
    assert store.get("students", first["student_uuid"])["transport"] == walking
    write_xueji_workbook(path, 3, seed=5, overrides={**odd, 0: {"上下学方式": "骑骡子"}})
    import_roster(store, path, today=TODAY)
    assert [(i["student_uuid"], i["original"]) for i in review.pending(store)] == [(first["student_uuid"], "骑骡子")]


def test_an_empty_cell_never_blanks_what_the_database_has(store, tmp_path):
    """A re-import whose 身份证件号 or phone cell is empty (a partial sheet, matched by 全国学籍号) keeps the
    stored ID number and phone instead of erasing them without a word."""
    path = tmp_path / "学籍.xlsx"
    write_xueji_workbook(path, 2, seed=6)
    import_roster(store, path, today=TODAY)
    before = store.query("SELECT uuid, id_number, student_no, phone FROM students ORDER BY uuid")
    assert all(b["id_number"] and b["student_no"] and b["phone"] for b in before)
    write_xueji_workbook(path, 2, seed=6, overrides={i: {"身份证件号": None, "联系电话": None} for i in (0, 1)})
    report = import_roster(store, path, today=TODAY)
    assert not report.problems
    assert store.query("SELECT uuid, id_number, student_no, phone FROM students ORDER BY uuid") == before


def test_a_value_settled_in_review_is_checked_against_the_other_students(store, tmp_path):
    """A 全国学籍号 typed in 待核对 that belongs to another student is refused, as the import would refuse it,
    so the next import cannot match the wrong child."""
    path = tmp_path / "学籍.xlsx"
    records = write_xueji_workbook(path, 2, seed=8, overrides={0: {"全国学籍号": "G123"}})
    import_roster(store, path, today=TODAY)
    (item,) = review.pending(store)
    assert item["field"] == "student_no"
    with pytest.raises(DataError, match="另一名学生"):
        review.resolve(store, item["student_uuid"], "student_no", records[1]["全国学籍号"])
    assert len(review.pending(store)) == 1
