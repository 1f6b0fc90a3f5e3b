"""`jiaoyu` commands for the ledgers: teachers, calendar, absences, visits, cases, aid, reports."""

from __future__ import annotations

import datetime as dt

from jiaoyuapp.cli import case_placement_options
from jiaoyuapp.cli.chinese_argparse import integer, number
from jiaoyuapp.cli.common import STUDENT, Commands, as_of, as_of_option, output, student_ref
from jiaoyuapp.errors import DataError, NotFoundError
from jiaoyuapp.ledgers import (absences, aid, aid_rules, attention, cases, coverage, home_teaching, school_calendar,
                               settings, teachers, visits)
from jiaoyuapp.ledgers.attachments import read_file
from jiaoyuapp.roster.classes import class_label

VISIT_OPTIONS = (  # option, field, help
    ("--location", "location", "家访地点"), ("--participants", "participants", "参与人员"),
    ("--met", "met_name", "受访人姓名（见到或通话的家长/监护人）"), ("--relation", "met_relation", "受访人与学生关系"),
    ("--situation", "home_situation", "家庭基本情况"), ("--school-behaviour", "school_behaviour", "学生在校表现"),
    ("--home-behaviour", "home_behaviour", "在家表现"), ("--policies", "policies", "宣讲政策"),
    ("--opinion", "parent_opinion", "家长意见与建议"), ("--problems", "problems", "发现问题"),
    ("--measures", "measures", "帮扶措施"), ("--plan", "followup_plan", "后续跟进计划"),
    ("--followup-date", "followup_date", "跟进日期"), ("--note", "note", "备注"),
)
CASE = "案件编号，或学生（该生只有一件在案案件时）"


def register(commands: Commands) -> None:
    t = commands.group(commands.add("teacher", "登记教师", cmd_teacher))
    p = t.add("add", "新增教师")
    p.add_argument("--name", required=True, metavar="姓名", help="教师姓名")
    p.add_argument("--role", default="任课教师", metavar="职务", help="校长/副校长/班主任/任课教师/其他")
    p.add_argument("--phone", metavar="电话", help="联系电话")
    p.add_argument("--class", dest="classes", action="append", default=[], metavar="班级",
                   help="担任班主任的班级（可重复）")
    p = t.add("set", "修改教师信息")
    p.add_argument("teacher", metavar="教师", help="教师姓名或编号")
    p.add_argument("--name", metavar="姓名", help="新的姓名")
    p.add_argument("--role", metavar="职务", help="新的职务")
    p.add_argument("--phone", metavar="电话", help="新的联系电话")
    p.add_argument("--left", action="store_true", help="已调离（停用，保留其记录）")
    commands.add("teachers", "教师名单", cmd_teachers)

    c = commands.group(commands.add("calendar", "校历：学期、节假日、调休", cmd_calendar))
    p = c.add("defaults", "按默认设置一个学年的学期和节假日")
    p.add_argument("--year", type=integer, metavar="年份", help="学年开始的年份（默认本学年）")
    p = c.add("term-add", "新增学期")
    p.add_argument("name", metavar="学期名称", help="如 2026-2027学年第一学期")
    p.add_argument("start", metavar="开始日期", help="如 2026-09-01")
    p.add_argument("end", metavar="结束日期", help="如 2027-01-20")
    for name, text in (("holiday", "设为放假"), ("workday", "设为调休上课")):
        p = c.add(name, text)
        p.add_argument("date", metavar="日期", help="如 2026-10-01")
        p.add_argument("--name", metavar="名称", help="节日或调休的名称，如 国庆节")
    p = c.add("clear", "恢复为普通日期")
    p.add_argument("date", metavar="日期", help="如 2026-10-01")
    c.add("show", "查看校历")

    p = commands.add("settings", "查看或修改设置（阈值、频次、风险权重）", cmd_settings)
    p.add_argument("key", nargs="?", metavar="设置项", help="设置项的名称（不填列出全部）")
    p.add_argument("value", nargs="?", type=number, metavar="值", help="新的值")
    p.add_argument("--sign-offs", metavar="职务", help="劝返名单签字栏，职务按顺序用、分隔，如 村支书（主任）、中心校校长")

    p = commands.add("absence", "登记缺课（连续无故缺课达到阈值时自动登记疑似辍学）", cmd_absence)
    p.add_argument("student", metavar="学生", help=STUDENT)
    p.add_argument("date", metavar="日期", help="缺课日期，如 2026-11-23")
    p.add_argument("--kind", default="无故", metavar="类别", help="病假/事假/无故/其他（默认无故）")
    p.add_argument("--note", metavar="备注", help="备注")
    p = commands.add("absences", "查看缺课记录", cmd_absences)
    p.add_argument("--date", metavar="日期", help="只看这一天")
    p.add_argument("--student", metavar="学生", help="只看这名学生（" + STUDENT + "）")

    p = commands.add("visit", "登记家访（一户兄弟姐妹同时计入）", cmd_visit)
    p.add_argument("student", metavar="学生", help=STUDENT)
    p.add_argument("--date", required=True, metavar="日期", help="家访日期，如 2026-11-23")
    p.add_argument("--teacher", action="append", required=True, metavar="教师", help="家访教师（姓名或编号，可重复）")
    p.add_argument("--mode", required=True, metavar="方式", help="入户走访/电话/视频/到校约谈")
    _visit_field_options(p)
    p.add_argument("--photo", action="append", default=[], metavar="文件", help="照片文件（可重复）")
    p.add_argument("--signature", metavar="文件", help="家长签字图片")
    p = commands.add("visit-correct", "更正家访记录（保留原记录，生成新版本）", cmd_visit_correct)
    p.add_argument("visit", metavar="家访编号", help="要更正的家访记录编号")
    p.add_argument("--date", dest="day", metavar="日期", help="更正后的家访日期")
    p.add_argument("--mode", metavar="方式", help="更正后的家访方式")
    _visit_field_options(p)
    p.add_argument("--photo", action="append", metavar="文件", help="替换照片（可重复）")
    p.add_argument("--signature", metavar="文件", help="替换家长签字图片")
    p = commands.add("visits", "家访记录", cmd_visits)
    p.add_argument("--student", metavar="学生", help="只看这名学生（" + STUDENT + "）")
    p.add_argument("--teacher", metavar="教师", help="只看这位教师（姓名或编号）")

    k = commands.group(commands.add("case", "控辍保学案件", cmd_case))

    def on_case(name: str, text: str):
        """A `case` sub-command that acts on one case, named first."""
        p = k.add(name, text)
        p.add_argument("case", metavar="案件", help=CASE)
        return p

    p = k.add("open", "登记疑似辍学")
    p.add_argument("student", metavar="学生", help=STUDENT)
    p.add_argument("--date", metavar="日期", help="登记日期（默认今天）")
    p.add_argument("--reason", metavar="原因代码", help="辍学原因（代码表）")
    p.add_argument("--reason-text", metavar="说明", help="辍学原因的文字说明")
    p = on_case("move", "变更案件状态")
    p.add_argument("status", metavar="新状态", help="如 核实中、劝返中、已返校")
    p.add_argument("--date", metavar="日期", help="变更日期（默认今天）")
    p.add_argument("--finding", metavar="结论", help="核实结论：转学/在外地就读/已返校")
    p.add_argument("--placement", metavar="安置方式", help="安置方式：插班就读/单独编班/普职融合/特教学校（随班就读只用于有残疾记录的学生）")
    p.add_argument("--by", metavar="经办人", help="经办人")
    p.add_argument("--note", metavar="备注", help="备注")
    p = on_case("attempt", "登记劝返")
    p.add_argument("--date", required=True, metavar="日期", help="劝返日期")
    p.add_argument("--people", required=True, metavar="人员",
                   help="参加劝返的人员，写身份和姓名，多人用顿号隔开，如 班主任:王老师、村委会:李主任")
    p.add_argument("--method", required=True, metavar="方式", help="电话/家访/联合走访/书面通知/法律程序")
    p.add_argument("--step", metavar="步骤", help="劝返步骤：联系家长/联合走访/限期返校通知书/书面报告（默认按方式）")
    p.add_argument("--evidence", action="append", default=[], metavar="类型:图片",
                   help="佐证图片，如 承诺书:扫描件.jpg（类型：照片/承诺书/通知书/书面报告/其他），可写多次")
    p.add_argument("--action", dest="attempt_action", metavar="措施", help="采取的措施")
    p.add_argument("--result", metavar="结果", help="劝返结果")
    p.add_argument("--next", dest="next_date", metavar="日期", help="下次劝返日期")
    p = on_case("reason", "登记辍学原因（替换“待核实”）")
    p.add_argument("reason", metavar="原因", help="辍学原因（代码表），如 学习困难、外出打工")
    p.add_argument("--note", metavar="说明", help="原因的补充说明")
    p = on_case("person", "登记包保责任人")
    p.add_argument("--role", required=True, metavar="角色",
                   help="教育线：校长/班主任/包保教师/中心校；政府线：乡镇领导/乡镇长/村委会/村支书/居委会/驻村干部；家长")
    p.add_argument("--name", required=True, metavar="姓名", help="责任人姓名")
    p.add_argument("--phone", metavar="电话", help="联系电话")
    p = on_case("plan", "一人一案")
    p.add_argument("text", metavar="方案", help="一人一案的内容")
    p.add_argument("--whereabouts", metavar="去向", help="学生去向")
    p = on_case("teach", "登记送教上门")
    p.add_argument("--date", required=True, metavar="日期", help="送教日期")
    p.add_argument("--teacher", required=True, action="append", metavar="教师",
                   help="送教教师（姓名或编号；几位老师一起去就重复写）")
    p.add_argument("--content", required=True, metavar="内容", help="送教内容")
    p.add_argument("--hours", type=number, required=True, metavar="课时", help="课时数")
    p.add_argument("--photo", action="append", default=[], metavar="文件", help="送教照片（可重复）")
    p = on_case("close", "销号")
    p.add_argument("--outcome", required=True, metavar="结果", help="销号结果，如 已返校")
    p.add_argument("--date", required=True, metavar="日期", help="销号日期")
    p.add_argument("--confirmed-by", required=True, metavar="确认人", help="确认人")
    p.add_argument("--evidence", metavar="依据", help="销号依据")
    case_placement_options.register(on_case)
    p = on_case("reopen", "重新打开已销号案件")
    p.add_argument("--reason", required=True, metavar="原因", help="重新打开的原因")
    p.add_argument("--date", metavar="日期", help="日期（默认今天）")
    p = on_case("report-sent", "登记辍学学生情况报告表的签字和报送日期")
    p.add_argument("--signed-by", metavar="校长", help="签字的校长")
    p.add_argument("--signed-on", metavar="日期", help="校长签字日期")
    p.add_argument("--township", metavar="日期", help="报送乡镇日期")
    p.add_argument("--county", metavar="日期", help="报送县教育局日期")
    p = on_case("show", "查看案件")
    p = commands.add("cases", "控辍案件列表", cmd_cases)
    p.add_argument("--status", metavar="状态", help="只看这个状态的案件")
    p.add_argument("--overdue", action="store_true", help="只看逾期的案件")
    as_of_option(p, "按哪一天判断逾期（默认今天）")

    a = commands.group(commands.add("aid", "资助台账", cmd_aid))
    a.add("defaults", "添加本校学段的国家资助项目（两免一补、营养改善计划等）")
    p = a.add("programs", "本校可发放的资助项目及其对象")
    p.add_argument("--all", action="store_true", help="也列出停用的和不属于本校学段的项目")
    p = a.add("program-add", "新增资助项目")
    p.add_argument("--code", required=True, metavar="代码", help="项目代码（英文字母或数字）")
    p.add_argument("--name", required=True, metavar="名称", help="项目名称")
    p.add_argument("--level", metavar="学段", help="小学/初中/高中（不填为不限）")
    p.add_argument("--boarding-only", action="store_true", help="只发给寄宿生")
    p.add_argument("--per-term", type=number, metavar="元", help="每学期金额")
    p.add_argument("--per-day", type=number, metavar="元", help="每个在校日金额")
    rule_options(p)
    p = a.add("program-set", "修改资助项目（金额、学段、对象、停用）")
    p.add_argument("program", metavar="项目", help="项目代码或名称")
    p.add_argument("--name", metavar="名称", help="新的名称")
    p.add_argument("--level", metavar="学段", help="小学/初中/高中")
    p.add_argument("--per-term", type=number, metavar="元", help="每学期金额")
    p.add_argument("--per-day", type=number, metavar="元", help="每个在校日金额")
    p.add_argument("--inactive", action="store_true", help="停用")
    rule_options(p)
    p = a.add("give", "登记发放")
    p.add_argument("student", metavar="学生", help=STUDENT)
    p.add_argument("--program", required=True, metavar="项目", help="资助项目代码或名称")
    p.add_argument("--date", required=True, metavar="日期", help="发放日期")
    p.add_argument("--amount", type=number, metavar="元", help="金额（默认按项目标准）")
    p.add_argument("--method", metavar="方式", help="发放方式，如 银行卡、现金")
    p.add_argument("--term", metavar="学期", help="所属学期（默认按日期所在学期）")
    p.add_argument("--note", metavar="备注", help="备注")
    p.add_argument("--target", metavar="类型", help="资助对象类型（认定结果），如 脱贫、低保、特困、残疾、其他困难（默认按花名册）")
    p.add_argument("--hardship", metavar="等级", help="困难等级：特别困难、比较困难、一般困难")
    p.add_argument("--recognized-on", metavar="日期", help="认定日期")
    p.add_argument("--published-on", metavar="日期", help="公示日期")
    p.add_argument("--receiver", metavar="姓名", help="领取人（签字人）")

    r = commands.add("report", "报表", cmd_report)
    r.add_argument("name", choices=["attention", "coverage", "unaided", "aid-totals", "risk", "mismatch"], metavar="报表",
                   help="attention首页提醒 coverage家访覆盖 unaided应助未助 aid-totals资助汇总 risk风险名单 mismatch比对")
    as_of_option(r, "按哪一天统计（默认今天），如 2026-11-23")
    r.add_argument("--term", metavar="学期", help="学期名称（默认按日期所在学期）")


def _visit_field_options(p) -> None:
    """What a visit record says (地点, 家庭情况 …), the same for `visit` and `visit-correct`."""
    for option, field, text in VISIT_OPTIONS:
        p.add_argument(option, dest=field, metavar="内容", help=text)


def _today(args) -> dt.date:
    return as_of(args) or dt.date.today()


def _case_ref(store, ref: str) -> str:
    if store.get("cases", ref):
        return ref
    try:
        student = student_ref(store, ref)
    except NotFoundError:
        raise NotFoundError(f"找不到案件“{ref}”。请用 jiaoyu cases 查询案件编号。") from None
    case = cases.open_case_of(store, student)
    if case is None:
        raise NotFoundError("该学生没有在案的控辍案件。")
    return case["uuid"]


def _teacher_ids(store, refs) -> list[str]:
    return [teachers.find_teacher(store, r)["uuid"] for r in refs]


def cmd_teacher(store, args):
    if args.action == "set":
        changed = teachers.update_teacher(store, args.teacher, name=args.name, role=args.role, phone=args.phone,
                                          active=False if args.left else None, actor=args.actor)
        output(args, {"changed": {k: list(v) for k, v in changed.items()}}, "已修改教师信息。" if changed else "没有变化。")
        return
    uid = teachers.add_teacher(store, args.name, args.role, args.phone, args.classes, actor=args.actor)
    output(args, {"uuid": uid}, f"已登记教师，编号：{uid}")


def cmd_teachers(store, args):
    rows = teachers.list_teachers(store)
    output(args, rows, "\n".join(f"{t['name']}\t{t['role'] or ''}\t{t['phone'] or ''}\t{'、'.join(t['classes'])}"
                               for t in rows) or "还没有登记教师。")


def cmd_calendar(store, args):
    a = args.action
    if a == "defaults":
        year = args.year or (dt.date.today().year if dt.date.today().month >= 8 else dt.date.today().year - 1)
        made = school_calendar.set_up_school_year(store, year, actor=args.actor)
        output(args, {"terms_created": made}, f"已设置{year}学年默认校历（新增学期{len(made)}个），节假日可再调整。")
    elif a == "term-add":
        uid = school_calendar.add_term(store, args.name, args.start, args.end, actor=args.actor)
        output(args, {"uuid": uid}, f"已新增学期：{args.name}")
    elif a in ("holiday", "workday"):
        school_calendar.set_day(store, args.date, a, args.name, actor=args.actor)
        output(args, {"ok": True}, f"已将{args.date}设为{'放假' if a == 'holiday' else '调休上课'}")
    elif a == "clear":
        school_calendar.clear_day(store, args.date, actor=args.actor)
        output(args, {"ok": True}, f"{args.date}已恢复为普通日期")
    else:
        cal = school_calendar.Calendar.load(store)
        days = store.query("SELECT day, kind, name FROM calendar_days ORDER BY day")
        lines = [f"{t['name']}：{t['start_date']} 至 {t['end_date']}" for t in cal.terms]
        lines += [f"  {d['day']} {'放假' if d['kind'] == 'holiday' else '调休上课'} {d['name'] or ''}" for d in days]
        output(args, {"terms": cal.terms, "days": days}, "\n".join(lines) or "还没有设置校历。")


def cmd_settings(store, args):
    from jiaoyuapp.ledgers import sign_offs
    if getattr(args, "sign_offs", None):
        sign_offs.set_titles(store, "quanfan", args.sign_offs.replace("、", "\n"), actor=args.actor)
        if args.key is None:
            titles = sign_offs.titles(store, "quanfan")
            output(args, titles, "劝返名单签字栏：" + "、".join(titles))
            return
    if args.key is not None:
        if args.value is None:
            raise DataError("请同时给出设置项和新的值，例如：jiaoyu settings absence_threshold_days 5")
        settings.set_value(store, args.key, args.value, actor=args.actor)
    rows = settings.all_settings(store)
    output(args, rows, "\n".join(f"{r['key']}\t{r['value']:g}\t{r['label']}" for r in rows))


def cmd_absence(store, args):
    result = absences.record_absence(store, student_ref(store, args.student), args.date, args.kind, args.note,
                                     by=args.actor or None, actor=args.actor)
    data = {"absence_uuid": result.absence_uuid, "run": result.run, "opened_case": result.opened_case}
    text = f"已登记{args.date}缺课。"
    if result.run:
        text += f"目前连续无故缺课{len(result.run)}个教学日（自{result.run[0]}起）。"
    if result.opened_case:
        text += (f"\n【提醒】已达到连续无故缺课标准，已自动登记为疑似辍学（案件编号{result.opened_case}）。"
                 "请班主任当天联系家长，并尽快核实。")
    output(args, data, text)


def cmd_absences(store, args):
    conds, params = [], []
    if args.date:
        conds.append("a.day = ?")
        params.append(school_calendar.as_date(args.date).isoformat())
    if args.student:
        conds.append("a.student_uuid = ?")
        params.append(student_ref(store, args.student))
    rows = store.query("SELECT a.*, s.name, s.grade, s.class_no FROM absences a JOIN students s ON s.uuid = a.student_uuid"
                       f" WHERE {' AND '.join(conds) or '1'} ORDER BY a.day, s.grade, s.class_no", params)
    output(args, rows, "\n".join(f"{r['day']}\t{r['name']}\t{class_label(r['grade'], r['class_no'])}\t{r['kind']}"
                               for r in rows) + f"\n共{len(rows)}条")


def _visit_fields(args) -> dict:
    return {field: getattr(args, field) for _, field, _ in VISIT_OPTIONS if getattr(args, field) is not None}


def cmd_visit(store, args):
    uid = visits.record_visit(store, student_uuid=student_ref(store, args.student), day=args.date,
                              teachers=_teacher_ids(store, args.teacher), mode=args.mode,
                              photos=[read_file(p) for p in args.photo],
                              signature=read_file(args.signature) if args.signature else None,
                              by=args.actor or None, actor=args.actor, **_visit_fields(args))
    v = visits.visit_details(store, uid)
    output(args, {"uuid": uid, "students": v["students"], "attachments": len(v["attachments"])},
         f"已登记家访（编号{uid}），覆盖：{'、'.join(s['name'] for s in v['students'])}；附件{len(v['attachments'])}个。")


def cmd_visit_correct(store, args):
    changes = _visit_fields(args)
    for key in ("day", "mode"):
        if getattr(args, key):
            changes[key] = getattr(args, key)
    uid = visits.correct_visit(store, args.visit, actor=args.actor, by=args.actor or None,
                               photos=[read_file(p) for p in args.photo] if args.photo else None,
                               signature=read_file(args.signature) if args.signature else None, **changes)
    output(args, {"uuid": uid}, f"已更正，新版本编号{uid}（原记录保留）。")


def cmd_visits(store, args):
    rows = visits.list_visits(store, student_uuid=student_ref(store, args.student) if args.student else None,
                              teacher_uuid=teachers.find_teacher(store, args.teacher)["uuid"] if args.teacher else None)
    data = [visits.visit_details(store, r["uuid"]) for r in rows]
    lines = [f"{v['day']}\t{v['mode']}\t{'、'.join(s['name'] for s in v['students'])}\t"
             f"{'、'.join(t['name'] for t in v['teachers'])}\t{v['uuid']}" for v in data]
    output(args, data, "\n".join(lines) + f"\n共{len(data)}次")


def cmd_case(store, args):
    a = args.action
    if a == "open":
        uid = cases.open_case(store, student_ref(store, args.student), on=args.date or dt.date.today(), reason=args.reason,
                              reason_text=args.reason_text, by=args.actor or None, actor=args.actor)
        output(args, {"uuid": uid}, f"已登记疑似辍学，案件编号：{uid}")
        return
    case = _case_ref(store, args.case)
    if a == "move":
        cases.move(store, case, args.status, on=args.date or dt.date.today(), by=args.by, finding=args.finding,
                   placement=args.placement, note=args.note, actor=args.actor)
    elif a == "attempt":
        from jiaoyuapp.codes import table
        evidence = []
        for item in args.evidence:
            kind, sep, path = item.partition(":")
            if not sep or table("attempt_evidence").code(kind) is None:  # a bare path (also C:\…): a photo
                kind, path = "照片", item
            evidence.append((kind, read_file(path)))
        cases.add_attempt(store, case, on=args.date, people=args.people, method=args.method, step=args.step,
                          action=args.attempt_action, result=args.result, next_date=args.next_date,
                          evidence=evidence, actor=args.actor)
    elif a == "reason":
        from jiaoyuapp.ledgers.case_escalation import set_reason
        set_reason(store, case, args.reason, note=args.note, actor=args.actor)
    elif a == "person":
        cases.add_person(store, case, role=args.role, name=args.name, phone=args.phone, actor=args.actor)
    elif a == "plan":
        cases.set_plan(store, case, args.text, whereabouts=args.whereabouts, actor=args.actor)
    elif a == "teach":
        found = [teachers.find_teacher(store, t) for t in args.teacher]
        home_teaching.add_session(store, case, on=args.date, teachers=[{"name": t["name"], "teacher_uuid": t["uuid"]}
                                                                      for t in found], content=args.content,
                                  hours=args.hours, photos=[read_file(p) for p in args.photo], actor=args.actor)
    elif a in case_placement_options.ACTIONS:
        case_placement_options.run(store, case, args)
    elif a == "close":
        cases.close(store, case, outcome=args.outcome, on=args.date, confirmed_by=args.confirmed_by,
                    evidence=args.evidence, actor=args.actor)
    elif a == "reopen":
        cases.reopen(store, case, reason=args.reason, on=args.date or dt.date.today(), by=args.actor or None,
                     actor=args.actor)
    elif a == "report-sent":
        from jiaoyuapp.ledgers import case_reports
        case_reports.record_sent(store, case, signed_by=args.signed_by, signed_on=args.signed_on,
                                 township_on=args.township, county_on=args.county, actor=args.actor)
    history = cases.case_history(store, case)
    c = history["case"]
    lines = [f"案件 {c['uuid']}：{c['status']}（登记于{c['opened_on']}）",
             f"可以进行的下一步：{'、'.join(history['allowed_next']) or '（已销号，可重新打开）'}"]
    from jiaoyuapp.ledgers import case_escalation as esc
    lines.append(f"辍学原因：{esc.reason_label(c)}；登记依据：{esc.trigger(c)}；"
                 f"无故缺课：{esc.unexcused_days(store, c)}天")
    lines += [f"  {p['line']}：{esc.person_text(p)}" for p in history["people"]]
    lines += [f"  劝返步骤 {s['label']}：应于{s['due']}前" + (f"，{s['done_on']}已办（{s['people']}）" if s["done_on"]
              else ("，已逾期" if s["overdue"] else "")) for s in esc.escalation(store, c, today=dt.date.today())]
    lines += [f"  {e['on_date']} {e['kind']} {e['from_status'] or ''}→{e['to_status'] or ''} {e['note'] or ''}"
              for e in history["events"]]
    lines += [f"  {t['on_date']} 劝返（{t['method']}）{t['people']}：{t['result'] or ''}" for t in history["attempts"]]
    output(args, history, "\n".join(lines))


def cmd_cases(store, args):
    rows = cases.list_cases(store, status=args.status, overdue=args.overdue, today=_today(args))
    lines = [f"{r['opened_on']}\t{r['name']}\t{class_label(r['grade'], r['class_no'])}\t{r['status']}"
             f"{'（逾期）' if r['overdue'] else ''}\t{r['uuid']}" for r in rows]
    output(args, rows, "\n".join(lines) + f"\n共{len(rows)}件")


def rule_options(p) -> None:
    """Who a program is for: the options `program-add` and `program-set` share."""
    p.add_argument("--day-groups", metavar="类别", help="走读生可享受的类别，用|分隔，如 脱贫|低保|特困|残疾")
    p.add_argument("--day-rate", metavar="比例", help="走读生按寄宿生标准的比例，如 50%%")
    p.add_argument("--means-tested", choices=["是", "否"], metavar="是/否",
                   help="是否按家庭经济困难认定发放（是：计入应助未助）")
    p.add_argument("--in-kind", choices=["是", "否"], metavar="是/否", help="是否以实物（膳食）方式提供")
    p.add_argument("--pilot-only", choices=["是", "否"], metavar="是/否", help="是否只在试点学校实施")


def _rule_changes(args) -> dict:
    out = {}
    if args.day_groups is not None:
        out["day_groups"] = args.day_groups
    if args.day_rate is not None:
        out["day_rate"] = aid.parse_rate(args.day_rate)
    for key in ("means_tested", "in_kind", "pilot_only"):
        if getattr(args, key) is not None:
            out[key] = int(getattr(args, key) == "是")
    return out


def cmd_aid(store, args):
    a = args.action
    if a == "defaults":
        n = aid.ensure_default_programs(store, actor=args.actor)
        output(args, {"added": n}, f"已添加{n}个资助项目。")
    elif a == "programs":
        rows = aid.list_programs(store) if args.all else aid.offered_programs(store)
        for r in rows:
            r["rule"] = aid_rules.rule_text(r)
        output(args, rows, "\n".join(f"{r['code']}\t{r['name']}\t{r['level'] or '不限'}\t"
                                   f"{r['amount_per_term'] or ''}{'元/学期' if r['amount_per_term'] else ''}"
                                   f"{r['amount_per_day'] or ''}{'元/在校日' if r['amount_per_day'] else ''}\t{r['rule']}"
                                   for r in rows) or "本校还没有可发放的资助项目。")
    elif a == "program-set":
        changes = {k: v for k, v in (("name", args.name), ("level", args.level), ("amount_per_term", args.per_term),
                                     ("amount_per_day", args.per_day)) if v is not None}
        changes.update(_rule_changes(args))
        if args.inactive:
            changes["active"] = 0
        changed = aid.update_program(store, args.program, actor=args.actor, **changes)
        output(args, {"changed": {k: list(v) for k, v in changed.items()}}, "已修改资助项目。" if changed else "没有变化。")
    elif a == "program-add":
        uid = aid.add_program(store, code=args.code, name=args.name, level=args.level, boarding_only=args.boarding_only,
                              amount_per_term=args.per_term, amount_per_day=args.per_day, actor=args.actor,
                              **_rule_changes(args))
        output(args, {"uuid": uid}, f"已新增资助项目：{args.name}")
    else:
        uid = aid.give_aid(store, student_ref(store, args.student), args.program, paid_on=args.date, amount=args.amount,
                           term=args.term, method=args.method, note=args.note, target=args.target,
                           hardship=args.hardship, recognized_on=args.recognized_on, published_on=args.published_on,
                           receiver=args.receiver, actor=args.actor)
        row = store.get("aid_records", uid)
        output(args, {"uuid": uid, "amount": row["amount"]}, f"已登记发放{row['amount']:g}元。")


def cmd_report(store, args):
    today = _today(args)
    name = args.name
    if name == "attention":
        data = attention.attention(store, today=today)
        lines = [f"{data['date']}（{data['term']}）需要关注："]
        lines += [f"  {k}：{v}" for k, v in data["counts"].items()]
        for item in data["items"][:200]:
            lines.append(f"  [{item['kind']}] {item['name']} {item['class']}：{item['detail']}")
    elif name == "coverage":
        data = coverage.coverage(store, today=today, term=args.term)
        lines = [f"{data['term']}家访覆盖：{data['visited']}/{data['students']}人"]
        lines += [f"  {c['class']}（班主任{'、'.join(c['head_teachers']) or '未设'}）：{c['visited']}/{c['students']}人，"
                  f"未访{c['not_visited']}人" for c in data["by_class"]]
        lines += [f"  {t['name']}：家访{t['visits']}次{t['households']}户，任务{t['quota']}户"
                  f"{'，已完成' if t['meets_quota'] else '，未完成'}" for t in data["by_teacher"]]
        lines.append(f"  {data['school_year']}已入户家访{data['home_visited']}/{data['students']}人"
                     f"（电话、视频不计入），尚未入户{len(data['no_home_visit'])}人")
        lines.append(f"  尚需家访{len(data['due'])}人，跟进逾期{len(data['followups']['overdue'])}户")
    elif name == "unaided":
        data = aid.unaided(store, today=today, term=args.term)
        lines = [f"{data['term']}应助未助{len(data['students'])}人："]
        lines += [f"  {s['name']} {s['class']}：{'、'.join(s['reasons'])}；应享受：{'、'.join(s['programs']) or '无适用项目'}"
                  + (f"；本学期只有：{'、'.join(s['received'])}" if s["received"] else "") for s in data["students"]]
        lines += [f"  {p['name']}：应享受{p['eligible']}人，未发放{p['missing']}人" for p in data["programs"]]
    elif name == "aid-totals":
        data = aid.totals(store, today=today, term=args.term)
        lines = [f"{data['term']}资助汇总：共{data['amount']:g}元"]
        lines += [f"  {p['name']}：{p['students']}人，{p['amount']:g}元" for p in data["programs"]]
    elif name == "risk":
        data = attention.risk_list(store, today=today, term=args.term)
        lines = [f"{'★' if r['high'] else ' '} {r['score']:g}分 {r['name']} {r['class']}：{'；'.join(r['reasons'])}"
                 for r in data[:300]]
    else:
        data = attention.mismatches(store)
        lines = [f"[{m['kind']}] {m['name']} {m['class']}：{m['detail']}" for m in data] or ["学籍与台账一致，未发现问题。"]
    output(args, data, "\n".join(lines))
