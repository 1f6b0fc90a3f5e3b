"""The county's quarterly 复核 of each case: the 教体局 (or the township on its behalf) re-checks every
case once a quarter — still open, or closed since — and the school records when, by whom, and what
they found (domain notes: 控辍保学, "the county re-checks quarterly (季度复核), and the 复核 is recorded").
"""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers.school_calendar import happened
from jiaoyuapp.store import Store

RESULTS = ("情况属实，措施到位", "情况属实，需整改", "情况不符，需重新核实")


def quarter_of(day: dt.date) -> str:
    return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"


def record_review(store: Store, case_uuid: str, *, on, reviewer: str, result: str, note: str | None = None,
                  today: dt.date | None = None, actor: str = "") -> str:
    case = store.get("cases", case_uuid)
    if case is None:
        raise DataError("找不到这个控辍案件。")
    reviewer, result = (reviewer or "").strip(), (result or "").strip()
    if not reviewer:
        raise DataError("请写明复核人（姓名和单位，如：县教体局 张科长）。")
    if not result:
        raise DataError(f"请写明复核结果，如：{'、'.join(RESULTS)}。")
    day = happened(on, "复核日期", today)
    if day.isoformat() < case["opened_on"]:
        raise DataError(f"复核日期{day.isoformat()}早于案件登记日期{case['opened_on']}，请核对。")
    with store.write("case-review", actor, "登记季度复核") as w:
        return w.insert("case_reviews", {"case_uuid": case_uuid, "on_date": day.isoformat(), "reviewer": reviewer,
                                         "result": result, "note": (note or "").strip() or None})


def reviews(store: Store, case_uuid: str) -> list[dict]:
    rows = store.query("SELECT * FROM case_reviews WHERE case_uuid = ? ORDER BY on_date, created_at", (case_uuid,))
    for r in rows:
        r["quarter"] = quarter_of(dt.date.fromisoformat(r["on_date"]))
    return rows


def reviewed_this_quarter(store: Store, case_uuid: str, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    first = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return bool(store.scalar("SELECT count(*) FROM case_reviews WHERE case_uuid = ? AND on_date BETWEEN ? AND ?",
                             (case_uuid, first.isoformat(), today.isoformat())))


def review_text(store: Store, case_uuid: str, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    rows = reviews(store, case_uuid)
    head = f"{quarter_of(today)}{'已' if reviewed_this_quarter(store, case_uuid, today) else '尚未'}复核"
    if rows:
        last = rows[-1]
        head += f"；最近一次：{last['on_date']} {last['reviewer']}，{last['result']}"
    return head + "。"
