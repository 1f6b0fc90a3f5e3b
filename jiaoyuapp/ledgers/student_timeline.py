"""One student's story in date order: visits, absences, cases with every step and attempt, and aid.

The window's 学生档案 shows it; it is reading only, so it holds no rules.
"""

from __future__ import annotations

from jiaoyuapp.store import Store


def timeline(store: Store, student_uuid: str) -> list[dict]:
    """Items {date, kind, text, ref} newest first; `ref` is the visit or case uuid to open."""
    items = []
    for v in store.query("SELECT v.* FROM current_visits v WHERE v.uuid IN "
                         "(SELECT visit_uuid FROM visit_students WHERE student_uuid = ?)", (student_uuid,)):
        met = f"，见到{v['met_name']}（{v['met_relation'] or ''}）" if v["met_name"] else ""
        text = f"{v['mode']}{met}" + (f"；问题：{v['problems']}" if v["problems"] else "") + (
            f"；措施：{v['measures']}" if v["measures"] else "")
        items.append({"date": v["day"], "kind": "家访", "text": text, "ref": v["uuid"]})
    for a in store.query("SELECT day, kind, note FROM absences WHERE student_uuid = ?", (student_uuid,)):
        items.append({"date": a["day"], "kind": "缺课", "text": a["kind"] + (f"：{a['note']}" if a["note"] else ""),
                      "ref": None})
    for c in store.query("SELECT uuid FROM cases WHERE student_uuid = ?", (student_uuid,)):
        for e in store.query("SELECT * FROM case_events WHERE case_uuid = ?", (c["uuid"],)):
            step = f"{e['from_status']} → {e['to_status']}" if e["from_status"] else (e["to_status"] or "")
            items.append({"date": e["on_date"], "kind": f"控辍·{e['kind']}",
                          "text": step + (f"（{e['by_name']}）" if e["by_name"] else "") + (f"：{e['note']}" if e["note"] else ""),
                          "ref": c["uuid"]})
        for t in store.query("SELECT * FROM attempts WHERE case_uuid = ?", (c["uuid"],)):
            items.append({"date": t["on_date"], "kind": "劝返",
                          "text": f"{t['method']}，{t['people']}" + (f"；结果：{t['result']}" if t["result"] else ""),
                          "ref": c["uuid"]})
        for h in store.query("SELECT * FROM home_teaching WHERE case_uuid = ?", (c["uuid"],)):
            items.append({"date": h["on_date"], "kind": "送教上门",
                          "text": f"{h['teacher_name']}：{h['content']}（{h['hours']:g}课时）", "ref": c["uuid"]})
    for r in store.query("SELECT r.paid_on, r.amount, p.name FROM aid_records r JOIN aid_programs p "
                         "ON p.uuid = r.program_uuid WHERE r.student_uuid = ?", (student_uuid,)):
        items.append({"date": r["paid_on"], "kind": "资助", "text": f"{r['name']} {r['amount']:g}元", "ref": None})
    items.sort(key=lambda i: i["date"] or "", reverse=True)
    return items
