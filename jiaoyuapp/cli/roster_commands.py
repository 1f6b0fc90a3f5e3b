"""`jiaoyu` commands for the roster: import, find, add and edit students, export, and the school
year's moves (转出/转入/休学/复学, the September 升级, households)."""

from __future__ import annotations

from jiaoyuapp.cli.common import STUDENT, Commands, output, parse_pairs, progress_printer, student_ref
from jiaoyuapp.codes import table
from jiaoyuapp.roster import households, school_year
from jiaoyuapp.roster.classes import class_label, parse_class
from jiaoyuapp.roster.flags import flags_of
from jiaoyuapp.school import require_school

PAIRS = "字段=值（可多个），例如 姓名=张三 性别=男 出生日期=2018-03-05"


def register(commands: Commands) -> None:
    def on_student(name: str, text: str, handler):
        """A command that acts on one student, named first."""
        c = commands.add(name, text, handler)
        c.add_argument("ref", metavar="学生", help=STUDENT)
        return c

    c = commands.add("import-roster", "从Excel导入花名册（.xlsx、.xls、.ods）", cmd_import_roster)
    c.add_argument("file", metavar="文件", help="花名册工作簿")
    c.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    c.add_argument("--only-valid", action="store_true", help="只导入没有问题的行")
    c.add_argument("--sheet", action="append", default=[], metavar="名称",
                   help="只读取这个工作表（可重复；隐藏的工作表也可以这样指定）")
    c.add_argument("--include-hidden", action="store_true", help="也读取隐藏的工作表（默认跳过并列出）")
    c.add_argument("--progress", action="store_true", help="在标准错误输出进度")

    c = commands.add("students", "查找学生（姓名、拼音、身份证号或学籍号片段）", cmd_students)
    c.add_argument("query", nargs="?", metavar="查找内容", help="姓名、拼音首字母、身份证号或学籍号的一部分（不填列出全部）")
    c.add_argument("--class", dest="class_name", metavar="班级", help="班级，如 三年级1班")
    c.add_argument("--flag", action="append", default=[], metavar="标记", help="标记，如 留守、脱贫户、低保（可重复）")
    c.add_argument("--status", metavar="状态", help="在读/转出/休学/辍学/毕业")

    c = on_student("student", "查看一名学生", cmd_student)

    c = commands.add("add-student", "添加一名学生（字段=值）", cmd_add_student)
    c.add_argument("values", nargs="+", metavar="字段=值", help=PAIRS)

    c = on_student("edit-student", "修改学生信息（字段=值）", cmd_edit_student)
    c.add_argument("values", nargs="+", metavar="字段=值", help="要修改的字段=新值（可多个），值留空表示清除")

    c = commands.add("export-roster", "导出花名册为Excel", cmd_export_roster)
    c.add_argument("out", metavar="文件", help="要写入的 .xlsx 文件")

    c = on_student("transfer-out", "转出", cmd_transfer_out)
    c.add_argument("--to", required=True, metavar="学校", help="转入学校")
    c.add_argument("--date", metavar="日期", help="转出日期（默认今天），如 2026-11-23")
    c.add_argument("--reason", metavar="原因", help="转出原因")
    c = commands.add("transfer-in", "转入（字段=值）", cmd_transfer_in)
    c.add_argument("values", nargs="+", metavar="字段=值", help=PAIRS)
    c.add_argument("--from", dest="from_school", required=True, metavar="学校", help="原学校")
    c.add_argument("--date", metavar="日期", help="转入日期（默认今天）")
    c = on_student("suspend", "休学", cmd_suspend)
    c.add_argument("--reason", required=True, metavar="原因", help="休学原因")
    c.add_argument("--date", metavar="日期", help="休学日期（默认今天）")
    c = on_student("resume", "复学", cmd_resume)
    c.add_argument("--class", dest="class_name", metavar="班级", help="复学编入的班级，如 三年级1班")
    c.add_argument("--date", metavar="日期", help="复学日期（默认今天）")
    c = commands.add("rollover", "秋季升级（先预览，加 --apply 执行）", cmd_rollover)
    c.add_argument("--apply", action="store_true", help="执行升级（不加只预览）")
    c = commands.add("undo-rollover", "撤销最近一次升级", cmd_undo_rollover)
    c.add_argument("batch", nargs="?", metavar="批次", help="升级时给出的批次编号（不填为最近一次）")
    c = commands.add("household", "同户（兄弟姐妹）关系", cmd_household)
    c.add_argument("action", choices=["merge", "split"], metavar="merge|split",
                   help="merge 合并为同一户，split 单独成户")
    c.add_argument("refs", nargs="+", metavar="学生", help=STUDENT + "（可多个）")


def _student_brief(s: dict) -> dict:
    return {"uuid": s["uuid"], "name": s["name"], "id_number": s["id_number"], "student_no": s["student_no"],
            "sex": table("sex").label(s["sex"]), "birth_date": s["birth_date"],
            "class": class_label(s["grade"], s["class_no"]), "grade": s["grade"], "class_no": s["class_no"],
            "status": s["status"], "household": s["household_uuid"], "flags": flags_of(s)}


def _problem_lines(title: str, items: list[dict], many_sheets: bool) -> list[str]:
    if not items:
        return []
    lines = [f"{title}（{len(items)}条）："]
    for p in items:
        sheet = f"工作表“{p['sheet']}” " if many_sheets and p.get("sheet") else ""
        where = f"{p['column']}列" + (f"({p['letter']})" if p.get("letter") else "") if p["column"] else ""
        lines.append(f"  {sheet}第{p['row']}行 {where}：{p['message']}")
    return lines


def cmd_import_roster(store, args):
    from jiaoyuapp.roster.roster_import import import_roster
    require_school(store)
    report = import_roster(store, args.file, dry_run=args.dry_run, only_valid=args.only_valid, actor=args.actor,
                           sheets=args.sheet or None, include_hidden=args.include_hidden,
                           progress=progress_printer(args) or (lambda *a: None))
    data = report.as_dict()
    refused_nothing_written = bool(report.problems) and not report.written
    many = len(report.sheets) > 1
    lines = [f"文件：{report.file}（" + "；".join(f"工作表“{s['name']}”表头在第{s['header_row']}行，{s['rows']}名学生"
                                               for s in report.sheets) + "）",
             f"共{report.rows}名学生，{report.valid}名无误：新增{report.created}，更新{report.updated}，未变{report.unchanged}"]
    if not report.sheets:
        lines = [f"文件：{report.file}：可见的工作表中没有找到学生名单，没有读取任何学生。"]
    lines += _problem_lines("有问题、不能导入的行", report.problems, many)
    lines += _problem_lines("提醒（仍会导入）", report.warnings, many)
    if report.skipped_sheets:
        lines.append("没有找到学生表头、未读取的工作表：" + "、".join(report.skipped_sheets))
    if report.hidden_sheets:
        lines.append("隐藏的工作表（未读取）：" + "、".join(report.hidden_sheets)
                     + "。如果其中有要导入的学生，请加 --include-hidden 读取全部隐藏的工作表，或用 --sheet 名称 指定工作表。")
    if report.chart_sheets:
        lines.append("图表等非表格工作表（没有数据，未读取）：" + "、".join(report.chart_sheets))
    if report.ignored_columns:
        lines.append("未识别、已忽略的列：" + "、".join(report.ignored_columns))
    if args.dry_run:
        lines.append("这是检查（--dry-run），没有写入任何数据。")
    elif not report.sheets:
        lines.append("本次没有写入任何数据。")
    elif refused_nothing_written:
        lines.append("因为有不能导入的行，本次没有写入任何数据。请改正后重新导入，或加 --only-valid 只导入无误的行。")
    elif report.written:
        lines.append("导入完成。" + (f"导入前已自动备份：{report.backup}" if report.backup else ""))
    output(args, data, "\n".join(lines))
    if not report.sheets:
        return 1
    if report.problems and (args.dry_run or not report.written):
        return 1
    return 0


def cmd_students(store, args):
    from jiaoyuapp.roster.search import find_students
    rows = find_students(store, args.query, class_name=args.class_name, flags=args.flag, status=args.status)
    data = [_student_brief(s) for s in rows]
    lines = [f"{d['name']}\t{d['sex']}\t{d['class']}\t{d['id_number'] or ''}\t{d['status']}\t{'、'.join(d['flags'])}"
             for d in data]
    lines.append(f"共{len(data)}人")
    output(args, data, "\n".join(lines))


def cmd_student(store, args):
    uid = student_ref(store, args.ref)
    s = store.get("students", uid)
    guardians = store.query("SELECT * FROM guardians WHERE student_uuid = ? ORDER BY position", (uid,))
    events = store.query("SELECT * FROM enrollment_events WHERE student_uuid = ? ORDER BY event_date", (uid,))
    siblings = store.query("SELECT uuid, name, grade, class_no FROM students WHERE household_uuid = ? AND uuid != ?",
                           (s["household_uuid"], uid))
    data = dict(s, guardians=guardians, events=events, siblings=siblings, flags=flags_of(s),
                **{"class": class_label(s["grade"], s["class_no"])})
    lines = [f"{s['name']}  {table('sex').label(s['sex'])}  {class_label(s['grade'], s['class_no'])}  {s['status']}",
             f"身份证件号：{s['id_number'] or ''}  全国学籍号：{s['student_no'] or ''}  出生日期：{s['birth_date'] or ''}",
             f"家庭地址：{s['home_address'] or ''}", f"标记：{'、'.join(flags_of(s)) or '无'}"]
    lines += [f"家庭成员{g['position']}：{g['name'] or ''}（{g['relation'] or ''}）{g['phone'] or ''}" for g in guardians]
    lines += [f"同户：{x['name']} {class_label(x['grade'], x['class_no'])}" for x in siblings]
    lines += [f"{e['event_date']} {e['kind']} {e['other_school'] or ''} {e['reason'] or ''}" for e in events]
    output(args, data, "\n".join(lines))


def cmd_add_student(store, args):
    from jiaoyuapp.roster.students import add_student
    require_school(store)
    uid, warnings = add_student(store, parse_pairs(args.values), actor=args.actor)
    output(args, {"uuid": uid, "warnings": warnings},
         "\n".join([f"已添加，学生编号：{uid}"] + [f"提醒：{w['message']}" for w in warnings]))


def cmd_edit_student(store, args):
    from jiaoyuapp.roster.students import update_student
    changed = update_student(store, student_ref(store, args.ref), parse_pairs(args.values), actor=args.actor)
    output(args, {"changed": {k: list(v) for k, v in changed.items()}},
         "已修改：" + ("、".join(k for k in changed if not k.endswith("updated_at")) or "没有变化"))


def cmd_export_roster(store, args):
    from jiaoyuapp.roster.roster_export import export_roster
    n = export_roster(store, args.out)
    output(args, {"file": args.out, "students": n}, f"已导出{n}名学生到 {args.out}")


def cmd_transfer_out(store, args):
    school_year.transfer_out(store, student_ref(store, args.ref), to_school=args.to, day=args.date, reason=args.reason,
                             actor=args.actor)
    output(args, {"ok": True}, "已办理转出。")


def cmd_transfer_in(store, args):
    uid = school_year.transfer_in(store, parse_pairs(args.values), from_school=args.from_school, day=args.date,
                                  actor=args.actor)
    output(args, {"uuid": uid}, f"已办理转入，学生编号：{uid}")


def cmd_suspend(store, args):
    school_year.suspend(store, student_ref(store, args.ref), reason=args.reason, day=args.date, actor=args.actor)
    output(args, {"ok": True}, "已办理休学。")


def cmd_resume(store, args):
    grade, cls = parse_class(args.class_name) if args.class_name else (None, None)
    school_year.resume(store, student_ref(store, args.ref), day=args.date, grade=grade, class_no=cls, actor=args.actor)
    output(args, {"ok": True}, "已办理复学。")


def cmd_rollover(store, args):
    plan = school_year.plan_rollover(store)
    data = {"top_grade": plan.top_grade, "move_up": len(plan.moves), "graduate": len(plan.graduates),
            "by_grade": plan.by_grade, "applied": False}
    lines = ["秋季升级预览："] + [f"  {x}" for x in plan.summary_lines()]
    if args.apply:
        data["batch"] = school_year.apply_rollover(store, actor=args.actor)
        data["applied"] = True
        lines.append(f"已执行升级。如需撤销：jiaoyu undo-rollover {data['batch']}")
    else:
        lines.append("这只是预览。确认无误后运行 jiaoyu rollover --apply 执行。")
    output(args, data, "\n".join(lines))


def cmd_undo_rollover(store, args):
    school_year.undo_rollover(store, args.batch, actor=args.actor)
    output(args, {"ok": True}, "已撤销升级，学生年级和状态已恢复。")


def cmd_household(store, args):
    uids = [student_ref(store, r) for r in args.refs]
    if args.action == "merge":
        household = households.merge(store, uids, actor=args.actor)
        output(args, {"household": household}, f"已合并为同一户（{len(uids)}名学生）。")
    else:
        for uid in uids:
            households.split(store, uid, actor=args.actor)
        output(args, {"ok": True}, "已单独成户。")

