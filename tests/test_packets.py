"""Packets from schools to the township center: the round trip, and every refusal."""

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.exchange import center_copies, conflicts, packet_import, receipts, township
from jiaoyuapp.exchange.container import PacketError
from jiaoyuapp.ledgers.aid import unaided
from jiaoyuapp.ledgers.cases import list_cases
from jiaoyuapp.ledgers.coverage import coverage
from jiaoyuapp.roster.students import update_student
from jiaoyuapp.school import open_school
from tests.packet_helpers import (CENTER_SECRET, DAY, SCHOOL_SECRET, copy_db, export, make_center, make_school, merged_state,
                                  put_together, register, resign, reseal, rezip, take_apart, unseal)


def own_figures(store) -> dict:
    cov = coverage(store, today=DAY)
    return {"students": store.scalar("SELECT count(*) FROM students WHERE status = '在读'"),
            "visits": store.scalar("SELECT count(*) FROM current_visits WHERE day BETWEEN ? AND ?",
                                   (cov["start"], cov["end"])),
            "coverage": round(cov["home_visited"] / cov["students"], 3),   # 入户, as the school's 首页 counts it
            "open_cases": len([c for c in list_cases(store, today=DAY) if c["status"] != "已销号"]),
            "overdue_cases": len(list_cases(store, overdue=True, today=DAY)),
            "unaided": len(unaided(store, today=DAY)["students"])}


def test_three_schools_round_trip(tmp_path):
    """Three schools' packets reach one center; its board equals each school's own reports; later
    packets carry only new changes once a receipt has come back."""
    center = make_center(tmp_path)
    schools = [make_school(tmp_path, f"51012300{i:02d}", name, n, seed)
               for i, (name, n, seed) in enumerate([("红岩村小学", 60, 1), ("石桥村小学", 80, 2), ("柏树村教学点", 40, 3)], 1)]
    usb = tmp_path / "U盘"
    for s in schools:
        register(center, s)
        result = packet_import.import_packet(center, export(s, usb, center), passphrase=CENTER_SECRET, receipts_dir=usb)
        assert result.status == "已接收" and result.conflicts == 0
    for s in schools:  # each copy at the center is the school's data, table for table
        code = s.query("SELECT code FROM school")[0]["code"]
        replica = center_copies.open_replica(center, code)
        for table in s.schema.school_tables:
            assert replica.query(f"SELECT * FROM [{table}] ORDER BY uuid") == \
                s.query(f"SELECT * FROM [{table}] ORDER BY uuid"), table
        replica.close()
    board = {b["school_code"]: b for b in township.status_board(center, today=DAY)}
    for s in schools:
        code = s.query("SELECT code FROM school")[0]["code"]
        mine = own_figures(s)
        assert {k: board[code][k] for k in mine} == mine
        assert (board[code]["packets"], board[code]["last_packet"]) == (1, 1)
    calls_counted = [round(coverage(s, today=DAY)["visited"] / coverage(s, today=DAY)["students"], 3) for s in schools]
    assert calls_counted != [board[s.query("SELECT code FROM school")[0]["code"]]["coverage"] for s in schools]
    first = schools[0]
    kid = first.scalar("SELECT uuid FROM students WHERE status = '在读' LIMIT 1")
    update_student(first, kid, {"联系电话": "13912345678"})
    second = export(first, usb)                     # no receipt yet: starts again from the beginning
    row = first.query("SELECT log_from, log_to FROM packets_sent WHERE packet_no = 2")[0]
    assert row["log_from"] == 1
    assert packet_import.import_packet(center, second, passphrase=CENTER_SECRET).changes == 1
    receipts.import_receipt(first, receipts.write_receipt(center, "5101230001", usb, passphrase=CENTER_SECRET))
    update_student(first, kid, {"联系电话": "13912345679"})
    third = export(first, usb)
    row3 = first.query("SELECT log_from, log_to FROM packets_sent WHERE packet_no = 3")[0]
    assert row3["log_from"] == row["log_to"] + 1 and row3["log_to"] - row3["log_from"] < 3
    result = packet_import.import_packet(center, third, passphrase=CENTER_SECRET)
    assert result.status == "已接收" and result.changes == row3["log_to"] - row3["log_from"] + 1
    replica = center_copies.open_replica(center, "5101230001")
    assert replica.get("students", kid)["phone"] == "13912345679"
    from jiaoyuapp.store import changelog
    assert changelog.verify(replica) == []
    replica.close()
    assert packet_import.import_packet(center, third, passphrase=CENTER_SECRET).status == "已导入过"
    # what goes up to the county: the board and every school's ledgers, and a signed PDF
    import subprocess

    import openpyxl

    from jiaoyuapp.exchange.township_export import write_township_folder, write_township_workbook
    wb = openpyxl.load_workbook(write_township_workbook(center, tmp_path / "乡镇汇总.xlsx", today=DAY))
    assert wb.sheetnames[:2] == ["各校汇总", "学生花名册"]
    assert [c.value for c in wb["各校汇总"][3]][:2] == ["红岩村小学", "5101230001"]
    roster = wb["学生花名册"]
    schools_listed = {roster.cell(r, 1).value for r in range(3, roster.max_row + 1)} - {None}
    assert schools_listed == {"红岩村小学", "石桥村小学", "柏树村教学点"}
    # title, header, a row per student (a sheet this wide is signed on its printable parts)
    assert roster.max_row - 2 == sum(s.scalar("SELECT count(*) FROM students") for s in schools)
    pdf = write_township_folder(center, tmp_path / "乡镇汇总.pdf", passphrase=CENTER_SECRET, today=DAY)
    report = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in report and "青石镇中心校" in report
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "各校汇总" in text and "柏树村教学点" in text


def test_a_field_changed_on_both_sides_is_kept_for_a_decision(tmp_path):
    """If the center corrected a field the school also changed, both values are kept; neither wins silently."""
    center = make_center(tmp_path)
    school = make_school(tmp_path, "5101230001", "红岩村小学", 30, 4)
    register(center, school)
    packet_import.import_packet(center, export(school, tmp_path / "u", center), passphrase=CENTER_SECRET)
    kid = school.scalar("SELECT uuid FROM students LIMIT 1")
    replica = center_copies.open_replica(center, "5101230001")
    update_student(replica, kid, {"家庭地址": "中心校核实的地址"})
    replica.close()
    update_student(school, kid, {"家庭地址": "学校更新的地址", "联系电话": "13912345678"})
    result = packet_import.import_packet(center, export(school, tmp_path / "u"), passphrase=CENTER_SECRET)
    assert result.conflicts == 1
    replica = center_copies.open_replica(center, "5101230001")
    row = replica.get("students", kid)
    assert (row["home_address"], row["phone"]) == ("中心校核实的地址", "13912345678")
    noted = replica.query("SELECT uuid, field, school_value, center_value FROM merge_conflicts")
    assert [{k: v for k, v in n.items() if k != "uuid"} for n in noted] == [
        {"field": "home_address", "school_value": '"学校更新的地址"', "center_value": '"中心校核实的地址"'}]
    replica.close()
    conflicts.decide(center, "5101230001", noted[0]["uuid"], "school")
    replica = center_copies.open_replica(center, "5101230001")
    assert replica.get("students", kid)["home_address"] == "学校更新的地址"
    assert replica.scalar("SELECT decision FROM merge_conflicts") == "school"
    from jiaoyuapp.store import changelog
    assert changelog.verify(replica) == []
    replica.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Two registered schools (A with packets 1–3, B with packet 1), an unregistered school C, and a
    packet from A encrypted to another center. The center itself has imported nothing."""
    d = tmp_path_factory.mktemp("world")
    center, other = make_center(d), make_center(d, "other.db", "5101238888")
    a = make_school(d, "5101230001", "红岩村小学", 40, 5)
    b = make_school(d, "5101230002", "石桥村小学", 30, 6)
    c = make_school(d, "5101230003", "未登记小学", 20, 7)
    register(center, a)
    register(center, b)
    copy_db(d / "5101230001.db", d / "a_copy.db")           # A as it was before exporting
    usb = d / "usb"
    packets = {"a1": export(a, usb / "a1", center)}
    update_student(a, a.scalar("SELECT uuid FROM students LIMIT 1"), {"联系电话": "13900000001"})
    packets["a2"] = export(a, usb / "a2")
    # a receipt for 1–2 comes back (from a scratch copy of the center), so packet 3 carries changes only
    scratch = open_school(copy_db(d / "center.db", d / "scratch_center.db"))
    for key in ("a1", "a2"):
        packet_import.import_packet(scratch, packets[key], passphrase=CENTER_SECRET)
    receipts.import_receipt(a, receipts.write_receipt(scratch, "5101230001", usb / "r", passphrase=CENTER_SECRET))
    scratch.close()
    update_student(a, a.scalar("SELECT uuid FROM students LIMIT 1"), {"联系电话": "13900000002"})
    packets["a3"] = export(a, usb / "a3")
    packets["b1"] = export(b, usb / "b1", center)
    packets["c1"] = export(c, usb / "c1", center)
    a_copy = open_school(d / "a_copy.db")
    packets["a1_again"] = export(a_copy, usb / "a1_again", center)   # a different packet numbered 1
    a_copy.close()
    a_other = open_school(copy_db(d / "5101230001.db", d / "a_other.db"))
    packets["a_to_other"] = export(a_other, usb / "other", other)
    a_other.close()
    for s in (a, b, c, other):
        s.close()
    center.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    center.close()
    return d, packets


@pytest.fixture
def fresh(world, tmp_path):
    """A fresh copy of the center (schools registered, nothing imported) for each test."""
    d, packets = world
    center = open_school(copy_db(d / "center.db", tmp_path / "center.db"))
    yield center, packets, d
    center.close()


def refused(center, packet, match, passphrase=CENTER_SECRET, error=PacketError):
    before = merged_state(center)
    with pytest.raises(error, match=match):
        packet_import.import_packet(center, packet, passphrase=passphrase)
    assert merged_state(center) == before


def test_the_untouched_packet_is_accepted(fresh):
    """The control: the real packets import in order."""
    center, packets, _ = fresh
    for key in ("a1", "a2", "a3", "b1"):
        assert packet_import.import_packet(center, packets[key], passphrase=CENTER_SECRET).status == "已接收"


@pytest.mark.parametrize("member", ["manifest.json", "manifest.sig", "snapshot.sqlite", "changes.sqlite", "batches.jsonl",
                                    "ledgers.xlsx", "folder.pdf", "attachments/"])
def test_one_flipped_byte_in_any_member(fresh, tmp_path, member):
    """A single changed byte in the manifest, its signature or any member is refused: of a full
    packet (a snapshot of the data), or of one with the changes since a receipt."""
    center, packets, _ = fresh
    key = "a3" if member == "changes.sqlite" else "a1"
    if key == "a3":
        for earlier in ("a1", "a2"):
            packet_import.import_packet(center, packets[earlier], passphrase=CENTER_SECRET)
    header, inner = unseal(center, packets[key])
    done = []

    def flip(name, data):
        if name.startswith(member) and not done:
            done.append(name)
            data = bytearray(data)
            data[len(data) // 2] ^= 0x01
            return bytes(data)
        return data
    bad = reseal(center, header, rezip(inner, flip), tmp_path / "bad.jyp")
    assert done
    refused(center, bad, "签名|不符|损坏")


def test_a_flipped_byte_in_the_encrypted_file(fresh, tmp_path):
    """A change to the file on the stick fails its authentication."""
    center, packets, _ = fresh
    data = bytearray(packets["a1"].read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / "bad.jyp").write_bytes(bytes(data))
    refused(center, tmp_path / "bad.jyp", "改动或损坏")


def test_member_removed_or_added(fresh, tmp_path):
    """A member missing from, or added to, the packet is refused, naming it."""
    center, packets, _ = fresh
    header, inner = unseal(center, packets["a1"])
    removed = reseal(center, header, rezip(inner, lambda n, d: None if n == "ledgers.xlsx" else d), tmp_path / "r.jyp")
    refused(center, removed, "ledgers.xlsx.*(不符|不完整)")
    parts = take_apart(inner)
    parts.tail = b"\x00" * 100                       # bytes after the last member the manifest lists
    refused(center, reseal(center, header, put_together(parts), tmp_path / "a.jyp"), "多出了清单里没有的内容")


def test_truncated_file(fresh, tmp_path):
    """A file cut short (a stick pulled out while copying) is refused."""
    center, packets, _ = fresh
    data = packets["a1"].read_bytes()
    for cut in (10, len(data) // 2, len(data) - 1):
        (tmp_path / "t.jyp").write_bytes(data[:cut])
        refused(center, tmp_path / "t.jyp", "截断|不完整|损坏")


def test_signed_by_another_school(fresh, tmp_path, world):
    """B cannot send a packet in A's name: its signature does not match A's registered certificate."""
    center, packets, d = fresh
    header, inner = unseal(center, packets["b1"])
    b = open_school(d / "5101230002.db")
    forged = resign(inner, b, "学校口令2026abc", lambda m: m.update(school_code="5101230001", school_name="红岩村小学"))
    b.close()
    bad = reseal(center, dict(header, school_code="5101230001"), forged, tmp_path / "forged.jyp")
    refused(center, bad, "证书不符")


def test_unregistered_school(fresh):
    """A school that was never registered is refused."""
    center, packets, _ = fresh
    refused(center, packets["c1"], "还没有在本中心校登记")


def test_replay_and_out_of_order(fresh):
    """Importing the same packet again is a no-op; a different packet with an old number is refused."""
    center, packets, _ = fresh
    packet_import.import_packet(center, packets["a1"], passphrase=CENTER_SECRET)
    packet_import.import_packet(center, packets["a2"], passphrase=CENTER_SECRET)
    before = merged_state(center)
    assert packet_import.import_packet(center, packets["a1"], passphrase=CENTER_SECRET).status == "已导入过"
    assert merged_state(center) == before
    refused(center, packets["a1_again"], "旧的或重复编号")


def test_a_gap_in_numbering_names_the_missing_packet(fresh):
    """Packet 3 after packet 1 is refused, saying packet 2 is missing."""
    center, packets, _ = fresh
    packet_import.import_packet(center, packets["a1"], passphrase=CENTER_SECRET)
    refused(center, packets["a3"], "缺少第2号")


def test_wrong_passphrase(fresh):
    """Without the center's passphrase nothing is opened or merged."""
    center, packets, _ = fresh
    refused(center, packets["a1"], "口令不对", passphrase="不是这个口令123", error=DataError)


def test_encrypted_to_another_center(fresh):
    """A packet made for another center is refused as not addressed here."""
    center, packets, _ = fresh
    refused(center, packets["a_to_other"], "不是发给本中心校")


def test_a_rotated_key_is_followed_and_a_replaced_one_needs_registering_again(tmp_path):
    """After `key rotate` the center accepts the new certificate on the old key's word; after a lost
    passphrase (new keys without that proof) it refuses until the school is registered again."""
    from jiaoyuapp.exchange import identity, peers
    center = make_center(tmp_path)
    school = make_school(tmp_path, "5101230001", "红岩村小学", 20, 11)
    register(center, school)
    usb = tmp_path / "u"
    packet_import.import_packet(center, export(school, usb, center), passphrase=CENTER_SECRET)
    identity.rotate(school, "学校口令2026abc", "学校新口令2027abc")
    from jiaoyuapp.exchange.packet_export import export_packet
    p2 = export_packet(school, usb, passphrase="学校新口令2027abc", today=DAY)
    assert packet_import.import_packet(center, p2, passphrase=CENTER_SECRET).status == "已接收"
    assert peers.school_peer(center, "5101230001")["fingerprint"] == identity.active(school)["fingerprint"]
    identity.create(school, kind="school", code="5101230001", name="红岩村小学", passphrase="忘了口令重新设的", replace=True)
    p3 = export_packet(school, usb, passphrase="忘了口令重新设的", today=DAY)
    with pytest.raises(PacketError, match="证书不符"):
        packet_import.import_packet(center, p3, passphrase=CENTER_SECRET)
    me = identity.active(school)
    with pytest.raises(DataError, match="已登记为.*两者不同"):   # a second key for the code: not without the operator
        peers.register_school(center, me["certificate"], me["fingerprint"])
    peers.register_school(center, me["certificate"], me["fingerprint"], replace=True, actor="中心校王老师")
    assert packet_import.import_packet(center, p3, passphrase=CENTER_SECRET).status == "已接收"
    assert [(r["event"], r["new_fingerprint"]) for r in peers.registrations(center, "5101230001")] == [
        ("登记", peers.registrations(center)[0]["new_fingerprint"]), ("换钥", peers.registrations(center)[1]["new_fingerprint"]),
        ("更换登记", me["fingerprint"])]
    assert peers.registrations(center)[2]["actor"] == "中心校王老师"


def test_a_packet_from_a_newer_version_asks_to_upgrade(fresh, tmp_path, world):
    """A school on a newer schema is refused with a request to upgrade the center, nothing merged."""
    center, packets, d = fresh
    header, inner = unseal(center, packets["a1"])
    a = open_school(d / "5101230001.db")
    newer = resign(inner, a, "学校口令2026abc", lambda m: m.update(schema=m["schema"] + ["0099_from_the_future"]))
    a.close()
    refused(center, reseal(center, header, newer, tmp_path / "n.jyp"), "升级")


@pytest.mark.parametrize("key, member, tamper, match", [
    ("a3", "changes.sqlite", "UPDATE changes SET tbl = 'identities' WHERE seq = (SELECT max(seq) FROM changes)",
     "不认识的数据表"),
    ("a1", "snapshot.sqlite", "INSERT INTO local_settings (key, value) VALUES ('mode', 'township')", "不应有的内容"),
    ("a1", "snapshot.sqlite", "CREATE TRIGGER t AFTER INSERT ON students BEGIN DELETE FROM students; END", "结构与本软件不符"),
    ("a1", "snapshot.sqlite", "UPDATE change_log SET tbl = 'identities' WHERE seq = 1", "不认识的数据表"),
    ("a1", "snapshot.sqlite", "DELETE FROM change_log WHERE seq = (SELECT max(seq) FROM change_log)", "与清单不符"),
], ids=["changes-other-table", "snapshot-local-rows", "snapshot-trigger", "snapshot-log-other-table",
        "snapshot-log-short"])
def test_data_signed_by_the_school_but_not_what_this_program_writes_is_refused(fresh, tmp_path, world, key, member,
                                                                               tamper, match):
    """Even signed by the school (hashes and signature made again), a packet whose data file holds
    what this program never writes — a change to a table that is not school data, a row of local
    settings, a trigger, a log that does not end where the manifest says — is refused whole."""
    import sqlite3
    center, packets, d = fresh
    if key == "a3":
        for earlier in ("a1", "a2"):
            packet_import.import_packet(center, packets[earlier], passphrase=CENTER_SECRET)
    header, inner = unseal(center, packets[key])
    db = tmp_path / member
    db.write_bytes(take_apart(inner).content(member))
    conn = sqlite3.connect(db)
    conn.execute(tamper)
    conn.commit()
    conn.close()
    a = open_school(d / "5101230001.db")
    signed = resign(inner, a, SCHOOL_SECRET, lambda m: None, contents={member: db.read_bytes()})
    a.close()
    refused(center, reseal(center, header, signed, tmp_path / "t.jyp"), match)


def test_small_refusals_a_receipt_and_a_conflict_that_do_not_fit(tmp_path):
    """A receipt missing its fields, a receipt that is a folder, and a conflict naming a column
    this program does not have are refused with a clear message (nothing written)."""
    import json

    from jiaoyuapp.exchange import identity
    from jiaoyuapp.store.writes import new_uuid, now_iso
    center = make_center(tmp_path)
    school = make_school(tmp_path, "5101230001", "红岩村小学", 20, 12)
    register(center, school)
    packet_import.import_packet(center, export(school, tmp_path / "u", center), passphrase=CENTER_SECRET)
    me = identity.active(center)
    body = json.dumps({"kind": "jiaoyu-receipt", "school_code": "5101230001"})
    signed = {"receipt": body, "signature": identity.sign(identity.signing_key(me, CENTER_SECRET), body.encode()).hex()}
    (tmp_path / "short.jyr").write_text(json.dumps(signed))
    with pytest.raises(DataError, match="回执内容不完整"):
        receipts.import_receipt(school, tmp_path / "short.jyr")
    with pytest.raises(DataError, match="是一个文件夹"):
        receipts.import_receipt(school, tmp_path / "u")
    assert school.scalar("SELECT count(*) FROM packets_sent WHERE acknowledged_at IS NOT NULL") == 0
    replica = center_copies.open_replica(center, "5101230001")
    kid = replica.scalar("SELECT uuid FROM students LIMIT 1")
    ids = [new_uuid(), new_uuid()]
    with replica.local():
        for uid, (tbl, fld) in zip(ids, [("students", "no_such_column"), ("identities", "signing_key")]):
            replica.conn.execute("INSERT INTO merge_conflicts (uuid, packet_no, school_seq, tbl, record_uuid, field, "
                                 "school_value, center_value, noted_at) VALUES (?, 1, 1, ?, ?, ?, '\"x\"', '\"y\"', ?)",
                                 (uid, tbl, kid, fld, now_iso()))
    before = replica.scalar("SELECT count(*) FROM change_log")
    replica.close()
    for uid in ids:
        with pytest.raises(DataError, match="不存在"):
            conflicts.decide(center, "5101230001", uid, "school")
        conflicts.decide(center, "5101230001", uid, "center")    # keeping the center's value still works
    replica = center_copies.open_replica(center, "5101230001")
    assert replica.scalar("SELECT count(*) FROM change_log") == before
    assert replica.scalar("SELECT count(*) FROM merge_conflicts WHERE decided_at IS NULL") == 0
    replica.close()
