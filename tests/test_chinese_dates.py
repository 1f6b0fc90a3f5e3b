"""Dates with Chinese in their format break on Windows (CPython gh-52551: the C runtime's strftime
refuses "%Y年"): every one goes through jiaoyuapp.chinese_dates instead."""

import datetime as dt
import re
from pathlib import Path

from jiaoyuapp.chinese_dates import long_date

ROOT = Path(__file__).resolve().parent.parent
# a format spec (after ':' in an f-string field, or a strftime/strptime argument) with a CJK character
CJK_FORMAT = re.compile(r"\{[^{}]*:[^{}]*%[^{}]*[\u3000-\u9fff][^{}]*\}|strftime\([^)]*[\u3000-\u9fff]")


def test_long_date_reads_as_chinese_documents_write_it():
    assert long_date(dt.date(2026, 3, 5)) == "2026年03月05日"


def test_no_date_format_holds_chinese_characters():
    found = [f"{path.relative_to(ROOT)}:{n}" for folder in ("jiaoyuapp", "ui") for path in (ROOT / folder).rglob("*.py")
             if path.name != "chinese_dates.py"   # its docstring shows the form to avoid
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if CJK_FORMAT.search(line)]
    assert found == []
