"""Opening a school database with the full schema: the entry point for the CLI and the window."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from jiaoyuapp.errors import NotFoundError
from jiaoyuapp.schema import school_schema
from jiaoyuapp.store import Store, open_store


def open_school(path: str | Path, *, create: bool = True, stop_before: str | None = None) -> Store:
    store = open_store(path, school_schema(), create=create, stop_before=stop_before)
    if stop_before is None:
        try:
            _after_upgrade(store)
        except BaseException:
            store.close()
            raise
    return store


def _after_upgrade(store: Store) -> None:
    """School data an upgrade adds, written as any change is (a migration itself changes no data)."""
    if store.scalar("SELECT 1 FROM aid_programs WHERE means_tested IS NULL OR in_kind IS NULL "
                    "OR pilot_only IS NULL LIMIT 1"):
        from jiaoyuapp.ledgers.aid import complete_program_rules
        complete_program_rules(store)


def school_info(store: Store) -> dict | None:
    rows = store.query("SELECT * FROM school ORDER BY created_at LIMIT 1")
    return rows[0] if rows else None


def require_school(store: Store) -> dict:
    info = school_info(store)
    if info is None:
        raise NotFoundError("这个数据库还没有登记学校信息（学校名称和学校标识码）。请先登记学校。", todo="school")
    return info


def plain_name(name) -> bool:
    """A school's name as people write it: no control or invisible formatting characters (which
    could disguise it on screen or in a terminal), not blank, not longer than any school's name.
    (Nothing on disk is ever named after it, so punctuation is harmless.)"""
    if not isinstance(name, str) or not 0 < len(name) <= 60 or name != name.strip():
        return False
    return not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for ch in name)


SCHOOL_TYPES = {"小学": 6, "教学点": 6, "初中": 9, "九年一贯制": 9, "完全中学": 12, "高中": 12}


def init_school(store: Store, *, code: str, name: str, township: str = "", county: str = "",
                school_type: str | None = None, top_grade: int | None = None, actor: str = "") -> dict:
    """Register the school this database belongs to (once)."""
    from jiaoyuapp.errors import DataError, UsageError
    code = "".join((code or "").split())
    if not (len(code) == 10 and code.isdigit()):
        raise UsageError("学校标识码应为10位数字（见学籍系统“学校信息”），请核对后重新输入。")
    if not name.strip():
        raise UsageError("请填写学校名称。")
    if not plain_name(name.strip()):
        raise UsageError("学校名称最多60个字，且不能含有控制字符等不可见的字符。请按学籍系统中的学校名称填写。")
    if school_type is None:
        school_type = "初中" if ("中学" in name or "初中" in name) else "小学"
    if school_type not in SCHOOL_TYPES:
        raise UsageError(f"学校类型应为：{'、'.join(SCHOOL_TYPES)}")
    top_grade = top_grade or SCHOOL_TYPES[school_type]
    existing = school_info(store)
    values = {"code": code, "name": name.strip(), "township": township.strip(), "county": county.strip(),
              "school_type": school_type, "top_grade": top_grade}
    if existing is not None:
        if existing["code"] != code:
            raise DataError(f"这个数据库已登记为“{existing['name']}”（标识码{existing['code']}），"
                            "不能改成另一所学校。请为另一所学校另建一个数据库文件。", todo="new_database")
        with store.write("school-update", actor, "修改学校信息") as w:
            w.update("school", existing["uuid"], values)
    else:
        with store.write("school-init", actor, "登记学校") as w:
            w.insert("school", values)
    return require_school(store)
