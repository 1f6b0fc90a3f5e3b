"""Terms, school days and holidays.

A school day is a weekday inside a term that is not a holiday, or a weekend day
marked as a make-up workday (调休). Defaults (two terms a year and the national
holidays in codes/data/holidays.tsv) are written once and then edited freely.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jiaoyuapp.codes import records
from jiaoyuapp.errors import DataError, UsageError
from jiaoyuapp.store import Store

MAX_GAP_DAYS = 120  # how far to look for the neighbouring school day (covers a summer break)


def as_date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"日期“{value}”应写成 2026-11-23 的样子。") from None


def happened(value, what: str, today: dt.date | None = None) -> dt.date:
    """The date of something recorded as done (an attempt, a step, a session, a 复核): not after today.
    A date ahead would count a step as done before it happened, and clear its overdue warning."""
    day = as_date(value)
    today = today or dt.date.today()
    if day > today:
        raise DataError(f"{what}{day.isoformat()}还没到（今天是{today.isoformat()}）：只能登记已经发生的事，请核对日期。")
    return day


def default_terms(year: int) -> list[tuple[str, dt.date, dt.date]]:
    """The school year starting in September of `year`: autumn and spring terms."""
    return [(f"{year}年秋季学期", dt.date(year, 9, 1), dt.date(year + 1, 1, 20)),
            (f"{year + 1}年春季学期", dt.date(year + 1, 2, 20), dt.date(year + 1, 7, 10))]


def school_year_of(day: dt.date) -> int:
    """The school year a day belongs to, named by the year it starts (September)."""
    return day.year if day.month >= 9 else day.year - 1


def year_view(store: Store, year: int) -> dict:
    """The terms and the special days (holidays, 调休 workdays) of one school year, for showing."""
    first, last = dt.date(year, 9, 1).isoformat(), dt.date(year + 1, 8, 31).isoformat()
    terms = store.query("SELECT * FROM terms WHERE start_date <= ? AND end_date >= ? ORDER BY start_date", (last, first))
    days = store.query("SELECT * FROM calendar_days WHERE day BETWEEN ? AND ? ORDER BY day", (first, last))
    for d in days:
        d["weekday"] = "一二三四五六日"[dt.date.fromisoformat(d["day"]).weekday()]
    return {"year": year, "terms": terms, "days": days}


def add_term(store: Store, name: str, start, end, actor: str = "") -> str:
    name = (name or "").strip()
    if not name:
        raise DataError("请填写学期名称，如“2026年秋季学期”。")
    if store.scalar("SELECT 1 FROM terms WHERE name = ?", (name,)):
        raise DataError(f"已经有名为“{name}”的学期，请换一个名称。")
    start, end = as_date(start), as_date(end)
    if end <= start:
        raise DataError("学期结束日期应晚于开始日期。")
    for t in store.query("SELECT name, start_date, end_date FROM terms"):
        if start.isoformat() <= t["end_date"] and end.isoformat() >= t["start_date"]:
            raise DataError(f"与已有学期“{t['name']}”（{t['start_date']}至{t['end_date']}）的日期重叠。")
    with store.write("term-add", actor, f"设置学期：{name}") as w:
        return w.insert("terms", {"name": name, "start_date": start.isoformat(), "end_date": end.isoformat()})


def remove_term(store: Store, ref: str, actor: str = "") -> None:
    """A term set up by mistake can go, as long as nothing (an aid record) is filed under it."""
    term = Calendar.load(store).term_named(ref)
    used = store.scalar("SELECT count(*) FROM aid_records WHERE term_uuid = ?", (term["uuid"],))
    if used:
        raise DataError(f"“{term['name']}”已有{used}条资助记录，不能删除。如日期有误，请改正后再新增学期。")
    with store.write("term-remove", actor, f"删除学期：{term['name']}") as w:
        w.delete("terms", term["uuid"])


def set_up_school_year(store: Store, year: int, actor: str = "") -> list[str]:
    """Default terms and holidays for one school year; days and terms already there are kept."""
    made = []
    have = store.query("SELECT name, start_date, end_date FROM terms")
    with store.write("calendar-defaults", actor, f"{year}学年默认校历"):
        for name, start, end in default_terms(year):
            if not any(t["name"] == name or (start.isoformat() <= t["end_date"] and end.isoformat() >= t["start_date"])
                       for t in have):
                made.append(add_term(store, name, start, end, actor))
        first, last = dt.date(year, 9, 1), dt.date(year + 1, 8, 31)
        known = {r[0] for r in store.conn.execute("SELECT day FROM calendar_days")}
        for h in records("holidays"):
            if first.isoformat() <= h["date"] <= last.isoformat() and h["date"] not in known:
                set_day(store, h["date"], "holiday", h["name"], actor)
    return made


def set_day(store: Store, day, kind: str, name: str | None = None, actor: str = "") -> None:
    """Mark a day as a holiday, or a weekend day as a make-up school day (调休)."""
    day = as_date(day).isoformat()
    if kind not in ("holiday", "workday"):
        raise UsageError("日期类型只能是 holiday（放假）或 workday（调休上课）。")
    if kind == "workday" and dt.date.fromisoformat(day).weekday() < 5:
        raise DataError(f"{day}是工作日，本来就上课。调休上课的日子应是周六或周日。")
    existing = store.scalar("SELECT uuid FROM calendar_days WHERE day = ?", (day,))
    with store.write("calendar-day", actor, f"校历：{day}") as w:
        if existing:
            w.update("calendar_days", existing, {"kind": kind, "name": name})
        else:
            w.insert("calendar_days", {"day": day, "kind": kind, "name": name})


def clear_day(store: Store, day, actor: str = "") -> None:
    existing = store.scalar("SELECT uuid FROM calendar_days WHERE day = ?", (as_date(day).isoformat(),))
    if existing:
        with store.write("calendar-day", actor, f"校历：恢复{day}") as w:
            w.delete("calendar_days", existing)


@dataclass
class Calendar:
    """A snapshot of the calendar for fast questions about many days."""

    terms: list[dict]
    holidays: set[dt.date]
    workdays: set[dt.date]

    @classmethod
    def load(cls, store: Store) -> "Calendar":
        terms = store.query("SELECT * FROM terms ORDER BY start_date")
        days = store.query("SELECT day, kind FROM calendar_days")
        return cls(terms, {dt.date.fromisoformat(d["day"]) for d in days if d["kind"] == "holiday"},
                   {dt.date.fromisoformat(d["day"]) for d in days if d["kind"] == "workday"})

    def term_of(self, day: dt.date) -> dict | None:
        iso = day.isoformat()
        for t in self.terms:
            if t["start_date"] <= iso <= t["end_date"]:
                return t
        return None

    def term_named(self, ref: str) -> dict:
        for t in self.terms:
            if ref in (t["uuid"], t["name"]):
                return t
        raise UsageError(f"没有学期“{ref}”。已有学期：{'、'.join(t['name'] for t in self.terms) or '（无）'}")

    def why_not_school_day(self, day: dt.date) -> str | None:
        if self.term_of(day) is None:
            return "不在任何学期内（寒暑假，或尚未设置学期）"
        if day in self.workdays:
            return None
        if day in self.holidays:
            return "是节假日"
        if day.weekday() >= 5:
            return "是周末"
        return None

    def is_school_day(self, day: dt.date) -> bool:
        return self.why_not_school_day(day) is None

    def school_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        out, d = [], start
        while d <= end:
            if self.is_school_day(d):
                out.append(d)
            d += dt.timedelta(days=1)
        return out

    def neighbour(self, day: dt.date, step: int) -> dt.date | None:
        """The previous (step=-1) or next (step=1) school day, if one is near."""
        d = day
        for _ in range(MAX_GAP_DAYS):
            d += dt.timedelta(days=step)
            if self.is_school_day(d):
                return d
        return None

    def last_school_days(self, end: dt.date, n: int) -> list[dt.date]:
        """The n school days up to and including `end` (fewer if the calendar runs out)."""
        days = [end] if self.is_school_day(end) else []
        d = end
        while len(days) < n:
            d = self.neighbour(d, -1)
            if d is None:
                break
            days.append(d)
        return sorted(days)
