"""Opening a school database with the full schema: the entry point for the CLI and the window."""

from __future__ import annotations

from pathlib import Path

from jiaoyuapp.errors import NotFoundError
from jiaoyuapp.schema import school_schema
from jiaoyuapp.store import Store, open_store


def open_school(path: str | Path, *, create: bool = True, stop_before: str | None = None) -> Store:
    return open_store(path, school_schema(), create=create, stop_before=stop_before)


def school_info(store: Store) -> dict | None:
    rows = store.query("SELECT * FROM school ORDER BY created_at LIMIT 1")
    return rows[0] if rows else None


def require_school(store: Store) -> dict:
    info = school_info(store)
    if info is None:
        raise NotFoundError("这个数据库还没有登记学校信息。请先运行：jiaoyu init --school-code … --school-name …")
    return info
