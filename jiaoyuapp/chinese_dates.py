"""Dates as Chinese documents write them (2026年12月02日).

Never `f"{day:%Y年%m月%d日}"`: on Windows, `strftime` hands the format to the C runtime, which
refuses the Chinese characters in it ("ValueError: Invalid format string", CPython gh-52551), so
every export that prints a date would fail on a school's PC while passing on Linux.
tests/test_chinese_dates.py keeps such formats out of the code.
"""

from __future__ import annotations

import datetime as dt


def long_date(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"
