"""A term of synthetic ledgers for a demo school: teachers, the calendar, home visits with
generated photos, absences (some runs open cases by the real rule), cases at every status
with their histories, and aid — so every report has something real to show.
Synthetic people and pictures only."""

from __future__ import annotations

import datetime as dt
import io
import random

from PIL import Image, ImageDraw

from jiaoyuapp.ledgers import absences, aid, aid_rules, cases, school_calendar, teachers, visits
from jiaoyuapp.ledgers.school_calendar import Calendar
from jiaoyuapp.roster.demo import ADULT_GIVEN, SURNAMES
from jiaoyuapp.roster.roster_rows import school_year_start
from jiaoyuapp.store import Store

MODES = ("入户走访", "入户走访", "入户走访", "电话", "视频", "到校约谈")
SITUATIONS = ("父母在外务工，由祖辈照看", "家庭务农，收入一般", "单亲家庭，母亲在镇上打零工", "家庭和睦，重视教育",
              "父亲患病，家庭困难", "新建住房，生活改善")
PROBLEMS = ("作业完成不及时", "沉迷手机", "与同学交往少", "学习基础薄弱", "无明显问题", "留守，缺少陪伴")
MEASURES = ("每周电话沟通一次", "安排学习伙伴", "落实资助政策", "班主任重点关注", "联系心理老师谈心")
POLICIES = "义务教育法、控辍保学政策、学生资助政策、营养改善计划"


def _picture(rng: random.Random, w: int = 480, h: int = 360) -> bytes:
    img = Image.new("RGB", (w, h), (rng.randrange(120, 220), rng.randrange(140, 220), rng.randrange(120, 200)))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, h * 2 // 3, w, h], fill=(rng.randrange(80, 140), rng.randrange(100, 160), 60))
    x = rng.randrange(40, w - 200)
    draw.rectangle([x, h // 3, x + 160, h * 2 // 3], fill=(200, 190, 170))
    draw.polygon([(x - 10, h // 3), (x + 80, h // 6), (x + 170, h // 3)], fill=(140, 60, 50))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70)
    return out.getvalue()


def _signature(rng: random.Random) -> bytes:
    img = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(15 + i * 14, 50 + rng.randint(-30, 30)) for i in range(20)], fill=(0, 0, 0, 255), width=3)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def fill_term(store: Store, **options) -> dict:
    """Fill the current term up to `today` with synthetic ledgers, in one transaction; returns counts."""
    with store.write("demo-ledgers", options.get("actor", "演示数据"), "演示台账"):
        return _fill(store, **options)


def _fill(store: Store, *, seed: int = 1, today: dt.date | None = None, visits_per_student: float = 0.9,
          absences_per_student: float = 6, cases_share: float = 0.03, photo_share: float = 0.3,
          pictures: int = 12, actor: str = "演示数据") -> dict:
    rng = random.Random(seed)
    today = today or dt.date.today()
    year = school_year_start(today).year
    school_calendar.set_up_school_year(store, year, actor=actor)
    cal = Calendar.load(store)
    term = cal.term_of(today) or cal.terms[0]
    start = dt.date.fromisoformat(term["start_date"])
    end = min(today, dt.date.fromisoformat(term["end_date"]))
    days = cal.school_days(start, end)
    if not days:
        return {}
    aid.ensure_default_programs(store, actor=actor)
    classes = store.query("SELECT DISTINCT grade, class_no FROM students WHERE status = '在读' ORDER BY grade, class_no")
    staff = [teachers.add_teacher(store, rng.choice(SURNAMES) + "校长", "校长", "13800000000", actor=actor)]
    for c in classes:
        name = rng.choice(SURNAMES) + rng.choice(ADULT_GIVEN) + rng.choice(ADULT_GIVEN)
        label = f"{c['grade']}年级{c['class_no']}班"
        staff.append(teachers.add_teacher(store, name, "班主任", f"139{rng.randrange(10**7, 10**8)}",
                                          classes=[label], actor=actor))
    head = {(c["grade"], c["class_no"]): staff[i + 1] for i, c in enumerate(classes)}
    students = store.query("SELECT uuid, grade, class_no, household_uuid FROM students WHERE status = '在读'")
    counts = {"teachers": len(staff), "visits": 0, "absences": 0, "cases": 0, "aid": 0}

    # Home visits: one per household mostly, some twice; photos for a share of them.
    homes: dict[str, dict] = {}
    for s in students:
        homes.setdefault(s["household_uuid"] or s["uuid"], s)
    target = int(len(students) * visits_per_student)
    pictures = [_picture(rng) for _ in range(pictures)]
    signatures = [_signature(rng) for _ in range(4)]
    chosen = list(homes.values())
    rng.shuffle(chosen)
    reached = chosen[:max(1, int(len(chosen) * 0.85))]  # some homes are still waiting for their visit
    for i in range(target):
        s = reached[i] if i < len(reached) else rng.choice(reached)
        day = rng.choice(days)
        follow = day + dt.timedelta(days=rng.randint(7, 40)) if rng.random() < 0.3 else None
        with_photo = rng.random() < photo_share
        visits.record_visit(
            store, student_uuid=s["uuid"], day=day, teachers=[head.get((s["grade"], s["class_no"]), staff[0])],
            mode=rng.choice(MODES), met_name=None, met_relation=rng.choice(("父亲", "母亲", "祖母", "祖父")),
            home_situation=rng.choice(SITUATIONS), school_behaviour="遵守纪律，学习认真" if rng.random() < 0.7 else "上课注意力不集中",
            policies=POLICIES, parent_opinion="支持学校工作", problems=rng.choice(PROBLEMS), measures=rng.choice(MEASURES),
            followup_plan="再次家访了解情况" if follow else None, followup_date=follow,
            photos=[rng.choice(pictures)] if with_photo else [], signature=rng.choice(signatures) if with_photo else None,
            actor=actor, today=today)
        counts["visits"] += 1

    # Absences: mostly excused single days; a few unexcused runs that open cases by the rule.
    n_abs = int(len(students) * absences_per_student)
    runs = max(1, int(len(students) * cases_share / 2))
    runners = rng.sample(students, min(runs, len(students)))
    with store.write("demo-absences", actor, "演示缺课记录"):
        for s in runners:
            begin = rng.randrange(0, max(1, len(days) - 4))
            for d in days[begin:begin + 3]:
                absences.record_absence(store, s["uuid"], d, "无故", calendar=cal, actor=actor)
                counts["absences"] += 1
        # Excused days never trigger the rule, so they go in as one bulk write.
        seen = set(store.conn.execute("SELECT student_uuid, day FROM absences").fetchall())
        rows = []
        wanted = min(n_abs - counts["absences"], len(students) * len(days) // 2)
        while len(rows) < wanted:
            s, d = rng.choice(students), rng.choice(days).isoformat()
            if (s["uuid"], d) not in seen:
                seen.add((s["uuid"], d))
                rows.append({"student_uuid": s["uuid"], "day": d, "kind": rng.choice(("病假", "病假", "事假")),
                             "recorded_by": "班主任"})
        with store.write("demo-absences", actor) as w:
            w.insert_many("absences", rows)
        counts["absences"] += len(rows)

    # Cases at every status, with attempt histories.
    others = [s for s in students if not cases.open_case_of(store, s["uuid"])]
    rng.shuffle(others)
    n_more = max(len(STORIES), int(len(students) * cases_share) - runs)
    for i, s in enumerate(others[:n_more]):
        story = STORIES[i % len(STORIES)]
        opened = days[rng.randrange(0, max(1, len(days) // 2))]
        case = cases.open_case(store, s["uuid"], on=opened, reason=rng.choice(("学习困难", "外出打工", "监护缺失", "经济困难")),
                               actor=actor)
        _play(store, case, story, opened, days, rng, actor)
    counts["cases"] = store.scalar("SELECT count(*) FROM cases")

    counts["aid"] = _demo_aid(store, rng, days, actor)
    return counts


def _demo_aid(store: Store, rng: random.Random, days: list[dt.date], actor: str) -> int:
    """资助 as the rules have it (aid_rules.py): every pupil has the meal subsidy (a 试点 school); poor
    boarders mostly have their 生活补助 with the 认定, 公示 and 领取人 recorded; of the poor non-boarders of
    the four groups only about a third have the half-rate 生活补助 — the others got only meals and are
    what 应助未助 shows."""
    n = 0
    programs = {p["code"]: p for p in aid.offered_programs(store)}
    if "YYGS" in programs:
        for (uid,) in store.conn.execute("SELECT uuid FROM students WHERE status = '在读'").fetchall():
            aid.give_aid(store, uid, "YYGS", paid_on=days[-1], actor=actor)
            n += 1
    guardians = dict(store.conn.execute("SELECT student_uuid, name FROM guardians WHERE position = 1"))
    recognized = days[min(4, len(days) - 1)]
    published = days[min(9, len(days) - 1)]
    later = [d for d in days if d >= published] or [days[-1]]
    students = store.query(f"SELECT {', '.join(aid_rules.STUDENT_COLUMNS)} FROM students s "
                           f"WHERE status = '在读' AND ({aid.ELIGIBLE} OR needs_aid = 1)")
    levels, pilot = aid.school_levels(store), aid.is_pilot(store)
    for s in students:
        code = {"小学": "LJBZ-XX", "初中": "LJBZ-CZ", "高中": "GZZXJ"}.get(aid_rules.level_of(s["grade"]) or "")
        prog = programs.get(code)
        if prog is None or not aid_rules.judge(prog, s, school_levels=levels, pilot=pilot).ok:
            continue
        if rng.random() > (0.85 if s["boarding"] == "2" or code == "GZZXJ" else 0.35):
            continue
        aid.give_aid(store, s["uuid"], code, paid_on=rng.choice(later), method="银行卡",
                     hardship=rng.choice(("特别困难", "比较困难", "比较困难", "一般困难")), recognized_on=recognized,
                     published_on=published, receiver=guardians.get(s["uuid"]), actor=actor)
        n += 1
    return n


STORIES = (
    [],                                                   # stays 疑似辍学
    [("已核实", {"finding": "在外地就读"})],
    [("确认辍学", {})],
    [("确认辍学", {}), "attempt", "attempt"],              # 劝返中, may be overdue
    [("确认辍学", {}), "attempt", ("已复学", {"placement": "随班就读"})],
    [("确认辍学", {}), ("送教上门", {}), "teach", "teach"],
    [("确认辍学", {}), ("休学", {})],
    [("确认辍学", {}), "attempt", "attempt", ("已复学", {"placement": "随班就读"}),
     ("已销号", {"outcome": "已复学", "confirmed_by": "校长"})],
)


def _play(store: Store, case: str, story, opened: dt.date, days: list[dt.date], rng: random.Random, actor: str) -> None:
    later = [d for d in days if d > opened] or [opened]
    step = max(1, len(later) // (len(story) + 1))
    for n, item in enumerate(story):
        on = later[min(len(later) - 1, (n + 1) * step - 1)]
        if item == "attempt":
            nxt = on + dt.timedelta(days=rng.randint(3, 14))
            cases.add_attempt(store, case, on=on, people="班主任、村委会干部", method=rng.choice(("电话", "家访", "联合走访")),
                              action="讲解义务教育法，了解困难", result=rng.choice(("家长答应督促返校", "学生仍不愿返校")),
                              next_date=nxt, actor=actor)
        elif item == "teach":
            cases.add_home_teaching(store, case, on=on, teacher="班主任", content="语文识字、数学计算", hours=2, actor=actor)
        else:
            to, extra = item
            cases.move(store, case, to, on=on, actor=actor, **extra)
