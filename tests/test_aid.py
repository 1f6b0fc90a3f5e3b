"""Financial aid: programs as data, one record per program and term, 应助未助 and totals."""

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import aid
from tests.ledger_helpers import TODAY, school_with_calendar, student


def test_unaided_lists_eligible_students_without_aid_this_term(store):
    """Poor, 低保, 特困, 孤儿 and 监测 households are eligible; means-tested aid this term clears them, meals do not."""
    school_with_calendar(store)
    aid.ensure_default_programs(store)
    poor = student(store, "脱贫", 1, **{"是否脱贫户": "是", "就读方式": "住校"})
    watch = student(store, "监测", 2, **{"防返贫监测对象": "边缘易致贫户"})
    orphan = student(store, "孤儿", 3, **{"是否孤儿": "是"})
    student(store, "普通", 4)
    names = lambda: sorted(s["name"] for s in aid.unaided(store, today=TODAY)["students"])  # noqa: E731
    assert names() == sorted(["脱贫", "监测", "孤儿"])
    assert {s["name"]: s["reasons"] for s in aid.unaided(store, today=TODAY)["students"]}["监测"] == ["边缘易致贫户"]
    aid.give_aid(store, poor, "LJBZ-XX", paid_on="2026-10-15", method="一卡通")
    aid.give_aid(store, orphan, "营养改善计划", paid_on="2026-11-20", method="膳食")
    assert names() == ["孤儿", "监测"]  # 营养改善计划 is for every pupil: it is not 生活补助
    rows = store.query("SELECT amount FROM aid_records ORDER BY paid_on")
    assert rows[0]["amount"] == 625
    assert rows[1]["amount"] > 400  # 5 元 × the term's school days


def test_aid_rules_and_totals(store):
    """Level and hardship rules are enforced, a second record for the same term is refused; totals add up."""
    school_with_calendar(store)
    aid.ensure_default_programs(store, levels=aid.LEVELS)
    assert aid.ensure_default_programs(store, levels=aid.LEVELS) == 0
    day_pupil = student(store, "走读", 1, **{"是否低保": "是"})
    with pytest.raises(DataError, match="家庭经济困难"):
        aid.give_aid(store, student(store, "一般", 2), "LJBZ-XX", paid_on="2026-10-15")
    with pytest.raises(DataError, match="初中"):
        aid.give_aid(store, day_pupil, "LJBZ-CZ", paid_on="2026-10-15")
    aid.give_aid(store, day_pupil, "LJBZ-XX", paid_on="2026-10-15")  # a 低保 非寄宿生: half the boarder rate
    aid.add_program(store, code="XFZZ", name="县级助学金", amount_per_term=300)
    aid.give_aid(store, day_pupil, "XFZZ", paid_on="2026-10-15", method="现金")
    with pytest.raises(DataError, match="重复"):
        aid.give_aid(store, day_pupil, "县级助学金", paid_on="2026-11-01")
    aid.give_aid(store, day_pupil, "YYGS", paid_on="2026-11-01", amount=400, method="膳食")
    totals = aid.totals(store, today=TODAY)
    by_code = {p["code"]: (p["students"], p["amount"]) for p in totals["programs"]}
    assert by_code["XFZZ"] == (1, 300) and by_code["YYGS"] == (1, 400) and by_code["LJBZ-XX"] == (1, 312.5)
    assert totals["amount"] == 1012.5


def test_programs_are_editable_data(store):
    """A program's amount can change (new records use it, old ones keep theirs); a stopped program takes no records."""
    school_with_calendar(store)
    aid.ensure_default_programs(store)
    a, b = student(store, "甲", 1, **{"是否低保": "是"}), student(store, "乙", 2, **{"是否低保": "是"})
    aid.give_aid(store, a, "YYGS", paid_on="2026-10-15", amount=100)
    aid.update_program(store, "LJBZ-XX", amount_per_term=600)
    assert aid.find_program(store, "LJBZ-XX")["amount_per_term"] == 600
    aid.update_program(store, "YYGS", active=0)
    with pytest.raises(DataError, match="停用"):
        aid.give_aid(store, b, "YYGS", paid_on="2026-10-15", amount=100)
    assert store.scalar("SELECT amount FROM aid_records") == 100
    with pytest.raises(DataError, match="没有这些项"):
        aid.update_program(store, "YYGS", colour="red")
