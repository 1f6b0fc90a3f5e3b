"""Dropout cases: only the allowed transitions, each with what it requires; reopening keeps history."""

import itertools

import pytest

from jiaoyuapp.codes import records, table
from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import case_closing, cases, disability_proof, settings
from tests.ledger_helpers import escalation_ready, photo, school_with_calendar, student

STATUSES = table("case_status").codes()
PATH = {  # how to reach each status from a fresh case
    "疑似辍学": [],
    "已核实": [("已核实", {"finding": "已返校"})],
    "确认辍学": [("确认辍学", {})],
    "劝返中": [("确认辍学", {}), ("劝返中", {})],
    "已复学": [("确认辍学", {}), ("劝返中", {}), ("已复学", {"placement": "插班就读"})],
    "送教上门": [("确认辍学", {}), ("送教上门", {})],
    "休学": [("确认辍学", {}), ("休学", {})],
    "已销号": [("确认辍学", {}), ("劝返中", {}), ("已复学", {"placement": "插班就读"}),
               ("已销号", {"outcome": "已复学", "confirmed_by": "周校长"})],
}
REQUIRED = {"已核实": {"finding": "在外地就读"}, "已复学": {"placement": "特教学校"},
            "已销号": {"outcome": "其他", "confirmed_by": "村委会主任", "evidence": "县教体局书面认定"}}
ALLOWED = {(r["from"], r["to"]) for r in records("case_transitions")}


def case_at(store, status, seq=1):
    uid = student(store, f"学生{seq}", seq)
    settings.set_value(store, "close_after_school_days", 1)   # these tests are about the steps, not the 销号 evidence
    disability_proof.record(store, uid, disability_type="肢体", cert_no="C0001")   # so 送教上门 is a step too
    case = cases.open_case(store, uid, on="2026-10-08")
    escalation_ready(store, case)
    case_closing.add_proof(store, case, photo(1), note="县教体局书面认定")   # what a 销号 as 其他 rests on
    for to, extra in PATH[status]:
        cases.move(store, case, to, on="2026-10-09", **extra)
    assert store.get("cases", case)["status"] == status
    return case


@pytest.mark.parametrize("source,target", list(itertools.product(STATUSES, STATUSES)))
def test_every_transition_allowed_or_refused(store, source, target):
    """Each (from, to) pair either works (with its requirement) or is refused naming the allowed next steps."""
    school_with_calendar(store)
    case = case_at(store, source)
    if (source, target) in ALLOWED:
        cases.move(store, case, target, on="2026-10-20", **REQUIRED.get(target, {}))
        assert store.get("cases", case)["status"] == target
    else:
        with pytest.raises(DataError) as err:
            cases.move(store, case, target, on="2026-10-20", **REQUIRED.get(target, {}))
        message = err.value.message
        if source == "已销号":
            assert "重新打开" in message
        else:
            assert all(step in message for step in cases.allowed_next(source))
        assert store.get("cases", case)["status"] == source


@pytest.mark.parametrize("target,missing", [("已核实", "核实"), ("已复学", "安置方式"), ("已销号", "销号")])
def test_requirements_of_a_step(store, target, missing):
    """A step that needs a finding, a placement or an outcome is refused without it."""
    school_with_calendar(store)
    source = {"已核实": "疑似辍学", "已复学": "劝返中", "已销号": "已复学"}[target]
    case = case_at(store, source)
    with pytest.raises(DataError, match=missing):
        cases.move(store, case, target, on="2026-10-20")
    if target == "已销号":
        with pytest.raises(DataError, match="确认人"):
            cases.move(store, case, target, on="2026-10-20", outcome="已复学")


def test_reopen_keeps_history(store):
    """A closed case reopens at its previous status with the reason; the closing stays in its history."""
    school_with_calendar(store)
    case = case_at(store, "已销号")
    with pytest.raises(DataError, match="原因"):
        cases.reopen(store, case, reason=" ", on="2026-11-02")
    assert cases.reopen(store, case, reason="复学后又连续缺课，销号有误", on="2026-11-02") == "已复学"
    row = store.get("cases", case)
    assert (row["status"], row["closed_on"], row["outcome"]) == ("已复学", None, None)
    history = cases.case_history(store, case)
    kinds = [(e["kind"], e["from_status"], e["to_status"]) for e in history["events"]]
    assert ("状态变更", "已复学", "已销号") in kinds
    assert kinds[-1] == ("重新打开", "已销号", "已复学")
    assert "销号有误" in history["events"][-1]["note"]
    with pytest.raises(DataError, match="只有已销号"):
        cases.reopen(store, case, reason="again", on="2026-11-03")


def test_attempts_people_plan_and_home_teaching(store):
    """Attempts move a confirmed case to 劝返中 and set the next date; overdue follows that date."""
    import datetime as dt
    ids = school_with_calendar(store)
    case = case_at(store, "确认辍学")
    people = store.query("SELECT line, role, name FROM case_people WHERE case_uuid = ? ORDER BY line, role", (case,))
    assert {"line": "教育线", "role": "班主任", "name": "王老师"} in people
    assert {"line": "教育线", "role": "校长", "name": "周校长"} in people
    cases.add_person(store, case, role="村委会", name="孙主任", phone="13900000003")   # 赵主任 is there already
    cases.add_person(store, case, role="乡镇领导", name="钱镇长", phone="13900000002")
    lines = {p["line"] for p in cases.case_history(store, case)["people"]}
    assert lines == {"教育线", "政府线"}
    cases.set_plan(store, case, "班主任每周电话，村委会每月走访", whereabouts="在家")
    with pytest.raises(DataError, match="劝返方式"):
        cases.add_attempt(store, case, on="2026-10-10", people="班主任:王老师", method="托梦")
    cases.add_attempt(store, case, on="2026-10-10", people="班主任:王老师", method="电话", result="家长同意下周返校",
                      next_date="2026-10-17")
    row = store.get("cases", case)
    assert (row["status"], row["next_date"]) == ("劝返中", "2026-10-17")
    overdue = cases.list_cases(store, overdue=True, today=dt.date(2026, 10, 18))
    assert [c["uuid"] for c in overdue] == [case]
    assert cases.list_cases(store, overdue=True, today=dt.date(2026, 10, 17)) == []
    cases.add_attempt(store, case, on="2026-10-17", people="班主任:王老师、村委会:赵主任", method="联合走访", next_date="2026-10-24")
    assert cases.list_cases(store, overdue=True, today=dt.date(2026, 10, 18)) == []
    with pytest.raises(DataError, match="送教上门"):
        cases.add_home_teaching(store, case, on="2026-10-20", teacher="王老师", content="语文", hours=2)
    cases.move(store, case, "送教上门", on="2026-10-20")
    cases.add_home_teaching(store, case, on="2026-10-22", teacher="王老师", content="语文识字", hours=2,
                            teacher_uuid=ids["head3"])
    history = cases.case_history(store, case)
    assert len(history["attempts"]) == 3 and history["home_teaching"][0]["hours"] == 2


def test_one_open_case_per_student_and_suspected_cases_need_verifying(store):
    """A student has one open case at a time; contacting the family on a 疑似辍学 case leaves it suspected."""
    school_with_calendar(store)
    uid = student(store, "小李", 9)
    case = cases.open_case(store, uid, on="2026-10-08", reason="厌学")
    assert store.get("cases", case)["reason"] == "学习困难"
    with pytest.raises(DataError, match="未销号"):
        cases.open_case(store, uid, on="2026-10-09")
    cases.add_attempt(store, case, on="2026-10-09", people="班主任:王老师", method="电话")  # the first contact
    assert store.get("cases", case)["status"] == "疑似辍学"


def test_a_same_day_timeline_reads_in_the_order_things_were_recorded(store):
    """登记, then the first 劝返, then 确认辍学 on one day: sorted by text the 劝返 came before the 登记."""
    school_with_calendar(store)
    case = cases.open_case(store, student(store, "学生7", 7), on="2026-10-08")
    escalation_ready(store, case, on="2026-10-08")
    cases.move(store, case, "确认辍学", on="2026-10-08")
    h = cases.case_history(store, case)
    merged = sorted([(e["on_date"], e["logged"], e["kind"]) for e in h["events"]]
                    + [(a["on_date"], a["logged"], "劝返") for a in h["attempts"]])
    assert [kind for _, _, kind in merged][:2] == ["登记", "劝返"] and merged[-1][2] != "劝返"
