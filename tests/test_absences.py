"""Absences and the consecutive-absence rule that opens 疑似辍学 cases."""

import datetime as dt

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import absences, cases, school_calendar, settings
from tests.ledger_helpers import escalation_ready, school_with_calendar, student


def cases_of(store, uid):
    return store.query("SELECT status, opened_on, source, absence_start FROM cases WHERE student_uuid = ?", (uid,))


def test_run_across_a_weekend_and_a_holiday_opens_one_case_on_the_right_day(store):
    """Thu, Fri, (weekend), (Mon holiday), Tue: three school days → the case opens on Tue, once."""
    school_with_calendar(store)
    school_calendar.set_day(store, "2026-11-16", "holiday", "运动会补休")
    uid = student(store, "小明", 1)
    assert absences.record_absence(store, uid, "2026-11-12").opened_case is None   # Thursday
    assert absences.record_absence(store, uid, "2026-11-13").opened_case is None   # Friday
    with pytest.raises(DataError, match="周末"):
        absences.record_absence(store, uid, "2026-11-14")
    with pytest.raises(DataError, match="节假日"):
        absences.record_absence(store, uid, "2026-11-16")
    result = absences.record_absence(store, uid, "2026-11-17")                     # Tuesday
    assert result.run == ["2026-11-12", "2026-11-13", "2026-11-17"]
    assert result.opened_case
    assert cases_of(store, uid) == [{"status": "疑似辍学", "opened_on": "2026-11-17", "source": "缺课自动",
                                     "absence_start": "2026-11-12"}]
    # later absences in the same run, and a fourth and fifth day, raise nothing new
    assert absences.record_absence(store, uid, "2026-11-18").opened_case is None
    assert absences.record_absence(store, uid, "2026-11-19").opened_case is None
    assert len(cases_of(store, uid)) == 1


def test_excused_days_break_the_run_and_threshold_is_a_setting(store):
    """A sick day breaks the run; with the threshold set to 5 three days are not enough."""
    school_with_calendar(store)
    uid = student(store, "小红", 2)
    for day in ("2026-11-02", "2026-11-03"):
        absences.record_absence(store, uid, day)
    absences.record_absence(store, uid, "2026-11-04", kind="病假")
    assert absences.record_absence(store, uid, "2026-11-05").run == ["2026-11-05"]
    assert cases_of(store, uid) == []
    settings.set_value(store, "absence_threshold_days", 5)
    for day in ("2026-11-06", "2026-11-09"):
        absences.record_absence(store, uid, day)
    assert cases_of(store, uid) == []
    # correcting the sick day to unexcused joins the runs: 02,03,04,05,06,09 → opens on the 5th day (06)
    result = absences.record_absence(store, uid, "2026-11-04", kind="无故")
    assert result.run[0] == "2026-11-02" and result.opened_case
    assert cases_of(store, uid)[0]["opened_on"] == "2026-11-06"


def test_entering_days_out_of_order_still_dates_the_case_right(store):
    """Absences typed in late and out of order open the case dated the third school day."""
    school_with_calendar(store)
    uid = student(store, "小刚", 3)
    absences.record_absence(store, uid, "2026-11-11")
    absences.record_absence(store, uid, "2026-11-09")
    assert cases_of(store, uid) == []
    result = absences.record_absence(store, uid, "2026-11-10")
    assert result.opened_case and cases_of(store, uid)[0]["opened_on"] == "2026-11-11"


def test_no_second_case_while_one_is_open_and_a_new_episode_after_closing(store):
    """An open case suppresses new ones; after 销号 a new run is a new episode."""
    school_with_calendar(store)
    uid = student(store, "小军", 4)
    for day in ("2026-10-12", "2026-10-13", "2026-10-14"):
        absences.record_absence(store, uid, day)
    case = escalation_ready(store, cases.open_case_of(store, uid)["uuid"], on="2026-10-14")
    cases.move(store, case, "已核实", on="2026-10-15", finding="已返校")
    settings.set_value(store, "close_after_school_days", 2)   # back two days: this test is about the next episode
    cases.close(store, case, outcome="已复学", on="2026-10-16", confirmed_by="周校长")
    for day in ("2026-11-02", "2026-11-03"):
        absences.record_absence(store, uid, day)
    assert absences.record_absence(store, uid, "2026-11-04").opened_case
    assert [c["opened_on"] for c in cases_of(store, uid)] == ["2026-10-14", "2026-11-04"]


def test_absence_refused_for_students_not_in_school(store):
    """A transferred-out student cannot be marked absent, and a day outside every term is refused."""
    from jiaoyuapp.roster import school_year
    school_with_calendar(store)
    uid = student(store, "小转", 5)
    with pytest.raises(DataError, match="不在任何学期"):
        absences.record_absence(store, uid, "2026-08-03")
    school_year.transfer_out(store, uid, to_school="县一小")
    with pytest.raises(DataError, match="转出"):
        absences.record_absence(store, uid, "2026-11-02")
