"""What each `jiaoyu` command does: call the core, shape the answer for people or for JSON."""

from __future__ import annotations

import sqlite3
import sys

from jiaoyuapp.cli import output, parse_pairs, progress_printer, db_path
from jiaoyuapp.codes import table
from jiaoyuapp.errors import DatabaseError, JiaoyuError, NotFoundError, SchemaTooNewError, UsageError
from jiaoyuapp.roster import households, school_year
from jiaoyuapp.roster.classes import class_label, parse_class
from jiaoyuapp.roster.flags import flags_of
from jiaoyuapp.school import init_school, open_school, require_school, school_info
from jiaoyuapp.store import Store, changelog
from jiaoyuapp.store.backups import daily_backup
from jiaoyuapp.store.connection import disk_full_error, out_of_room
from jiaoyuapp.store.damage import corruption_error, is_corruption


def run(args) -> int:
    from jiaoyuapp.cli_exchange import COMMANDS as EXCHANGE_COMMANDS
    from jiaoyuapp.cli_ledgers import COMMANDS as LEDGER_COMMANDS
    handler = {**COMMANDS, **LEDGER_COMMANDS, **EXCHANGE_COMMANDS}[args.command]
    create = args.command in ("init", "demo") or (args.command == "township" and args.action == "init")
    path = db_path(args)
    store = _open_for_check(path) if args.command == "check" else open_school(path, create=create)
    try:
        if args.command in ("init", "restore"):
            _quietly(_sweep_unfinished_backups)
        else:
            _quietly(daily_backup, store)
        try:
            return handler(store, args) or 0
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc):
                raise corruption_error(store.path) from None
            if out_of_room(exc, store.path):
                raise disk_full_error(store.path) from None
            raise
    finally:
        store.close()


def _sweep_unfinished_backups() -> None:
    from jiaoyuapp.store.backup_folders import sweep_ended
    sweep_ended()


def _quietly(work, *args) -> None:
    """The daily backup (and the clearing of what killed backups left) never stops a command: a
    damaged database or a full disk is said on stderr, and the command goes on."""
    try:
        work(*args)
    except JiaoyuError as exc:
        print(f"提醒：今天的自动备份没有完成。{exc.message}（本次命令照常执行。）", file=sys.stderr)
    except (sqlite3.Error, OSError) as exc:
        print(f"提醒：今天的自动备份没有完成（{exc}）。本次命令照常执行。", file=sys.stderr)


def _open_for_check(path) -> Store:
    """`check` must open a database the other commands cannot: damaged pages where the schema's
    bookkeeping lives make opening fail, but what can be read is still worth describing and saving."""
    from pathlib import Path

    from jiaoyuapp.schema import school_schema
    try:
        return open_school(path, create=False)
    except SchemaTooNewError:
        raise
    except DatabaseError:
        if not Path(path).is_file():
            raise
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return Store(Path(path), conn, school_schema())


def student_ref(store: Store, ref: str) -> str:
    """A student named by uuid, ID number or 全国学籍号."""
    ref = ref.strip()
    uid = store.scalar("SELECT uuid FROM students WHERE uuid = ? OR id_number = ? OR student_no = ?",
                       (ref, ref.upper(), ref.upper()))
    if uid is None:
        raise NotFoundError(f"找不到学生“{ref}”。请用 jiaoyu students 查询后，使用其编号、身份证件号或全国学籍号。")
    return uid


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


def cmd_init(store, args):
    info = init_school(store, code=args.school_code, name=args.school_name, township=args.township,
                       county=args.county, school_type=args.school_type, top_grade=args.top_grade, actor=args.actor)
    from jiaoyuapp.cli_exchange import passphrase
    from jiaoyuapp.exchange import identity
    key = identity.active(store, required=False)
    secret = passphrase(confirm=True) if key is None else None
    if key is None and secret:
        key = identity.create(store, kind="school", code=info["code"], name=info["name"], passphrase=secret)
    note = (f"密钥指纹：{key['fingerprint']}" if key else
            "尚未生成密钥（签名和数据包需要）：校长可随时运行 jiaoyu key create 设置口令后生成。")
    output(args, {"school": info, "db": str(store.path), "fingerprint": key["fingerprint"] if key else None},
         f"已登记学校：{info['name']}（标识码{info['code']}，{info['school_type']}）\n数据库：{store.path}\n{note}")


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


def cmd_demo(store, args):
    from jiaoyuapp.roster.demo import load_demo
    if not 1 <= args.students <= 100_000:
        raise UsageError("演示学生人数应在1到100000之间。")
    if school_info(store) is None:
        init_school(store, code="5100000001", name="演示学校", township="演示镇", county="演示县", actor=args.actor)
    report = load_demo(store, args.students, args.seed, actor=args.actor or "演示数据")
    from jiaoyuapp.ledgers.demo_ledgers import fill_term
    counts = fill_term(store, seed=args.seed, actor=args.actor or "演示数据")
    output(args, dict(report.as_dict(), ledgers=counts),
         f"已生成演示学生{report.created}名（均为虚构人员），以及本学期的台账：家访{counts.get('visits', 0)}次、"
         f"缺课{counts.get('absences', 0)}条、控辍案件{counts.get('cases', 0)}件、资助{counts.get('aid', 0)}条。")


def cmd_backup(store, args):
    from jiaoyuapp.store.backups import backup_to
    path = backup_to(store, args.dir)
    output(args, {"backup": str(path)}, f"备份完成并已校验：{path}")


def cmd_restore(store, args):
    from jiaoyuapp.store.backups import restore
    safety = restore(store, args.backup_file)
    store.close()
    open_school(store.path).close()  # bring an older backup's schema up to date
    output(args, {"restored": args.backup_file, "safety_backup": safety},
         f"已从备份恢复。恢复前的数据已另存为：{safety or '（原库为空，未另存）'}")


def cmd_check(store, args):
    from jiaoyuapp.ledgers.attachments import verify_blobs
    from jiaoyuapp.store.backups import integrity
    from jiaoyuapp.store.damage import describe
    if getattr(args, "salvage", None):
        return _salvage(store, args)
    labels = store.schema.labels
    damage = describe(store.conn)
    problems = integrity(store.conn)
    unchecked = []
    try:
        problems += verify_blobs(store)
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        unchecked.append("附件内容")
    try:
        log_problems = changelog.verify(store)
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        log_problems = []
        unchecked.append("变更日志与各表的核对")
    ok = not problems and not log_problems and not damage
    try:
        changes = store.scalar("SELECT count(*) FROM change_log")
    except sqlite3.DatabaseError:
        changes = None
    data = {"ok": ok, "integrity": problems, "change_log": log_problems, "changes": changes,
            "damage": [dict(d.as_dict(), label=labels.get(d.table, "")) for d in damage], "unchecked": unchecked}
    lines = ["数据库检查：" + ("通过" if ok else ("发现损坏" if damage else "发现问题"))]
    for d in damage:
        what = labels.get(d.table, "")
        if d.kind == "table":
            lines.append(f"  损坏的表：{what or d.name}（{d.name}）—— {'；'.join(d.notes)}")
        elif d.kind == "index":
            lines.append(f"  损坏的索引：{d.name}（{what or d.table}的索引，可以重建，数据本身不受影响）—— {'；'.join(d.notes)}")
        else:
            lines.append(f"  文件：{'；'.join(d.notes)}")
    if damage:
        only_indexes = all(d.kind == "index" for d in damage)
        lines.append("  下一步：运行 jiaoyu check --salvage 新文件.db，把" + ("全部数据（只有索引损坏）" if only_indexes else "还能读出的数据")
                     + "复制到一个新文件，并列出哪些表丢失了多少行；原文件保持不动。")
    else:
        lines += [f"  完整性：{p}" for p in problems]
    lines += [f"  变更日志：{p}" for p in log_problems[:50]]
    if len(log_problems) > 50:
        lines.append(f"  ……共{len(log_problems)}处")
    if unchecked:
        lines.append("  因为有损坏的页面，没有核对：" + "、".join(unchecked))
    output(args, data, "\n".join(lines))
    return 0 if ok else 1


def _salvage(store, args):
    from jiaoyuapp.store.salvage import salvage
    report = salvage(store.path, args.salvage, store.schema, progress=progress_printer(args))
    lines = [f"已把还能读出的数据抢救到新文件：{report.out}（原文件“{store.path.name}”没有改动）"]
    for t in report.tables:
        if not (t.damaged or t.lost or t.rebuilt):
            continue
        name = f"{t.label or t.name}（{t.name}）"
        expected = "应有行数不明" if t.expected is None else f"应有{t.expected}行"
        lost = "丢失行数不明" if t.lost is None else f"丢失{t.lost}行"
        lines.append(f"  {name}：{expected}，读出{t.copied}行，从变更日志补回{t.rebuilt}行，{lost}")
    if report.losses:
        lines.append("丢失了数据的表：" + "、".join(
            f"{t.label or t.name}（{'行数不明' if t.lost is None else f'{t.lost}行'}）" for t in report.losses))
    else:
        lines.append("没有丢失数据：读不出的行都已从变更日志补回。")
    if report.orphans:
        labels = store.schema.labels
        lines.append("引用了丢失记录的行（保留着，请核对）：" + "、".join(
            f"{labels.get(t, t)} {n}行" for t, n in sorted(report.orphans.items())))
    lines.append(f"请先用 jiaoyu --db {report.out} check 和 summary 核对新文件，确认无误后再用它替换原来的数据库。")
    output(args, report.as_dict(), "\n".join(lines))
    return 0 if not report.losses else 1


def cmd_log(store, args):
    entries = list(changelog.entries(store, since=args.since, limit=args.limit))
    ops = {"insert": "新增", "update": "修改", "delete": "删除"}
    lines = [f"{e['seq']}\t{e['at']}\t{e['actor'] or '-'}\t{e['table']}\t{ops[e['op']]}\t{e['uuid']}\t"
             + "、".join(k for k in e["changes"] if k not in ("created_at", "updated_at")) for e in entries]
    output(args, entries, "\n".join(lines) if lines else "没有新的变更。")


def cmd_summary(store, args):
    from jiaoyuapp.roster.summary import summary
    data = summary(store)
    sc = data["school"]
    lines = [f"{sc['name']}（学校标识码{sc['code']}，{sc['county']}{sc['township']}）" if sc else "（尚未登记学校）",
             f"学生{data['students']}人，其中在读{data['in_school']}人，{data['classes']}个班，{data['households']}户",
             "按状态：" + "，".join(f"{k}{v}人" for k, v in data["by_status"].items()),
             "按年级（在读）：" + "，".join(f"{k}{v}人" for k, v in data["by_grade"].items()),
             "重点关注（在读）：" + "，".join(f"{k}{v}人" for k, v in data["flags"].items() if v)]
    output(args, data, "\n".join(lines))


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


COMMANDS = {
    "init": cmd_init, "import-roster": cmd_import_roster, "students": cmd_students, "student": cmd_student,
    "add-student": cmd_add_student, "edit-student": cmd_edit_student, "export-roster": cmd_export_roster,
    "demo": cmd_demo, "backup": cmd_backup, "restore": cmd_restore, "check": cmd_check, "log": cmd_log,
    "summary": cmd_summary, "transfer-out": cmd_transfer_out, "transfer-in": cmd_transfer_in,
    "suspend": cmd_suspend, "resume": cmd_resume, "rollover": cmd_rollover, "undo-rollover": cmd_undo_rollover,
    "household": cmd_household,
}
