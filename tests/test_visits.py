"""Home visits: households, evidence, append-only corrections."""

import hashlib

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import visits
from jiaoyuapp.ledgers.attachments import blob, verify_blobs
from jiaoyuapp.roster import households
from jiaoyuapp.store.backups import backup_to, restore
from tests.ledger_helpers import TODAY, photo, school_with_calendar, signature, student


def test_a_visit_covers_the_siblings_and_keeps_its_evidence(store):
    """Visiting one child's home covers every sibling in school; photos and the signature are kept."""
    ids = school_with_calendar(store)
    a, b = student(store, "大哥", 1), student(store, "小妹", 2, cls="二年级1班", born="20190101")
    other = student(store, "邻居", 3)
    households.merge(store, [a, b])
    uid = visits.record_visit(store, student_uuid=b, day="2026-11-10", teachers=[ids["head3"], ids["head2"]],
                              mode="入户", met_name="王母", met_relation="母亲", home_situation="父亲外出务工",
                              policies="义务教育法、资助政策", followup_date="2026-12-10",
                              photos=[photo(1), photo(2)], signature=signature(), today=TODAY)
    v = visits.visit_details(store, uid)
    assert sorted(s["name"] for s in v["students"]) == ["大哥", "小妹"]
    assert other not in [s["uuid"] for s in v["students"]]
    assert sorted(t["name"] for t in v["teachers"]) == ["李老师", "王老师"]
    assert v["mode"] == "入户走访"
    roles = sorted(a["role"] for a in v["attachments"])
    assert roles == ["photo", "photo", "signature"]
    sig = next(a for a in v["attachments"] if a["role"] == "signature")
    assert blob(store, sig["sha256"]) == signature()
    assert sig["mime"] == "image/png" and blob(store, sig["print_sha256"])[:4] == b"\x89PNG"


def test_the_same_photo_is_stored_once(store):
    """Attaching the same picture to two visits stores its bytes once."""
    ids = school_with_calendar(store)
    a, b = student(store, "甲", 1), student(store, "乙", 2)
    for uid in (a, b):
        visits.record_visit(store, student_uuid=uid, day="2026-11-10", teachers=[ids["head3"]], mode="电话",
                            photos=[photo(7)], today=TODAY)
    sha = hashlib.sha256(photo(7)).hexdigest()
    assert store.scalar("SELECT count(*) FROM attachments WHERE sha256 = ?", (sha,)) == 1
    assert store.scalar("SELECT count(*) FROM blobs WHERE sha256 = ?", (sha,)) == 1
    assert store.scalar("SELECT count(*) FROM visit_attachments") == 2


def test_big_photo_gets_a_small_printing_copy_and_bad_files_are_refused(store):
    """A large photo is kept as it is, with a downscaled copy for printing; a non-image is refused."""
    from PIL import Image
    import io
    ids = school_with_calendar(store)
    a = student(store, "甲", 1)
    big = photo(3, size=(4000, 3000))
    uid = visits.record_visit(store, student_uuid=a, day="2026-11-10", teachers=[ids["head3"]], mode="入户走访",
                              photos=[big], today=TODAY)
    att = visits.visit_details(store, uid)["attachments"][0]
    assert (att["width"], att["height"]) == (4000, 3000) and blob(store, att["sha256"]) == big
    small = Image.open(io.BytesIO(blob(store, att["print_sha256"])))
    assert max(small.size) == 1200
    with pytest.raises(DataError, match="不是能识别的图片"):
        visits.record_visit(store, student_uuid=a, day="2026-11-10", teachers=[ids["head3"]], mode="入户走访",
                            photos=[b"not an image"], today=TODAY)


def test_corrections_are_new_versions(store):
    """Correcting a visit keeps the old version; reports see only the latest."""
    ids = school_with_calendar(store)
    a = student(store, "甲", 1)
    first = visits.record_visit(store, student_uuid=a, day="2026-11-10", teachers=[ids["head3"]], mode="电话",
                                problems="成绩下滑", photos=[photo(1)], today=TODAY)
    second = visits.correct_visit(store, first, problems="成绩下滑，父母离异", mode="入户走访")
    assert store.get("visits", first)["problems"] == "成绩下滑"
    new = visits.visit_details(store, second)
    assert (new["problems"], new["mode"], new["version"]) == ("成绩下滑，父母离异", "入户走访", 2)
    assert [v["version"] for v in new["versions"]] == [1, 2]
    assert len(new["attachments"]) == 1 and [s["name"] for s in new["students"]] == ["甲"]
    assert [v["uuid"] for v in visits.list_visits(store, student_uuid=a)] == [second]
    with pytest.raises(DataError, match="最新版本"):
        visits.correct_visit(store, first, problems="x")


def test_visit_rules(store):
    """Future dates, unknown modes, no teacher and follow-ups before the visit are refused."""
    ids = school_with_calendar(store)
    a = student(store, "甲", 1)
    common = dict(student_uuid=a, teachers=[ids["head3"]], today=TODAY)
    with pytest.raises(DataError, match="将来"):
        visits.record_visit(store, day="2026-12-01", mode="电话", **common)
    with pytest.raises(DataError, match="家访形式"):
        visits.record_visit(store, day="2026-11-01", mode="飞鸽传书", **common)
    with pytest.raises(DataError, match="跟进日期"):
        visits.record_visit(store, day="2026-11-01", mode="电话", followup_date="2026-10-01", **common)
    with pytest.raises(DataError, match="至少"):
        visits.record_visit(store, student_uuid=a, day="2026-11-01", mode="电话", teachers=[], today=TODAY)


def test_visit_photos_survive_backup_and_restore_byte_for_byte(store, tmp_path):
    """A backup carries the photos; restoring it gives back the same bytes."""
    ids = school_with_calendar(store)
    a = student(store, "甲", 1)
    pics = [photo(11), photo(12)]
    uid = visits.record_visit(store, student_uuid=a, day="2026-11-10", teachers=[ids["head3"]], mode="入户走访",
                              photos=pics, signature=signature(5), today=TODAY)
    path = backup_to(store, tmp_path / "U盘")
    store.conn.execute("DELETE FROM blobs")  # lose them
    assert verify_blobs(store)
    restore(store, path)
    got = {a["role"] + str(i): blob(store, a["sha256"]) for i, a in enumerate(visits.visit_details(store, uid)["attachments"])}
    assert sorted(got.values()) == sorted(pics + [signature(5)])
    assert verify_blobs(store) == []
