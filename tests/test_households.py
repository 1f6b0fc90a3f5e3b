"""Siblings at the same school form one household, so one home visit covers them all."""

import pytest

from jiaoyuapp.errors import DataError
from jiaoyuapp.roster import households
from jiaoyuapp.roster.roster_import import import_roster
from jiaoyuapp.store import changelog
from tests.workbooks import TODAY, make_id, save

HEADER = ["姓名", "身份证件号", "班级", "家庭住址", "监护人姓名", "监护人电话", "监护人身份证号"]
MOTHER_ID = make_id("19880101", 22)


def home_of(store, name):
    return store.scalar("SELECT household_uuid FROM students WHERE name = ?", (name,))


def test_siblings_linked_by_guardian_phone_id_or_address(store, tmp_path):
    """Shared guardian ID, shared guardian phone, or same address with the same guardian name link siblings."""
    save([HEADER,
          ["大哥", make_id("20160101", 1), "五年级1班", "红岩村1组", "王母", "13800000001", MOTHER_ID],
          ["二妹", make_id("20180101", 2), "三年级1班", "红岩村1组", "王母", None, MOTHER_ID],
          ["三弟", make_id("20200101", 3), "一年级1班", "红岩村一组", "王母", "13800000001", None],
          ["邻居", make_id("20180202", 4), "三年级1班", "红岩村1组", "李婶", "13900000009", None],
          ["堂弟", make_id("20190303", 5), "二年级1班", "红岩村1组", "王母", None, None]],
         tmp_path / "h.xlsx")
    assert import_roster(store, tmp_path / "h.xlsx", today=TODAY).problems == []
    assert home_of(store, "大哥") == home_of(store, "二妹") == home_of(store, "三弟") == home_of(store, "堂弟")
    assert home_of(store, "邻居") != home_of(store, "大哥")


def test_a_later_sibling_joins_the_existing_household(store, tmp_path):
    """A child added in a later import joins the household of the sibling already there."""
    save([HEADER, ["大哥", make_id("20160101", 1), "五年级1班", "红岩村1组", "王母", "13800000001", None]],
         tmp_path / "1.xlsx")
    import_roster(store, tmp_path / "1.xlsx", today=TODAY)
    save([HEADER, ["小妹", make_id("20200101", 2), "一年级1班", "石桥村", "王母", "13800000001", None]],
         tmp_path / "2.xlsx")
    import_roster(store, tmp_path / "2.xlsx", today=TODAY)
    assert home_of(store, "小妹") == home_of(store, "大哥")
    assert store.scalar("SELECT count(*) FROM households") == 1


def test_merge_and_split_are_edits_in_the_log(store, tmp_path):
    """A principal can join two children into one household and split one out again."""
    save([HEADER,
          ["甲", make_id("20160101", 1), "五年级1班", "红岩村1组", "张父", "13800000001", None],
          ["乙", make_id("20180101", 2), "三年级1班", "石桥村", "刘母", "13800000002", None]], tmp_path / "m.xlsx")
    import_roster(store, tmp_path / "m.xlsx", today=TODAY)
    a, b = (store.scalar("SELECT uuid FROM students WHERE name = ?", (n,)) for n in ("甲", "乙"))
    assert home_of(store, "甲") != home_of(store, "乙")
    households.merge(store, [a, b], actor="校长")
    assert home_of(store, "甲") == home_of(store, "乙")
    households.split(store, b)
    assert home_of(store, "甲") != home_of(store, "乙")
    with pytest.raises(DataError):
        households.merge(store, [a])
    assert changelog.verify(store) == []
    assert store.scalar("SELECT count(*) FROM change_log WHERE tbl = 'students' AND op = 'update'") == 2
