"""Identifier rules: a wrong check character must never slip into the roster."""

import pytest

from jiaoyuapp.roster.identifiers import check_id_number, check_phone, check_student_no, id_check_char

from tests.workbooks import make_id


def test_gb11643_known_valid_number():
    """The standard's own example passes; changing any digit fails."""
    assert check_id_number("11010519491231002X") is None
    assert id_check_char("11010519491231002") == "X"
    assert "校验位" in check_id_number("110105194912310021")
    assert "出生日期" in check_id_number("110105194913310028")
    assert "18位" in check_id_number("1101051949123100")
    assert "15位" in check_id_number("110105491231002")


@pytest.mark.parametrize("prefix,ok", [("G", True), ("J", True), ("L", True)])
def test_student_numbers_checked_for_g_and_j_only(prefix, ok):
    """G and J numbers carry a check character; temporary L numbers do not."""
    good = make_id("20180305", 11)
    assert check_student_no(prefix + good) is None
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    assert (check_student_no(prefix + bad) is None) == (prefix == "L")
    assert "19位" in check_student_no("G123")
    assert check_student_no("X" + good) is not None


def test_phones():
    """Mobiles are 11 digits starting 13-19; landlines with an area code are accepted."""
    assert check_phone("13800138000") is None
    assert check_phone("0831-1234567") is None
    assert "11位" in check_phone("1380013800")
    assert check_phone("12800138000") is not None
    assert check_phone("abc") is not None
