"""Placements, 送教上门, 销号 evidence and the quarterly 复核 (issue 12, 控辍保学): one test per rule."""

import datetime as dt

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import (absences, attention, case_closing, case_placement, case_review, cases, disability_proof,
                               home_teaching, settings)
from tests.ledger_helpers import escalation_ready, photo, school_with_calendar, student


def _returnee(store, seq=1, **extra):
    """A confirmed dropout in 劝返中, with both lines named and an attempt on record (what the
    escalation rules ask before 确认辍学, where they apply)."""
    uid = student(store, f"学生{seq}", seq, **extra)
    case = cases.open_case(store, uid, on="2026-09-07")
    cases.add_person(store, case, role="村委会", name="赵主任", phone="13900000001")
    try:
        cases.add_attempt(store, case, on="2026-09-08", people=[("班主任", "王老师")], method="电话")
    except DataError:   # attempts only after 确认辍学
        pass
    cases.move(store, case, "确认辍学", on="2026-09-08")
    if store.get("cases", case)["status"] == "确认辍学":
        cases.add_attempt(store, case, on="2026-09-09", people=[("班主任", "王老师")], method="电话")
    return uid, case


def _disabled(store, uid):
    disability_proof.record(store, uid, disability_type="肢体", cert_no="51012320180305001X44")


def test_returnee_placements_default_to_chaban_and_leave_out_suibanjiudu(store):
    """A returnee without a disability is offered 插班就读 first and never 随班就读."""
    school_with_calendar(store)
    uid, _ = _returnee(store)
    offered = case_placement.choices(store, uid)
    assert offered[0] == "插班就读"
    assert set(offered) == {"插班就读", "单独编班", "普职融合", "特教学校"}
    _disabled(store, uid)
    assert "随班就读（残疾学生）" in case_placement.choices(store, uid)


def test_suibanjiudu_only_for_a_child_with_a_recorded_disability(store):
    """随班就读 is refused for a child with no recorded disability, and accepted once it is recorded."""
    school_with_calendar(store)
    uid, case = _returnee(store)
    with pytest.raises(DataError, match="残疾类型"):
        cases.move(store, case, "已复学", on="2026-09-14", placement="随班就读")
    assert store.get("cases", case)["status"] == "劝返中"
    disability_proof.record(store, uid, disability_type="视力")            # a type alone is not enough
    with pytest.raises(DataError, match="残疾证号或评估"):
        cases.move(store, case, "已复学", on="2026-09-14", placement="随班就读")
    disability_proof.record(store, uid, assessed_on="2026-09-10", assessed_by="县残疾儿童少年入学评估委员会",
                            assessment="可随班就读")
    cases.move(store, case, "已复学", on="2026-09-14", placement="随班就读")
    assert store.get("cases", case)["placement"] == "随班就读"


def test_old_suibanjiudu_without_disability_stays_and_is_flagged_for_checking(store):
    """A case written before the rule keeps 随班就读 as it was, marked for 核对 in the case and the 比对 list."""
    school_with_calendar(store)
    uid, case = _returnee(store)
    cases.move(store, case, "已复学", on="2026-09-14", placement="插班就读")
    with store.write("old-data", "", "旧数据") as w:    # what an older version wrote
        w.update("cases", case, {"placement": "随班就读"})
    row = store.get("cases", case)
    assert row["placement"] == "随班就读"
    assert "请核对" in case_placement.placement_text(store, row)
    found = [m for m in attention.mismatches(store) if m["kind"] == "随班就读但无残疾记录"]
    assert [m["uuid"] for m in found] == [uid]
    assert store.get("cases", case)["placement"] == "随班就读"


def test_home_teaching_only_for_a_child_with_a_recorded_disability(store):
    """送教上门 is refused for a child without a disability record (the demo's 家庭经济困难 child), allowed with one."""
    school_with_calendar(store)
    uid, case = _returnee(store)
    with pytest.raises(DataError, match="送教上门.*只适用于有残疾记录"):
        cases.move(store, case, "送教上门", on="2026-09-14")
    _disabled(store, uid)
    cases.move(store, case, "送教上门", on="2026-09-14")
    sid = home_teaching.add_session(store, case, on="2026-09-16", teachers=["王老师", "李老师"], hours=2,
                                    content="生活自理训练", photos=[photo(1), photo(2)])
    s = home_teaching.sessions(store, case)[0]
    assert s["uuid"] == sid and s["teachers"] == ["王老师", "李老师"] and len(s["photos"]) == 2
    with store.write("old-data", "", "旧数据") as w:     # the record disappears: no more sessions
        w.update("students", uid, {"disability_type": None})
    with pytest.raises(DataError, match="残疾类型"):
        home_teaching.add_session(store, case, on="2026-09-18", teachers=["王老师"], hours=2, content="识字")
    assert [m["uuid"] for m in attention.mismatches(store) if m["kind"] == "送教上门但无残疾记录"] == [uid]
    assert store.get("cases", case)["status"] == "送教上门"                   # kept as it was, for 核对


def test_home_teaching_frequency_and_overdue_months(store):
    """A 送教 case with too few sessions in a whole month shows 送教上门不足 in the case and on 首页."""
    school_with_calendar(store)
    uid, case = _returnee(store)
    _disabled(store, uid)
    cases.move(store, case, "送教上门", on="2026-09-14")
    for day in ("2026-10-09", "2026-10-23", "2026-11-06"):
        home_teaching.add_session(store, case, on=day, teachers=["王老师"], hours=2, content="识字")
    f = home_teaching.frequency(store, case, today=dt.date(2026, 12, 2))
    assert f["per_month"] == 2 and f["this_month"] == 0
    assert f["short"] == [{"month": "2026年11月", "count": 1}]          # September began mid-month: not due
    home_page = attention.attention(store, today=dt.date(2026, 12, 2))
    assert [i["case_uuid"] for i in home_page["home_teaching_short"]] == [case]
    assert home_page["counts"]["送教上门不足"] == 1
    settings.set_value(store, "home_teaching_per_month", 1)
    assert not home_teaching.frequency(store, case, today=dt.date(2026, 12, 2))["overdue"]
    assert attention.attention(store, today=dt.date(2026, 12, 2))["home_teaching_short"] == []


def test_closing_a_returnee_needs_n_school_days_in_school(store):
    """已复学 is closed only after the set number of school days attended since the return (absences not counted)."""
    school_with_calendar(store)
    settings.set_value(store, "close_after_school_days", 10)
    uid, case = _returnee(store)
    cases.move(store, case, "已复学", on="2026-10-12", placement="插班就读")   # Monday
    with pytest.raises(DataError, match="在校5个教学日，满10个教学日"):
        cases.close(store, case, outcome="已复学", on="2026-10-16", confirmed_by="周校长")
    absences.record_absence(store, uid, "2026-10-19", "病假")
    days = case_closing.days_in_school(store, store.get("cases", case), "2026-10-23")
    assert (days["days"], days["need"]) == (9, 10)                       # the sick day does not count
    with pytest.raises(DataError, match="在校9个教学日"):
        cases.close(store, case, outcome="已复学", on="2026-10-23", confirmed_by="周校长")
    with pytest.raises(DataError, match="确认人"):
        cases.close(store, case, outcome="已复学", on="2026-10-26", confirmed_by=" ")
    cases.close(store, case, outcome="已复学", on="2026-10-26", confirmed_by="周校长")
    row = store.get("cases", case)
    assert row["status"] == "已销号" and row["confirmed_by"] == "周校长"
    assert "在校10个教学日" in row["evidence"]


def test_closing_a_transfer_needs_a_proof_of_enrolment_image(store):
    """转学 / 在外地就读 is closed only with a 就读证明 image on the case, and the image is kept with it."""
    school_with_calendar(store)
    uid = student(store, "学生7", 7)
    case = escalation_ready(store, cases.open_case(store, uid, on="2026-10-08"))
    cases.move(store, case, "已核实", on="2026-10-09", finding="转学")
    with pytest.raises(DataError, match="就读证明"):
        cases.close(store, case, outcome="转学", on="2026-10-10", confirmed_by="周校长")
    case_closing.add_proof(store, case, photo(5), note="县城实验小学出具")
    cases.close(store, case, outcome="转学", on="2026-10-10", confirmed_by="周校长")
    assert "就读证明1份" in store.get("cases", case)["evidence"]
    assert len(case_closing.proofs(store, case)) == 1


def test_quarterly_review_recorded_per_case_and_visible(store):
    """The county's 复核 (date, by whom, result) is kept per case and says whether this quarter is done."""
    school_with_calendar(store)
    _, case = _returnee(store)
    today = dt.date(2026, 11, 20)
    assert "2026年第4季度尚未复核" in case_review.review_text(store, case, today)
    with pytest.raises(DataError, match="复核人"):
        case_review.record_review(store, case, on="2026-11-18", reviewer="", result="情况属实，措施到位", today=today)
    with pytest.raises(DataError, match="还没到"):
        case_review.record_review(store, case, on="2026-11-30", reviewer="县教体局 张科长", result="属实", today=today)
    case_review.record_review(store, case, on="2026-09-28", reviewer="县教体局 张科长", result="情况属实，需整改",
                              today=today)
    assert not case_review.reviewed_this_quarter(store, case, today)
    case_review.record_review(store, case, on="2026-11-18", reviewer="县教体局 张科长", result="情况属实，措施到位",
                              today=today)
    rows = case_review.reviews(store, case)
    assert [(r["on_date"], r["quarter"]) for r in rows] == [("2026-09-28", "2026年第3季度"), ("2026-11-18", "2026年第4季度")]
    text = case_review.review_text(store, case, today)
    assert "2026年第4季度已复核" in text and "张科长" in text


def test_folder_prints_home_teaching_and_closing_evidence_beside_their_records(store, tmp_path):
    """The PDF folder embeds each 送教 session's photos and the 就读证明 behind a 销号, with the 复核, as pdfimages finds."""
    import subprocess

    from jiaoyuapp.documents.inspection_folder import write_folder
    from jiaoyuapp.exchange import identity
    school_with_calendar(store)
    uid, case = _returnee(store)
    _disabled(store, uid)
    cases.move(store, case, "送教上门", on="2026-09-14")
    for n, day in enumerate(("2026-10-09", "2026-10-23")):
        home_teaching.add_session(store, case, on=day, teachers=["王老师", "李老师"], hours=2, content="生活自理训练",
                                  photos=[photo(20 + n)])
    moved = student(store, "学生8", 8)
    gone = escalation_ready(store, cases.open_case(store, moved, on="2026-10-08"))
    cases.move(store, gone, "已核实", on="2026-10-09", finding="在外地就读")
    case_closing.add_proof(store, gone, photo(30, fmt="PNG"), note="外省某小学出具")
    cases.close(store, gone, outcome="在外地就读", on="2026-10-12", confirmed_by="周校长")
    case_review.record_review(store, gone, on="2026-10-20", reviewer="县教体局 张股长", result="情况属实，措施到位",
                              today=dt.date(2026, 11, 20))
    identity.create(store, kind="school", code="5101230001", name="青石镇红岩村小学", passphrase="红岩村小学口令2026")
    pdf = write_folder(store, tmp_path / "迎检档案.pdf", passphrase="红岩村小学口令2026", today=dt.date(2026, 11, 20))
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert len([line for line in images if " image " in line]) == 3, images   # two session photos, one 就读证明
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for words in ("送教上门记录（2次）", "王老师、李老师", "就读证明（外省某小学出具）", "就读证明1份", "2026年第4季度",
                  "张股长", "残疾证号510123"):
        assert words in text, words
    assert "51012320180305001X44" not in text          # the 残疾证号 holds the ID number: masked like it


def test_command_line_records_disability_sessions_proof_and_review(tmp_path):
    """`jiaoyu case disability / teach / proof / review` do what the case screen does, with the same refusals."""
    from tests.test_cli import as_json, jiaoyu
    from tests.test_cli_ledgers import setup_school
    db, kid = setup_school(tmp_path)
    jiaoyu("teacher", "add", "--name", "李老师", "--role", "任课教师", db=db, check_code=0)
    case = as_json(jiaoyu("case", "open", kid, "--date", "2026-11-02", "--json", db=db, check_code=0))["uuid"]
    jiaoyu("case", "person", case, "--role", "村委会", "--name", "赵主任", "--phone", "13900000001", db=db, check_code=0)
    jiaoyu("case", "attempt", case, "--date", "2026-11-02", "--people", "班主任:王老师", "--method", "电话", db=db,
           check_code=0)
    jiaoyu("case", "move", case, "确认辍学", "--date", "2026-11-03", db=db, check_code=0)
    refused = jiaoyu("case", "move", case, "送教上门", "--date", "2026-11-04", db=db)
    assert refused.returncode == 1 and "残疾" in refused.stderr
    jiaoyu("case", "disability", case, "--type", "智力", "--assessed-on", "2026-11-03", "--assessed-by", "县评估委员会",
           db=db, check_code=0)
    jiaoyu("case", "move", case, "送教上门", "--date", "2026-11-04", db=db, check_code=0)
    pic = tmp_path / "送教.jpg"
    pic.write_bytes(photo(7))
    jiaoyu("case", "teach", case, "--date", "2026-11-05", "--teacher", "王老师", "--teacher", "李老师", "--content", "识字",
           "--hours", "2", "--photo", str(pic), db=db, check_code=0)
    jiaoyu("case", "proof", case, str(pic), "--note", "扫描件", db=db, check_code=0)
    jiaoyu("case", "review", case, "--date", "2026-11-06", "--by", "县教体局 张股长", "--result", "情况属实，措施到位",
           db=db, check_code=0)
    shown = as_json(jiaoyu("case", "show", case, "--json", db=db, check_code=0))
    assert shown["home_teaching"][0]["teacher_name"] == "王老师、李老师"


def test_closing_as_other_or_exempt_needs_a_scanned_written_decision(store):
    """销号 as 其他 or 免学 on words alone ("家长说不读了") would let a dropout leave the count unproved."""
    school_with_calendar(store)
    uid = student(store, "学生9", 9)
    case = escalation_ready(store, cases.open_case(store, uid, on="2026-10-08"))
    cases.move(store, case, "确认辍学", on="2026-10-09")
    cases.move(store, case, "休学", on="2026-10-10")
    for outcome in ("其他", "免学"):
        with pytest.raises(DataError, match="书面依据"):
            cases.close(store, case, outcome=outcome, on="2026-10-12", confirmed_by="周校长", evidence="家长说不读了")
    case_closing.add_proof(store, case, photo(3), note="县教体局免学认定书")
    with pytest.raises(DataError, match="书面依据"):           # the document, and what it is
        cases.close(store, case, outcome="免学", on="2026-10-12", confirmed_by="周校长")
    cases.close(store, case, outcome="免学", on="2026-10-12", confirmed_by="周校长", evidence="县教体局免学认定书")
    closed = store.get("cases", case)
    assert closed["status"] == "已销号" and "依据材料1份" in closed["evidence"]
