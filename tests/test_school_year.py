"""The school year: transfers, suspension, and the September rollover with its undo."""

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.roster import school_year
from jiaoyuapp.roster.students import add_student, update_student
from tests.workbooks import make_id


def add(store, name, born, seq, cls):
    uid, _ = add_student(store, {"姓名": name, "身份证件号": make_id(born, seq), "班级": cls})
    return uid


def grades(store):
    return {r["name"]: (r["grade"], r["status"]) for r in store.query("SELECT name, grade, status FROM students")}


def test_rollover_previews_applies_and_undoes(store):
    """Every class moves up, the top grade graduates, and undo puts everyone back."""
    add(store, "一年", "20200305", 1, "一年级1班")
    add(store, "五年", "20160305", 3, "五年级1班")
    six = add(store, "六年", "20150305", 5, "六年级1班")
    gone = add(store, "已转", "20170305", 7, "四年级1班")
    school_year.transfer_out(store, gone, to_school="县一小")
    plan = school_year.plan_rollover(store)
    assert (len(plan.moves), plan.graduates, plan.top_grade) == (2, [six], 6)
    assert "六年级 1 人 → 毕业" in plan.summary_lines()
    assert grades(store)["一年"] == (1, "在读")  # preview changes nothing
    before = {r["uuid"]: r for r in store.query("SELECT * FROM students")}
    batch = school_year.apply_rollover(store)
    assert grades(store) == {"一年": (2, "在读"), "五年": (6, "在读"), "六年": (6, "毕业"), "已转": (4, "转出")}
    moved = store.scalar("SELECT count(*) FROM change_log c JOIN batches b ON b.id = c.batch WHERE b.uuid = ?", (batch,))
    assert moved >= 3 and moved == store.scalar("SELECT count(*) FROM change_log WHERE seq > "
                                                "(SELECT max(seq) FROM change_log) - ?", (moved,))  # one batch
    school_year.undo_rollover(store)
    after = {r["uuid"]: r for r in store.query("SELECT * FROM students")}
    for uid, row in before.items():
        assert {k: v for k, v in after[uid].items() if k != "updated_at"} == \
               {k: v for k, v in row.items() if k != "updated_at"}
    with pytest.raises(Exception, match="没有可以撤销"):
        school_year.undo_rollover(store)


def test_undo_refused_after_later_edits(store):
    """An undo that would overwrite later work is refused, saying why."""
    uid = add(store, "一年", "20200305", 1, "一年级1班")
    school_year.apply_rollover(store)
    update_student(store, uid, {"班级": "3班"})
    with pytest.raises(DataError, match="又被修改过"):
        school_year.undo_rollover(store)


def test_transfers_suspend_resume(store):
    """转出, 休学, 复学 and 转入 change the status, keep a dated event, and refuse what makes no sense."""
    uid = add(store, "小红", "20180305", 2, "三年级1班")
    school_year.suspend(store, uid, reason="因病休学", day="2026-10-08")
    with pytest.raises(DataError, match="休学"):
        school_year.suspend(store, uid, reason="again")
    school_year.resume(store, uid, day="2027-03-01", grade=2, class_no="1")
    row = store.get("students", uid)
    assert (row["status"], row["grade"], row["class_no"], row["status_date"]) == ("在读", 2, "1", "2027-03-01")
    with pytest.raises(DataError, match="转入学校"):
        school_year.transfer_out(store, uid, to_school=" ")
    school_year.transfer_out(store, uid, to_school="县城第一小学", day="2027-04-01")
    back = school_year.transfer_in(store, {"姓名": "小红", "身份证件号": make_id("20180305", 2), "班级": "二年级2班"},
                                   from_school="县城第一小学", day="2027-09-01")
    assert back == uid and store.get("students", uid)["status"] == "在读"
    kinds = [r["kind"] for r in store.query(
        "SELECT kind FROM enrollment_events WHERE student_uuid = ? ORDER BY event_date", (uid,))]
    assert kinds == ["休学", "复学", "转出", "转入"]
    with pytest.raises(DataError, match="已经在本校"):
        school_year.transfer_in(store, {"姓名": "小红", "身份证件号": make_id("20180305", 2)}, from_school="x")


def test_transfer_in_new_student(store):
    """A new child transferring in is added with the import's validation."""
    uid = school_year.transfer_in(store, {"姓名": "新来", "身份证件号": make_id("20180101", 9), "班级": "三年级1班"},
                                  from_school="邻镇小学")
    assert store.get("students", uid)["name"] == "新来"
    with pytest.raises(DataError, match="校验位"):
        school_year.transfer_in(store, {"姓名": "错号", "身份证件号": "110105194912310021"}, from_school="x")


def test_transfer_in_with_an_id_and_a_student_no_of_two_different_children_is_refused(store):
    """转入 typed with one child's ID number and another's 全国学籍号 says so, instead of "程序出现意外错误"."""
    a = add(store, "甲", "20180305", 2, "三年级1班")
    b_id = make_id("20180406", 4)
    b = add(store, "乙", "20180406", 4, "三年级1班")
    update_student(store, b, {"全国学籍号": "G" + b_id})
    school_year.transfer_out(store, a, to_school="县城第一小学")
    with pytest.raises(DataError, match="两名不同的学生"):
        school_year.transfer_in(store, {"姓名": "甲", "身份证件号": make_id("20180305", 2), "全国学籍号": "G" + b_id},
                                from_school="县城第一小学")
    assert store.get("students", a)["status"] == "转出"
