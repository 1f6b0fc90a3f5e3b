"""家访 rules of issue 12: 入户 counted apart from 电话/视频, the yearly 入户 rule and the priority
frequency as settings, no 家长签字 for a phone visit, and the new columns of the 家访记录 ledger.

The rules follow county practice: 含山县 "全体教师每学年到每个学生家庭至少实地走访一次，根据育人工作需要，
经常性使用电话、邮件等联系方式" (安徽省教育厅, 2014-06-27); 陕西 "班主任每学期要对班上的每个留守儿童进行
一次家访" (省政府教育督导团, 2013-11-14).
"""

import pytest

from jiaoyuapp.documents.ledger_rows import LEDGERS
from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import settings, visits
from jiaoyuapp.ledgers.attention import attention
from jiaoyuapp.ledgers.coverage import coverage
from tests.ledger_helpers import TODAY, photo, school_with_calendar, signature, student


def visit(store, who, teacher, day, mode="入户走访", **kw):
    return visits.record_visit(store, student_uuid=who, day=day, teachers=[teacher], mode=mode, today=TODAY, **kw)


def no_home(store):
    return [s["name"] for s in coverage(store, today=TODAY)["no_home_visit"]]


def test_phone_video_and_school_talks_do_not_count_as_home_visits(store):
    """A student called, seen on video and talked to at school is still listed as not visited at home."""
    ids = school_with_calendar(store)
    kid = student(store, "甲", 1)
    for mode in ("电话", "视频", "到校约谈"):
        visit(store, kid, ids["head3"], "2026-10-10", mode=mode)
    report = coverage(store, today=TODAY)
    assert report["not_visited"] == []           # contacted this term …
    assert [s["name"] for s in report["no_home_visit"]] == ["甲"]   # … but never at home
    assert report["by_class"][0]["coverage"] == 0.0 and report["home_visited"] == 0
    home = attention(store, today=TODAY)
    assert [i["name"] for i in home["no_home_visit"]] == ["甲"]
    assert home["counts"]["本学年未入户家访"] == 1 and "尚未入户家访" in home["no_home_visit"][0]["detail"]
    visit(store, kid, ids["head3"], "2026-10-20")
    assert no_home(store) == [] and attention(store, today=TODAY)["no_home_visit"] == []
    assert coverage(store, today=TODAY)["by_class"][0]["coverage"] == 1.0


def test_yearly_home_visit_rule_is_a_setting_and_counts_the_school_year(store):
    """One 入户 visit a school year by default: last school year's visit does not count, the setting changes it."""
    ids = school_with_calendar(store)
    kid = student(store, "甲", 1)
    visit(store, kid, ids["head3"], "2026-06-10")      # school year 2025
    assert no_home(store) == ["甲"]
    visit(store, kid, ids["head3"], "2026-09-15")
    assert no_home(store) == []
    settings.set_value(store, "home_visits_per_year", 2)
    report = coverage(store, today=TODAY)
    assert [(s["name"], s["home_visits_year"], s["home_required_year"]) for s in report["no_home_visit"]] == [("甲", 1, 2)]
    assert "2026学年入户家访1次，应至少2次" in report["due"][0]["missing"]
    settings.set_value(store, "home_visits_per_year", 0)
    assert no_home(store) == [] and attention(store, today=TODAY)["no_home_visit"] == []


def test_priority_students_need_their_home_visits_each_term(store):
    """A left-behind child called twice this term meets the any-form frequency but still needs an 入户 visit."""
    ids = school_with_calendar(store)
    left = student(store, "留守", 1, **{"是否留守儿童": "双亲外出"})
    plain = student(store, "普通", 2)
    visit(store, plain, ids["head3"], "2026-09-20")
    visit(store, left, ids["head3"], "2026-09-20")     # the yearly 入户 …
    visit(store, left, ids["head3"], "2026-10-10", mode="电话")
    settings.set_value(store, "priority_home_visits_per_term", 2)
    due = coverage(store, today=TODAY)["due"]
    assert [(s["name"], s["visits"], s["home_visits"], s["home_required"]) for s in due] == [("留守", 2, 1, 2)]
    assert due[0]["missing"] == ["重点学生本学期入户家访1次，应至少2次"]
    home = attention(store, today=TODAY)
    assert [(i["name"], i["home_visits"]) for i in home["priority_home_due"]] == [("留守", 1)]
    assert home["counts"]["重点学生入户家访不足"] == 1 and "应至少2次" in home["priority_home_due"][0]["detail"]
    visit(store, left, ids["head3"], "2026-11-02", mode="视频")
    assert [s["name"] for s in coverage(store, today=TODAY)["due"]] == ["留守"]   # video is not 入户
    visit(store, left, ids["head3"], "2026-11-05")
    assert coverage(store, today=TODAY)["due"] == []
    assert attention(store, today=TODAY)["priority_home_due"] == []
    settings.set_value(store, "priority_home_visits_per_term", 3)
    assert [s["name"] for s in coverage(store, today=TODAY)["due"]] == ["留守"]


def test_no_parent_signature_for_a_phone_or_video_visit(store):
    """A signature on a phone or video visit is refused, and an 入户 visit with a signature cannot become a call."""
    ids = school_with_calendar(store)
    kid = student(store, "甲", 1)
    for mode in ("电话", "视频"):
        with pytest.raises(DataError, match="电话、视频家访没有家长签字"):
            visit(store, kid, ids["head3"], "2026-10-10", mode=mode, signature=signature())
    assert store.scalar("SELECT count(*) FROM visits") == 0
    assert visits.takes_signature("到校约谈") and visits.takes_signature("入户")
    signed = visit(store, kid, ids["head3"], "2026-10-10", signature=signature(), photos=[photo(1)])
    with pytest.raises(DataError, match="没有家长签字"):
        visits.correct_visit(store, signed, mode="电话")
    call = visit(store, kid, ids["head3"], "2026-10-11", mode="电话")
    with pytest.raises(DataError, match="没有家长签字"):
        visits.correct_visit(store, call, signature=signature(2))


def test_visit_ledger_has_the_visited_person_place_participants_and_signature_columns(store):
    """The 家访记录 sheet names 受访人, 地点, 参与人员, counts photos as a number, has 教师签名, and no signature for a call."""
    ids = school_with_calendar(store)
    kid = student(store, "甲", 1)
    visit(store, kid, ids["head3"], "2026-10-10", met_name="甲母", met_relation="母亲", location="青石村3组",
          participants="村委会干部", photos=[photo(1), photo(2)], signature=signature())
    visit(store, kid, ids["head3"], "2026-10-12", mode="电话", met_name="甲父", met_relation="父亲", location="电话联系")
    visit(store, kid, ids["head3"], "2026-10-14")
    ledger = next(x for x in LEDGERS if x.sheet == "家访记录")
    headers = [c.header for c in ledger.columns]
    for name in ("参与人员", "家访地点", "受访人", "关系", "照片（张）", "家长签字", "教师签名"):
        assert name in headers
    rows = [dict(zip(headers, r)) for r in ledger.rows(store, False)]
    assert len(rows[0]) == len(headers)
    home, call, unsigned = rows
    assert (home["受访人"], home["关系"], home["家访地点"], home["参与人员"]) == ("甲母", "母亲", "青石村3组", "村委会干部")
    assert home["照片（张）"] == 2 and isinstance(home["照片（张）"], int)
    assert home["家长签字"] == "电子签名（见档案）" and home["教师签名"] == ""
    assert call["家长签字"] == "不需签字（电话家访）" and call["照片（张）"] == 0
    assert unsigned["家长签字"] == ""             # left empty for the parent to sign the printout


def test_demo_school_shows_the_home_visit_rules(store):
    """The demo school has a plain student's signed 入户 visit with photos, phone visits, and someone not yet visited at home."""
    import datetime as dt

    from jiaoyuapp.ledgers.coverage import priority_reasons
    from jiaoyuapp.ledgers.demo_ledgers import fill_term
    from jiaoyuapp.roster.demo import load_demo
    load_demo(store, 80, seed=3)
    fill_term(store, seed=3, today=dt.date(2026, 11, 20))
    priority = priority_reasons(store)
    modes = dict(store.conn.execute("SELECT mode, count(*) FROM current_visits GROUP BY mode"))
    assert modes.get("入户走访") and modes.get("电话") and modes.get("视频")
    evidenced = store.query(
        "SELECT vs.student_uuid, v.mode FROM current_visits v JOIN visit_students vs ON vs.visit_uuid = v.uuid "
        "WHERE EXISTS (SELECT 1 FROM visit_attachments a WHERE a.visit_uuid = v.uuid AND a.role = 'photo') "
        "AND EXISTS (SELECT 1 FROM visit_attachments a WHERE a.visit_uuid = v.uuid AND a.role = 'signature')")
    assert any(r["student_uuid"] not in priority and r["mode"] == "入户走访" for r in evidenced)
    assert {r["mode"] for r in evidenced} <= {"入户走访", "到校约谈"}     # nobody signed a phone call
    assert store.scalar("SELECT count(*) FROM current_visits WHERE met_name IS NULL AND location IS NULL") == 0
    report = coverage(store, today=dt.date(2026, 11, 20))
    called_only = [s for s in report["no_home_visit"] if s["uuid"] in priority and s["visits"] >= 2]
    assert called_only                           # a priority child reached only by phone and video
