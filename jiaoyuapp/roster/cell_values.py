"""Turning messy spreadsheet cells into clean values.

Each parser takes a raw cell value and returns the clean value, or raises
`CellError` with a Chinese message saying what is wrong and what to do.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from jiaoyuapp.codes import CodeTable

EXCEL_EPOCH = dt.date(1899, 12, 30)
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


class CellError(ValueError):
    """A cell that cannot be used; the message tells the user what to do."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(raw) -> str | None:
    """Full-width to half-width, trimmed, inner runs of spaces folded to one, invisible control
    characters (pasted in with the text) left out; empty → None."""
    if raw is None:
        return None
    if type(raw) is str:
        s = raw
    elif isinstance(raw, float) and raw.is_integer():
        s = str(int(raw))
    else:
        s = str(raw)
    if not s.isascii():  # ASCII is already NFKC: the common case skips the call
        s = unicodedata.normalize("NFKC", s)
    if not s.isprintable():  # only then can there be a control character to leave out
        s = _CONTROL.sub("", s)
    s = " ".join(s.split())
    if s.startswith("'"):
        s = s[1:].strip()
    return s or None


def prose(raw) -> str | None:
    """Free text as the teacher wrote it: trimmed, Chinese punctuation (，。；（）) and line breaks
    kept, invisible control characters left out."""
    if raw is None:
        return None
    s = _CONTROL.sub("", str(raw)).strip()
    return s or None


def compact(raw) -> str | None:
    """Text with every space removed: names (张  三 → 张三), numbers, codes."""
    s = text(raw)
    return s.replace(" ", "") if s else None


def chinese_number(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if not s or any(ch not in _CN_DIGITS for ch in s):
        return None
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGITS[s[1]]
    if len(s) == 2 and s.endswith("十"):
        return _CN_DIGITS[s[0]] * 10
    if len(s) == 3 and s[1] == "十":
        return _CN_DIGITS[s[0]] * 10 + _CN_DIGITS[s[2]]
    return _CN_DIGITS[s] if len(s) == 1 else None


def identifier(raw, what: str) -> str | None:
    """An ID-like number that must come as text. A number cell of 16+ digits was
    rounded by Excel to 15 significant digits: the real digits are gone."""
    if raw is None:
        return None
    if type(raw) is str and raw.isascii() and raw.isalnum():   # the usual 18 digits: already clean
        return raw.upper()
    if isinstance(raw, bool):
        raise CellError(f"{what}不能是“是/否”")
    if isinstance(raw, (int, float)):
        digits = len(str(int(raw))) if raw == raw and abs(raw) < 1e30 else 99
        if digits >= 16 or (isinstance(raw, float) and not raw.is_integer()):
            raise CellError(
                f"{what}在Excel里被存成了数字，已被四舍五入成15位有效数字（后几位变成了0），无法还原。"
                "请在原表中把这一列设为“文本”格式、重新填写或从学籍系统重新导出后再导入")
        return str(int(raw))
    s = compact(raw)
    return s.upper() if s else None


def date(raw, what: str = "日期") -> dt.date | None:
    """20140901, 2014-09-01, 2014.9.1, 2014/9/1, 2014年9月1日, a date cell or an Excel serial."""
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        n = int(raw)
        if 19000101 <= n <= 21001231:
            return _ymd(str(n), what)
        if 1 <= n < 80000:
            return EXCEL_EPOCH + dt.timedelta(days=n)
        raise CellError(f"{what}“{raw}”看不懂，请写成20140901或2014-09-01的样子")
    s = compact(raw)
    if not s:
        return None
    if re.fullmatch(r"\d{8}", s):
        return _ymd(s, what)
    m = re.fullmatch(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?", s)
    if m:
        return _ymd(m.group(1) + m.group(2).zfill(2) + m.group(3).zfill(2), what)
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ].*", s)
    if m:
        return _ymd(m.group(1).replace("-", ""), what)
    raise CellError(f"{what}“{s}”看不懂，请写成20140901、2014-09-01或2014年9月1日的样子")


def _ymd(s: str, what: str) -> dt.date:
    try:
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        raise CellError(f"{what}“{s}”不是真实存在的日期，请核对") from None


def year_month(raw, what: str = "入学年月") -> str | None:
    """202009, 2020-09, 2020.9, 2020年9月, or a full date → "2020-09". A year alone (2020, 2020年:
    what a sheet's 入学年份 column holds) is September of that year, when the school year starts."""
    if raw is None:
        return None
    if isinstance(raw, (dt.date, dt.datetime)):
        return f"{raw.year:04d}-{raw.month:02d}"
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        n = int(raw)
        if 1900 <= n <= 2100 and n == raw:
            return f"{n:04d}-09"
        if 1900 <= n <= 2100:   # 2023.9 typed in a 常规 cell: Excel keeps the number 2023.9
            s = repr(float(raw)).replace(".", "年", 1)
            if s.endswith("年1"):   # 2023.1 is January, or October typed as 2023.10: the cell cannot say
                raise CellError(f"{what}“{raw}”可能是1月，也可能是10月（Excel把2023.10存成了2023.1），"
                                "请写成202310或2023-10的样子")
        elif 190001 <= n <= 210012:
            s = str(n)
        elif 19000101 <= n <= 21001231 or 10000 <= n < 80000:   # a date, or its Excel serial (1927–2118)
            d = date(raw, what)
            return f"{d.year:04d}-{d.month:02d}"
        else:
            raise CellError(f"{what}“{raw}”看不懂，请写成202009或2020-09的样子")
    else:
        s = compact(raw)
        if not s:
            return None
    year_only = re.fullmatch(r"(\d{4})年?", s)
    if year_only and 1900 <= int(year_only.group(1)) <= 2100:
        return f"{year_only.group(1)}-09"
    m = re.fullmatch(r"(\d{4})(\d{2})", s) or re.fullmatch(r"(\d{4})[-./年](\d{1,2})月?", s)
    if not m:
        if re.fullmatch(r"\d{8}", s) or re.fullmatch(r"\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?", s):
            d = date(s, what)
            return f"{d.year:04d}-{d.month:02d}"
        raise CellError(f"{what}“{s}”看不懂，请写成202009或2020-09的样子")
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise CellError(f"{what}“{s}”的月份不对，请核对")
    return f"{year:04d}-{month:02d}"


def code(raw, table: CodeTable, what: str) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    found = table.code(raw)
    if found is None:
        shown = "、".join(table.labels()[:8])
        more = "等" if len(table.labels()) > 8 else ""
        raise CellError(f"{what}“{text(raw)}”不在代码表中，请填写代码或名称（如：{shown}{more}）")
    return found


def grade_and_class(grade_raw, class_raw, grades: CodeTable) -> tuple[int | None, str | None]:
    """年级 and 班级 in the forms schools write: 三年级/3/初一, 1班/(1)班/一班/1, or both in
    the class cell (三年级(1)班)."""
    grade = None
    if grade_raw is not None and text(grade_raw):
        found = grades.code(grade_raw)
        if found is None:
            g = compact(grade_raw)
            num = chinese_number(g.removesuffix("年级")) if g else None
            if num is None or str(num) not in grades.codes():
                raise CellError(f"年级“{text(grade_raw)}”看不懂，请写成“三年级”或“3”")
            found = str(num)
        grade = int(found)
    cls = compact(class_raw)
    if not cls:
        return grade, None
    m = re.match(r"^(.+?年级|初[一二三]|高[一二三])(.*)$", cls)
    if m:
        in_cell = grades.code(m.group(1))
        if in_cell is None:
            num = chinese_number(m.group(1).removesuffix("年级"))
            in_cell = str(num) if num is not None else None
        if in_cell is None:
            raise CellError(f"班级“{cls}”中的年级看不懂，请写成“三年级1班”的样子")
        if grade is not None and int(in_cell) != grade:
            raise CellError(f"班级“{cls}”写的年级与“年级”列（{grades.label(str(grade))}）不一致，请核对")
        grade = int(in_cell)
        cls = m.group(2)
    inner = re.sub(r"[()（）班]", "", cls)
    num = chinese_number(inner)
    return grade, (str(num) if num is not None else cls)
