"""资助 by program (issue 12): who qualifies for each national program, at what amount, what clears
应助未助, only the programs of the school's 学段, and the 资助台账 columns. The rules and their sources
are in jiaoyuapp/ledgers/aid_rules.py."""

import datetime as dt

import openpyxl
import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import aid, settings
from jiaoyuapp.school import init_school, open_school
from jiaoyuapp.store import changelog
from tests.ledger_helpers import TODAY, school_with_calendar, student
from tests.workbooks import make_id

DAY = "2026-10-15"
FOUR_GROUPS = [({"是否脱贫户": "是"}, "脱贫"), ({"是否低保": "是"}, "低保"), ({"是否特困供养": "是"}, "特困"),
               ({"是否残疾": "是", "是否需要申请资助": "是"}, "残疾")]


def school(tmp_path, school_type):
    s = open_school(tmp_path / f"{school_type}.db")
    init_school(s, code="5101230002", name=f"青石镇{school_type}", school_type=school_type)
    school_with_calendar(s)
    aid.ensure_default_programs(s)
    return s


@pytest.fixture
def nine_year(tmp_path):
    s = school(tmp_path, "九年一贯制")
    yield s
    s.close()


@pytest.mark.parametrize("flags, target", FOUR_GROUPS)
@pytest.mark.parametrize("cls, code, half", [("三年级1班", "LJBZ-XX", 312.5), ("八年级1班", "LJBZ-CZ", 375)])
def test_each_of_the_four_non_boarder_groups_gets_half_the_boarder_rate(nine_year, flags, target, cls, code, half):
    """A 走读 pupil of a 脱贫, 低保, 特困 or 困难残疾 family gets the 生活补助 at half the boarder rate, not a refusal."""
    born = "20180305" if cls.startswith("三") else "20130305"
    kid = student(nine_year, "走读", 1, cls=cls, born=born, **flags)
    uid = aid.give_aid(nine_year, kid, code, paid_on=DAY)
    row = nine_year.get("aid_records", uid)
    assert row["amount"] == half and row["target"] == target


def test_boarders_get_the_full_rate_and_other_non_boarders_are_refused(nine_year):
    """A poor boarder gets 625/750 per term; a 走读 孤儿 or 监测户 child (not one of the four groups) is told why not."""
    boarder = student(nine_year, "住校", 1, **{"防返贫监测对象": "边缘易致贫户", "就读方式": "住校"})
    assert nine_year.get("aid_records", aid.give_aid(nine_year, boarder, "LJBZ-XX", paid_on=DAY))["amount"] == 625
    older = student(nine_year, "初中住校", 2, cls="八年级1班", born="20130305", **{"是否低保": "是", "就读方式": "住校"})
    assert nine_year.get("aid_records", aid.give_aid(nine_year, older, "LJBZ-CZ", paid_on=DAY))["amount"] == 750
    for seq, flags in ((3, {"是否孤儿": "是"}), (4, {"防返贫监测对象": "边缘易致贫户"})):
        kid = student(nine_year, f"走读{seq}", seq, **flags)
        with pytest.raises(DataError, match="走读的脱贫家庭学生.*该生登记为走读"):
            aid.give_aid(nine_year, kid, "LJBZ-XX", paid_on=DAY)
    rich = student(nine_year, "一般", 5, **{"就读方式": "住校"})
    with pytest.raises(DataError, match="家庭经济困难学生"):
        aid.give_aid(nine_year, rich, "LJBZ-XX", paid_on=DAY)
    aid.give_aid(nine_year, rich, "LJBZ-XX", paid_on=DAY, target="其他困难", hardship="一般困难")  # the school's 认定


def test_level_of_the_student_decides_the_program(nine_year):
    """A 小学 pupil cannot get the 初中 subsidy and the other way round."""
    small = student(nine_year, "小学生", 1, **{"是否低保": "是", "就读方式": "住校"})
    big = student(nine_year, "初中生", 2, cls="八年级1班", born="20130305", **{"是否低保": "是", "就读方式": "住校"})
    with pytest.raises(DataError, match="只面向初中学生"):
        aid.give_aid(nine_year, small, "LJBZ-CZ", paid_on=DAY)
    with pytest.raises(DataError, match="只面向小学学生"):
        aid.give_aid(nine_year, big, "LJBZ-XX", paid_on=DAY)


def test_a_primary_school_is_only_offered_its_own_programs(tmp_path):
    """A 小学 is never offered 普通高中国家助学金 or the 初中 subsidy, by default or when recording aid."""
    s = school(tmp_path, "小学")
    codes = sorted(r[0] for r in s.conn.execute("SELECT code FROM aid_programs"))
    assert codes == ["LJBZ-XX", "YYGS"]
    aid.add_program(s, code="GZ", name="普通高中国家助学金（县）", level="高中", amount_per_term=1150)
    assert [p["code"] for p in aid.offered_programs(s)] == ["LJBZ-XX", "YYGS"]
    kid = student(s, "甲", 1, **{"是否低保": "是"})
    with pytest.raises(DataError, match="本校是小学学校，不发放"):
        aid.give_aid(s, kid, "GZ", paid_on=DAY)
    high = school(tmp_path, "高中")
    assert sorted(r[0] for r in high.conn.execute("SELECT code FROM aid_programs")) == ["GZZXJ"]


def test_meal_subsidy_is_for_everyone_in_kind_and_does_not_clear_unaided(nine_year):
    """营养改善计划 goes to any pupil as meals (never cash); a poor 走读 child with only meals stays 应助未助."""
    poor = student(nine_year, "脱贫走读", 1, **{"是否脱贫户": "是"})
    anyone = student(nine_year, "一般", 2)
    with pytest.raises(DataError, match="不能发放现金"):
        aid.give_aid(nine_year, anyone, "YYGS", paid_on=DAY, method="现金")
    row = nine_year.get("aid_records", aid.give_aid(nine_year, anyone, "YYGS", paid_on=DAY))
    assert row["method"] == "膳食" and row["target"] == "全体" and row["amount"] % 5 == 0 and row["amount"] > 400
    aid.give_aid(nine_year, poor, "YYGS", paid_on=DAY)
    found = {s["name"]: s for s in aid.unaided(nine_year, today=TODAY)["students"]}
    assert list(found) == ["脱贫走读"]
    assert found["脱贫走读"]["programs"] == ["两免一补生活补助（小学）"]
    assert found["脱贫走读"]["received"] == ["营养改善计划"]
    by_program = {p["code"]: p for p in aid.unaided(nine_year, today=TODAY)["programs"]}
    assert "YYGS" not in by_program and by_program["LJBZ-XX"] == {"code": "LJBZ-XX", "name": "两免一补生活补助（小学）",
                                                                 "eligible": 1, "missing": 1}
    aid.give_aid(nine_year, poor, "LJBZ-XX", paid_on=DAY)
    assert aid.unaided(nine_year, today=TODAY)["students"] == []


def test_meal_subsidy_only_at_a_pilot_school(tmp_path):
    """A school set as not a 试点 school is not offered 营养改善计划 and cannot record it."""
    s = open_school(tmp_path / "s.db")
    init_school(s, code="5101230003", name="青石镇小学", school_type="小学")
    school_with_calendar(s)
    settings.set_value(s, "nutrition_pilot", 0)
    aid.ensure_default_programs(s)
    assert [p["code"] for p in aid.offered_programs(s)] == ["LJBZ-XX"]
    settings.set_value(s, "nutrition_pilot", 1)
    aid.ensure_default_programs(s)
    settings.set_value(s, "nutrition_pilot", 0)
    with pytest.raises(DataError, match="只在试点学校实施"):
        aid.give_aid(s, student(s, "甲", 1), "YYGS", paid_on=DAY)


def test_a_province_edits_groups_and_share(nine_year):
    """A province that adds 监测户 to the non-boarder groups at 60% gets exactly that, with no code change."""
    kid = student(nine_year, "监测", 1, **{"防返贫监测对象": "突发严重困难户"})
    aid.update_program(nine_year, "LJBZ-XX", day_groups="脱贫|低保|特困|残疾|监测", day_rate=aid.parse_rate("60%"))
    assert nine_year.get("aid_records", aid.give_aid(nine_year, kid, "LJBZ-XX", paid_on=DAY))["amount"] == 375
    with pytest.raises(DataError, match="不在列表中"):
        aid.update_program(nine_year, "LJBZ-XX", day_groups="脱贫|五保")


def test_recognition_and_notice_dates_in_order(nine_year):
    """认定 before 公示 before 发放; the hardship level and who signed are kept on the record."""
    kid = student(nine_year, "甲", 1, **{"是否低保": "是"})
    with pytest.raises(DataError, match="不能早于认定日期"):
        aid.give_aid(nine_year, kid, "LJBZ-XX", paid_on=DAY, recognized_on="2026-09-20", published_on="2026-09-10")
    with pytest.raises(DataError, match="应先公示"):
        aid.give_aid(nine_year, kid, "LJBZ-XX", paid_on=DAY, recognized_on="2026-09-20", published_on="2026-10-20")
    with pytest.raises(DataError, match="困难等级应为"):
        aid.give_aid(nine_year, kid, "LJBZ-XX", paid_on=DAY, hardship="很困难")
    uid = aid.give_aid(nine_year, kid, "LJBZ-XX", paid_on=DAY, hardship="比较困难", recognized_on="2026-09-20",
                       published_on="2026-09-25", receiver="甲父", method="银行卡")
    row = nine_year.get("aid_records", uid)
    assert (row["hardship"], row["recognized_on"], row["published_on"], row["receiver"]) == (
        "2", "2026-09-20", "2026-09-25", "甲父")


def test_workbook_aid_sheet_has_the_ledger_columns(nine_year, tmp_path):
    """The 资助台账 sheet prints 学籍号, 资助对象类型, 困难等级, 认定/公示 dates, 发放方式, 金额 and 领取人签字."""
    from jiaoyuapp.documents.ledger_workbook import write_ledgers
    kid = student(nine_year, "甲", 1, **{"是否低保": "是", "全国学籍号": "G" + make_id("20180305", 1), "就读方式": "走读"})
    aid.give_aid(nine_year, kid, "LJBZ-XX", paid_on=DAY, hardship="特别困难", recognized_on="2026-09-20",
                 published_on="2026-09-25", receiver="甲父", method="银行卡")
    out = write_ledgers(nine_year, tmp_path / "台账.xlsx", today=dt.date(2026, 11, 22))
    ws = openpyxl.load_workbook(out)["资助台账"]
    header = [c.value for c in ws[2]]
    row = dict(zip(header, [c.value for c in ws[3]]))
    for col in ("学籍号", "资助对象类型（认定）", "困难等级", "认定日期", "公示日期", "发放方式", "金额（元）", "领取人签字"):
        assert col in header, col
    assert row["学籍号"].startswith("G") and row["资助对象类型（认定）"] == "低保家庭学生" and row["就读方式"] == "走读"
    assert (row["困难等级"], row["认定日期"], row["公示日期"], row["金额（元）"], row["领取人签字"]) == (
        "特别困难", "2026-09-20", "2026-09-25", 312.5, "甲父")
    assert row["发放方式"].startswith("发放到银行卡")


def test_migration_gives_old_programs_their_rules(tmp_path):
    """A school that had the national programs before 0009 gets the non-boarder groups and the meal rules."""
    from jiaoyuapp.schema import school_schema
    from jiaoyuapp.store.connection import open_store
    path = tmp_path / "old.db"
    old = open_store(path, school_schema(), stop_before="0009_aid_rules")
    with old.write("setup", "") as w:   # as the older version wrote them: through the change log
        w.insert_many("aid_programs", [
            {"code": "LJBZ-XX", "name": "两免一补生活补助（小学寄宿生）", "level": "小学", "boarding_only": 1,
             "amount_per_term": 500, "active": 1},
            {"code": "YYGS", "name": "营养改善计划", "boarding_only": 0, "amount_per_day": 5, "active": 1},
            {"code": "XM01", "name": "县级助学金", "boarding_only": 0, "amount_per_term": 300, "active": 1}])
    old.close()
    store = open_school(path)
    try:
        rules = {r["code"]: r for r in store.query("SELECT * FROM aid_programs")}
        assert rules["LJBZ-XX"]["day_groups"] == "脱贫|低保|特困|残疾" and rules["LJBZ-XX"]["day_rate"] == 0.5
        assert (rules["YYGS"]["means_tested"], rules["YYGS"]["in_kind"], rules["YYGS"]["pilot_only"]) == (0, 1, 1)
        assert rules["XM01"]["means_tested"] == 1  # a grant of the school's own still counts as before
        assert changelog.verify(store) == []      # the rules came through the log: packets carry them
        assert store.scalar("SELECT count(*) FROM batches WHERE kind = 'aid-rules-upgrade'") == 1
    finally:
        store.close()


def test_demo_school_unaided_and_the_pdf_aid_ledger(store, tmp_path):
    """The demo lists poor 走读 pupils who got only meals as 应助未助; the folder prints the 资助台账 columns."""
    import subprocess

    from jiaoyuapp.documents.inspection_folder import write_folder
    from jiaoyuapp.exchange import identity
    from jiaoyuapp.ledgers.demo_ledgers import fill_term
    from jiaoyuapp.roster.demo import load_demo
    load_demo(store, 150, seed=9)
    fill_term(store, seed=9, today=TODAY)
    found = aid.unaided(store, today=TODAY)
    only_meals = [s for s in found["students"] if s["received"] == ["营养改善计划"] and s["programs"]]
    assert only_meals and all(store.get("students", s["uuid"])["boarding"] != "2" for s in only_meals[:5])
    assert store.scalar("SELECT count(*) FROM aid_records WHERE recognized_on IS NOT NULL AND receiver IS NOT NULL")
    identity.create(store, kind="school", code="5101230001", name="青石镇红岩村小学", passphrase="红岩村小学2026")
    pdf = write_folder(store, tmp_path / "迎检档案.pdf", passphrase="红岩村小学2026", today=TODAY)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=120).stdout
    for words in ("五、资助台账", "领取人签字", "公示日期", "困难等级", f"应助未助（{found['term']}）：{len(found['students'])}人",
                  "面向全体学生的项目"):
        assert words in text, words
