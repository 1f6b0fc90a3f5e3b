"""The ledger commands of `jiaoyu`: the contract scripts and later checks rely on."""

import json

from tests.ledger_helpers import photo, signature
from tests.test_cli import as_json, jiaoyu
from tests.workbooks import make_id


def setup_school(tmp_path):
    db = tmp_path / "学校.db"
    jiaoyu("init", "--school-code", "5101230001", "--school-name", "红岩村小学", db=db, check_code=0)
    jiaoyu("calendar", "defaults", "--year", "2026", db=db, check_code=0)
    jiaoyu("teacher", "add", "--name", "王老师", "--role", "班主任", "--phone", "13800000003", "--class", "三年级1班",
           db=db, check_code=0)
    kid = as_json(jiaoyu("add-student", "姓名=张三", f"身份证件号={make_id('20180305', 11)}", "班级=三年级1班",
                         "是否低保=是", "--json", db=db, check_code=0))["uuid"]
    return db, kid


def test_absence_opens_a_case_and_cases_json(tmp_path):
    """Three unexcused school days open one 疑似辍学 case, listed by `cases --json` with its fields."""
    db, kid = setup_school(tmp_path)
    outs = [as_json(jiaoyu("absence", kid, day, "--json", db=db, check_code=0))
            for day in ("2026-11-12", "2026-11-13", "2026-11-16")]
    assert [o["opened_case"] is not None for o in outs] == [False, False, True]
    assert jiaoyu("absence", kid, "2026-11-14", db=db).returncode == 1  # a Saturday
    listed = as_json(jiaoyu("cases", "--json", db=db, check_code=0))
    assert len(listed) == 1
    case = listed[0]
    assert (case["uuid"], case["student_uuid"], case["status"], case["opened_on"]) == \
        (outs[2]["opened_case"], kid, "疑似辍学", "2026-11-16")
    assert as_json(jiaoyu("cases", "--status", "劝返中", "--json", db=db, check_code=0)) == []


def test_case_steps_from_the_command_line(tmp_path):
    """A case moves through allowed steps; a refused step exits 1 naming the allowed ones; overdue lists it."""
    db, kid = setup_school(tmp_path)
    case = as_json(jiaoyu("case", "open", kid, "--date", "2026-11-02", "--json", db=db, check_code=0))["uuid"]
    refused = jiaoyu("case", "move", case, "已复学", "--date", "2026-11-03", db=db)
    assert refused.returncode == 1 and "已核实" in refused.stderr and "确认辍学" in refused.stderr
    refused = jiaoyu("case", "move", kid, "确认辍学", "--date", "2026-11-03", db=db)
    assert refused.returncode == 1 and "政府线" in refused.stderr
    jiaoyu("case", "person", case, "--role", "村委会", "--name", "赵主任", "--phone", "13900000001", db=db, check_code=0)
    refused = jiaoyu("case", "move", kid, "确认辍学", "--date", "2026-11-03", db=db)
    assert refused.returncode == 1 and "劝返" in refused.stderr
    jiaoyu("case", "attempt", case, "--date", "2026-11-02", "--people", "班主任:王老师", "--method", "电话",
           "--step", "联系家长", db=db, check_code=0)
    jiaoyu("case", "move", kid, "确认辍学", "--date", "2026-11-03", db=db, check_code=0)
    jiaoyu("case", "attempt", case, "--date", "2026-11-04", "--people", "班主任:王老师、村委会:赵主任",
           "--method", "联合走访", "--next", "2026-11-10", db=db, check_code=0)
    overdue = as_json(jiaoyu("cases", "--overdue", "--as-of", "2026-11-20", "--json", db=db, check_code=0))
    assert [c["uuid"] for c in overdue] == [case] and overdue[0]["status"] == "劝返中"
    again = jiaoyu("case", "person", case, "--role", "村委会", "--name", "赵主任", "--phone", "13900000001", db=db)
    assert again.returncode == 1 and "已经是这个案件的包保责任人" in again.stderr   # not listed twice
    jiaoyu("case", "move", case, "已复学", "--placement", "插班就读", "--date", "2026-11-12", db=db, check_code=0)
    jiaoyu("settings", "close_after_school_days", "5", db=db, check_code=0)   # 5 school days back before 销号
    jiaoyu("case", "close", case, "--outcome", "已复学", "--date", "2026-11-20", "--confirmed-by", "周校长",
           db=db, check_code=0)
    jiaoyu("case", "reopen", case, "--reason", "又缺课", "--date", "2026-11-21", db=db, check_code=0)
    shown = as_json(jiaoyu("case", "show", case, "--json", db=db, check_code=0))
    assert shown["case"]["status"] == "已复学"
    assert [e["kind"] for e in shown["events"]][-1] == "重新打开"


def test_visit_with_photo_and_signature_and_attention_report(tmp_path):
    """A visit with --photo and --signature is stored; report attention --json names each student's uuid."""
    db, kid = setup_school(tmp_path)
    pic, sig = tmp_path / "家访照片.jpg", tmp_path / "签字.png"
    pic.write_bytes(photo(1))
    sig.write_bytes(signature())
    before = as_json(jiaoyu("report", "attention", "--as-of", "2026-11-20", "--json", db=db, check_code=0))
    assert kid in [i["uuid"] for i in before["not_visited"]] and kid in [i["uuid"] for i in before["unaided"]]
    out = as_json(jiaoyu("visit", kid, "--date", "2026-11-10", "--teacher", "王老师", "--mode", "入户走访",
                         "--met", "张父", "--relation", "父亲", "--problems", "成绩下滑",
                         "--photo", pic, "--signature", sig, "--json", db=db, check_code=0))
    assert out["attachments"] == 2
    after = as_json(jiaoyu("report", "attention", "--as-of", "2026-11-20", "--json", db=db, check_code=0))
    assert kid not in [i["uuid"] for i in after["not_visited"]]
    assert all("uuid" in i for i in after["items"])
    jiaoyu("aid", "defaults", db=db, check_code=0)
    jiaoyu("aid", "give", kid, "--program", "营养改善计划", "--date", "2026-11-18", "--method", "膳食",
           db=db, check_code=0)
    meals = as_json(jiaoyu("report", "attention", "--as-of", "2026-11-20", "--json", db=db, check_code=0))
    assert kid in [i["uuid"] for i in meals["unaided"]]  # meals are for every pupil: not the 低保 child's 生活补助
    jiaoyu("aid", "give", kid, "--program", "LJBZ-XX", "--date", "2026-11-18", "--hardship", "比较困难",
           "--recognized-on", "2026-09-20", "--published-on", "2026-09-25", "--receiver", "张父", db=db, check_code=0)
    final = as_json(jiaoyu("report", "attention", "--as-of", "2026-11-20", "--json", db=db, check_code=0))
    assert final["unaided"] == []
    for name in ("coverage", "unaided", "aid-totals", "risk", "mismatch"):
        json.loads(jiaoyu("report", name, "--as-of", "2026-11-20", "--json", db=db, check_code=0).stdout)
    assert as_json(jiaoyu("check", "--json", db=db, check_code=0))["ok"] is True


def test_aid_programs_of_the_school_level_only(tmp_path):
    """`aid defaults` and `aid programs` of a 小学 name no 初中 or 高中 program; the rule of each is shown."""
    db, kid = setup_school(tmp_path)
    jiaoyu("aid", "defaults", db=db, check_code=0)
    listed = as_json(jiaoyu("aid", "programs", "--json", db=db, check_code=0))
    assert [p["code"] for p in listed] == ["LJBZ-XX", "YYGS"]
    assert "走读" in listed[0]["rule"] and "50%" in listed[0]["rule"] and "全体学生" in listed[1]["rule"]
    jiaoyu("aid", "program-add", "--code", "GZ", "--name", "县高中助学金", "--level", "高中", "--per-term", "1000",
           "--means-tested", "是", db=db, check_code=0)
    assert [p["code"] for p in as_json(jiaoyu("aid", "programs", "--json", db=db, check_code=0))] == ["LJBZ-XX", "YYGS"]
    out = jiaoyu("aid", "give", kid, "--program", "GZ", "--date", "2026-11-18", db=db, check_code=1)
    assert "本校是小学学校" in out.stderr


def test_demo_fills_every_report(tmp_path):
    """`jiaoyu demo` gives a term of visits with photos, absences, cases at every status and aid."""
    db = tmp_path / "demo.db"
    out = as_json(jiaoyu("demo", "--students", "200", "--seed", "3", "--json", db=db, check_code=0))
    assert all(out["ledgers"][k] > 0 for k in ("visits", "absences", "cases", "aid", "teachers"))
    statuses = {c["status"] for c in as_json(jiaoyu("cases", "--json", db=db, check_code=0))}
    assert statuses >= {"疑似辍学", "已核实", "确认辍学", "劝返中", "已复学", "送教上门", "休学", "已销号"}
    report = as_json(jiaoyu("report", "attention", "--json", db=db, check_code=0))
    assert report["new_cases"] and report["not_visited"] and report["items"]
    assert as_json(jiaoyu("check", "--json", db=db, check_code=0))["ok"] is True
