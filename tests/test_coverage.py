"""Visit coverage per term and per teacher, priority frequency, due and overdue follow-ups."""

import datetime as dt

from jiaoyuapp.ledgers import cases, settings, visits
from jiaoyuapp.ledgers.coverage import coverage
from tests.ledger_helpers import TODAY, school_with_calendar, student


def visit(store, who, teacher, day, **kw):
    return visits.record_visit(store, student_uuid=who, day=day, teachers=[teacher], mode="入户走访", today=TODAY, **kw)


def test_coverage_by_class_and_teacher_with_priority_frequency(store):
    """Each student needs one visit a term, priority students two; teachers are counted against the quota."""
    ids = school_with_calendar(store)
    plain = student(store, "普通", 1)
    left = student(store, "留守", 2, **{"是否留守儿童": "双亲外出"})
    other = student(store, "二年级", 3, cls="二年级1班", born="20190101")
    settings.set_value(store, "teacher_visit_quota", 2)
    visit(store, plain, ids["head3"], "2026-10-10")
    visit(store, left, ids["head3"], "2026-10-11")
    visit(store, left, ids["head3"], "2026-08-20")   # summer: not in this term
    report = coverage(store, today=TODAY)
    assert report["term"] == "2026年秋季学期"
    assert [s["name"] for s in report["not_visited"]] == ["二年级"]
    assert [(s["name"], s["visits"], s["required"]) for s in report["due"]] == [("二年级", 0, 1), ("留守", 1, 2)]
    assert report["due"][1]["priority"] == ["留守"]
    classes = {c["class"]: (c["students"], c["visited"], c["head_teachers"]) for c in report["by_class"]}
    assert classes == {"二年级1班": (1, 0, ["李老师"]), "三年级1班": (2, 2, ["王老师"])}
    teachers = {t["name"]: (t["visits"], t["households"], t["meets_quota"], t["not_visited_in_classes"])
                for t in report["by_teacher"]}
    assert teachers["王老师"] == (2, 2, True, 0)
    assert teachers["李老师"] == (0, 0, False, 1)
    visit(store, left, ids["head2"], "2026-11-02")
    again = coverage(store, today=TODAY)
    assert [s["name"] for s in again["due"]] == ["二年级"]
    assert {t["name"]: t["visits"] for t in again["by_teacher"]}["李老师"] == 1


def test_an_open_case_makes_a_student_priority_and_corrections_do_not_double_count(store):
    """A student with an open case needs the higher frequency; a corrected visit still counts once."""
    ids = school_with_calendar(store)
    kid = student(store, "在案", 1)
    cases.open_case(store, kid, on="2026-10-08")
    v = visit(store, kid, ids["head3"], "2026-10-10")
    visits.correct_visit(store, v, problems="补充情况")
    report = coverage(store, today=TODAY)
    assert [(s["visits"], s["required"], s["priority"]) for s in report["due"]] == [(1, 2, ["有在案控辍案件"])]
    settings.set_value(store, "priority_visits_per_term", 1)
    assert coverage(store, today=TODAY)["due"] == []


def test_followups_due_and_overdue(store):
    """A follow-up date that passed with no later visit is overdue; one within the window is upcoming."""
    ids = school_with_calendar(store)
    a, b = student(store, "甲", 1), student(store, "乙", 2)
    visit(store, a, ids["head3"], "2026-10-10", followup_date="2026-11-01", followup_plan="再访")
    visit(store, b, ids["head3"], "2026-10-10", followup_date="2026-11-25")
    fu = coverage(store, today=TODAY)["followups"]
    assert [f["students"][0]["name"] for f in fu["overdue"]] == ["甲"]
    assert [f["students"][0]["name"] for f in fu["upcoming"]] == ["乙"]
    visit(store, a, ids["head3"], "2026-11-05")
    assert coverage(store, today=TODAY)["followups"]["overdue"] == []
    assert coverage(store, today=dt.date(2026, 12, 1))["followups"]["overdue"][0]["students"][0]["name"] == "乙"


def test_teachers_can_be_edited_and_leave(store):
    """A teacher's phone changes; one who leaves is inactive but keeps the visits that name them."""
    import pytest

    from jiaoyuapp.errors import DataError
    from jiaoyuapp.ledgers import teachers
    ids = school_with_calendar(store)
    kid = student(store, "甲", 1)
    visit(store, kid, ids["head3"], "2026-10-10")
    teachers.update_teacher(store, "王老师", phone="13900000009")
    assert store.get("teachers", ids["head3"])["phone"] == "13900000009"
    with pytest.raises(DataError):
        teachers.update_teacher(store, "王老师", phone="123")
    teachers.update_teacher(store, "王老师", active=False)
    report = coverage(store, today=TODAY)
    assert "王老师" not in [t["name"] for t in report["by_teacher"]]
    assert report["visited"] == 1
