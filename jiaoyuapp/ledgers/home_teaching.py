"""送教上门: each session (the teachers by name, hours, content, photos) and whether the case keeps
the frequency the province sets (sessions per month, a setting).

Rules used (the setting's default and help text follow them):
- 山东省教育厅等《关于开展义务教育阶段重度残疾儿童少年送教上门服务工作的意见》: 送教上门 is for
  重度残疾儿童少年 who cannot attend a 特殊教育学校 or 随班就读; 定期入户; 每周送教2次、每次3课时、
  每学年不少于216课时 (as reported at www.zxzsxfj.cn/JiaoYuXinWen/369091.html, found with the
  `search` tool, pages corpus).
- Many county plans (e.g. 晋江市's, cited at www.myrurgia.com/tejiaoxinwen/18865.html): 每月至少2次、
  每次不少于2课时 — the default here, since it is the lower bound most provinces share.
Only a child with a recorded disability may be taught at home (disability_proof.py). A month counts
toward the frequency only when the case was 送教上门 for the whole of it and the school calendar has
school days in it (寒暑假 months are not due).
"""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import disability_proof, settings
from jiaoyuapp.ledgers.attachments import store_image
from jiaoyuapp.ledgers.school_calendar import Calendar, as_date, happened
from jiaoyuapp.roster import cell_values as cv
from jiaoyuapp.roster.classes import class_label
from jiaoyuapp.store import Store

STATUS = "送教上门"
MAX_PHOTOS = 9


def add_session(store: Store, case_uuid: str, *, on, teachers: list, content: str, hours: float,
                photos: list[bytes] = (), actor: str = "") -> str:
    """One session. `teachers`: names, or {"name", "teacher_uuid"} dicts (several may go together)."""
    case = store.get("cases", case_uuid)
    if case is None:
        raise DataError("找不到这个控辍案件。")
    if case["status"] != STATUS:
        raise DataError("只有状态为“送教上门”的案件才登记送教记录。")
    disability_proof.require(store, case["student_uuid"], "送教上门")
    people = []
    for t in teachers or ():
        t = {"name": t} if isinstance(t, str) else dict(t)
        name = cv.compact(t.get("name") or "")
        if name and name not in [p["name"] for p in people]:
            people.append({"name": name, "teacher_uuid": t.get("teacher_uuid")})
    if not people:
        raise DataError("请写明送教教师的姓名（可以是几位老师一起去）。")
    content = (content or "").strip()
    if not content:
        raise DataError("请写明送教内容，如：生活自理训练、语文识字。")
    try:
        hours = float(hours)
    except (TypeError, ValueError):
        raise DataError("课时应为数字，如 2。") from None
    if not 0 < hours <= 12:
        raise DataError("课时应在0到12之间，如 2。")
    if len(photos) > MAX_PHOTOS:
        raise DataError(f"每次送教最多{MAX_PHOTOS}张照片，请挑选后再上传。")
    on = happened(on, "送教日期").isoformat()
    if on < case["opened_on"]:
        raise DataError(f"送教日期{on}早于案件登记日期{case['opened_on']}，请核对。")
    with store.write("home-teaching", actor, "登记送教上门") as w:
        uid = w.insert("home_teaching", {"case_uuid": case_uuid, "on_date": on,
                                         "teacher_uuid": people[0]["teacher_uuid"],
                                         "teacher_name": "、".join(p["name"] for p in people),
                                         "content": content, "hours": hours})
        for p in people:
            w.insert("home_teaching_teachers", {"session_uuid": uid, "teacher_uuid": p["teacher_uuid"],
                                                "name": p["name"]})
        for data in photos:
            att = store_image(store, w, data)
            w.insert("home_teaching_attachments", {"session_uuid": uid, "attachment_uuid": att})
    return uid


def sessions(store: Store, case_uuid: str) -> list[dict]:
    """Every session of a case, oldest first, with its teachers and photo attachments."""
    out = store.query("SELECT * FROM home_teaching WHERE case_uuid = ? ORDER BY on_date, created_at", (case_uuid,))
    for s in out:
        names = [r["name"] for r in store.query(
            "SELECT name FROM home_teaching_teachers WHERE session_uuid = ? ORDER BY created_at", (s["uuid"],))]
        s["teachers"] = names or [s["teacher_name"]]
        s["photos"] = store.query(
            "SELECT a.* FROM home_teaching_attachments h JOIN attachments a ON a.uuid = h.attachment_uuid "
            "WHERE h.session_uuid = ? ORDER BY h.created_at", (s["uuid"],))
    return out


def _start(store: Store, case_uuid: str) -> dt.date | None:
    on = store.scalar("SELECT max(on_date) FROM case_events WHERE case_uuid = ? AND to_status = ?", (case_uuid, STATUS))
    return dt.date.fromisoformat(on) if on else None


def _months(first: dt.date, last: dt.date):
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _month_end(y: int, m: int) -> dt.date:
    return (dt.date(y + 1, 1, 1) if m == 12 else dt.date(y, m + 1, 1)) - dt.timedelta(days=1)


def frequency(store: Store, case_uuid: str, *, today: dt.date | None = None,
              calendar: Calendar | None = None) -> dict | None:
    """For a case in 送教上门: sessions per month against the setting. `short` lists the complete
    months that had too few (overdue); `this_month` is the count so far. None for other cases."""
    case = store.get("cases", case_uuid)
    if case is None or case["status"] != STATUS:
        return None
    today = today or dt.date.today()
    need = settings.get_int(store, "home_teaching_per_month")
    start = _start(store, case_uuid) or dt.date.fromisoformat(case["opened_on"])
    cal = calendar or Calendar.load(store)
    counts: dict[tuple[int, int], int] = {}
    for (on,) in store.conn.execute("SELECT on_date FROM home_teaching WHERE case_uuid = ? AND on_date >= ?",
                                    (case_uuid, start.isoformat())):
        d = dt.date.fromisoformat(on)
        counts[(d.year, d.month)] = counts.get((d.year, d.month), 0) + 1
    short = []
    for y, m in _months(start, today):
        first, end = dt.date(y, m, 1), _month_end(y, m)
        if first < start or end >= today:      # not a whole month of 送教 yet, or not over yet
            continue
        if not cal.school_days(first, end):    # 寒暑假
            continue
        if counts.get((y, m), 0) < need:
            short.append({"month": f"{y}年{m}月", "count": counts.get((y, m), 0)})
    this_month = counts.get((today.year, today.month), 0)
    last = store.scalar("SELECT max(on_date) FROM home_teaching WHERE case_uuid = ?", (case_uuid,))
    return {"per_month": need, "since": start.isoformat(), "short": short, "overdue": bool(short),
            "this_month": this_month, "last": last}


def frequency_text(f: dict | None) -> str:
    if f is None:
        return ""
    text = f"要求每月至少送教{f['per_month']}次；本月已送教{f['this_month']}次"
    if f["last"]:
        text += f"，最近一次{f['last']}"
    if f["short"]:
        text += "。送教不足：" + "、".join(f"{s['month']}只有{s['count']}次" for s in f["short"])
    return text + "。"


def overdue_items(store: Store, *, today: dt.date | None = None) -> list[dict]:
    """首页: every 送教上门 case with a complete month below the frequency."""
    today = today or dt.date.today()
    cal = Calendar.load(store)
    out = []
    for c in store.query("SELECT c.uuid, c.student_uuid, s.name, s.grade, s.class_no FROM cases c JOIN students s "
                         "ON s.uuid = c.student_uuid WHERE c.status = ? ORDER BY s.grade, s.name", (STATUS,)):
        f = frequency(store, c["uuid"], today=today, calendar=cal)
        if f and f["overdue"]:
            out.append({"uuid": c["student_uuid"], "name": c["name"], "class": class_label(c["grade"], c["class_no"]),
                        "case_uuid": c["uuid"],
                        "detail": f"送教上门不足：每月应至少{f['per_month']}次，"
                                  + "、".join(f"{s['month']}只有{s['count']}次" for s in f["short"])})
    return out
