"""`jiaoyu` commands for the database itself: register the school, the demo school, backups and
restore, the integrity check and salvage, the change log, the school's summary."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jiaoyuapp.cli.chinese_argparse import integer
from jiaoyuapp.cli.common import Commands, output, passphrase, progress_printer
from jiaoyuapp.errors import DatabaseError, SchemaTooNewError, UsageError
from jiaoyuapp.school import init_school, open_school, school_info
from jiaoyuapp.store import Store, changelog
from jiaoyuapp.store.damage import is_corruption
from jiaoyuapp.store.read_only import connect_read_only


def register(commands: Commands) -> None:
    c = commands.add("init", "登记学校，建立数据库", cmd_init, creates_db=True, fresh_start=True)
    c.add_argument("--school-code", required=True, metavar="标识码", help="学校标识码（10位）")
    c.add_argument("--school-name", required=True, metavar="名称", help="学校名称（与学籍系统一致）")
    c.add_argument("--township", default="", metavar="乡镇", help="所属乡镇")
    c.add_argument("--county", default="", metavar="县区", help="所属县（区）")
    c.add_argument("--school-type", metavar="类型", help="小学/教学点/初中/九年一贯制/完全中学/高中")
    c.add_argument("--top-grade", type=integer, metavar="年级", help="毕业年级（默认小学6，初中9）")

    c = commands.add("demo", "生成演示学校数据（虚构的学生）", cmd_demo, creates_db=True)
    c.add_argument("--students", type=integer, default=300, metavar="人数", help="演示学生人数（默认300）")
    c.add_argument("--seed", type=integer, default=1, metavar="种子", help="随机种子：同一个数字生成同样的数据（默认1）")

    c = commands.add("backup", "备份数据库到文件夹（如U盘）", cmd_backup)
    c.add_argument("dir", metavar="文件夹", help="备份写入的文件夹")
    c = commands.add("restore", "从备份恢复", cmd_restore, fresh_start=True)
    c.add_argument("backup_file", metavar="备份文件", help="要恢复的备份文件（.db）")

    c = commands.add("check", "检查数据库完整性和变更日志；数据库损坏时可抢救数据", cmd_check,
                     open_store=open_for_check)
    c.add_argument("--salvage", metavar="新文件.db", help="把还能读出的数据复制到这个新文件（原文件不动），并列出丢失的行数")
    c.add_argument("--progress", action="store_true", help="在标准错误输出进度")
    c = commands.add("log", "查看变更日志", cmd_log)
    c.add_argument("--since", type=integer, default=0, metavar="序号", help="只看这个序号之后的变更")
    c.add_argument("--limit", type=integer, metavar="条数", help="最多显示多少条")
    commands.add("summary", "学校概况", cmd_summary)


def open_for_check(path) -> Store:
    """`check` must open a database the other commands cannot: damaged pages where the schema's
    bookkeeping lives make opening fail, but what can be read is still worth describing and saving."""
    from jiaoyuapp.schema import school_schema
    try:
        return open_school(path, create=False)
    except SchemaTooNewError:
        raise
    except DatabaseError:
        if not Path(path).is_file():
            raise
        conn = connect_read_only(path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return Store(Path(path), conn, school_schema())


def cmd_init(store, args):
    info = init_school(store, code=args.school_code, name=args.school_name, township=args.township,
                       county=args.county, school_type=args.school_type, top_grade=args.top_grade, actor=args.actor)
    from jiaoyuapp.exchange import identity
    key = identity.active(store, required=False)
    secret = passphrase(confirm=True) if key is None else None
    if key is None and secret:
        key = identity.create(store, kind="school", code=info["code"], name=info["name"], passphrase=secret)
    note = (f"密钥指纹：{key['fingerprint']}" if key else
            "尚未生成密钥（签名和数据包需要）：校长可随时运行 jiaoyu key create 设置口令后生成。")
    output(args, {"school": info, "db": str(store.path), "fingerprint": key["fingerprint"] if key else None},
         f"已登记学校：{info['name']}（标识码{info['code']}，{info['school_type']}）\n数据库：{store.path}\n{note}")


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

