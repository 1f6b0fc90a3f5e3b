"""The core rules behind 学校设置: settings checked against their ranges (all or nothing), the 公示
masking as set, teachers' classes and leaving, terms and 调休 days, and aid programs by 学段."""

import datetime as dt

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import aid, school_calendar, settings, teachers
from jiaoyuapp.school import init_school, open_school
from tests.ledger_helpers import school_with_calendar, student


def test_every_setting_has_a_label_unit_range_and_explanation():
    """If this fails, a setting shows in 参数设置 without its unit or its explanation."""
    for s in settings.defaults().values():
        assert s["label"] and s["unit"] and s["help"] and s["group"], s["key"]
        assert float(s["min"]) <= float(s["value"]) <= float(s["max"]), s["key"]


@pytest.mark.parametrize("value, said", [("abc", "应填数字"), ("31", "不能是31"), ("-1", "不能是-1"), ("2.5", "应填整数"),
                                         ("", "没有填写"), (float("nan"), "应填整数")])
def test_a_bad_setting_is_refused_in_chinese(store, value, said):
    """A threshold of 'abc', 31 or 2.5 days is refused with the setting's name and its range; nothing is written."""
    with pytest.raises(DataError) as err:
        settings.set_value(store, "absence_threshold_days", value)
    assert said in err.value.message and "连续无故缺课" in err.value.message and "1到30个教学日" in err.value.message
    assert store.scalar("SELECT count(*) FROM settings") == 0


def test_settings_saved_together_or_not_at_all(store):
    """One bad value in a save leaves the good ones of that save unwritten too."""
    with pytest.raises(DataError):
        settings.set_values(store, {"teacher_visit_quota": "12", "risk_high": "0"})
    assert settings.get(store, "teacher_visit_quota") == 10
    assert settings.set_values(store, {"teacher_visit_quota": "１２", "risk_high": "45", "risk_economic": "15"}) == [
        "teacher_visit_quota", "risk_high"]  # full-width digits read; an unchanged value is not a change
    assert settings.get(store, "teacher_visit_quota") == 12 and settings.get(store, "risk_high") == 45


def test_public_ledger_masks_as_the_school_set(store):
    """The 公示 roster keeps as many leading and trailing characters of IDs and phones as 参数设置 says."""
    from jiaoyuapp.documents.ledger_rows import roster_rows
    school_with_calendar(store)
    uid = student(store, "甲", 1, **{"联系电话": "13912345678"})
    idn = store.scalar("SELECT id_number FROM students WHERE uuid = ?", (uid,))
    row = next(roster_rows(store, True))
    assert idn[:6] + "*" * 8 + idn[-4:] in row and "139****5678" in row
    settings.set_values(store, {"mask_id_head": "3", "mask_id_tail": "0", "mask_phone_tail": "2"})
    row = next(roster_rows(store, True))
    assert idn[:3] + "*" * 15 in row and "139****78" in row
    assert idn in next(roster_rows(store, False))  # the school's own copy is never masked


def test_teacher_classes_changed_and_leaving_recorded(store):
    """A teacher's classes are replaced as typed; 调走 keeps the teacher (dated) but takes them off the active list."""
    uid = teachers.add_teacher(store, "王老师", "班主任", classes="三年级1班")
    changed = teachers.update_teacher(store, uid, classes="三年级1班、四年级（2）班")
    assert changed["classes"] == ("三年级1班", "三年级1班、四年级2班")
    assert teachers.head_of_class(store, 4, "2")["uuid"] == uid
    teachers.mark_left(store, uid, "调走", on="2026-11-30")
    row = store.get("teachers", uid)
    assert row["active"] == 0 and row["note"] == "2026-11-30调走"
    assert teachers.active_teachers(store) == [] and teachers.head_of_class(store, 4, "2") is None
    with pytest.raises(DataError, match="不用再登记"):
        teachers.mark_left(store, uid, "离岗")
    teachers.mark_back(store, uid)
    assert [t["uuid"] for t in teachers.active_teachers(store)] == [uid]


@pytest.mark.parametrize("row, said", [(("", "班主任", None, ""), "请填写教师姓名"),
                                       (("甲", "门卫", None, ""), "职务“门卫”不在列表中"),
                                       (("甲", "班主任", "1391234", ""), "手机号应为11位"),
                                       (("甲", "班主任", None, "三年级"), "要写到班")])
def test_a_teacher_row_checked_without_writing(row, said):
    """The wizard's teacher rows are refused with a reason before anything is made."""
    with pytest.raises(DataError, match=said):
        teachers.check_teacher(*row)


def test_terms_and_days_rules(store):
    """A 调休 workday must be a weekend day; a term with aid records cannot be removed; defaults keep a school's own term."""
    school_calendar.add_term(store, "2026年秋季学期（本校）", "2026-08-31", "2027-01-15")
    made = school_calendar.set_up_school_year(store, 2026)
    names = [t["name"] for t in school_calendar.year_view(store, 2026)["terms"]]
    assert names == ["2026年秋季学期（本校）", "2027年春季学期"] and len(made) == 1
    with pytest.raises(DataError, match="周六或周日"):
        school_calendar.set_day(store, "2026-11-18", "workday", "调休")
    school_calendar.set_day(store, "2026-11-21", "workday", "调休")
    assert school_calendar.Calendar.load(store).is_school_day(dt.date(2026, 11, 21))
    aid.ensure_default_programs(store)
    kid = student(store, "甲", 1)
    aid.give_aid(store, kid, "营养改善计划", paid_on="2026-11-20")
    with pytest.raises(DataError, match="资助记录"):
        school_calendar.remove_term(store, "2026年秋季学期（本校）")
    school_calendar.remove_term(store, "2027年春季学期")
    assert [t["name"] for t in school_calendar.Calendar.load(store).terms] == ["2026年秋季学期（本校）"]


def test_default_programs_follow_the_school_type(tmp_path):
    """A 初中 gets the 初中 boarding grant and 营养餐, not the 小学 or 高中 ones; a 九年一贯制 both levels."""
    for kind, codes in (("初中", ["LJBZ-CZ", "YYGS"]), ("九年一贯制", ["LJBZ-CZ", "LJBZ-XX", "YYGS"])):
        store = open_school(tmp_path / f"{kind}.db")
        init_school(store, code="5101230001", name="青石镇中学", school_type=kind)
        assert aid.ensure_default_programs(store, levels=None) == len(codes)
        assert sorted(r[0] for r in store.conn.execute("SELECT code FROM aid_programs")) == codes
        store.close()


def test_programs_added_and_amounts_read(store):
    """A school's own program gets a code; amounts are read from what was typed; both kinds of amount are refused."""
    assert aid.parse_amount("６２５元") == 625 and aid.parse_amount(" ") is None
    with pytest.raises(DataError, match="不是数字"):
        aid.parse_amount("五百")
    uid = aid.add_program(store, name="县级助学金", amount_per_term=300)
    assert store.get("aid_programs", uid)["code"] == "XM01"
    with pytest.raises(DataError, match="已有名为"):
        aid.add_program(store, name="县级助学金")
    with pytest.raises(DataError, match="只填一个"):
        aid.update_program(store, uid, amount_per_day=5)
    aid.update_program(store, uid, active=0)
    assert aid.list_programs(store)[0]["active"] == 0
