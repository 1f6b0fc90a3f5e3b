"""The change log accounts for every row: packets, audit and merge all stand on it."""

import json

from jiaoyuapp.roster import households, school_year
from jiaoyuapp.roster.demo import load_demo
from jiaoyuapp.roster.roster_import import import_roster
from jiaoyuapp.roster.search import find_students
from jiaoyuapp.roster.students import add_student, update_student
from jiaoyuapp.school import init_school
from jiaoyuapp.store import changelog
from jiaoyuapp.store.backups import restore, backup_to
from tests.workbooks import TODAY, make_id, save


def table_contents(store):
    out = {}
    for t in store.schema.school_tables:
        out[t] = {r["uuid"]: {k: v for k, v in r.items() if k != "uuid"} for r in store.query(f"SELECT * FROM [{t}]")}
    return out


def every_write(store, tmp_path):
    """Apply every public write operation of the core once (and some twice)."""
    init_school(store, code="5101230001", name="青石镇红岩村小学", township="青石镇", county="另一个县")
    load_demo(store, 60, seed=2)
    a, b = make_id("20180305", 11), make_id("20190101", 33)
    path = save([["姓名", "身份证件号", "班级", "家长姓名", "家长电话"],
                 ["张三", a, "三年级1班", "张大山", "13800138000"],
                 ["张四", b, "二年级1班", "张大山", "13800138000"]], tmp_path / "r.xlsx")
    import_roster(store, path, today=TODAY)
    save([["姓名", "身份证件号", "班级", "家长姓名", "家长电话"],
          ["张三", a, "三年级2班", "张大山", "13800138001"]], tmp_path / "r2.xlsx")
    import_roster(store, tmp_path / "r2.xlsx", today=TODAY)
    uid, _ = add_student(store, {"姓名": "李丽", "身份证件号": make_id("20180712", 22), "班级": "三年级1班"})
    update_student(store, uid, {"联系电话": "13700137000", "成员1姓名": "李父", "成员2姓名": "李母"})
    zhang = find_students(store, "张三")[0]["uuid"]
    households.merge(store, [zhang, uid])
    households.split(store, uid)
    school_year.suspend(store, uid, reason="因病休学")
    school_year.resume(store, uid, grade=2, class_no="1")
    school_year.transfer_out(store, zhang, to_school="县城第一小学")
    school_year.transfer_in(store, {"姓名": "张三", "身份证件号": a, "班级": "三年级1班"}, from_school="县城第一小学")
    school_year.transfer_in(store, {"姓名": "新生", "身份证件号": make_id("20180808", 55), "班级": "三年级1班"},
                            from_school="邻镇小学")
    batch = school_year.apply_rollover(store)
    school_year.undo_rollover(store, batch)
    school_year.apply_rollover(store)
    every_ledger_write(store, zhang, uid)
    backup = backup_to(store, tmp_path / "bak")
    update_student(store, uid, {"备注": "恢复前的修改"})
    restore(store, backup)


def every_ledger_write(store, a, b):
    """Every public write of the ledgers (issue 3) once."""
    from jiaoyuapp.ledgers import absences, aid, cases, school_calendar, settings, teachers, visits
    from jiaoyuapp.ledgers import case_closing, case_review, disability_proof, home_teaching
    from tests.ledger_helpers import TODAY, photo, signature
    school_calendar.set_up_school_year(store, 2026)
    school_calendar.add_term(store, "2027年暑期托管", "2027-07-15", "2027-08-10")
    school_calendar.set_day(store, "2026-11-14", "workday", "调休上课")
    school_calendar.set_day(store, "2026-11-16", "holiday", "运动会")
    school_calendar.clear_day(store, "2026-11-16")
    settings.set_value(store, "absence_threshold_days", 3)
    settings.set_value(store, "absence_threshold_days", 4)
    t = teachers.add_teacher(store, "王老师", "班主任", "13800000003", classes=["三年级1班"])
    v = visits.record_visit(store, student_uuid=a, day="2026-11-10", teachers=[t], mode="入户走访",
                            photos=[photo(1)], signature=signature(), today=TODAY)
    visits.correct_visit(store, v, problems="更正", photos=[photo(2)])
    for day in ("2026-11-11", "2026-11-12", "2026-11-13", "2026-11-14"):
        absences.record_absence(store, a, day)
    absences.record_absence(store, a, "2026-11-13", kind="病假")
    absences.record_absence(store, a, "2026-11-13", kind="无故")
    case = cases.open_case_of(store, a)["uuid"]
    cases.add_person(store, case, role="村委会", name="赵主任", phone="13900000001")
    cases.add_attempt(store, case, on="2026-11-14", people="班主任:王老师", method="电话",
                      evidence=[("承诺书", photo(3))])
    cases.move(store, case, "确认辍学", on="2026-11-15")
    cases.set_plan(store, case, "一人一案", whereabouts="在家")
    cases.add_attempt(store, case, on="2026-11-16", people="班主任:王老师", method="家访", next_date="2026-11-20")
    disability_proof.record(store, a, disability_type="肢体", cert_no="C0001")
    disability_proof.record(store, a, assessed_on="2026-11-16", assessed_by="县评估委员会")
    cases.move(store, case, "送教上门", on="2026-11-17")
    cases.add_home_teaching(store, case, on="2026-11-18", teacher="王老师", content="数学", hours=2, teacher_uuid=t)
    home_teaching.add_session(store, case, on="2026-11-19", teachers=[{"name": "王老师", "teacher_uuid": t}, "李老师"],
                              content="识字", hours=2, photos=[photo(3)])
    cases.close(store, case, outcome="送教上门", on="2026-11-19", confirmed_by="周校长")
    cases.reopen(store, case, reason="复核", on="2026-11-20")
    case_closing.add_proof(store, case, photo(4))
    case_review.record_review(store, case, on="2026-11-20", reviewer="县教体局", result="情况属实，措施到位",
                              today=TODAY)
    from jiaoyuapp.ledgers import case_reports, sign_offs
    case_reports.record_sent(store, case, township_on="2026-11-16", county_on="2026-11-17", today=TODAY)
    sign_offs.set_titles(store, "quanfan", "村支书（主任）\n中心校校长")
    aid.ensure_default_programs(store)
    aid.add_program(store, code="XFZZ", name="县级助学金", amount_per_term=300)
    aid.give_aid(store, b, "XFZZ", paid_on="2026-11-01")
    aid.update_program(store, "XFZZ", amount_per_term=350)
    teachers.update_teacher(store, t, phone="13900000009", active=False)


def test_tables_rebuild_from_the_log_alone(store, tmp_path):
    """After every kind of write, replaying the log reproduces every school-data table exactly."""
    every_write(store, tmp_path)
    actual = table_contents(store)
    rebuilt = changelog.replay(store)
    assert set(rebuilt) >= set(actual)
    for table, rows in actual.items():
        assert rebuilt[table] == rows, table
    assert sum(len(r) for r in actual.values()) > 100
    assert [t for t, rows in actual.items() if not rows] == []  # every school-data table was written
    assert changelog.verify(store) == []


def test_log_entries_name_table_record_fields_and_who(store):
    """Each entry has a rising sequence, the table, the record, the changed fields with old and new, who and when."""
    uid, _ = add_student(store, {"姓名": "李丽", "身份证件号": make_id("20180712", 22), "班级": "三年级1班"},
                         actor="王老师")
    update_student(store, uid, {"班级": "三年级2班"}, actor="李校长")
    entries = list(changelog.entries(store))
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    last = entries[-1]
    assert (last["table"], last["uuid"], last["op"], last["actor"]) == ("students", uid, "update", "李校长")
    assert last["changes"]["class_no"] == ["1", "2"]
    assert last["at"]
    inserted = [e for e in entries if e["table"] == "students" and e["op"] == "insert"][0]
    assert inserted["actor"] == "王老师" and inserted["changes"]["name"] == [None, "李丽"]


def test_a_bulk_insert_logs_each_row_as_a_single_insert_would(store):
    """A roster import's log entries hold every non-empty field of each row, in column order, never the
    uuid: rows with different fields, a 是/否 as True, a date, a row bringing its own uuid and times."""
    import datetime as dt
    init_school(store, code="5101230001", name="青石镇红岩村小学", township="青石镇", county="另一个县")
    rows = [{"name": "甲", "id_number": make_id("20180305", 11), "only_child": True, "grade": 3, "status": "在读"},
            {"name": "乙", "birth_date": dt.date(2018, 3, 5), "class_no": "2", "status": "在读"},
            {"uuid": "u-given", "name": "丙", "created_at": "2020-01-01T08:00:00+08:00",
             "updated_at": "2020-01-02T08:00:00+08:00", "phone": None, "status": "在读"},
            {"name": "丁", "id_number": make_id("20180306", 21), "only_child": False, "grade": 4, "status": "休学"}]
    with store.write("test", "王老师", "批量") as w:
        uuids = w.insert_many("students", rows)
        at = w.at
    cols = [r[1] for r in store.conn.execute("PRAGMA table_info(students)")]
    logged = {e["uuid"]: e for e in changelog.entries(store) if e["table"] == "students"}
    assert uuids[2] == "u-given"
    for uid, row in zip(uuids, rows):
        stored = store.get("students", uid)
        raw = store.scalar("SELECT changes FROM change_log WHERE record_uuid = ?", (uid,))
        expected = {c: [None, stored[c]] for c in cols if c != "uuid" and stored[c] is not None}
        assert list(json.loads(raw)) == list(expected)   # column order, no uuid
        assert logged[uid]["changes"] == expected
        assert stored["created_at"] == row.get("created_at", at)
    assert store.get("students", uuids[0])["only_child"] == 1
    assert store.get("students", uuids[1])["birth_date"] == "2018-03-05"
    assert changelog.verify(store) == []


def test_a_write_that_bypasses_the_log_is_caught(store):
    """The check is real: a row changed behind the write path's back is reported."""
    uid, _ = add_student(store, {"姓名": "李丽", "身份证件号": make_id("20180712", 22)})
    assert changelog.verify(store) == []
    store.conn.execute("UPDATE students SET name = '偷改' WHERE uuid = ?", (uid,))
    store.conn.execute("INSERT INTO households (uuid, created_at, updated_at) VALUES ('x', 'a', 'b')")
    problems = changelog.verify(store)
    assert any("name" in p and uid in p for p in problems)
    assert any("x" in p and "不在变更日志" in p for p in problems)
    assert not any("偷改" in p for p in problems)  # no personal data in the report


def test_writes_that_fail_leave_nothing(store):
    """A write that fails halfway is rolled back with its log entries."""
    before = store.scalar("SELECT count(*) FROM change_log")
    try:
        with store.write("test") as w:
            w.insert("households", {"address": "红岩村"})
            raise RuntimeError("power cut")
    except RuntimeError:
        pass
    assert store.scalar("SELECT count(*) FROM change_log") == before
    assert store.scalar("SELECT count(*) FROM households") == 0
    assert json.loads(store.query("SELECT changes FROM change_log ORDER BY seq DESC LIMIT 1")[0]["changes"])


def test_a_locked_database_is_explained(store, db_path):
    """When another program holds the write lock, the message says to wait; nothing is half-written."""
    import sqlite3

    import pytest

    from jiaoyuapp.errors import DatabaseError
    other = sqlite3.connect(db_path, isolation_level=None, timeout=0.1)
    other.execute("BEGIN IMMEDIATE")
    store.conn.execute("PRAGMA busy_timeout = 100")
    try:
        with pytest.raises(DatabaseError, match="另一个程序"):
            with store.write("test") as w:
                w.insert("households", {"address": "红岩村"})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.scalar("SELECT count(*) FROM households") == 0


def test_record_numbers_are_version_7_uuids_that_increase_and_never_repeat():
    """Two records sharing a number would overwrite each other in a merge at the township center;
    numbers that increase keep the indexes they key appended to, not rewritten all over."""
    import time
    import uuid

    from jiaoyuapp.store import writes
    made = [writes.new_uuid() for _ in range(20000)]
    assert len(set(made)) == len(made)
    assert made == sorted(made)
    for text in made[:2000]:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (7, uuid.RFC_4122, text)
    stamp = int(made[-1][:8] + made[-1][9:13], 16)
    assert abs(stamp - time.time() * 1000) < 60_000      # the leading 48 bits are now, in ms
    # more than 4096 in one millisecond, or a clock that goes back: still increasing
    clock = writes._clock
    try:
        writes._clock = lambda: 1_700_000_000_000 * 1_000_000
        burst = [writes.new_uuid() for _ in range(5000)]
    finally:
        writes._clock = clock
    assert burst == sorted(burst) and len(set(burst)) == 5000
    assert all(a < b for a, b in zip(made[-1:] + burst, burst))


def test_log_text_is_what_the_standard_encoder_writes_and_odd_values_still_log():
    """An entry that read differently, or a value the fast encoder refuses, would break packets."""
    from jiaoyuapp.store.writes import dumps
    standard = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    text = "".join(chr(c) for c in range(0, 0x800)) + "张三\u2028\u3000＂"
    for change in ({"name": (None, text)}, {"n": [3, -2**63], "f": [0.1, 2300.0], "b": [True, None]}):
        assert dumps(change) == standard(change)
    assert json.loads(dumps({"big": (None, 2**70)})) == {"big": [None, 2**70]}
    assert dumps({"odd": (None, "\ud800")}) == standard({"odd": (None, "\ud800")})


def test_every_entry_is_stored_as_json_text(store, tmp_path):
    """An entry stored as bytes would be unreadable to SQLite's JSON functions (audit, packets)."""
    every_write(store, tmp_path)
    kinds = dict(store.conn.execute("SELECT typeof(changes), count(*) FROM change_log GROUP BY 1"))
    assert set(kinds) == {"text"} and kinds["text"] > 100
    assert store.conn.execute("SELECT count(*) FROM change_log WHERE NOT json_valid(changes)").fetchone()[0] == 0
