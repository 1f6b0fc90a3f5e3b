"""The figures of the 统计汇总 sheet and the folder's summary page, from the core's own reports."""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.errors import DataError
from jiaoyuapp.ledgers import aid, coverage
from jiaoyuapp.roster.summary import summary
from jiaoyuapp.store import Store


def figures(store: Store, today: dt.date) -> list[tuple[str, list[tuple[str, object]]]]:
    """Sections of (label, value) pairs."""
    s = summary(store)
    sections = [("学生", [("学生总数", s["students"]), ("在读", s["in_school"]), ("班级数", s["classes"]),
                          ("家庭户数", s["households"])] + [(f"{k}（人）", v) for k, v in s["by_status"].items()]
                 + [(f"{k}（在读）", v) for k, v in s["by_grade"].items()]),
                ("重点关注学生（在读）", [(k, v) for k, v in s["flags"].items()])]
    try:
        cov = coverage.coverage(store, today=today)
        sections.append((f"家访（{cov['term']}）", [
            ("应访学生", cov["students"]), ("已访学生", cov["visited"]),
            ("覆盖率", f"{cov['visited'] / cov['students']:.1%}" if cov["students"] else "—"),
            ("尚需家访（含重点学生第二次）", len(cov["due"])), ("跟进逾期", len(cov["followups"]["overdue"])),
            (f"{cov['school_year']}已入户家访（电话、视频不计）", cov["home_visited"]),
            (f"{cov['school_year']}尚未入户家访", len(cov["no_home_visit"]))]
            + [(f"{c['class']}入户覆盖率", f"{c['coverage']:.0%}") for c in cov["by_class"]]))
        totals = aid.totals(store, today=today)
        sections.append((f"资助（{totals['term']}）", [(p["name"], f"{p['students']}人，{p['amount']:g}元")
                                                    for p in totals["programs"]]
                         + [("合计金额（元）", totals["amount"]),
                            ("应助未助（人）", len(aid.unaided(store, today=today)["students"]))]))
    except DataError:
        sections.append(("家访与资助", [("说明", "尚未设置学期，暂无统计")]))
    statuses = store.query("SELECT status, count(*) AS n FROM cases GROUP BY status ORDER BY status")
    sections.append(("控辍保学案件", [(r["status"], r["n"]) for r in statuses] +
                     [("案件合计", sum(r["n"] for r in statuses))]))
    return sections
