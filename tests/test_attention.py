"""Who needs attention: each risk factor's effect and stated reason, the alert list, and mismatches."""

import pytest

from jiaoyuapp.ledgers import absences, aid, cases, settings, visits
from jiaoyuapp.ledgers.attention import attention, mismatches, risk_list
from jiaoyuapp.roster import households, school_year
from jiaoyuapp.roster.students import update_student
from tests.ledger_helpers import TODAY, school_with_calendar, student, escalation_ready


def risk_of(store, uid):
    return next((r for r in risk_list(store, today=TODAY) if r["uuid"] == uid), None)


def visited(store, ids, uid):
    visits.record_visit(store, student_uuid=uid, day="2026-10-10", teachers=[ids["head3"]], mode="电话", today=TODAY)


@pytest.mark.parametrize("setup,reason,setting", [
    (lambda s, u, ids: [absences.record_absence(s, u, d) for d in ("2026-11-16", "2026-11-18")],
     "无故缺课2天（+20）", "risk_unexcused_per_day"),
    (lambda s, u, ids: update_student(s, u, {"是否低保": "是"}), "家庭经济困难（低保）（+15）", "risk_economic"),
    (lambda s, u, ids: update_student(s, u, {"是否孤儿": "是"}), "孤儿（+20）", "risk_orphan_unsupported"),
    (lambda s, u, ids: update_student(s, u, {"是否留守儿童": "双亲外出"}), "留守且未登记监护人（+20）",
     "risk_left_behind_no_guardian"),
    (lambda s, u, ids: update_student(s, u, {"残疾人类型": "肢体"}), "残疾但未安置（无随班就读、无送教上门）（+15）",
     "risk_disability_no_placement"),
    (lambda s, u, ids: _sibling_dropped_out(s, u), "兄弟姐妹辍学（+25）", "risk_sibling_dropout"),
    (lambda s, u, ids: _closed_case(s, u), "曾有控辍案件（+15）", "risk_previous_case"),
])
def test_each_factor_adds_its_stated_reason(store, setup, reason, setting):
    """A factor raises the score by its weight and says why; a weight of 0 switches it off."""
    ids = school_with_calendar(store)
    uid = student(store, "甲", 1)
    visited(store, ids, uid)
    assert risk_of(store, uid) is None
    setup(store, uid, ids)
    r = risk_of(store, uid)
    assert any(x.endswith(reason) for x in r["reasons"]), r["reasons"]
    assert r["score"] == sum(float(x.rsplit("+", 1)[1].rstrip("）")) for x in r["reasons"])
    settings.set_value(store, setting, 0)
    after = risk_of(store, uid)
    assert after is None or not any(x.endswith(reason) for x in after["reasons"])


def _sibling_dropped_out(store, uid):
    sib = student(store, "哥哥", 2, cls="六年级1班", born="20150101")
    households.merge(store, [uid, sib])
    case = escalation_ready(store, cases.open_case(store, sib, on="2026-10-08"))
    cases.move(store, case, "确认辍学", on="2026-10-09")


def _closed_case(store, uid):
    case = escalation_ready(store, cases.open_case(store, uid, on="2026-10-08"))
    cases.move(store, case, "已核实", on="2026-10-09", finding="已返校")
    settings.set_value(store, "close_after_school_days", 1)   # back for a day is enough here: the factor is the point
    cases.close(store, case, outcome="已复学", on="2026-10-10", confirmed_by="周校长")


def test_guardian_recorded_and_placement_clear_their_factors(store):
    """A 留守 child with a recorded guardian, and a disabled child in 随班就读, carry no such factor."""
    ids = school_with_calendar(store)
    uid = student(store, "甲", 1, **{"是否留守儿童": "双亲外出", "成员1姓名": "奶奶", "成员1关系": "祖母",
                                     "成员1是否监护人": "是", "残疾人类型": "视力", "随班就读": "视力"})
    visited(store, ids, uid)
    assert risk_of(store, uid) is None


def test_unvisited_and_attention_list(store):
    """The alert list names new cases, overdue ones, the unvisited, 应助未助 and high risk without a case."""
    ids = school_with_calendar(store)
    aid.ensure_default_programs(store)
    absent = student(store, "缺课", 1)
    for day in ("2026-11-16", "2026-11-17", "2026-11-18"):
        absences.record_absence(store, absent, day)
    late = student(store, "逾期", 2)
    case = escalation_ready(store, cases.open_case(store, late, on="2026-10-08"))
    cases.move(store, case, "确认辍学", on="2026-10-09")
    cases.add_attempt(store, case, on="2026-10-10", people="班主任:王老师", method="电话", next_date="2026-11-01")
    poor = student(store, "困难", 3, **{"是否脱贫户": "是", "是否孤儿": "是", "是否留守儿童": "单亲外出"})
    fine = student(store, "正常", 4)
    visited(store, ids, fine)
    report = attention(store, today=TODAY)
    assert [i["uuid"] for i in report["new_cases"]] == [absent]
    assert [i["uuid"] for i in report["overdue_cases"]] == [late]
    assert {i["uuid"] for i in report["not_visited"]} == {absent, late, poor}
    assert [i["uuid"] for i in report["unaided"]] == [poor]
    assert [i["uuid"] for i in report["high_risk_without_case"]] == [poor]
    assert all(i["uuid"] and i["kind"] and i["detail"] for i in report["items"])
    assert report["counts"]["新的疑似辍学"] == 1
    assert risk_of(store, fine) is None


@pytest.mark.parametrize("kind", ["在读但台账为辍学", "辍学但台账无在案", "核实去向与学籍不符", "已复学但学籍未恢复",
                                  "离校后仍有资助", "离校后仍登记缺课"])
def test_each_mismatch(store, kind):
    """Each 四查三比对 disagreement between roster and ledgers is listed, naming the student."""
    school_with_calendar(store)
    aid.ensure_default_programs(store)
    uid = student(store, "甲", 1, **{"是否低保": "是"})
    assert mismatches(store) == []
    if kind == "在读但台账为辍学":
        case = escalation_ready(store, cases.open_case(store, uid, on="2026-10-08"))
        cases.move(store, case, "确认辍学", on="2026-10-09")
    elif kind == "辍学但台账无在案":
        update_student(store, uid, {"在校状态": "辍学"})
    elif kind == "核实去向与学籍不符":
        case = escalation_ready(store, cases.open_case(store, uid, on="2026-10-08"))
        cases.move(store, case, "已核实", on="2026-10-09", finding="在外地就读")
    elif kind == "已复学但学籍未恢复":
        case = escalation_ready(store, cases.open_case(store, uid, on="2026-10-08"))
        cases.move(store, case, "确认辍学", on="2026-10-09")
        cases.move(store, case, "劝返中", on="2026-10-09")
        cases.move(store, case, "已复学", on="2026-10-12", placement="插班就读")
        update_student(store, uid, {"在校状态": "辍学"})
    elif kind == "离校后仍有资助":
        aid.give_aid(store, uid, "YYGS", paid_on="2026-10-20", amount=100)
        school_year.transfer_out(store, uid, to_school="县一小", day="2026-10-01")  # recorded late, backdated
    elif kind == "离校后仍登记缺课":
        absences.record_absence(store, uid, "2026-10-20")
        school_year.transfer_out(store, uid, to_school="县一小", day="2026-10-01")
    found = [m for m in mismatches(store) if m["kind"] == kind]
    assert [m["uuid"] for m in found] == [uid] and found[0]["detail"]


def test_no_visit_this_term_is_a_stated_factor(store):
    """A student not visited this term carries that reason; a visit last term does not count."""
    ids = school_with_calendar(store)
    uid = student(store, "甲", 1)
    visits.record_visit(store, student_uuid=uid, day="2026-08-20", teachers=[ids["head3"]], mode="电话", today=TODAY)
    assert risk_of(store, uid)["reasons"] == ["本学期未家访（+10）"]
    settings.set_value(store, "risk_no_visit", 0)
    assert risk_of(store, uid) is None
