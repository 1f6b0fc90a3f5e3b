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
        mode = rng.choice(MODES)
        met = _met(store, s["uuid"], rng)
        visits.record_visit(
            store, student_uuid=s["uuid"], day=day, teachers=[head.get((s["grade"], s["class_no"]), staff[0])],
            mode=mode, met_name=met[0], met_relation=met[1], location=_place(store, s["uuid"], mode),
            participants=rng.choice((None, None, "村委会干部", "科任教师")),
            home_situation=rng.choice(SITUATIONS), school_behaviour="遵守纪律，学习认真" if rng.random() < 0.7 else "上课注意力不集中",
            policies=POLICIES, parent_opinion="支持学校工作", problems=rng.choice(PROBLEMS), measures=rng.choice(MEASURES),
            followup_plan="再次家访了解情况" if follow else None, followup_date=follow,
            photos=[rng.choice(pictures)] if with_photo else [],
            signature=rng.choice(signatures) if with_photo and visits.takes_signature(mode) else None,
            actor=actor, today=today)
        counts["visits"] += 1
    counts["visits"] += _home_visit_rules_demo(store, students, head, staff[0], days, rng, pictures, signatures,
                                               actor, today)

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
    # cases opened by hand come in the term's first month (children not back after the holidays),
    # so a later month without a new case shows the 一月一报告's 零报告
    first_month = [d for d in days if (d.year, d.month) == (days[0].year, days[0].month)] or days[:1]
    for i, s in enumerate(others[:n_more]):
        story = STORIES[i % len(STORIES)]
        opened = rng.choice(first_month)
        case = cases.open_case(store, s["uuid"], on=opened, reason=rng.choice(("学习困难", "外出打工", "监护缺失", "经济困难")),
                               actor=actor)
        _escalation_start(store, case, opened, rng, actor)
        _play(store, case, story, opened, days, rng, actor)
    _escalation_demo(store, days, rng, actor)
    _placement_cases(store, days, today, staff, pictures, rng, actor)
    counts["cases"] = store.scalar("SELECT count(*) FROM cases")

    counts["aid"] = _demo_aid(store, rng, days, actor)
    counts["case_reports"] = _case_reports(store, today, actor)
    return counts


def _met(store: Store, student_uuid: str, rng: random.Random) -> tuple[str | None, str]:
    """The 受访人: the first guardian on the roster, else a relative by relation only."""
    g = store.query("SELECT name, relation FROM guardians WHERE student_uuid = ? AND name IS NOT NULL "
                    "ORDER BY position LIMIT 1", (student_uuid,))
    if g:
        return g[0]["name"], g[0]["relation"] or "监护人"
    return None, rng.choice(("父亲", "母亲", "祖母", "祖父"))


def _place(store: Store, student_uuid: str, mode: str) -> str:
    """Where the visit happened: the home for 入户, the school for 到校约谈, 电话/视频 say so."""
    if mode == "入户走访":
        s = store.get("students", student_uuid)
        return s["current_address"] or s["home_address"] or "学生家中"
    return {"到校约谈": "学校办公室", "电话": "电话联系", "视频": "微信视频"}.get(mode, "")


def _home_visit_rules_demo(store: Store, students: list[dict], head: dict, fallback: str, days: list[dt.date],
                           rng: random.Random, pictures: list[bytes], signatures: list[bytes], actor: str,
                           today: dt.date) -> int:
    """The 家访 rules at work (issue 12): a student who is NOT a priority student visited at home with a
    photo and the parent's signature (so the folder shows evidence outside the 一生一档 pages), and
    a priority student reached only by phone and video this term, who stays on 首页's
    "本学年未入户家访" list. Returns the number of visits added."""
    from jiaoyuapp.ledgers.coverage import priority_reasons
    priority = priority_reasons(store)
    plain = [s for s in students if s["uuid"] not in priority]
    keen = [s for s in students if s["uuid"] in priority]
    rng.shuffle(plain)
    rng.shuffle(keen)
    added = 0
    if plain:
        s = plain[0]
        met = _met(store, s["uuid"], rng)
        visits.record_visit(
            store, student_uuid=s["uuid"], day=days[-1], teachers=[head.get((s["grade"], s["class_no"]), fallback)],
            mode="入户走访", met_name=met[0], met_relation=met[1], location=_place(store, s["uuid"], "入户走访"),
            participants="村委会干部", home_situation="家庭务农，收入一般", school_behaviour="遵守纪律，学习认真",
            policies=POLICIES, parent_opinion="支持学校工作", problems="无明显问题", measures="班主任重点关注",
            photos=[pictures[0], pictures[-1]], signature=signatures[0], actor=actor, today=today)
        added += 1
    home_visited = {r[0] for r in store.conn.execute(
        "SELECT vs.student_uuid FROM current_visits v JOIN visit_students vs ON vs.visit_uuid = v.uuid "
        "WHERE v.mode = '入户走访'")}
    for s in [k for k in keen if k["uuid"] not in home_visited][:1]:
        met = _met(store, s["uuid"], rng)
        for mode in ("电话", "视频"):
            visits.record_visit(
                store, student_uuid=s["uuid"], day=rng.choice(days), mode=mode,
                teachers=[head.get((s["grade"], s["class_no"]), fallback)], met_name=met[0], met_relation=met[1],
                location=_place(store, s["uuid"], mode), problems="父母在外务工，需入户了解情况",
                measures="约定下周入户家访", actor=actor, today=today)
            added += 1
    return added


def _case_reports(store: Store, today: dt.date, actor: str) -> int:
    """辍学学生情况报告表 sent: the first confirmed case's report signed and sent to the 乡镇 and the 县,
    the next one's to the 乡镇 only (still due at the 县). Months without a new case show as 零报告."""
    from jiaoyuapp.ledgers import case_reports
    confirmed = store.query("SELECT case_uuid, min(on_date) AS day FROM case_events WHERE to_status = '确认辍学' "
                            "GROUP BY case_uuid ORDER BY day LIMIT 2")
    principal = case_reports.principal(store)
    for n, c in enumerate(confirmed):
        day = dt.date.fromisoformat(c["day"])
        case_reports.record_sent(store, c["case_uuid"], signed_by=principal, signed_on=day,
                                 township_on=min(today, day + dt.timedelta(days=1)),
                                 county_on=min(today, day + dt.timedelta(days=3)) if n == 0 else None,
                                 today=today, actor=actor)
    return len(confirmed)


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
    [("确认辍学", {}), "attempt", ("已复学", {"placement": "插班就读"})],
    [("确认辍学", {}), ("休学", {})],
    [("确认辍学", {}), "attempt", "attempt", ("已复学", {"placement": "插班就读"})],
)                                                         # 送教上门 and 已销号: _placement_cases


def _play(store: Store, case: str, story, opened: dt.date, days: list[dt.date], rng: random.Random, actor: str) -> None:
    later = [d for d in days if d > opened] or [opened]
    step = max(1, len(later) // (len(story) + 1))
    for n, item in enumerate(story):
        on = later[min(len(later) - 1, (n + 1) * step - 1)]
        if item == "attempt":
            nxt = on + dt.timedelta(days=rng.randint(3, 14))
            cases.add_attempt(store, case, on=on, people=_attempt_people(store, case), method=rng.choice(("电话", "家访", "联合走访")),
                              action="讲解义务教育法，了解困难", result=rng.choice(("家长答应督促返校", "学生仍不愿返校")),
                              next_date=nxt, actor=actor)
        elif item == "teach":
            cases.add_home_teaching(store, case, on=on, teacher="班主任", content="语文识字、数学计算", hours=2, actor=actor)
        else:
            to, extra = item
            cases.move(store, case, to, on=on, actor=actor, **extra)


# -- 控辍 escalation (issue 12): both lines of 包保 named, steps done on time or late, evidence --------
def _adult(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(ADULT_GIVEN) + rng.choice(ADULT_GIVEN)


def _government_line(store: Store, case: str, rng: random.Random, actor: str) -> None:
    """Every demo case names a 村 (or 居委会) cadre and a 乡镇 leader, with phones."""
    if store.scalar("SELECT 1 FROM case_people WHERE case_uuid = ? AND line = '政府线'", (case,)):
        return
    cases.add_person(store, case, role=rng.choice(("村委会", "村委会", "居委会")), name=_adult(rng),
                     phone=f"137{rng.randrange(10**7, 10**8)}", actor=actor)
    cases.add_person(store, case, role="乡镇领导", name=_adult(rng), phone=f"136{rng.randrange(10**7, 10**8)}",
                     actor=actor)


def _attempt_people(store: Store, case: str) -> list[tuple[str, str]]:
    """The case's class head (or principal) and its 村 cadre, by role and name, for an attempt."""
    people = store.query("SELECT role, name, line FROM case_people WHERE case_uuid = ? AND line != '家长' "
                         "ORDER BY line DESC, role", (case,))
    school = [(p["role"], p["name"]) for p in people if p["line"] == "教育线"][:1]
    village = [(p["role"], p["name"]) for p in people if p["role"] in ("村委会", "居委会")][:1]
    return (school + village) or [("班主任", "班主任")]


def _escalation_start(store: Store, case: str, opened: dt.date, rng: random.Random, actor: str) -> None:
    """The government line named and the family contacted on the first day, as the procedure asks
    (later steps are often missing: 首页 shows them overdue, as do the cases the absence rule opened)."""
    _government_line(store, case, rng, actor)
    cases.add_attempt(store, case, on=opened, people=_attempt_people(store, case)[:1],
                      method=rng.choice(("电话", "家访")), step="联系家长", action="电话联系家长，了解未到校原因",
                      result="家长答应督促返校", actor=actor)


def _escalation_demo(store: Store, days: list[dt.date], rng: random.Random, actor: str) -> None:
    """Cases the absence rule opened get their government line too; one open case goes through every
    step with its evidence (a photo of the joint visit, a signed 承诺书, the 通知书's receipt)."""
    for c in store.query("SELECT uuid FROM cases ORDER BY opened_on, created_at"):
        _government_line(store, c["uuid"], rng, actor)
    _absent_while_out(store, days, actor)
    case = store.query("SELECT uuid, opened_on FROM cases WHERE status IN ('疑似辍学', '劝返中') "   # 确认辍学 stays shown
                       "ORDER BY status = '劝返中' DESC, opened_on, created_at LIMIT 1")
    if not case:
        return
    uid, opened = case[0]["uuid"], dt.date.fromisoformat(case[0]["opened_on"])
    later = [d for d in days if d >= opened][:12] or [opened]
    people = _attempt_people(store, uid)
    township = [(p["role"], p["name"]) for p in store.query(
        "SELECT role, name FROM case_people WHERE case_uuid = ? AND role = '乡镇领导'", (uid,))]
    plan = [("联系家长", "家访", people[:1], [], later[0]),
            ("联合走访", "联合走访", people, [("照片", _picture(rng))], later[min(3, len(later) - 1)]),
            ("限期返校通知书", "书面通知", people[:1] + township, [("通知书", _picture(rng, 360, 480)),
                                                              ("承诺书", _picture(rng, 360, 480))],
             later[min(6, len(later) - 1)])]
    done = {step for (step,) in store.conn.execute("SELECT step FROM attempts WHERE case_uuid = ?", (uid,))}
    for step, method, who, evidence, on in plan:
        if step not in done:
            cases.add_attempt(store, uid, on=on, people=who, method=method, step=step,
                              action="讲解义务教育法，签订返校承诺书" if evidence else "入户了解情况",
                              result="家长承诺按期送孩子返校", evidence=evidence, actor=actor)


def _absent_while_out(store: Store, days: list[dt.date], actor: str) -> None:
    """A child out of school is marked 无故 absent every school day until back, verified or closed,
    so a hand-opened case has its own unexcused days to count (and 考勤 agrees with the 控辍 ledger)."""
    seen = set(store.conn.execute("SELECT student_uuid, day FROM absences").fetchall())
    rows = []
    for c in store.query("SELECT c.*, (SELECT min(on_date) FROM case_events e WHERE e.case_uuid = c.uuid "
                         "AND e.to_status IN ('已核实', '已复学', '休学', '送教上门', '已销号')) AS back FROM cases c "
                         "WHERE c.source = '手工登记'"):
        end = c["back"] or days[-1].isoformat()
        for d in days:
            iso = d.isoformat()
            if c["opened_on"] <= iso < end and (c["student_uuid"], iso) not in seen:
                seen.add((c["student_uuid"], iso))
                rows.append({"student_uuid": c["student_uuid"], "day": iso, "kind": "无故", "recorded_by": "班主任"})
    with store.write("demo-absences", actor) as w:
        w.insert_many("absences", rows)


def _placement_cases(store: Store, days: list[dt.date], today: dt.date, staff: list[str], pictures: list[bytes],
                     rng: random.Random, actor: str) -> None:
    """送教上门 for two children with a recorded disability (one kept at the monthly frequency, one
    short of it), a returnee closed after the set school days back, a transfer closed on a 就读证明,
    and the county's quarterly 复核 on each (issue 12)."""
    from jiaoyuapp.ledgers import case_closing, case_review, disability_proof, home_teaching, settings
    free = [s for s in store.query("SELECT uuid, id_number, grade, class_no FROM students WHERE status = '在读' "
                                   "ORDER BY uuid") if not cases.open_case_of(store, s["uuid"])]
    rng.shuffle(free)
    if len(free) < 4 or len(days) < 30:
        return
    names = [store.get("teachers", t)["name"] for t in staff]

    def opened(s: dict, on: dt.date, reason: str) -> str:
        case = cases.open_case(store, s["uuid"], on=on, reason=reason, actor=actor)
        village = rng.choice(SURNAMES) + "主任"
        cases.add_person(store, case, role="村委会", name=village, phone="13900000001", actor=actor)
        cases.add_attempt(store, case, on=on, people=[("班主任", names[1 % len(names)]), ("村委会", village)],
                          method="家访", step="联系家长", action="了解情况，讲解义务教育法", actor=actor)
        return case

    reviewed = []
    for n, s in enumerate(free[:2]):       # 送教上门: severe disability, certificate and assessment
        disability_proof.record(store, s["uuid"], disability_type=("肢体", "智力")[n], cert_no=f"{s['id_number'] or n}4{n + 1}",
                                assessed_on=days[1], assessed_by="县残疾儿童少年入学评估专家委员会",
                                assessment="重度残疾，不能到校就读，建议送教上门", actor=actor)
        case = opened(s, days[2], "身体原因")
        cases.move(store, case, "确认辍学", on=days[3], actor=actor)
        cases.move(store, case, "送教上门", on=days[4], note="经评估不能到校，家长申请送教上门", actor=actor)
        per_month = settings.get_int(store, "home_teaching_per_month")
        teaching = [d for d in days if d > days[4]]
        months = sorted({(d.year, d.month) for d in teaching})
        for y, m in months:
            in_month = [d for d in teaching if (d.year, d.month) == (y, m)]
            short = n == 1 and (y, m) == months[-2] if len(months) > 1 else False
            for d in in_month[::max(1, len(in_month) // per_month)][:1 if short else per_month]:
                home_teaching.add_session(store, case, on=d, teachers=[names[1 % len(names)], names[0]], hours=2,
                                          content=rng.choice(("生活自理训练、认识数字", "康复训练、看图识字",
                                                              "语文识字、数学计算")),
                                          photos=[rng.choice(pictures)], actor=actor)
        reviewed.append(case)

    back = free[2]                        # 插班就读, closed after the set number of school days in school
    case = opened(back, days[0], "学习困难")
    cases.move(store, case, "确认辍学", on=days[1], actor=actor)
    if store.get("cases", case)["status"] == "确认辍学":
        cases.add_attempt(store, case, on=days[1], people=[("校长", names[0])] + [
            (p["role"], p["name"]) for p in store.query("SELECT role, name FROM case_people WHERE case_uuid = ? "
                                                        "AND line = '政府线'", (case,))[:1]],
            method="联合走访", step="联合走访", result="家长答应送孩子返校", actor=actor)
    cases.move(store, case, "已复学", on=days[2], placement="插班就读", actor=actor)
    row = store.get("cases", case)
    for d in days[3:]:
        if case_closing.days_in_school(store, row, d)["days"] >= settings.get_int(store, "close_after_school_days"):
            cases.close(store, case, outcome="已复学", on=d, confirmed_by=names[0], actor=actor)
            break
    reviewed.append(case)

    moved = free[3]                       # 转学, closed on the other school's 就读证明
    case = opened(moved, days[5], "其他")
    cases.move(store, case, "已核实", on=days[6], finding="转学", note="家长电话告知已随父母到县城就读", actor=actor)
    case_closing.add_proof(store, case, rng.choice(pictures), note="县实验小学出具的就读证明", actor=actor)
    cases.close(store, case, outcome="转学", on=days[8], confirmed_by=names[0], actor=actor)
    from jiaoyuapp.roster import school_year
    with store.write("demo-absences", actor) as w:   # gone: no more absences recorded here
        for r in store.query("SELECT uuid FROM absences WHERE student_uuid = ? AND day > ?",
                             (moved["uuid"], days[8].isoformat())):
            w.delete("absences", r["uuid"])
    school_year.transfer_out(store, moved["uuid"], to_school="县实验小学", day=days[8], actor=actor)
    reviewed.append(case)

    quarter = [d for d in days if (d.month - 1) // 3 == (today.month - 1) // 3 and d.year == today.year]
    for case in reviewed:
        when = quarter[len(quarter) // 2] if quarter else days[-1]
        if when.isoformat() >= store.get("cases", case)["opened_on"]:
            case_review.record_review(store, case, on=when, reviewer="县教体局基教股 " + rng.choice(SURNAMES) + "股长",
                                      result=case_review.RESULTS[0], today=today, actor=actor)
