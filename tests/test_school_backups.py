"""The core behind the window's backup, 升级 and 新增学生 screens, without the window: chosen backup
folders remembered and listed beside the automatic backups, a preview of what a backup holds, a
restore that refuses another school's; the 升级 preview by class and a cancelled 升级; students added
by hand without costing an automatic backup each, and never over a student already there."""

from __future__ import annotations

import pytest

from jiaoyuapp import school_backups
from jiaoyuapp.errors import CancelledError, DataError
from jiaoyuapp.roster import school_year
from jiaoyuapp.roster.students import add_student
from jiaoyuapp.school import init_school, open_school
from jiaoyuapp.store.backups import auto_backup
from tests.workbooks import make_id


def _add(store, name, seq, cls="三年级1班"):
    uid, _ = add_student(store, {"姓名": name, "身份证件号": make_id("20180305", seq), "班级": cls})
    return uid


def test_chosen_folders_are_listed_with_the_automatic_backups(store, tmp_path):
    """If this fails, the backup screen forgets the stick a school backed up to, or mixes in other files."""
    _add(store, "甲", 1)
    auto = auto_backup(store, "升级前")
    stick = tmp_path / "U盘" / "学校数据备份"
    made = school_backups.backup_school(store, stick)
    (stick / "别的文件.db").write_bytes(b"x")                   # not a backup of this database
    found = school_backups.list_backups(store)
    assert {(b["path"], b["kind"]) for b in found["backups"]} == {(auto, "自动"), (made, "手动")}
    assert next(b for b in found["backups"] if b["kind"] == "自动")["reason"] == "升级前"
    assert found["missing"] == []
    for p in stick.iterdir():
        p.unlink()
    stick.rmdir()                                              # the stick is pulled out
    found = school_backups.list_backups(store)
    assert [b["kind"] for b in found["backups"]] == ["自动"] and found["missing"] == [str(stick.resolve())]


def test_preview_counts_and_restore_of_this_schools_backup(store, tmp_path):
    """If this fails, a principal restores without knowing what comes back, or the restore keeps later work."""
    _add(store, "甲", 1)
    backup = school_backups.backup_school(store, tmp_path / "备份")
    late = _add(store, "乙", 3)
    preview = school_backups.backup_preview(store, backup)
    assert preview["school"] == {"code": "5101230001", "name": "青石镇红岩村小学"}
    counts = {c["label"]: (c["backup"], c["current"]) for c in preview["counts"]}
    assert counts["在读学生"] == (1, 2) and counts["家访记录"] == (0, 0)
    safety = school_backups.restore_school_backup(store, backup)
    assert store.get("students", late) is None and safety and "恢复前" in safety


@pytest.mark.parametrize("folder", ["备份#2", "进度50%A", "U盘 备份?旧"])
def test_a_backup_in_a_folder_with_uri_characters_is_previewed_and_restored(store, tmp_path, folder):
    """A stick folder named 备份#2 or 进度50%A holds a valid backup: it is not refused as "not a backup"."""
    _add(store, "甲", 1)
    backup = school_backups.backup_school(store, tmp_path / folder)
    _add(store, "乙", 3)
    assert school_backups.backup_preview(store, backup)["school"]["code"] == "5101230001"
    school_backups.restore_school_backup(store, backup)
    assert store.scalar("SELECT count(*) FROM students") == 1


def test_another_schools_backup_is_refused(store, tmp_path):
    """If this fails, one school's backup can overwrite another school's data."""
    other = open_school(tmp_path / "邻校.db")
    init_school(other, code="5101230099", name="大坪小学")
    _add(other, "丙", 5)
    foreign = school_backups.backup_school(other, tmp_path / "邻校备份")
    other.close()
    _add(store, "甲", 1)
    for call in (school_backups.backup_preview, school_backups.restore_school_backup):
        with pytest.raises(DataError, match="大坪小学.*不能恢复到这里"):
            call(store, foreign)
    assert store.scalar("SELECT name FROM students") == "甲"


def test_rollover_preview_by_class_and_a_cancelled_rollover_changes_nothing(store):
    """If this fails, the 升级 preview misnames a class, or a stopped 升级 leaves half the school moved up."""
    _add(store, "三甲", 1, "三年级2班")
    _add(store, "六甲", 3, "六年级1班")
    preview = school_year.rollover_preview(store)
    assert [(c["from"], c["to"], c["names"]) for c in preview.classes] == [
        ("三年级2班", "四年级2班", ["三甲"]), ("六年级1班", "毕业", ["六甲"])]
    assert not preview.done_this_year and preview.warning() == ""
    with pytest.raises(CancelledError):
        school_year.apply_rollover(store, cancel=lambda: True)
    assert sorted(r["grade"] for r in store.query("SELECT grade FROM students")) == [3, 6]
    seen = []
    school_year.apply_rollover(store, progress=lambda d, t, s="": seen.append(s))
    assert "完成" in seen
    again = school_year.rollover_preview(store)
    assert again.done_this_year and "已经升级过" in again.warning()


def test_adding_students_by_hand_keeps_the_automatic_backups(store):
    """If this fails, a morning of adding children one by one pushes the backup taken before the 升级 out."""
    _add(store, "甲", 1)
    before = auto_backup(store, "升级前")
    for i in range(12):
        _add(store, f"学生{i}", 11 + 2 * i)
    assert [b["path"] for b in school_backups.list_backups(store)["backups"]] == [before]


def test_adding_a_student_already_on_the_roster_changes_nothing(store):
    """If this fails, typing a child in twice overwrites the first record with the second's values."""
    uid = _add(store, "甲", 1)
    with pytest.raises(DataError, match="已在花名册中"):
        add_student(store, {"姓名": "甲乙", "身份证件号": make_id("20180305", 1), "班级": "四年级2班"})
    s = store.get("students", uid)
    assert (s["name"], s["grade"], s["class_no"]) == ("甲", 3, "1")


def test_read_only_addresses_of_windows_drives_and_network_shares():
    """A backup on D:\\备份#2 or on the township's share \\\\中心校\\备份 gets an address SQLite reads as that file."""
    from pathlib import PureWindowsPath

    from jiaoyuapp.store.read_only import uri_for
    assert uri_for(PureWindowsPath(r"D:\备份#2\a.db").as_posix()) == "file:///D:/%E5%A4%87%E4%BB%BD%232/a.db?mode=ro"
    assert uri_for(PureWindowsPath(r"\\中心校\备份\a.db").as_posix()).startswith("file:////%E4%B8%AD")
