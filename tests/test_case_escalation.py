"""控辍 escalation rules (issue 12): both lines of 包保, the steps and their deadlines, attempts with
people by role and name and their evidence, 辍学原因 待核实, and the unexcused days of one case."""

import datetime as dt
import subprocess

import pytest

from jiaoyuapp.documents import ledger_rows
from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import absences, attention, case_escalation as esc, cases, settings
from tests.ledger_helpers import escalation_ready, photo, school_with_calendar, student

OPENED = "2026-10-12"   # a Monday


def fresh_case(store, seq=1, **kw):
    school_with_calendar(store)
    return cases.open_case(store, student(store, f"学生{seq}", seq), on=OPENED, **kw)


def contact(store, case, on=OPENED, **kw):
    return cases.add_attempt(store, case, on=on, people=[("班主任", "王老师")], method="电话", **kw)


@pytest.mark.parametrize("target,extra", [("确认辍学", {}), ("已核实", {"finding": "已返校"})])
def test_a_case_leaves_suspected_only_with_the_government_line(store, target, extra):
    """A 疑似辍学 case with only school staff and parents named is refused the next step until a 村 or 乡镇 person is named."""
    case = fresh_case(store)
    contact(store, case)
    cases.add_person(store, case, role="家长", name="丁志明", phone="13700000009")
    with pytest.raises(DataError, match="政府线"):
        cases.move(store, case, target, on="2026-10-13", **extra)
    assert store.get("cases", case)["status"] == "疑似辍学"
    cases.add_person(store, case, role="村委会", name="赵主任", phone="13700000001")
    cases.move(store, case, target, on="2026-10-13", **extra)
    assert store.get("cases", case)["status"] == target


def test_no_confirmed_dropout_without_a_recorded_attempt(store):
    """确认辍学 is refused until at least one 劝返 attempt is recorded; an attempt on a suspected case keeps it suspected."""
    case = fresh_case(store)
    cases.add_person(store, case, role="乡镇领导", name="钱镇长", phone="13700000002")
    with pytest.raises(DataError, match="劝返"):
        cases.move(store, case, "确认辍学", on="2026-10-13")
    contact(store, case)
    assert store.get("cases", case)["status"] == "疑似辍学"
    cases.move(store, case, "确认辍学", on="2026-10-13")
    contact(store, case, on="2026-10-14", step="联系家长")
    assert store.get("cases", case)["status"] == "劝返中"


def _steps(store, case, today):
    return {s["code"]: s for s in esc.escalation(store, store.get("cases", case), today=dt.date.fromisoformat(today))}


@pytest.mark.parametrize("step,setting,method,due,base_steps", [
    ("联系家长", "escalation_contact_days", "电话", "2026-10-12", []),
    ("联合走访", "escalation_joint_visit_days", "联合走访", "2026-10-15", ["联系家长"]),
    ("限期返校通知书", "escalation_notice_days", "书面通知", "2026-10-20", ["联系家长", "联合走访"]),
    ("书面报告", "escalation_legal_days", "法律程序", "2026-10-29", ["联系家长", "联合走访", "限期返校通知书"]),
])
def test_each_escalation_deadline_and_its_overdue(store, step, setting, method, due, base_steps):
    """Each step falls due its set number of school days after the previous step, is overdue the day after
    (on 首页 too), not once recorded, and moves when the setting changes."""
    case = escalation_ready(store, fresh_case(store), on=OPENED)
    cases.add_person(store, case, role="乡镇领导", name="钱镇长", phone="13700000002")
    people = [("班主任", "王老师"), ("村委会", "赵主任"), ("乡镇领导", "钱镇长")]
    done = {"联系家长": OPENED}
    for s in base_steps[1:]:    # the earlier steps, each done on its due day
        on = _steps(store, case, "2026-10-12")[s]["due"]
        cases.add_attempt(store, case, on=on, people=people, method={"联合走访": "联合走访",
                                                                   "限期返校通知书": "书面通知"}[s], step=s)
        done[s] = on
    if step == "联系家长":   # escalation_ready already contacted; start from a case with no attempt
        store_case = fresh_case(store, seq=2)
        cases.add_person(store, store_case, role="村委会", name="赵主任")
        case = store_case
    row = _steps(store, case, due)[step]
    assert (row["due"], row["overdue"]) == (due, False)
    after = (dt.date.fromisoformat(due) + dt.timedelta(days=1)).isoformat()
    assert _steps(store, case, after)[step]["overdue"]
    late = attention.attention(store, today=dt.date.fromisoformat(after))["escalation_overdue"]
    label = next(s["label"] for s in esc.steps() if s["code"] == step)
    assert [i["detail"] for i in late if i["case_uuid"] == case] == [f"疑似辍学：应于{due}前{label}，已逾期"]
    settings.set_value(store, setting, settings.get_int(store, setting) + 1)
    assert _steps(store, case, after)[step]["due"] > due
    settings.set_value(store, setting, settings.get_int(store, setting) - 1)
    cases.add_attempt(store, case, on=after, people=people, method=method, step=step)
    row = _steps(store, case, "2026-12-31")[step]
    assert (row["done_on"], row["overdue"]) == (after, False) and "王老师" in row["people"]


def test_steps_are_not_overdue_once_the_case_is_settled(store):
    """A case verified as not a dropout (已核实) shows no overdue step on 首页."""
    case = escalation_ready(store, fresh_case(store), on=OPENED)
    assert esc.overdue_steps(store, today=dt.date(2026, 11, 20))
    cases.move(store, case, "已核实", on="2026-10-13", finding="转学")
    assert esc.overdue_steps(store, today=dt.date(2026, 11, 20)) == []


@pytest.mark.parametrize("step,method", [("联合走访", "联合走访"), ("限期返校通知书", "书面通知")])
def test_joint_visit_and_notice_need_someone_from_the_government_line(store, step, method):
    """A joint visit or a 限期返校通知书 with only teachers listed is refused, naming who is missing."""
    case = escalation_ready(store, fresh_case(store), on=OPENED)
    with pytest.raises(DataError, match="政府线"):
        cases.add_attempt(store, case, on="2026-10-15", people=[("班主任", "王老师")], method=method, step=step)
    cases.add_attempt(store, case, on="2026-10-15", people=[("班主任", "王老师"), ("居委会", "孙主任")],
                      method=method, step=step)


def test_attempt_people_by_role_and_name_and_old_records_still_read(store):
    """An attempt lists each person's role and name; a name without a role is refused; an old free-text attempt still reads."""
    case = escalation_ready(store, fresh_case(store), on=OPENED)
    with pytest.raises(DataError, match="身份"):
        cases.add_attempt(store, case, on="2026-10-13", people="王老师", method="电话")
    uid = cases.add_attempt(store, case, on="2026-10-13", people="班主任:王老师、村委会赵主任", method="家访")
    rows = store.query("SELECT line, role, name FROM attempt_people WHERE attempt_uuid = ? ORDER BY position", (uid,))
    assert rows == [{"line": "教育线", "role": "班主任", "name": "王老师"},
                    {"line": "政府线", "role": "村委会", "name": "赵主任"}]
    with store.write("old-attempt", "", "旧版本的劝返记录") as w:   # as written before people were kept apart
        old = w.insert("attempts", {"case_uuid": case, "on_date": "2026-10-14", "people": "王老师、赵主任",
                                    "method": "联合走访"})
    attempt = store.get("attempts", old)
    assert esc.attempt_people_text(store, attempt) == "王老师、赵主任"
    assert esc.step_of(attempt) == "联合走访"
    printed = [r for r in ledger_rows.attempt_rows(store, False)]
    assert any("班主任 王老师、村委会（村长/主任） 赵主任" in r for r in printed)
    assert any("王老师、赵主任" in r for r in printed)


def test_responsible_people_printed_once_per_line_and_role(store):
    """The PDF's 包保 line says 家长/监护人 丁志明 once, grouped under 教育线 / 政府线 / 家长 — never "家长 家长 丁志明"."""
    case = escalation_ready(store, fresh_case(store), on=OPENED)
    cases.add_person(store, case, role="家长", name="丁志明", phone="13700000009")
    text = esc.people_text(cases.case_history(store, case)["people"])
    assert "家长 家长" not in text and "家长：家长/监护人 丁志明 13700000009" in text
    assert text.index("教育线：") < text.index("政府线：") < text.index("家长：")
    assert "政府线：村委会（村长/主任） 赵主任 13700000001" in text


def _ledger_row(store, case):
    headers = [c.header for c in ledger_rows.LEDGERS[2].columns]
    row = next(r for r in ledger_rows.case_rows(store, False) if r[1] == store.get(
        "students", store.get("cases", case)["student_uuid"])["name"])
    return dict(zip(headers, row))


def test_an_auto_opened_case_says_pending_until_a_reason_is_recorded(store):
    """A case the absence rule opened prints 辍学原因 待核实 (its trigger kept as the source) until a reason code is set."""
    school_with_calendar(store)
    uid = student(store, "小明", 1)
    for day in ("2026-10-12", "2026-10-13", "2026-10-14"):
        absences.record_absence(store, uid, day)
    case = cases.open_case_of(store, uid)
    assert esc.reason_label(case) == "待核实"
    assert esc.trigger(case) == "自2026-10-12起连续3个教学日无故缺课"
    assert _ledger_row(store, case["uuid"])["辍学原因"] == "待核实"
    with pytest.raises(DataError, match="辍学原因"):
        esc.set_reason(store, case["uuid"], "不想说")
    esc.set_reason(store, case["uuid"], "外出打工", note="随父母去广东")
    case = store.get("cases", case["uuid"])
    assert esc.reason_label(case) == "外出打工（随父母去广东）"
    assert _ledger_row(store, case["uuid"])["辍学原因"] == "外出打工（随父母去广东）"
    old = dict(case, reason=None, reason_text="自2026-10-12起连续3个教学日无故缺课", trigger_text=None)
    assert esc.reason_label(old) == "待核实"   # a case from before the trigger had its own column


def test_unexcused_days_count_this_case_only(store):
    """无故缺课天数 counts the unexcused days from this case's absence start to its closing — not an older
    episode, not days after 销号, and not 0 for a case opened by hand during a run."""
    school_with_calendar(store)
    uid = student(store, "小红", 1)
    absences.record_absence(store, uid, "2026-09-15")          # an old, single day: another story
    for day in ("2026-10-12", "2026-10-13"):
        absences.record_absence(store, uid, day)
    case = cases.open_case(store, uid, on="2026-10-13")        # by hand, before the rule's third day
    for day in ("2026-10-14", "2026-10-15"):
        absences.record_absence(store, uid, day)
    row = store.get("cases", case)
    assert esc.absence_start(store, row) == "2026-10-12"
    assert esc.unexcused_days(store, row, today=dt.date(2026, 10, 20)) == 4
    assert _ledger_row(store, case)["无故缺课天数"] == 4
    escalation_ready(store, case, on="2026-10-13")
    cases.move(store, case, "已核实", on="2026-10-16", finding="已返校")
    settings.set_value(store, "close_after_school_days", 1)   # 销号 after one day back in school
    cases.close(store, case, outcome="已复学", on="2026-10-16", confirmed_by="周校长")
    absences.record_absence(store, uid, "2026-10-22")          # after 销号
    assert esc.unexcused_days(store, store.get("cases", case), today=dt.date(2026, 11, 1)) == 4


def test_attempt_evidence_is_in_the_folder_beside_the_attempt(store, tmp_path):
    """pdfimages finds the scan of a signed 承诺书 of an attempt in the signed folder; the text says 待核实 and the people once."""
    from jiaoyuapp.documents.inspection_folder import write_folder
    from jiaoyuapp.exchange import identity
    from jiaoyuapp.roster.demo import load_demo
    load_demo(store, 20, seed=4)
    school_with_calendar(store)
    uid = store.scalar("SELECT uuid FROM students WHERE status = '在读' LIMIT 1")
    for day in ("2026-10-12", "2026-10-13", "2026-10-14"):
        absences.record_absence(store, uid, day)
    case = cases.open_case_of(store, uid)["uuid"]
    cases.add_person(store, case, role="村委会", name="赵主任", phone="13700000001")
    cases.add_attempt(store, case, on="2026-10-15", people=[("班主任", "王老师"), ("村委会", "赵主任")],
                      method="联合走访", result="家长签了返校承诺书", evidence=[("承诺书", photo(5, size=(333, 222)))])
    identity.create(store, kind="school", code="5101230001", name="青石镇红岩村小学", passphrase="红岩2026口令")
    pdf = write_folder(store, tmp_path / "迎检档案.pdf", passphrase="红岩2026口令", today=dt.date(2026, 10, 20))
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout
    assert any(line.split()[3:5] == ["333", "222"] for line in images.splitlines()[2:]), images
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "返校承诺书" in text and "待核实" in text and "家长 家长" not in text


def test_a_child_back_in_school_is_no_longer_overdue_for_persuasion(store):
    """A case moved to 已复学 with a next 劝返 date in the past is not listed as 劝返逾期 on 首页."""
    case = escalation_ready(store, fresh_case(store), on=OPENED)
    cases.move(store, case, "确认辍学", on="2026-10-13")
    contact(store, case, on="2026-10-14", next_date="2026-10-20")
    assert [c["uuid"] for c in cases.list_cases(store, overdue=True, today=dt.date(2026, 11, 1))] == [case]
    cases.move(store, case, "已复学", on="2026-10-19", placement="单独编班")
    assert cases.list_cases(store, overdue=True, today=dt.date(2026, 11, 1)) == []


def test_the_command_line_records_reason_steps_people_and_evidence(tmp_path):
    """`case reason`, `case attempt --step --evidence` and `case show` do what the window does."""
    from tests.test_cli import as_json, jiaoyu
    from tests.test_cli_ledgers import setup_school
    db, kid = setup_school(tmp_path)
    case = as_json(jiaoyu("case", "open", kid, "--date", "2026-11-02", "--json", db=db, check_code=0))["uuid"]
    jiaoyu("case", "person", case, "--role", "居委会", "--name", "孙主任", db=db, check_code=0)
    scan = tmp_path / "承诺书.jpg"
    scan.write_bytes(photo(7))
    refused = jiaoyu("case", "attempt", case, "--date", "2026-11-05", "--people", "班主任:王老师", "--method",
                     "联合走访", db=db)
    assert refused.returncode == 1 and "政府线" in refused.stderr
    jiaoyu("case", "attempt", case, "--date", "2026-11-05", "--people", "班主任:王老师、居委会:孙主任",
           "--method", "联合走访", "--evidence", f"承诺书:{scan}", db=db, check_code=0)
    jiaoyu("case", "reason", case, "外出打工", "--note", "随父母", db=db, check_code=0)
    shown = jiaoyu("case", "show", case, db=db, check_code=0).stdout
    assert "辍学原因：外出打工（随父母）" in shown and "会同村（居）委会联合走访" in shown and "孙主任" in shown
    from jiaoyuapp.school import open_school
    store = open_school(db)
    try:
        assert store.scalar("SELECT kind FROM attempt_attachments") == "承诺书"
    finally:
        store.close()


def test_a_step_done_late_is_remarked(store):
    """A first contact recorded weeks after the case opened says how many days late it was, in the case and the PDF text."""
    case = fresh_case(store)
    cases.add_person(store, case, role="村委会", name="赵主任")
    contact(store, case, on="2026-11-16")                       # 35 days after 2026-10-12
    first = esc.escalation(store, store.get("cases", case), today=dt.date(2026, 11, 20))[0]
    assert (first["done_on"], first["late_days"]) == ("2026-11-16", 35)
    assert "晚于时限35天" in esc.step_state(first)
    assert "联系家长（电话或入户）（应于2026-10-12前）2026-11-16已办（晚于时限35天）" in esc.steps_text(
        store, store.get("cases", case), today=dt.date(2026, 11, 20))


def test_a_step_dated_ahead_is_refused_and_overdue_stays_overdue(store):
    """A 劝返 dated next month would count its step as done today and hide the overdue warning."""
    school_with_calendar(store)
    uid = student(store, "小明", 2)
    ahead = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    with pytest.raises(DataError, match="还没到"):
        cases.open_case(store, uid, on=ahead)
    case = cases.open_case(store, uid, on="2026-10-12")
    with pytest.raises(DataError, match="还没到"):
        cases.add_attempt(store, case, on=ahead, people=[("班主任", "王老师")], method="电话", step="联系家长")
    escalation_ready(store, case, on="2026-10-12")
    with pytest.raises(DataError, match="还没到"):
        cases.move(store, case, "确认辍学", on=ahead)
    assert store.get("cases", case)["status"] == "疑似辍学"
    assert store.scalar("SELECT count(*) FROM attempts WHERE case_uuid = ?", (case,)) == 1


def test_responsible_people_are_not_doubled_and_can_be_taken_off(store):
    """A cadre typed twice printed twice in every report, and a wrong name could never be removed."""
    school_with_calendar(store)
    case = cases.open_case(store, student(store, "小华", 3), on="2026-10-12")
    first = cases.add_person(store, case, role="村委会", name="赵主任", phone="13700000001")
    with pytest.raises(DataError, match="已经是这个案件的包保责任人"):
        cases.add_person(store, case, role="村委会", name="赵 主任")
    cases.add_attempt(store, case, on="2026-10-12", people=[("班主任", "王老师")], method="电话", step="联系家长")
    cases.move(store, case, "确认辍学", on="2026-10-13")
    with pytest.raises(DataError, match="政府线至少要有一位"):
        cases.remove_person(store, first)
    cases.add_person(store, case, role="乡镇领导", name="钱镇长", phone="13600000001")
    cases.remove_person(store, first)
    names = [p["name"] for p in cases.case_history(store, case)["people"] if p["line"] == "政府线"]
    assert names == ["钱镇长"]
    assert store.scalar("SELECT count(*) FROM change_log WHERE tbl = 'case_people' AND op = 'delete'") == 1


def test_whereabouts_says_what_the_case_knows_when_nobody_wrote_it():
    """去向 read 待核实 for a child back in school, taught at home or closed — what an inspector reads first."""
    assert esc.whereabouts_label({"status": "疑似辍学", "whereabouts": None}) == "待核实"
    assert esc.whereabouts_label({"status": "劝返中", "whereabouts": "随父母在广东务工"}) == "随父母在广东务工"
    assert esc.whereabouts_label({"status": "已复学", "placement": "插班就读"}) == "已返校就读（插班就读）"
    assert esc.whereabouts_label({"status": "送教上门"}) == "在家接受送教上门"
    assert esc.whereabouts_label({"status": "已销号", "outcome": "转学"}) == "已销号（转学）"
