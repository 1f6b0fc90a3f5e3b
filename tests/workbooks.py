"""Builders of roster workbooks for tests: the tidy 学籍 export, and the messy ones real
schools send. Synthetic people only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from jiaoyuapp.roster.identifiers import id_check_char
from jiaoyuapp.roster.roster_export import write_roster


def make_id(born: str, seq: int, region: str = "510123") -> str:
    """A valid synthetic 居民身份证号 for a birth date YYYYMMDD; odd seq = male."""
    body = f"{region}{born}{seq:03d}"
    return body + id_check_char(body)


def save(rows: list[list], path: Path, merges: list[str] = (), number_formats: dict | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学生名单"
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    for ref, fmt in (number_formats or {}).items():
        ws[ref].number_format = fmt
    wb.save(path)
    return path


def xueji_workbook(path: Path, students: list[dict], title: str | None = "学生基础信息") -> Path:
    """The student-status system's export: a title row, then every template header."""
    write_roster(path, students, title)
    return path


TODAY = dt.date(2026, 11, 22)
