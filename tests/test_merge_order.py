"""The center's copy applies each table's changes in the school's order, even when most of them are
copied in bulk: a record removed and recorded again under the same unique key, a record deleted and
brought back by an undo (same id), a record added and changed in the same packet, and a second
packet that brings a record the copy already holds."""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.exchange import center_copies, packet_import
from jiaoyuapp.ledgers.absences import record_absence, remove_absence
from jiaoyuapp.roster.students import add_student, update_student
from jiaoyuapp.store import changelog
from tests.workbooks import make_id
from tests.packet_helpers import CENTER_SECRET, export, make_center, make_school, register


def same_tables(school, replica) -> None:
    for table in school.schema.school_tables:
        assert replica.query(f"SELECT * FROM [{table}] ORDER BY uuid") == \
            school.query(f"SELECT * FROM [{table}] ORDER BY uuid"), table
    assert changelog.verify(replica) == []


def churn(school, day: dt.date) -> None:
    """Changes whose order matters within a table, with bulk inserts of other tables in between."""
    kids = [r[0] for r in school.conn.execute("SELECT uuid FROM students WHERE status = '在读' ORDER BY uuid LIMIT 3")]
    record_absence(school, kids[0], day, note="第一次登记")
    remove_absence(school, kids[0], day)
    record_absence(school, kids[0], day, note="重新登记")          # same (student, day): the unique key
    record_absence(school, kids[1], day)
    removal = school.scalar("SELECT max(rowid) FROM batches")
    remove_absence(school, kids[1], day)
    batch = school.scalar("SELECT uuid FROM batches WHERE rowid > ? AND kind != 'undo' ORDER BY rowid DESC LIMIT 1",
                          (removal,))
    changelog.undo_batch(school, batch)                              # the same record comes back
    new, _ = add_student(school, {"姓名": "测试新生", "身份证件号": make_id("20170304", 100 + day.day),
                                  "年级": "三年级", "班级": "1班"})
    update_student(school, new, {"联系电话": "13900001111"})
    update_student(school, kids[2], {"家庭地址": f"改过的地址{day.day}"})


def test_changes_keep_their_order_within_each_table(tmp_path):
    school = make_school(tmp_path, "5101230001", "红岩村小学", 30, seed=11)
    center = make_center(tmp_path)
    register(center, school)
    churn(school, dt.date(2026, 11, 16))
    packet_import.import_packet(center, export(school, tmp_path / "u1", center), passphrase=CENTER_SECRET)
    replica = center_copies.open_replica(center, "5101230001")
    same_tables(school, replica)
    replica.close()
    churn(school, dt.date(2026, 11, 17))
    # no receipt came back: the second packet starts from the beginning again, so it brings every
    # record the copy already holds (applied one by one) along with the new ones (copied in bulk)
    result = packet_import.import_packet(center, export(school, tmp_path / "u2"), passphrase=CENTER_SECRET)
    assert result.status == "已接收" and result.conflicts == 0
    replica = center_copies.open_replica(center, "5101230001")
    same_tables(school, replica)
    replica.close()
