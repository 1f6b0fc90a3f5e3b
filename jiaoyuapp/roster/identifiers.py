"""Identifiers: 居民身份证号 (GB 11643), 全国学籍号 (G/J/L), phone numbers.

Each check returns None when the value is fine, or a Chinese message saying
what is wrong and what to do.
"""

from __future__ import annotations

import datetime as dt
import re
from operator import mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


_ASCII_ZERO = ord("0") * sum(WEIGHTS)


def id_check_char(first17: str) -> str:
    if len(first17) == 17 and first17.isascii():   # the bytes weighed, less what the "0"s add: 3× faster
        total = sum(map(mul, first17.encode(), WEIGHTS)) - _ASCII_ZERO
    else:                   # other Unicode digits (\d matches them), as int() reads them
        total = sum(map(mul, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


def id_birth_date(id_number: str) -> dt.date | None:
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def id_sex(id_number: str) -> str:
    """'1' 男 or '2' 女, from the 17th digit (odd is male)."""
    return "1" if int(id_number[16]) % 2 else "2"


def check_id_number(id_number: str) -> str | None:
    if not _ID_SHAPE.match(id_number):
        if len(id_number) == 15 and id_number.isdigit():
            return "这是15位的旧身份证号，请改为18位居民身份证号"
        return (f"身份证件号应为18位（17位数字加1位数字或X），这里是{len(id_number)}位，请核对后重新填写")
    if id_birth_date(id_number) is None:
        return "身份证件号中的出生日期（第7–14位）不是有效日期，请核对"
    if id_number[17] != id_check_char(id_number[:17]):
        return "身份证件号校验位不对（最后一位应与前17位相符），多半是抄错了某一位，请对照户口本核对"
    return None


def check_student_no(student_no: str, id_number: str | None = None) -> str | None:
    """全国学籍号: G + 身份证号; J + 18 chars with their own check; L (temporary) is not checked."""
    if len(student_no) != 19 or student_no[0] not in "GJL":
        return "全国学籍号应为19位：G、J或L开头，后接18位，请按学籍系统中的号码填写"
    body = student_no[1:]
    if student_no[0] == "L":
        return None if re.match(r"^[0-9A-Z]{18}$", body) else "临时学籍号（L开头）后18位只能是数字或字母"
    if not _ID_SHAPE.match(body):
        return "全国学籍号G或J后应为17位数字加1位数字或X，请核对"
    if body[17] != id_check_char(body[:17]):
        return "全国学籍号的校验位不对，请对照学籍系统核对"
    return None


def check_phone(phone: str) -> str | None:
    """Mobiles must be 11 digits starting 13–19; landlines (区号-号码) are accepted."""
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return None
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("1"):
        return f"手机号应为11位、以13–19开头，这里有{len(digits)}位数字，请核对"
    return "电话号码格式不对：手机号写11位，固定电话写“区号-号码”"
